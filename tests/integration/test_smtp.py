"""Emails really leave over SMTP: Django's SMTP backend talking to a local aiosmtpd server."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from notifications.models import OutboundEmail
from notifications.services import EmailDeliveryError, email_deliver, email_queue

from .conftest import body, free_port

pytestmark = pytest.mark.integration

CONFIRM_URL = re.compile(r"https?://[^\s/]+(/accounts/confirm-email/[^\s/]+/)")


@pytest.mark.django_db
def test_outbox_email_is_delivered_over_smtp(smtp_settings, django_capture_on_commit_callbacks):
    smtp_server = smtp_settings
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(
            to="dana@example.org",
            subject="Bologna council: meeting on İnnovation — Málaga",
            body_text="The agenda is ready.\nSee you there.",
            body_html="<p>The agenda is <strong>ready</strong>.</p>",
            headers={"X-Council": "bologna"},
        )

    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["dana@example.org"]
    assert envelope.mail_from == "no-reply@cluster-growth.eu"
    message = smtp_server.messages[0]
    # Django folds a long non-ASCII subject onto the next line; the unfolded value starts with a space.
    assert message["Subject"].strip() == "Bologna council: meeting on İnnovation — Málaga"
    assert message["To"] == "dana@example.org"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["X-Council"] == "bologna"
    assert message.get_content_type() == "multipart/alternative"
    assert body(message, "plain").strip() == "The agenda is ready.\nSee you there."
    assert body(message, "html").strip() == "<p>The agenda is <strong>ready</strong>.</p>"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


@pytest.mark.django_db
def test_outbox_email_smtp_server_down_is_queued_again_with_the_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    email = OutboundEmail.objects.create(to="dana@example.org", subject="Hello", body_text="Hi")

    with pytest.raises(EmailDeliveryError):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert email.last_error.startswith("ConnectionRefusedError")


@pytest.mark.django_db
def test_signup_verification_email_is_delivered_over_smtp(
    client, smtp_settings, isolated_cache, django_capture_on_commit_callbacks
):
    smtp_server = smtp_settings
    with django_capture_on_commit_callbacks(execute=True):
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
    assert response.url == reverse("account_email_verification_sent")
    messages = smtp_server.messages_to("erin@example.org")
    assert len(messages) == 1
    message = messages[0]
    assert message["Subject"].startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    text = body(message, "plain")
    html = body(message, "html")
    link = CONFIRM_URL.search(text)
    assert link, text
    assert link.group(1) in html

    # The link that travelled over SMTP verifies the address.
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="erin@example.org").verified
