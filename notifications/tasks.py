import logging

from celery import shared_task

from .digests import PERIODS, digests_plan, digests_send, parse_now
from .models import OutboundEmail
from .services import EmailDeliveryError, email_deliver, email_mark_failed, outbox_flush

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(name="notifications.email_send", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def email_send(self, *, email_id):
    """Send one outbox email; retried with exponential backoff (30 s, 1, 2, 4, 8 min), then failed.

    Safe to run twice: the outbox row is claimed before sending. The attempts counted on the row,
    not in the task message, decide when to give up, so a retry queued again by ``outbox_flush``
    after its message was lost does not start the count afresh.
    """
    if not OutboundEmail.objects.filter(pk=email_id).exists():
        logger.warning("email %s no longer exists; nothing to send", email_id)
        return
    try:
        email_deliver(email_id=email_id)
    except EmailDeliveryError as exc:
        attempts = OutboundEmail.objects.values_list("attempts", flat=True).get(pk=email_id)
        if attempts > MAX_RETRIES:
            email_mark_failed(email_id=email_id, reason=str(exc))
            return
        raise self.retry(exc=exc, countdown=30 * 2 ** (attempts - 1), max_retries=None) from exc


@shared_task(name="notifications.outbox_flush", acks_late=True)
def outbox_flush_task():
    """Periodic (every 5 minutes): queue again emails whose sending task was lost."""
    count = outbox_flush()
    if count:
        logger.info("outbox_flush queued %s email(s) again", count)
    return count


# --- digests -------------------------------------------------------------------------------------


@shared_task(name="notifications.digest_plan", acks_late=True)
def digest_plan(*, now=None, periods=None):
    """Periodic (hourly at minute 0): queue the daily and weekly digests that are due in their
    recipients' morning, in batches. Safe to run twice: nobody gets a digest twice (see
    ``notifications.digests``). ``now`` (ISO 8601) is for tests; it is passed on to the batches."""
    return digests_plan(now=parse_now(now), periods=tuple(periods or PERIODS), pass_now=bool(now))


@shared_task(name="notifications.digest_send_batch", acks_late=True)
def digest_send_batch(*, user_ids, period, period_key, now=None):
    """Build and queue the digests of one batch of people. Safe to run twice, or again after it was
    interrupted: each person's digest is claimed before it is built, and finished ones are skipped."""
    outcome = digests_send(user_ids=user_ids, period=period, period_key=period_key, now=parse_now(now))
    if outcome.get("failed"):
        logger.warning("digest batch %s %s: %s", period, period_key, outcome)
    return outcome
