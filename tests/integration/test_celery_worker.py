"""A real Celery worker process on Redis sends the outbox's emails over SMTP, end to end.

Needs PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``): skipped without them, failed under
``REQUIRE_SERVICES=1``. See the ``celery_worker`` fixture in conftest.py.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse

from notifications.models import OutboundEmail
from notifications.services import email_queue

from .conftest import body, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30  # seconds: the worker polls Redis continuously, so this is only reached on failure
CONFIRM_PATH = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s/]+/)")


def wait_for_status(email, status):
    def reached():
        return OutboundEmail.objects.filter(pk=email.pk, status=status).exists()

    wait_for(reached, timeout=TIMEOUT, message=f"email {email.pk} to be {status}")


def test_email_queue_is_sent_by_the_worker_over_smtp(celery_worker, smtp_server):
    with transaction.atomic():  # committed: the worker, another process, must see the row
        email = email_queue(
            to="dana@example.org",
            subject="Cork council: minutes of the March meeting",
            body_text="The minutes are online.",
            body_html="<p>The minutes are <em>online</em>.</p>",
        )

    messages = wait_for(
        lambda: smtp_server.messages_to("dana@example.org"),
        timeout=TIMEOUT,
        message="the SMTP server to receive the email",
    )
    wait_for_status(email, OutboundEmail.Status.SENT)

    assert len(messages) == 1
    message = messages[0]
    assert message["Subject"] == "Cork council: minutes of the March meeting"
    assert body(message, "plain").strip() == "The minutes are online."
    assert body(message, "html").strip() == "<p>The minutes are <em>online</em>.</p>"
    email.refresh_from_db()
    assert email.attempts == 1
    assert email.sent_at is not None
    # It was the worker, not this process, that sent it.
    assert "notifications.email_send[" in celery_worker.output()


def test_signup_verification_email_goes_through_the_worker(
    celery_worker, smtp_server, isolated_cache, client
):
    # isolated_cache: allauth sends one verification email per address per 3 minutes, counted in the
    # cache, which with Redis outlives the test (the SMTP test signs up the same address).
    response = client.post(
        reverse("account_signup"),
        {
            "email": "erin@example.org",
            "full_name": "Erin Engineer",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
            "accept_privacy": "on",
        },
    )
    assert response.status_code == 302

    messages = wait_for(
        lambda: smtp_server.messages_to("erin@example.org"),
        timeout=TIMEOUT,
        message="the verification email",
    )
    email = OutboundEmail.objects.get(to="erin@example.org")
    wait_for_status(email, OutboundEmail.Status.SENT)

    assert len(messages) == 1
    link = CONFIRM_PATH.search(body(messages[0], "plain"))
    assert link
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="erin@example.org").verified
