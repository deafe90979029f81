"""What the councils contribute to the digests (councils/digest.py): upcoming meetings, new minutes and
action items due, only of the person's councils; a fixed number of queries for a whole batch."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils import digest
from councils.models import ActionItem
from events.models import Event
from notifications.digests import DigestBatch, _reading
from notifications.models import Area
from notifications.registry import digest_contributors

from ..factories.councils import (
    ActionItemFactory,
    CouncilOrganisationFactory,
    CouncilPersonFactory,
    MeetingFactory,
)
from ..factories.organisations import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
DAY = timedelta(days=1)


def meeting(council, title, *, start, created, cancelled=False, published=None):
    made = MeetingFactory(
        council=council, event__title=title, event__start=start, minutes_published_at=published
    )
    Event.objects.filter(pk=made.event_id).update(
        created_at=created, cancelled_at=created if cancelled else None
    )
    return made


def titles(user, since=NOW - DAY, until=NOW):
    return [item.title for item in digest.contribute(user, since, until)]


@pytest.fixture
def meetings(malaga, bologna):
    return {
        "announced": meeting(
            malaga, "Announced yesterday", start=NOW + 3 * DAY, created=NOW - timedelta(hours=2)
        ),
        "entering": meeting(malaga, "Entering the fortnight", start=NOW + 13.5 * DAY, created=NOW - 30 * DAY),
        "listed_before": meeting(
            malaga, "Listed four days ago", start=NOW + 10 * DAY, created=NOW - 30 * DAY
        ),
        "far": meeting(malaga, "Far ahead", start=NOW + 20 * DAY, created=NOW - timedelta(hours=2)),
        "cancelled": meeting(
            malaga,
            "Cancelled",
            start=NOW + 2 * DAY,
            created=NOW - timedelta(hours=1),
            cancelled=True,
        ),
        "minutes": meeting(
            malaga,
            "Minutes today",
            start=NOW - 5 * DAY,
            created=NOW - 30 * DAY,
            published=NOW - timedelta(hours=5),
        ),
        "old_minutes": meeting(
            malaga, "Minutes last week", start=NOW - 9 * DAY, created=NOW - 30 * DAY, published=NOW - 3 * DAY
        ),
        "bologna": meeting(bologna, "Bologna meets", start=NOW + 4 * DAY, created=NOW - timedelta(hours=1)),
    }


def test_member_gets_upcoming_meetings_and_new_minutes_of_their_council(council_member, meetings):
    assert titles(council_member) == [
        "Upcoming meeting of Málaga: Announced yesterday",
        "Upcoming meeting of Málaga: Entering the fortnight",
        "Minutes published: Minutes today (Málaga)",
    ]


def test_items_link_to_the_meeting_and_carry_its_time(council_member, meetings):
    items = {item.title: item for item in digest.contribute(council_member, NOW - DAY, NOW)}

    upcoming = items["Upcoming meeting of Málaga: Announced yesterday"]
    assert upcoming.area == Area.COUNCILS
    assert upcoming.url == reverse("councils:meeting", args=["malaga", meetings["announced"].pk])
    assert upcoming.when == meetings["announced"].event.start
    assert items["Minutes published: Minutes today (Málaga)"].when == meetings["minutes"].minutes_published_at


def test_weekly_window_lists_what_became_upcoming_during_the_week(council_member, meetings):
    weekly = titles(council_member, since=NOW - 7 * DAY)

    assert "Upcoming meeting of Málaga: Listed four days ago" in weekly
    assert "Minutes published: Minutes last week (Málaga)" in weekly
    assert not any("Far ahead" in title or "Cancelled" in title or "Bologna" in title for title in weekly)


def test_next_digest_does_not_repeat_a_meeting(council_member, meetings):
    tomorrow = titles(council_member, since=NOW, until=NOW + DAY)

    assert not any("Announced yesterday" in title or "Entering the fortnight" in title for title in tomorrow)


def test_coordinator_and_individual_members_get_their_councils_too(
    coordinator, other_council_member, meetings, bologna
):
    assert "Upcoming meeting of Málaga: Announced yesterday" in titles(coordinator)
    assert titles(other_council_member) == ["Upcoming meeting of Bologna: Bologna meets"]
    invited = CouncilPersonFactory(council=bologna, role="member").user
    assert titles(invited) == ["Upcoming meeting of Bologna: Bologna meets"]


def test_people_outside_the_councils_get_nothing(outsider, staff, meetings):
    assert titles(outsider) == []
    assert titles(staff) == [], "staff see every council on the site, but the digest is about their own"


@pytest.fixture
def actions(council_member, meetings):
    today = timezone.localdate(NOW, timezone=datetime.UTC)
    past = meetings["minutes"]
    return {
        "soon": ActionItemFactory(
            meeting=past, owner=council_member, title="Send the offer", due_date=today + timedelta(days=3)
        ),
        "overdue": ActionItemFactory(
            meeting=past,
            owner=council_member,
            title="Book the lab",
            due_date=today - timedelta(days=2),
            status=ActionItem.Status.IN_PROGRESS,
        ),
        "later": ActionItemFactory(
            meeting=past, owner=council_member, title="Later", due_date=today + timedelta(days=10)
        ),
        "done": ActionItemFactory(
            meeting=past,
            owner=council_member,
            title="Done",
            due_date=today - DAY,
            status=ActionItem.Status.DONE,
        ),
        "dropped": ActionItemFactory(
            meeting=past,
            owner=council_member,
            title="Dropped",
            due_date=today,
            status=ActionItem.Status.DROPPED,
        ),
        "undated": ActionItemFactory(meeting=past, owner=council_member, title="Undated", due_date=None),
        "others": ActionItemFactory(meeting=past, title="Someone else's", due_date=today),
        "not_my_council": ActionItemFactory(
            meeting=meetings["bologna"],
            owner=council_member,
            title="Of a council Bob is not in",
            due_date=today,
        ),
    }


def test_action_items_due_within_a_week_or_overdue(council_member, actions):
    items = [item for item in digest.contribute(council_member, NOW - DAY, NOW) if "ction" in item.title]

    assert [item.title for item in items] == ["Overdue action: Book the lab", "Action due: Send the offer"]
    assert all(item.url == reverse("councils:my_actions") for item in items)
    assert items[1].detail.startswith("Due ") and "(Málaga)" in items[1].detail


def test_action_items_are_reminders_in_every_digest(council_member, actions):
    later = [
        title for title in titles(council_member, since=NOW + DAY, until=NOW + 2 * DAY) if "ction" in title
    ]

    assert later == ["Overdue action: Book the lab", "Action due: Send the offer"]


def test_action_of_a_council_the_owner_left_is_not_shown(council_member, acme, actions, malaga):
    acme.council_links.filter(council=malaga).update(status="left")

    assert titles(council_member) == []


def test_councils_area_in_a_digest_batch(council_member, meetings, actions):
    """Through the digests' own batch: the councils' section of Bob's weekly digest."""
    assert digest_contributors()[Area.COUNCILS.value] is digest.contribute
    batch = DigestBatch(users=[council_member], period="weekly", period_key="2099-W01", now=NOW)

    with _reading(council_member):
        sections = {section.area: section for section in batch.sections(council_member)}

    shown = [item.title for item in sections[Area.COUNCILS].items]
    assert "Upcoming meeting of Málaga: Announced yesterday" in shown
    assert "Overdue action: Book the lab" in shown


