"""The councils app in the Django admin: every changelist loads for staff with a constant number of
queries, and membership writes made there go through the services (notifications, the
last-coordinator rule)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import (
    Challenge,
    CouncilInteraction,
    CouncilOrganisation,
    CouncilPerson,
    ImpactRecord,
    Indicator,
    IndicatorValue,
    SuccessFactor,
)
from notifications.models import Notification
from organisations.models import Membership

from ..factories.accounts import UserFactory, totp_enable
from ..factories.councils import (
    ActionItemFactory,
    AgendaItemFactory,
    CouncilOrganisationFactory,
    CouncilPersonFactory,
    MeetingFactory,
    council,
)
from ..factories.organisations import InteractionFactory, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

ADMIN = "/admin/councils"


@pytest.fixture
def staff_client(client, staff):
    totp_enable(staff)
    client.force_login(staff)
    return client


def _links(n):
    for index in range(n):
        status = [CouncilOrganisation.Status.ACTIVE, CouncilOrganisation.Status.REQUESTED][index % 2]
        CouncilOrganisationFactory(council=council("cork"), status=status, requested_by=UserFactory())


def _people(n):
    for index in range(n):
        if index % 2:
            CouncilPersonFactory(council=council("paris"), invited_by=UserFactory())
        else:
            CouncilPerson.objects.create(
                council=council("paris"),
                email=f"guest{CouncilPerson.objects.count()}@example.org",
                status=CouncilPerson.Status.INVITED,
            )


def _meetings(n):
    for _ in range(n):
        meeting = MeetingFactory()
        AgendaItemFactory(meeting=meeting)
        ActionItemFactory(meeting=meeting)


def _agenda_items(n):
    AgendaItemFactory.create_batch(n)


def _action_items(n):
    ActionItemFactory.create_batch(n)


def _challenges(n):
    for index in range(n):
        challenge = Challenge.objects.create(council=council("cork"), title=f"Challenge {index}")
        SuccessFactor.objects.create(challenge=challenge, title=f"Factor {index}")


def _indicator(index):
    challenge = Challenge.objects.create(council=council("cork"), title=f"Challenge {index}")
    factor = SuccessFactor.objects.create(challenge=challenge, title=f"Factor {index}")
    return Indicator.objects.create(
        success_factor=factor,
        name=f"Indicator {index}",
        baseline=Decimal(0),
        baseline_date=datetime.date(2025, 1, 1),
        target=Decimal(10),
        target_date=datetime.date(2027, 1, 1),
    )


def _success_factors(n):
    _challenges(n)


def _indicators(n):
    for index in range(n):
        _indicator(index)


def _indicator_values(n):
    recorder = UserFactory()
    for index in range(n):
        IndicatorValue.objects.create(
            indicator=_indicator(index),
            date=datetime.date(2026, 1, 1),
            value=Decimal(3),
            recorded_by=recorder,
        )


def _impact(n):
    for index in range(n):
        record = ImpactRecord.objects.create(
            council=council("cork"),
            kind=ImpactRecord.Kind.FUNDING,
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
            country="IE",
            quantity=Decimal(1000),
        )
        record.organisations.set(OrganisationFactory.create_batch(2))


def _council_interactions(n):
    for _ in range(n):
        interaction = InteractionFactory()
        CouncilInteraction.objects.get_or_create(council=council("cork"), interaction=interaction)


def _council_members(n):
    # The six councils are seeded; what grows is their members and coordinators.
    _links(n)
    _people(n)


CHANGELISTS = {
    "council": _council_members,
    "councilorganisation": _links,
    "councilperson": _people,
    "councilinteraction": _council_interactions,
    "meeting": _meetings,
    "agendaitem": _agenda_items,
    "actionitem": _action_items,
    "challenge": _challenges,
    "successfactor": _success_factors,
    "indicator": _indicators,
    "indicatorvalue": _indicator_values,
    "impactrecord": _impact,
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_loads_with_the_same_number_of_queries_at_5_and_50_rows(staff_client, model):
    url = f"{ADMIN}/{model}/"
    CHANGELISTS[model](5)
    staff_client.get(url)
    few = _queries(staff_client, url)

    CHANGELISTS[model](45)
    assert _queries(staff_client, url) == few


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_search_filters_and_add_page_load(staff_client, model):
    CHANGELISTS[model](3)

    assert staff_client.get(f"{ADMIN}/{model}/", {"q": "example"}).status_code == 200
    assert staff_client.get(f"{ADMIN}/{model}/", {"_facets": "1"}).status_code == 200
    assert staff_client.get(f"{ADMIN}/{model}/add/").status_code in (200, 403)


def test_change_pages_load(staff_client):
    for model, make in CHANGELISTS.items():
        make(1)
        obj = next(iter(staff_client.get(f"{ADMIN}/{model}/").context["cl"].result_list))
        assert staff_client.get(f"{ADMIN}/{model}/{obj.pk}/change/").status_code == 200, model


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_people_who_are_not_staff_cannot_reach_the_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for model in CHANGELISTS:
        response = client.get(f"{ADMIN}/{model}/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- memberships through the services -----------------------------------------------------------


def _action(client, model, action, objects):
    return client.post(
        f"{ADMIN}/{model}/",
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_approving_requests_in_the_admin_notifies_the_organisation(staff_client, malaga):
    admin_user = UserFactory()
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=admin_user, role=Membership.Role.ADMIN)
    link = CouncilOrganisationFactory(
        council=malaga, organisation=organisation, status=CouncilOrganisation.Status.REQUESTED, joined_at=None
    )
    active = CouncilOrganisationFactory(council=malaga)

    response = _action(staff_client, "councilorganisation", "approve", [link, active])

    assert response.status_code == 200
    link.refresh_from_db()
    assert link.status == CouncilOrganisation.Status.ACTIVE
    assert Notification.objects.filter(user=admin_user, kind="council.request_approved").exists()
    assert "already been answered" in response.content.decode()  # the active one is reported


def test_removing_an_organisation_in_the_admin_keeps_its_history(staff_client, malaga, acme):
    link = CouncilOrganisation.objects.get(organisation=acme)

    _action(staff_client, "councilorganisation", "remove", [link])

    link.refresh_from_db()
    assert link.status == CouncilOrganisation.Status.LEFT


def test_staff_add_an_active_member_organisation(staff_client, malaga, staff):
    organisation = OrganisationFactory()

    response = staff_client.post(
        f"{ADMIN}/councilorganisation/add/", {"council": malaga.pk, "organisation": organisation.pk}
    )

    assert response.status_code == 302
    link = CouncilOrganisation.objects.get(organisation=organisation)
    assert link.status == CouncilOrganisation.Status.ACTIVE and link.joined_at and link.decided_by == staff
    again = staff_client.post(
        f"{ADMIN}/councilorganisation/add/", {"council": malaga.pk, "organisation": organisation.pk}
    )
    assert again.status_code == 200 and "already has a link" in again.content.decode()


def test_staff_appoint_the_first_coordinator_in_the_admin(staff_client, bologna, outsider):
    response = staff_client.post(
        f"{ADMIN}/councilperson/add/", {"council": bologna.pk, "user": outsider.pk, "role": "coordinator"}
    )

    assert response.status_code == 302
    person = CouncilPerson.objects.get(council=bologna, user=outsider)
    assert person.role == "coordinator" and person.status == "active" and person.email == outsider.email


def test_the_admin_keeps_the_last_coordinator_rule_for_roles(staff_client, malaga, coordinator):
    person = CouncilPerson.objects.get(user=coordinator)

    response = staff_client.post(f"{ADMIN}/councilperson/{person.pk}/change/", {"role": "member"})

    assert response.status_code == 200
    assert "at least one coordinator" in response.content.decode()
    person.refresh_from_db()
    assert person.role == "coordinator"

    second = CouncilPersonFactory(council=malaga, role="member")
    staff_client.post(f"{ADMIN}/councilperson/{second.pk}/change/", {"role": "coordinator"})
    staff_client.post(f"{ADMIN}/councilperson/{person.pk}/change/", {"role": "member"})
    person.refresh_from_db()
    second.refresh_from_db()
    assert (person.role, second.role) == ("member", "coordinator")


def test_staff_may_remove_the_last_coordinator_in_the_admin(staff_client, malaga, coordinator):
    person = CouncilPerson.objects.get(user=coordinator)

    _action(staff_client, "councilperson", "remove", [person])

    assert not CouncilPerson.objects.filter(pk=person.pk).exists()


def test_ledger_links_are_read_only(staff_client):
    _council_interactions(1)
    link = CouncilInteraction.objects.get()

    assert staff_client.get(f"{ADMIN}/councilinteraction/add/").status_code == 403
    response = staff_client.post(f"{ADMIN}/councilinteraction/{link.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert CouncilInteraction.objects.filter(pk=link.pk).exists()


def test_indicator_values_added_in_the_admin_record_who(staff_client, staff):
    indicator = _indicator(1)

    response = staff_client.post(
        f"{ADMIN}/indicatorvalue/add/",
        {"indicator": indicator.pk, "date": "2026-03-01", "value": "4.5", "note": ""},
    )

    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=indicator).recorded_by == staff
