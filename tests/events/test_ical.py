"""The .ics of an event and the feeds, parsed back with icalendar."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import CalendarKey, Registration
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def vevents(cal):
    return list(cal.walk("VEVENT"))


@pytest.fixture
def madrid_event(db):
    return EventFactory(
        title="Council meeting",
        description="Agenda to follow.",
        start=datetime.datetime(2030, 3, 5, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2030, 3, 5, 11, tzinfo=datetime.UTC),
        time_zone="Europe/Madrid",
        format="hybrid",
        online_url="https://meet.example.org/abc",
        capacity=2,
    )


def test_event_ics_is_valid_rfc5545(client, madrid_event, attendee, settings):
    settings.SITE_URL = "https://portal.example.org"
    RegistrationFactory(event=madrid_event, user=attendee)
    client.force_login(attendee)
    cal = parse(client.get(reverse("events:ics", args=[madrid_event.uid])))
    assert cal["VERSION"] == "2.0" and cal["PRODID"] and cal["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Madrid"]
    (entry,) = vevents(cal)
    assert str(entry["UID"]) == f"{madrid_event.uid}@portal.example.org"
    assert entry["DTSTAMP"].dt.utcoffset() == datetime.timedelta(0)
    start = entry["DTSTART"].dt
    assert entry["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert start == datetime.datetime(2030, 3, 5, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))
    assert start.hour == 10 and entry["DTEND"].dt.hour == 12
    assert entry["SEQUENCE"] == 0
    assert str(entry["SUMMARY"]) == "Council meeting"
    assert "Agenda to follow." in entry["DESCRIPTION"]
    assert f"https://portal.example.org/events/{madrid_event.uid}/" in entry["DESCRIPTION"]
    assert "https://meet.example.org/abc" in entry["DESCRIPTION"]
    assert "Málaga TechPark" in entry["LOCATION"]
    assert str(entry["URL"]).startswith("https://portal.example.org/")
    assert entry["STATUS"] == "CONFIRMED"


def test_event_ics_has_no_online_link_for_people_not_confirmed(client, madrid_event, attendee, viewer):
    RegistrationFactory.create_batch(2, event=madrid_event)
    RegistrationFactory(
        event=madrid_event, user=attendee, status=Registration.Status.WAITLISTED, confirmed_at=None
    )
    for person in (attendee, viewer):
        client.force_login(person)
        response = client.get(reverse("events:ics", args=[madrid_event.uid]))
        assert b"meet.example.org" not in response.content
        (entry,) = vevents(parse(response))
        assert "meet.example.org" not in entry["DESCRIPTION"]


def test_cancelled_event_and_sequence(client, madrid_event, manager):
    from events.services import event_update

    event_update(event=madrid_event, actor=manager, title="Moved")
    madrid_event.refresh_from_db()
    madrid_event.cancelled_at = timezone.now()
    madrid_event.save()
    client.force_login(manager)
    (entry,) = vevents(parse(client.get(reverse("events:ics", args=[madrid_event.uid]))))
    assert entry["STATUS"] == "CANCELLED" and entry["SEQUENCE"] == 1
    assert "meet.example.org" in entry["DESCRIPTION"]  # managers have the link


def test_personal_feed(client, attendee):
    past_confirmed = RegistrationFactory(
        user=attendee,
        event=EventFactory(
            start=timezone.now() - datetime.timedelta(days=3),
            end=timezone.now() - datetime.timedelta(days=3, hours=-2),
            title="Past",
        ),
    )
    future = RegistrationFactory(
        user=attendee,
        event=EventFactory(
            title="Future",
            time_zone="Europe/Istanbul",
            format="hybrid",
            online_url="https://meet.example.org/f",
        ),
    )
    waiting = RegistrationFactory(
        user=attendee,
        event=EventFactory(title="Waiting", format="hybrid", online_url="https://meet.example.org/w"),
        status=Registration.Status.WAITLISTED,
        confirmed_at=None,
    )
    RegistrationFactory(
        user=attendee,
        event=EventFactory(title="Cancelled reg"),
        status=Registration.Status.CANCELLED,
        confirmed_at=None,
    )
    RegistrationFactory(event=EventFactory(title="Someone else's"))
    key = CalendarKey.objects.create(user=attendee)
    cal = parse(client.get(reverse("events:feed", args=[key.key])))
    entries = {str(e["SUMMARY"]): e for e in vevents(cal)}
    assert set(entries) == {"Past", "Future", "Waiting"}
    assert entries["Waiting"]["STATUS"] == "TENTATIVE"
    assert "meet.example.org/w" not in entries["Waiting"]["DESCRIPTION"]
    assert "meet.example.org/f" in entries["Future"]["DESCRIPTION"]
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"Europe/Madrid", "Europe/Istanbul"}
    assert entries["Future"]["DTSTART"].params["TZID"] == "Europe/Istanbul"
    assert past_confirmed and future and waiting


def test_personal_feed_query_count_does_not_grow(client, attendee):
    key = CalendarKey.objects.create(user=attendee)
    counts = []
    for n in (2, 25):
        Registration.objects.filter(user=attendee).delete()
        for _ in range(n):
            RegistrationFactory(user=attendee)
        with CaptureQueriesContext(connection) as queries:
            cal = parse(client.get(reverse("events:feed", args=[key.key])))
        assert len(vevents(cal)) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_vtimezone_describes_both_observances_and_far_future_events(client, manager):
    event = EventFactory(
        start=datetime.datetime(2045, 7, 1, 8, tzinfo=datetime.UTC),
        end=datetime.datetime(2045, 7, 1, 10, tzinfo=datetime.UTC),
        time_zone="Europe/Paris",
    )
    client.force_login(manager)
    cal = parse(client.get(reverse("events:ics", args=[event.uid])))
    (zone,) = cal.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Paris"
    assert zone.walk("DAYLIGHT") and zone.walk("STANDARD")
    (entry,) = vevents(cal)
    assert entry["DTSTART"].dt.hour == 10  # CEST in July
    # Every TZID used by a VEVENT has its VTIMEZONE (RFC 5545 3.2.19).
    assert {entry["DTSTART"].params["TZID"], entry["DTEND"].params["TZID"]} <= {
        z["TZID"] for z in cal.walk("VTIMEZONE")
    }
