"""The councils' list and pages: public facts for everyone, members' business for members, a
constant number of queries whatever the size, and the header and home page leading to them."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils.models import CouncilOrganisation, CouncilPerson

from ..factories.councils import CouncilOrganisationFactory, CouncilPersonFactory, MeetingFactory
from ..factories.events import in_days
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(council, n):
    """``n`` more member organisations, coordinators, pending requests, invitations and meetings."""
    for _ in range(n):
        CouncilOrganisationFactory(council=council)
        CouncilOrganisationFactory(
            council=council, status=CouncilOrganisation.Status.REQUESTED, joined_at=None
        )
        CouncilOrganisationFactory(council=council, status=CouncilOrganisation.Status.INVITED, joined_at=None)
        CouncilPersonFactory(council=council)
        CouncilPersonFactory(council=council, role=CouncilPerson.Role.MEMBER)
        CouncilPerson.objects.create(
            council=council,
            email=f"guest-{CouncilPerson.objects.count()}@example.org",
            status=CouncilPerson.Status.INVITED,
        )
        MeetingFactory(council=council)


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_six_with_their_member_counts(client, malaga, acme, uni):
    content = client.get("/councils/").content.decode()

    for city in ["Málaga", "Alcalá de Henares", "Bologna", "Cork", "Istanbul", "Paris"]:
        assert city in content
    assert "2 member organisations" in content
    assert "0 member organisations" in content


def test_list_shows_the_next_meeting_to_members_only(client, malaga, council_member, outsider):
    MeetingFactory(council=malaga, event__start=in_days(30))
    soon = MeetingFactory(council=malaga, event__start=in_days(3))
    MeetingFactory(council=malaga, event__start=in_days(-3), event__end=in_days(-3, hour=12))
    stamp = soon.event.start.astimezone(ZoneInfo(council_member.time_zone)).isoformat()  # the viewer's zone

    client.force_login(outsider)
    assert "Next meeting" not in client.get("/councils/").content.decode()

    client.force_login(council_member)
    content = client.get("/councils/").content.decode()
    assert "Next meeting" in content
    assert f'datetime="{stamp}"' in content


def test_list_queries_do_not_grow(client, malaga, bologna, council_member):
    client.force_login(council_member)
    _grow(malaga, 2)
    client.get("/councils/")
    few = _queries(client, "/councils/")

    _grow(malaga, 15)
    _grow(bologna, 5)
    assert _queries(client, "/councils/") == few


# --- a council's page ---------------------------------------------------------------------------


def test_detail_lists_upcoming_meetings_for_members(client, malaga, council_member, coordinator):
    past = MeetingFactory(council=malaga, event__start=in_days(-10), event__end=in_days(-10, hour=12))
    upcoming = [MeetingFactory(council=malaga, event__start=in_days(days)) for days in (20, 5, 10, 40)]

    client.force_login(council_member)
    content = client.get("/councils/malaga/").content.decode()

    for meeting in upcoming[:3]:
        assert meeting.event.title in content
    assert upcoming[3].event.title not in content  # the next three only
    assert past.event.title not in content
    assert content.index(upcoming[1].event.title) < content.index(upcoming[2].event.title)
    assert content.index(upcoming[2].event.title) < content.index(upcoming[0].event.title)
    assert "/councils/malaga/members/" in content


def test_detail_shows_names_of_member_organisations_linked_to_their_pages(client, malaga, acme):
    hidden = OrganisationFactory(name="Discreet Castings", slug="discreet")
    CouncilOrganisationFactory(council=malaga, organisation=hidden)
    requested = OrganisationFactory(name="Pending Parts")
    CouncilOrganisationFactory(
        council=malaga, organisation=requested, status=CouncilOrganisation.Status.REQUESTED
    )

    content = client.get("/councils/malaga/").content.decode()

    assert f'href="{acme.get_absolute_url()}"' in content
    assert "Discreet Castings" in content
    assert "Pending Parts" not in content


def test_detail_queries_do_not_grow(client, malaga, council_member):
    client.force_login(council_member)
    _grow(malaga, 2)
    client.get("/councils/malaga/")
    few = _queries(client, "/councils/malaga/")

    _grow(malaga, 20)
    assert _queries(client, "/councils/malaga/") == few


@pytest.mark.parametrize("who", ["council_member", "coordinator", "staff"])
def test_members_page_queries_do_not_grow(client, request, malaga, who):
    client.force_login(request.getfixturevalue(who))
    _grow(malaga, 2)
    client.get("/councils/malaga/members/")
    few = _queries(client, "/councils/malaga/members/?q=co")

    _grow(malaga, 20)
    assert _queries(client, "/councils/malaga/members/?q=co") == few


def test_a_cancelled_meeting_is_not_the_next(client, malaga, council_member):
    cancelled = MeetingFactory(council=malaga, event__start=in_days(2))
    cancelled.event.cancelled_at = timezone.now()
    cancelled.event.save(update_fields=["cancelled_at"])
    client.force_login(council_member)

    content = client.get("/councils/malaga/").content.decode()

    assert cancelled.event.title not in content


# --- the way in ---------------------------------------------------------------------------------


def test_header_and_home_page_lead_to_the_councils(client, malaga):
    content = client.get("/").content.decode()

    assert 'href="/councils/"' in content
    for slug in ["malaga", "alcala", "bologna", "cork", "istanbul", "paris"]:
        assert f'href="/councils/{slug}/"' in content


def test_visitors_are_offered_to_log_in_to_ask_to_join(client, malaga, council_member):
    content = client.get("/councils/malaga/").content.decode()
    assert 'href="/accounts/login/?next=%2Fcouncils%2Fmalaga%2Fjoin%2F"' in content

    client.force_login(council_member)
    assert "/accounts/login/?next" not in client.get("/councils/malaga/").content.decode()
