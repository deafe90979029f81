"""The council calendar feed: every meeting of the council, for members (by their calendar key)."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.views.feeds import calendar_feeds
from events.models import CalendarKey, Registration
from events.registry import _feed_providers, register_feed_provider

from ..factories.councils import MeetingFactory, past_meeting
from ..factories.events import RegistrationFactory

pytestmark = pytest.mark.django_db


def feed_url(slug, user):
    key = CalendarKey.objects.get_or_create(user=user)[0].key
    return reverse("councils:feed", args=[slug, key])


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


@pytest.fixture
def meetings(malaga, bologna):
    upcoming = MeetingFactory(
        council=malaga,
        event__title="Upcoming",
        event__format="hybrid",
        event__online_url="https://meet.example.org/m",
    )
    past = past_meeting("malaga", days_ago=20, title="Past")
    other = MeetingFactory(council=bologna, event__title="Bologna meeting")
    return upcoming, past, other


@pytest.mark.parametrize(
    "who, status",
    [
        ("outsider", 404),
        ("other_council_member", 404),
        ("council_member", 200),
        ("coordinator", 200),
        ("staff", 200),
    ],
)
def test_feed_permission_matrix(client, request, meetings, who, status):
    user = request.getfixturevalue(who)
    assert client.get(feed_url("malaga", user)).status_code == status


def test_feed_lists_the_councils_meetings(client, meetings, council_member):
    upcoming, past, other = meetings
    found = entries(client.get(feed_url("malaga", council_member)))
    assert set(found) == {"Upcoming", "Past"}
    entry = found["Upcoming"]
    assert entry["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert str(entry["URL"]).endswith(reverse("councils:meeting", args=["malaga", upcoming.pk]))
    assert "meet.example.org" not in entry["DESCRIPTION"]  # not registered: no online link


def test_feed_has_the_online_link_for_confirmed_people(client, meetings, council_member):
    upcoming = meetings[0]
    RegistrationFactory(event=upcoming.event, user=council_member)
    entry = entries(client.get(feed_url("malaga", council_member)))["Upcoming"]
    assert "https://meet.example.org/m" in entry["DESCRIPTION"]


def test_cancelled_meeting_is_marked_cancelled(client, meetings, council_member):
    upcoming = meetings[0]
    upcoming.event.cancelled_at = timezone.now()
    upcoming.event.save()
    assert entries(client.get(feed_url("malaga", council_member)))["Upcoming"]["STATUS"] == "CANCELLED"


@pytest.mark.parametrize("key", ["forged", "a" * 64, "a" * 65, "%00", "k\u00e9y"])
def test_forged_key_is_404(client, meetings, council_member, key):
    CalendarKey.objects.create(user=council_member)
    assert client.get(f"/councils/malaga/calendar/{key}.ics").status_code == 404


def test_unknown_council_is_404(client, council_member):
    assert client.get(feed_url("atlantis", council_member)).status_code == 404


def test_inactive_account_is_404(client, meetings, council_member):
    url = feed_url("malaga", council_member)
    council_member.is_active = False
    council_member.save()
    assert client.get(url).status_code == 404


def test_query_count_does_not_grow(client, malaga, council_member):
    url = feed_url("malaga", council_member)
    counts = []
    for n in (2, 20):
        for _ in range(n):
            meeting = MeetingFactory(council=malaga)
            RegistrationFactory(event=meeting.event, user=council_member)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_calendar_feeds_lists_the_users_councils(malaga, council_member, other_council_member, outsider):
    ((label, url),) = calendar_feeds(council_member)
    assert "Málaga" in label or "Malaga" in label
    key = CalendarKey.objects.get(user=council_member).key
    assert url == reverse("councils:feed", args=["malaga", key])
    assert calendar_feeds(outsider) == []
    assert [u for _, u in calendar_feeds(other_council_member)][0].startswith("/councils/bologna/")


def test_calendar_page_shows_the_council_feed(client, malaga, council_member):
    already = calendar_feeds in _feed_providers  # once councils/apps.py registers it
    register_feed_provider(calendar_feeds)
    try:
        client.force_login(council_member)
        html = client.get(reverse("events:calendar")).content.decode()
    finally:
        if not already:
            _feed_providers.remove(calendar_feeds)
    key = CalendarKey.objects.get(user=council_member).key
    assert f"/councils/malaga/calendar/{key}.ics" in html


def test_feed_entries_have_registrations_status_independent_of_waitlist(client, meetings, council_member):
    upcoming = meetings[0]
    RegistrationFactory(
        event=upcoming.event, user=council_member, status=Registration.Status.WAITLISTED, confirmed_at=None
    )
    entry = entries(client.get(feed_url("malaga", council_member)))["Upcoming"]
    assert "meet.example.org" not in entry["DESCRIPTION"]
    assert entry["DTEND"].dt - entry["DTSTART"].dt == datetime.timedelta(hours=2)
