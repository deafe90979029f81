"""The council's interactions page (success factors 1 and 2) and coordinators recording one by hand."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import CouncilInteraction
from organisations.models import Interaction, Organisation, Region
from organisations.services import interaction_record

from ..factories.councils import CouncilOrganisationFactory
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "outsider", "other_council_member", "council_member", "coordinator", "staff"]
VIEW_STATUS = dict(zip(ROLES, [302, 404, 404, 200, 200, 200], strict=True))
MANAGE_STATUS = dict(zip(ROLES, [302, 404, 404, 403, 200, 200], strict=True))
LIST = reverse("councils:interactions", args=["malaga"])
NEW = reverse("councils:interaction_create", args=["malaga"])


@pytest.fixture
def cast(outsider, other_council_member, council_member, coordinator, staff):
    return {
        "visitor": None,
        "outsider": outsider,
        "other_council_member": other_council_member,
        "council_member": council_member,
        "coordinator": coordinator,
        "staff": staff,
    }


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def italian(bologna):
    organisation = OrganisationFactory(name="Meccanica Emiliana", slug="emiliana", region=Region.BOLOGNA)
    CouncilOrganisationFactory(council=bologna, organisation=organisation)
    return organisation


@pytest.fixture
def ledger(acme, uni, italian):
    """Three interactions of Málaga: SME–HEI (2025), cross-border and cross-cluster (2026), a visit."""
    return [
        interaction_record(
            kind=Interaction.Kind.JOINT_PROJECT, date=datetime.date(2025, 5, 1), organisations=[acme, uni]
        ),
        interaction_record(
            kind=Interaction.Kind.VISIT, date=datetime.date(2026, 2, 1), organisations=[acme, italian]
        ),
        interaction_record(
            kind=Interaction.Kind.OTHER, date=datetime.date(2026, 3, 1), organisations=[acme, italian]
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_interaction_pages_permissions(client, cast, ledger, role):
    login(client, cast[role])

    response = client.get(LIST)
    assert response.status_code == VIEW_STATUS[role]
    if role == "visitor":
        assert "/accounts/login/" in response["Location"]
    assert client.get(NEW).status_code == MANAGE_STATUS[role]
    if MANAGE_STATUS[role] != 200:
        before = Interaction.objects.count()
        data = {
            "kind": "visit",
            "date": "2026-01-01",
            "organisations": [o.pk for o in Organisation.objects.all()[:2]],
        }
        assert client.post(NEW, data).status_code == MANAGE_STATUS[role]
        assert Interaction.objects.count() == before


def test_members_see_the_councils_interactions_with_links_and_flags(client, council_member, ledger, bologna):
    theirs = OrganisationFactory(region=Region.BOLOGNA)
    other = OrganisationFactory(region=Region.BOLOGNA)
    for organisation in (theirs, other):
        CouncilOrganisationFactory(council=bologna, organisation=organisation)
    interaction_record(
        kind=Interaction.Kind.VISIT, date=datetime.date(2026, 1, 1), organisations=[theirs, other]
    )

    response = login(client, council_member).get(LIST)

    rows = list(response.context["page"])
    assert [row.pk for row in rows] == [ledger[2].pk, ledger[1].pk, ledger[0].pk], (
        "Málaga's only, newest first"
    )
    html = response.content.decode()
    assert f'href="{reverse("organisations:detail", args=["acme"])}"' in html
    assert "Meccanica Emiliana" in html
    assert "SME–HEI" in html and "Cross-border" in html and "Cross-cluster" in html
    assert "Record an interaction" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "visit"}, [1]),
        ({"sme_hei": "true"}, [0]),
        ({"sme_hei": "false"}, [2, 1]),
        ({"cross_border": "true"}, [2, 1]),
        ({"cross_cluster": "false"}, [0]),
        ({"year": "2025"}, [0]),
        ({"year": "2026", "kind": "other"}, [2]),
        ({"year": "soon", "kind": "nonsense"}, [2, 1, 0]),  # invalid filters are ignored, not a 500
    ],
)
def test_interaction_filters(client, council_member, ledger, params, expected):
    response = login(client, council_member).get(LIST, params)

    assert response.status_code == 200
    assert [row.pk for row in response.context["page"]] == [ledger[i].pk for i in expected]


def test_coordinator_records_an_interaction(client, coordinator, malaga, acme, italian):
    login(client, coordinator)
    page = client.get(NEW)
    html = page.content.decode()
    assert 'data-searchable="true"' in html and "councils-success.js" in html
    assert "Acme Mecanizados (Málaga, Spain)" in html
    assert 'value="meeting"' not in html, "meeting co-attendance comes from check-in"

    response = client.post(
        NEW,
        {
            "kind": "joint_project",
            "date": "2026-04-02",
            "organisations": [acme.pk, italian.pk],
            "description": "Drone",
        },
    )

    assert response.status_code == 302 and response["Location"] == LIST
    interaction = Interaction.objects.get(description="Drone")
    assert interaction.recorded_by == coordinator and interaction.source == "manual"
    assert set(interaction.organisations.all()) == {acme, italian}
    assert interaction.is_cross_border and interaction.is_cross_cluster
    assert CouncilInteraction.objects.filter(council=malaga, interaction=interaction).exists()


def test_staff_record_an_interaction(client, staff, acme, uni):
    response = login(client, staff).post(
        NEW, {"kind": "visit", "date": "2026-04-02", "organisations": [acme.pk, uni.pk]}
    )

    assert response.status_code == 302
    assert Interaction.objects.get().recorded_by == staff


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"organisations": "ONE"}, "organisations", "Choose at least two organisations."),
        ({"organisations": []}, "organisations", "This field is required."),
        ({"organisations": [987654, 987655]}, "organisations", "Select a valid choice."),
        ({"organisations": ["acme", "uma"]}, "organisations", "is not a valid value"),
        ({"date": "FUTURE"}, "date", "The date cannot be in the future."),
        ({"date": "2026-02-30"}, "date", "Enter a valid date."),
        ({"kind": "meeting"}, "kind", "Select a valid choice."),
        ({"kind": "telepathy"}, "kind", "Select a valid choice."),
    ],
)
def test_bad_interactions_are_form_errors(client, coordinator, acme, uni, data, field, message):
    values = {"kind": "visit", "date": "2026-01-05", "organisations": [acme.pk, uni.pk], **data}
    if values["organisations"] == "ONE":
        values["organisations"] = [acme.pk]
    if values["date"] == "FUTURE":
        values["date"] = (timezone.now() + datetime.timedelta(days=2)).date().isoformat()

    response = login(client, coordinator).post(NEW, values)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Interaction.objects.exists()


def _more_interactions(count, acme, uni):
    for n in range(count):
        extra = OrganisationFactory()
        interaction_record(
            kind=Interaction.Kind.VISIT,
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
            organisations=[acme, uni, extra],
        )


def test_interaction_list_queries_do_not_grow(client, council_member, acme, uni):
    login(client, council_member)
    _more_interactions(3, acme, uni)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    _more_interactions(40, acme, uni)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["page"]) == 25
    assert len(many) == len(few)


def test_chosen_filters_stay_chosen(client, council_member, ledger):
    html = (
        login(client, council_member)
        .get(LIST, {"sme_hei": "true", "kind": "visit", "year": "2026"})
        .content.decode()
    )

    assert '<option value="true" selected>Yes</option>' in html
    assert '<option value="visit" selected>' in html
    assert 'name="year" value="2026"' in html
