"""Reminders: within the event's reminder hours, to confirmed people, exactly once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Registration
from events.services import reminders_send
from events.tasks import send_reminders
from notifications.models import Notification
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def starting_in(hours, **fields):
    start = timezone.now() + datetime.timedelta(hours=hours)
    return EventFactory(start=start, end=start + datetime.timedelta(hours=2), **fields)


def reminders():
    return Notification.objects.filter(kind="event.reminder")


def test_reminds_confirmed_people_of_events_within_their_hours(attendee, attendee2, viewer):
    soon = starting_in(5, reminder_hours=24, title="Soon")
    RegistrationFactory(event=soon, user=attendee)
    RegistrationFactory(event=soon, user=attendee2, status=Registration.Status.WAITLISTED, confirmed_at=None)
    RegistrationFactory(event=soon, user=viewer, status=Registration.Status.CANCELLED, confirmed_at=None)
    later = starting_in(30, reminder_hours=24)
    RegistrationFactory(event=later, user=attendee)
    short = starting_in(5, reminder_hours=2)
    RegistrationFactory(event=short, user=attendee)
    started = starting_in(-0.5, reminder_hours=24)
    RegistrationFactory(event=started, user=attendee)
    cancelled = starting_in(5, cancelled_at=timezone.now())
    RegistrationFactory(event=cancelled, user=attendee)

    assert reminders_send() == 1
    (notification,) = reminders()
    assert notification.user == attendee and notification.area == "councils"
    assert notification.params["title"] == "Soon"
    assert f"/events/{soon.uid}/event.ics" in notification.params["ics"]
    assert notification.url == f"/events/{soon.uid}/"
    assert Registration.objects.get(event=soon, user=attendee).reminder_sent_at is not None


def test_reminders_are_sent_once_even_when_run_twice(attendee):
    event = starting_in(3)
    RegistrationFactory(event=event, user=attendee)
    assert reminders_send() == 1
    assert reminders_send() == 0
    send_reminders.delay()
    assert reminders().count() == 1


def test_a_late_confirmation_is_reminded_on_the_next_run(attendee, attendee2):
    event = starting_in(3)
    RegistrationFactory(event=event, user=attendee)
    reminders_send()
    RegistrationFactory(event=event, user=attendee2)
    assert reminders_send() == 1
    assert set(reminders().values_list("user", flat=True)) == {attendee.pk, attendee2.pk}


def test_reminder_hours_are_checked_with_a_given_now(attendee):
    event = starting_in(48, reminder_hours=24)
    RegistrationFactory(event=event, user=attendee)
    assert reminders_send() == 0
    assert reminders_send(now=timezone.now() + datetime.timedelta(hours=25)) == 1


def test_query_count_does_not_grow_with_people(django_assert_max_num_queries):
    counts = []
    for n in (2, 20):
        event = starting_in(3)
        for _ in range(n):
            RegistrationFactory(event=event)
        with CaptureQueriesContext(connection) as queries:
            assert reminders_send() == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