# --- queries ------------------------------------------------------------------------------------


def _people(count, malaga, bologna):
    """``count`` people: alternately in Málaga through an organisation, in Bologna in person; each with
    meetings of their councils and actions due."""
    people = []
    for n in range(count):
        if n % 2:
            organisation = OrganisationFactory()
            CouncilOrganisationFactory(council=malaga, organisation=organisation)
            person = MembershipFactory(organisation=organisation).user
            council = malaga
        else:
            person = CouncilPersonFactory(council=bologna, role="member").user
            council = bologna
        upcoming = meeting(council, f"Meeting {n}", start=NOW + 2 * DAY, created=NOW - timedelta(hours=1))
        published = meeting(
            council,
            f"Past {n}",
            start=NOW - 3 * DAY,
            created=NOW - 9 * DAY,
            published=NOW - timedelta(hours=1),
        )
        ActionItemFactory(meeting=published, owner=person, due_date=NOW.date() + DAY)
        ActionItemFactory(meeting=upcoming, owner=person, due_date=NOW.date() - DAY)
        people.append(person)
    return people


def _queries(people):
    with CaptureQueriesContext(connection) as loading:
        items_for = digest.contribute.batch(people, NOW - DAY, NOW)
    with CaptureQueriesContext(connection) as using:
        items = [items_for(person, NOW - DAY) for person in people]
    assert len(using) == 0, "items_for runs no query"
    assert all(len(person_items) >= 4 for person_items in items)
    return len(loading)


def test_digest_batch_queries_do_not_grow_with_people(malaga, bologna):
    few = _queries(_people(2, malaga, bologna))
    many = _queries(_people(30, malaga, bologna))

    assert few == many == 3


def test_batch_of_people_in_no_council_runs_one_query(outsider, staff):
    with CaptureQueriesContext(connection) as queries:
        items_for = digest.contribute.batch([outsider, staff], NOW - DAY, NOW)
    assert items_for(outsider, NOW - DAY) == [] and len(queries) == 1
