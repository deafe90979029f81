"""Personal data (export, erasure) and the admin pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_erase, user_export_data
from events.models import CalendarKey, Registration
from tests.factories.accounts import totp_enable
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture
def staff_client(client, staff):
    """Alice, staff with TOTP, signed in (the admin refuses staff without two-factor)."""
    totp_enable(staff)
    client.force_login(staff)
    return client


def test_export_lists_registrations(attendee):
    RegistrationFactory(user=attendee, event=EventFactory(title="Kick-off"))
    CalendarKey.objects.create(user=attendee)
    data = user_export_data(user=attendee)["events"]
    assert data["registrations"][0]["event"] == "Kick-off"
    assert data["registrations"][0]["status"] == "confirmed"
    assert data["calendar_feed"] is True


def test_erase_keeps_past_attendance_and_frees_future_seats(attendee, attendee2):
    past = EventFactory(
        start=timezone.now() - datetime.timedelta(days=5),
        end=timezone.now() - datetime.timedelta(days=5, hours=-2),
    )
    RegistrationFactory(user=attendee, event=past, checked_in_at=past.start)
    future = EventFactory(capacity=1)
    RegistrationFactory(user=attendee, event=future)
    waiting = RegistrationFactory(
        user=attendee2, event=future, status=Registration.Status.WAITLISTED, confirmed_at=None
    )
    CalendarKey.objects.create(user=attendee)
    user_erase(user=attendee)
    assert not CalendarKey.objects.filter(user=attendee).exists()
    assert list(Registration.objects.filter(user=attendee).values_list("event", flat=True)) == [past.pk]
    assert Registration.objects.get(pk=waiting.pk).status == Registration.Status.CONFIRMED


@pytest.mark.parametrize("model", ["event", "registration", "calendarkey"])
def test_admin_changelists_constant_queries(staff_client, staff, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 20):
        for _ in range(n):
            registration = RegistrationFactory()
            CalendarKey.objects.create(user=registration.user)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse(f"admin:events_{model}_changelist")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_admin_change_goes_through_the_service(staff_client, attendee, attendee2):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, user=attendee)
    waiting = RegistrationFactory(
        event=event, user=attendee2, status=Registration.Status.WAITLISTED, confirmed_at=None
    )
    url = reverse("admin:events_event_change", args=[event.pk])
    assert staff_client.get(url).status_code == 200
    page = staff_client.get(url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(
        {
            "title": event.title,
            "start_0": event.start.strftime("%Y-%m-%d"),
            "start_1": event.start.strftime("%H:%M:%S"),
            "end_0": event.end.strftime("%Y-%m-%d"),
            "end_1": event.end.strftime("%H:%M:%S"),
            "capacity": "2",
            "organiser": event.organiser_id,
            "registration_opens_at_0": "",
            "registration_opens_at_1": "",
            "registration_closes_at_0": "",
            "registration_closes_at_1": "",
            "online_url": "",
            "registrations-TOTAL_FORMS": "2",
            "registrations-INITIAL_FORMS": "2",
            "registrations-MIN_NUM_FORMS": "0",
            "registrations-MAX_NUM_FORMS": "1000",
            "registrations-0-id": Registration.objects.get(user=attendee).pk,
            "registrations-0-event": event.pk,
            "registrations-1-id": waiting.pk,
            "registrations-1-event": event.pk,
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event.refresh_from_db()
    assert event.capacity == 2 and event.sequence == 1
    assert Registration.objects.get(pk=waiting.pk).status == Registration.Status.CONFIRMED
