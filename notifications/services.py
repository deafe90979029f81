"""Writes of the notifications app: the email outbox."""

import base64
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from .emails import email_render
from .models import (
    DEFAULT_FREQUENCY,
    Area,
    Frequency,
    Notification,
    NotificationPreference,
    OutboundEmail,
)
from .unsubscribe import unsubscribe_url

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send; the email may be claimed again.
STALE_CLAIM = timedelta(minutes=10)
# A failed email whose retry has not run by then lost its retry message (e.g. a worker restart).
LOST_RETRY = timedelta(minutes=15)


class EmailDeliveryError(Exception):
    """The SMTP server could not take the message now; the caller may retry."""


def _stored_attachments(attachments):
    """``[(filename, content, mimetype)]`` (content str or bytes) as the outbox row keeps them."""
    stored = []
    for filename, content, mimetype in attachments or ():
        if isinstance(content, str):
            content = content.encode()
        stored.append(
            {"filename": filename, "mimetype": mimetype, "content": base64.b64encode(content).decode("ascii")}
        )
    return stored


def email_queue(*, to, subject, body_text, body_html="", headers=None, key=None, user=None, attachments=None):
    """Put an email in the outbox and send it by a Celery task once the transaction commits.

    With a ``key``, queueing the same key again returns the existing row and sends nothing more.
    ``user`` is the account the email is for (its data export and erasure include the email).
    ``attachments`` are ``(filename, content, mimetype)`` tuples, stored on the row so that every
    retry sends them.
    """
    defaults = {
        "to": to,
        "subject": subject[:300],
        "body_text": body_text,
        "body_html": body_html,
        "headers": headers or {},
        "user": user,
        "attachments": _stored_attachments(attachments),
    }
    with transaction.atomic():
        if key:
            email, created = OutboundEmail.objects.get_or_create(key=key, defaults=defaults)
        else:
            email, created = OutboundEmail.objects.create(**defaults), True
        if created:
            transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id):
    from .tasks import email_send

    try:
        email_send.delay(email_id=email_id)
    except Exception:  # broker down: the row is safe in the outbox and outbox_flush sends it later
        logger.exception("could not queue email %s; outbox_flush will pick it up", email_id)


def outbox_flush(*, older_than=timedelta(minutes=2)):
    """Queue again the emails whose task never ran (the broker was down when they were queued, or
    the worker died mid-send). Returns how many were queued. Safe to run at any time: the claim in
    :func:`email_deliver` keeps an email from being sent twice."""
    cutoff = timezone.now() - older_than
    stuck = OutboundEmail.objects.filter(
        # never tried: the task was never queued or its message was lost
        Q(status=OutboundEmail.Status.QUEUED, attempts=0, created_at__lt=cutoff)
        # failed before and waiting for a retry that is long overdue (the longest backoff is 8 min)
        | Q(status=OutboundEmail.Status.QUEUED, attempts__gt=0, claimed_at__lt=timezone.now() - LOST_RETRY)
        # a worker died while sending
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM)
    ).values_list("pk", flat=True)
    count = 0
    for email_id in stuck.iterator():
        _enqueue(email_id)
        count += 1
    return count


def _claim(email_id):
    now = timezone.now()
    claimable = Q(status=OutboundEmail.Status.QUEUED) | Q(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    return OutboundEmail.objects.filter(claimable, pk=email_id).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now
    )


def email_deliver(*, email_id):
    """Send one outbox email over the configured backend.

    Idempotent: only a queued email (or one whose sender died) is claimed, so a task that runs
    twice sends once. Returns True when this call sent it. On an SMTP or network failure the row
    goes back to queued with the error and :class:`EmailDeliveryError` is raised for a retry.
    """
    if not _claim(email_id):
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers=email.headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments or ():
        message.attach(
            attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"]
        )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # smtplib and socket errors alike: all mean "not sent"
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.QUEUED,
            attempts=email.attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise EmailDeliveryError(str(exc)) from exc
    OutboundEmail.objects.filter(pk=email_id).update(
        status=OutboundEmail.Status.SENT, attempts=email.attempts + 1, sent_at=timezone.now(), last_error=""
    )
    return True


def email_mark_failed(*, email_id, reason):
    """Give up on an email after its last retry, keeping why."""
    OutboundEmail.objects.filter(pk=email_id).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED, last_error=reason[:2000]
    )
    logger.error("email %s failed for good: %s", email_id, reason)


# --- in-app notifications and preferences ---------------------------------------------------------


def frequencies_for(user):
    """{area: frequency} for every area, defaults filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("area", "frequency"))
    return {area: chosen.get(area, str(DEFAULT_FREQUENCY)) for area in Area.values}


def preference_set(*, user, area, frequency):
    """Choose how ``user`` hears about ``area``. Raises ValidationError for unknown values."""
    if area not in Area.values or frequency not in Frequency.values:
        raise ValidationError("Unknown area or frequency.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, area=area, defaults={"frequency": frequency}
    )
    return preference


@transaction.atomic
def notify(*, users, kind, area, message, params=None, url="", target=None, email=True):
    """Tell ``users`` that something happened: a notification under each one's bell, and an email at
    once to those who chose that for ``area`` (the others get it in their digest, or not at all).
    ``email=False``: the caller sends an email of its own about the same thing (a transactional one,
    e.g. a registration with its calendar file), so no second email goes out now.

    ``message`` is the English source text (mark it with gettext_noop so it is translated when
    shown), formatted with ``params``. Returns the notifications created.
    """
    if area not in Area.values:
        raise ValueError(f"unknown notification area {area!r}")
    users = [user for user in {user.pk: user for user in users}.values() if user.is_active]
    if not users:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    # The source text, even from a gettext_lazy message: the active language is the sender's, and
    # each reader gets the text translated into theirs when it is shown.
    with translation.override(None):
        message = str(message)
    notifications = Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=kind,
            area=area,
            message=message[:300],
            params=params or {},
            url=url,
            target_type=target_type,
            target_id=str(target.pk) if target is not None else "",
        )
        for user in users
    )
    if not email:
        return notifications
    chosen = dict(
        NotificationPreference.objects.filter(user__in=users, area=area).values_list("user_id", "frequency")
    )
    for notification, user in zip(notifications, users, strict=True):
        if chosen.get(user.pk, DEFAULT_FREQUENCY) == Frequency.IMMEDIATE:
            _email_notification(notification, user)
    return notifications


def _email_notification(notification, user):
    unsubscribe = unsubscribe_url(user=user, area=notification.area)
    with_language = {"notification": notification, "user": user, "site_url": settings.SITE_URL}
    subject, text, html = email_render(
        template_prefix="notifications/emails/notification",
        context={**with_language, "unsubscribe_url": unsubscribe},
        language=user.language,
    )
    email_queue(
        to=user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=unsubscribe_headers(unsubscribe),
        key=f"notification:{notification.pk}",
        user=user,
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def unsubscribe_headers(url):
    """RFC 2369 / RFC 8058 headers: mail clients show an unsubscribe button that POSTs to ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def notification_mark_read(*, user, notification_id):
    """Mark one of ``user``'s notifications read; another person's id changes nothing."""
    return Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user):
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
