"""Registration emails (with the .ics attached, surviving retries) and the in-app notifications."""

import icalendar
import pytest
from django.core import mail

from events.services import registration_cancel, registration_create
from notifications.models import Frequency, Notification, OutboundEmail
from notifications.services import email_deliver, preference_set
from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def online_event(db):
    return EventFactory(
        capacity=1, format="hybrid", online_url="https://meet.example.org/abc", title="Kick-off"
    )


def _ics_of(message):
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(content)


def test_confirmed_email_has_the_ics_and_the_online_link(
    online_event, attendee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=online_event, user=attendee)
    (message,) = mail.outbox
    assert message.to == [attendee.email]
    assert "You are registered: Kick-off" in message.subject
    assert "https://meet.example.org/abc" in message.body
    assert f"/events/{online_event.uid}/" in message.body
    (entry,) = _ics_of(message).walk("VEVENT")
    assert "meet.example.org/abc" in entry["DESCRIPTION"]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://meet.example.org/abc"' in html and "Kick-off" in html
    # A self-registration is not in the bell: the person just did it.
    assert not Notification.objects.filter(user=attendee).exists()


def test_waitlisted_email_has_no_ics_nor_link(
    online_event, attendee, attendee2, django_capture_on_commit_callbacks
):
    registration_create(event=online_event, user=attendee)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=online_event, user=attendee2)
    (message,) = [m for m in mail.outbox if m.to == [attendee2.email]]
    assert "waiting list" in message.subject.lower()
    assert message.attachments == []
    assert "meet.example.org" not in message.body


def test_promoted_person_gets_email_and_notification(
    online_event, attendee, attendee2, django_capture_on_commit_callbacks
):
    first = registration_create(event=online_event, user=attendee)
    registration_create(event=online_event, user=attendee2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=first, actor=attendee)
    (message,) = mail.outbox
    assert message.to == [attendee2.email] and "A seat is yours" in message.subject
    _ics_of(message)
    (notification,) = Notification.objects.filter(user=attendee2)
    assert notification.kind == "event.registration_promoted" and notification.area == "councils"
    assert notification.params == {"title": "Kick-off"}


def test_the_email_is_in_the_persons_language(online_event, django_capture_on_commit_callbacks):
    person = UserFactory(email="person1@example.org", language="es")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=online_event, user=person)
    (message,) = mail.outbox
    assert message.subject  # rendered under the person's language (translations come later)
    assert OutboundEmail.objects.get(to=person.email).user == person


def test_registration_email_is_sent_even_with_notifications_off(
    online_event, attendee, django_capture_on_commit_callbacks
):
    preference_set(user=attendee, area="councils", frequency=Frequency.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=online_event, user=attendee)
    assert len(mail.outbox) == 1


def test_registered_by_manager_is_told_in_the_bell(
    online_event, attendee, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=online_event, user=attendee, registered_by=manager)
    assert Notification.objects.filter(user=attendee, kind="event.registration_confirmed").exists()
    assert "A coordinator registered you" in mail.outbox[0].body


def test_attachments_survive_a_retry(online_event, attendee, settings, django_capture_on_commit_callbacks):
    from unittest import mock

    from notifications.services import EmailDeliveryError

    registration_create(event=online_event, user=attendee)  # no commit callbacks: nothing sent yet
    email = OutboundEmail.objects.get(to=attendee.email)
    assert email.attachments and email.attachments[0]["mimetype"] == "text/calendar"
    failing = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down"))
    with failing, pytest.raises(EmailDeliveryError):
        email_deliver(email_id=email.pk)
    assert email_deliver(email_id=email.pk)
    (message,) = mail.outbox
    _ics_of(message)


def test_email_queue_attachments_bytes_and_text(django_capture_on_commit_callbacks):
    from notifications.services import email_queue

    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to="x@example.org",
            subject="s",
            body_text="b",
            attachments=[
                ("a.bin", b"\x00\x01", "application/octet-stream"),
                ("b.txt", "héllo", "text/plain"),
            ],
        )
    (message,) = mail.outbox
    assert message.attachments[0][1] == b"\x00\x01"
    assert message.attachments[1][1] == "héllo"
