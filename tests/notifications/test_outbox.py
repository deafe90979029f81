"""The email outbox: queued after commit, sent once, retried on SMTP failures, then failed.

Celery runs eagerly here (tests/conftest.py), so ``email_send.delay`` runs the task in-process;
Django's locmem backend (``mail.outbox``) stands in for the SMTP server.
"""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from cluster_growth.celery import app as celery_app
from notifications.models import OutboundEmail
from notifications.services import STALE_CLAIM, EmailDeliveryError, email_deliver, email_queue
from notifications.tasks import MAX_RETRIES, email_send

FAILING_BACKEND = "tests.notifications.test_outbox.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that hangs up on the first ``failures`` messages, then takes the rest."""

    failures = 0
    attempts = 0

    def send_messages(self, email_messages):
        cls = type(self)
        cls.attempts += 1
        if cls.failures is None or cls.attempts <= cls.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture
def failing_backend(settings):
    """Returns a function that makes the backend fail ``n`` times (``None``: always)."""
    settings.EMAIL_BACKEND = FAILING_BACKEND

    def fail(n):
        FailingBackend.failures = n
        FailingBackend.attempts = 0

    fail(None)
    yield fail
    fail(0)


@pytest.fixture
def eager_retries():
    """Eager tasks retry in-process as a worker would (with propagation on, Celery raises the
    ``Retry`` instead of running the task again)."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


def queue(**overrides):
    fields = {
        "to": "bob@example.org",
        "subject": "Your council meeting",
        "body_text": "See you on Tuesday.",
        "body_html": "<p>See you on <strong>Tuesday</strong>.</p>",
    }
    return email_queue(**(fields | overrides))


@pytest.mark.django_db
def test_email_queue_sends_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = queue(headers={"X-Council": "bologna"})
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    assert message.subject == "Your council meeting"
    assert message.body == "See you on Tuesday."
    assert message.alternatives[0][1] == "text/html"
    assert "<strong>Tuesday</strong>" in message.alternatives[0][0]
    assert message.extra_headers["X-Council"] == "bologna"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.last_error == ""


@pytest.mark.django_db
def test_email_queue_text_only_has_no_html_part(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(body_html="")

    assert mail.outbox[0].alternatives == []


@pytest.mark.django_db
def test_email_queue_same_key_twice_is_one_row_and_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(key="digest:bob:2026-W10")
        second = queue(key="digest:bob:2026-W10", subject="A different subject")

    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Your council meeting"

    # Queueing the key again later, after it was sent, still sends nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue(key="digest:bob:2026-W10")
    assert callbacks == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_send_run_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
    assert len(mail.outbox) == 1

    # A redelivered message (acks_late) runs the task again: it finds the email already sent.
    email_send.delay(email_id=email.pk)
    email_send.apply(kwargs={"email_id": email.pk})

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1


@pytest.mark.django_db
def test_email_send_of_a_deleted_email_does_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = queue()
    email.delete()

    email_send.apply(kwargs={"email_id": email.pk}).get()

    assert mail.outbox == []


@pytest.mark.django_db
def test_email_deliver_smtp_error_puts_the_email_back_in_the_queue(failing_backend):
    email = OutboundEmail.objects.create(to="bob@example.org", subject="Hello", body_text="Hi")

    with pytest.raises(EmailDeliveryError, match="Connection unexpectedly closed"):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert email.sent_at is None


@pytest.mark.django_db
def test_email_send_smtp_error_is_retried_until_it_goes_through(
    failing_backend, eager_retries, django_capture_on_commit_callbacks
):
    failing_backend(2)

    with django_capture_on_commit_callbacks(execute=True):
        email = queue()

    assert FailingBackend.attempts == 3
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 3
    assert email.last_error == ""


@pytest.mark.django_db
def test_email_send_retries_with_backoff(failing_backend, eager_retries, monkeypatch):
    email = OutboundEmail.objects.create(to="bob@example.org", subject="Hello", body_text="Hi")
    countdowns = []
    retry = email_send.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(email_send, "retry", spy)

    email_send.apply(kwargs={"email_id": email.pk})

    assert countdowns == [30, 60, 120, 240, 480]


@pytest.mark.django_db
def test_email_send_after_the_last_retry_marks_the_email_failed(
    failing_backend, eager_retries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()

    assert FailingBackend.attempts == MAX_RETRIES + 1
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == MAX_RETRIES + 1
    assert email.last_error == "Connection unexpectedly closed"
    assert email.sent_at is None


@pytest.mark.django_db
def test_email_send_last_retry_failing_marks_failed_without_another_retry(failing_backend):
    # The row's own count decides, not the task message's: 5 attempts failed already.
    email = OutboundEmail.objects.create(
        to="bob@example.org", subject="Hello", body_text="Hi", attempts=MAX_RETRIES
    )

    email_send.apply(kwargs={"email_id": email.pk})

    assert FailingBackend.attempts == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert "Connection unexpectedly closed" in email.last_error


@pytest.mark.django_db
def test_email_deliver_stale_sending_claim_is_reclaimed():
    # The worker that claimed it died mid-send long ago.
    claimed_at = timezone.now() - STALE_CLAIM - timedelta(minutes=1)
    email = OutboundEmail.objects.create(
        to="bob@example.org", subject="Hello", body_text="Hi", status="sending", claimed_at=claimed_at
    )

    assert email_deliver(email_id=email.pk) is True

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_email_deliver_fresh_sending_claim_is_left_alone():
    # Another worker is sending it right now.
    email = OutboundEmail.objects.create(
        to="bob@example.org",
        subject="Hello",
        body_text="Hi",
        status="sending",
        claimed_at=timezone.now() - timedelta(seconds=30),
    )

    assert email_deliver(email_id=email.pk) is False

    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENDING


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["sent", "failed"])
def test_email_deliver_finished_email_is_not_sent_again(status):
    email = OutboundEmail.objects.create(to="bob@example.org", subject="Hello", body_text="Hi", status=status)

    assert email_deliver(email_id=email.pk) is False

    assert mail.outbox == []


# Real commits and rollbacks: on_commit callbacks run (or are dropped) as in production.


@pytest.mark.django_db(transaction=True)
def test_email_queue_in_a_committed_transaction_is_sent_after_commit():
    with transaction.atomic():
        email = queue()
        assert mail.outbox == []
        assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.QUEUED

    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_email_queue_in_a_rolled_back_transaction_sends_nothing():
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        queue()
        raise Abort

    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_outbox_flush_requeues_a_failed_email_whose_retry_was_lost(db):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.models import OutboundEmail
    from notifications.services import outbox_flush

    old = timezone.now() - timedelta(hours=1)
    lost = OutboundEmail.objects.create(
        to="a@example.org", subject="s", body_text="t", attempts=2, claimed_at=old, created_at=old
    )
    waiting = OutboundEmail.objects.create(
        to="b@example.org", subject="s", body_text="t", attempts=2, claimed_at=timezone.now(), created_at=old
    )
    assert outbox_flush() == 1
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == OutboundEmail.Status.SENT
    assert waiting.status == OutboundEmail.Status.QUEUED
