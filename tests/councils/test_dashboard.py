"""The KPI dashboard pages: who may see them, what they show, bad periods, and a query count that
does not grow with the data (meetings, interactions)."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import CouncilPerson
from organisations.models import Interaction, Organisation, Region
from organisations.services import interaction_record

from ..factories.councils import CouncilOrganisationFactory, CouncilPersonFactory, MeetingFactory
from ..factories.events import RegistrationFactory
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 0


def _url(council=None, **query):
    url = (
        reverse("councils:dashboard", args=[council.slug])
        if council
        else reverse("councils:alliance_dashboard")
    )
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _island(response, element_id):
    """The JSON data island of that id (json_script)."""
    html = response.content.decode()
    opening = f'<script id="{element_id}" type="application/json">'
    assert opening in html, f"no data island {element_id}"
    start = html.index(opening) + len(opening)
    return json.loads(html[start : html.index("</script>", start)])


def _ledger(acme, uni, days_ago=(10, 40, 100)):
    today = timezone.localdate()
    for days in days_ago:
        interaction_record(
            kind=Interaction.Kind.VISIT, date=today - datetime.timedelta(days=days), organisations=[acme, uni]
        )


# --- permissions --------------------------------------------------------------------------------


def test_visitor_is_asked_to_log_in(client, malaga):
    for url in (_url(malaga), _url()):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("other_council_member", 404),
        ("council_member", 200),
        ("uni_member", 200),
        ("coordinator", 200),
        ("staff", 200),
    ],
)
def test_council_dashboard_permissions(client, request, malaga, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(malaga)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 403),
        ("other_council_member", 200),
        ("council_member", 200),
        ("coordinator", 200),  # coordinators see the alliance they work in, even in no organisation
        ("staff", 200),
    ],
)
def test_alliance_dashboard_permissions(client, request, malaga, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url()).status_code == status


def test_unknown_council_is_404(client, staff):
    client.force_login(staff)
    assert client.get("/councils/atlantis/dashboard/").status_code == 404


def test_dashboard_refuses_post(client, coordinator, malaga):
    client.force_login(coordinator)
    assert client.post(_url(malaga)).status_code == 405


# --- what it shows ------------------------------------------------------------------------------


def test_council_dashboard_shows_the_ledger_in_its_charts_and_tables(client, coordinator, malaga, acme, uni):
    _ledger(acme, uni)
    client.force_login(coordinator)

    response = client.get(_url(malaga, quarters=4))

    assert response.status_code == 200
    sf1 = _island(response, "chart-sf1")
    assert sf1["labels"] == response.context["period"].labels()
    assert sum(sf1["datasets"][0]["data"]) == 3  # SME–HEI
    assert sf1["datasets"][0]["label"] == "SME–HEI interactions"
    content = response.content.decode()
    assert 'data-chart="chart-sf1"' in content and "vendor/chartjs-4.6.1/chart.umd.min.js" in content
    # The network and its text alternative.
    assert "<svg" in content and "<circle" in content
    assert "Acme Mecanizados</a> – <a" in content
    assert response.context["network"]["links_top"][0]["weight"] == 3
    # No inline script or style (CSP): the only <script>s without src are JSON data islands.
    for tag in re.findall(r"<script[^>]*>", content):
        assert " src=" in tag or 'type="application/json"' in tag
    assert "style=" not in content


def test_council_dashboard_without_data_says_so(client, coordinator, malaga):
    client.force_login(coordinator)

    response = client.get(_url(malaga))

    content = response.content.decode()
    assert response.status_code == 200
    assert "No interactions recorded in this period yet." in content
    assert "No interactions between organisations in this period yet." in content
    assert "No impact recorded in this period yet." in content
    assert "The council has not set its challenges and indicators yet." in content
    assert '<svg class="dashboard-network"' not in content


def test_other_councils_interactions_are_not_on_the_council_dashboard(
    client, coordinator, malaga, bologna, acme, uni
):
    italian = OrganisationFactory(region=Region.BOLOGNA, name="Officina Bolognese")
    unibo = OrganisationFactory(region=Region.BOLOGNA, kind=Organisation.Kind.HEI, size_band="", name="UniBo")
    for organisation in (italian, unibo):
        CouncilOrganisationFactory(council=bologna, organisation=organisation)
    interaction_record(kind=Interaction.Kind.VISIT, date=timezone.localdate(), organisations=[italian, unibo])
    client.force_login(coordinator)

    response = client.get(_url(malaga))

    assert response.context["data"]["ledger"]["total"]["total"] == 0
    assert "Officina Bolognese" not in response.content.decode()


def test_alliance_dashboard_shows_every_council(client, council_member, malaga, bologna, acme, uni):
    italian = OrganisationFactory(region=Region.BOLOGNA, name="Officina Bolognese")
    CouncilOrganisationFactory(council=bologna, organisation=italian)
    _ledger(acme, uni, days_ago=(5,))
    interaction_record(kind=Interaction.Kind.VISIT, date=timezone.localdate(), organisations=[acme, italian])
    client.force_login(council_member)

    response = client.get(_url())

    data = response.context["data"]
    assert data["ledger"]["total"]["total"] == 2
    assert data["ledger"]["total"]["cross_council"] == 1
    assert [row["council"] for row in data["membership"]["rows"]] == ["bologna", "malaga"]
    assert "Officina Bolognese" in response.content.decode()


def test_only_the_network_is_cached_and_the_counts_are_current(
    client, settings, coordinator, malaga, acme, uni, isolated_cache
):
    settings.COUNCIL_DASHBOARD_CACHE_SECONDS = 60
    _ledger(acme, uni, days_ago=(3,))
    client.force_login(coordinator)
    first = _count(client, _url(malaga))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(_url(malaga))
    assert len(queries) < first  # the network came from the cache
    assert second.context["data"]["ledger"]["total"]["total"] == 1

    _ledger(acme, uni, days_ago=(4,))  # a new entry: counted at once, the cached network unchanged

    third = client.get(_url(malaga))
    assert third.context["data"]["ledger"]["total"]["total"] == 2
    assert third.context["network"]["links_top"][0]["weight"] == 1


# --- the period chooser -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "0", "7", "99999999999999999999999", "", "8.5", "%00"])
def test_bad_period_falls_back_to_the_default(client, coordinator, malaga, value):
    client.force_login(coordinator)

    response = client.get(_url(malaga) + f"?quarters={value}")

    assert response.status_code == 200
    assert response.context["period"].count == 8
    assert (
        "That period is not one of those offered: showing the last 8 quarters." in response.content.decode()
    )


@pytest.mark.parametrize("value", [4, 8, 12, 20])
def test_period_choices(client, coordinator, malaga, value):
    client.force_login(coordinator)

    response = client.get(_url(malaga, quarters=value))

    assert response.context["period"].count == value
    assert len(response.context["charts"]["sf2"]["labels"]) == value
    assert "not one of those offered" not in response.content.decode()


def test_the_period_choices_are_in_the_viewers_language(client, coordinator, malaga):
    coordinator.language = "es"
    coordinator.save(update_fields=["language"])
    client.force_login(coordinator)

    page = client.get(_url(malaga)).content.decode()

    assert '<option value="8" selected>Últimos 8 trimestres</option>' in page
    assert "Last 8 quarters" not in page


# --- a query count that does not grow -----------------------------------------------------------


def _many(malaga, acme, uni, meetings, interactions):
    now = timezone.now()
    for n in range(meetings):
        start = now - datetime.timedelta(days=1 + n % 600, hours=n % 7)
        meeting = MeetingFactory(
            council=malaga, event__start=start, event__end=start + datetime.timedelta(hours=1)
        )
        if n % 10 == 0:
            RegistrationFactory(event=meeting.event, checked_in_at=start)
    others = [OrganisationFactory(region=Region.CORK, kind=kind, size_band="") for kind in ("sme", "hei")]
    today = timezone.localdate()
    for n in range(interactions):
        interaction_record(
            kind=Interaction.Kind.OTHER,
            date=today - datetime.timedelta(days=n % 700),
            organisations=[acme, uni, others[n % 2]],
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("scope", ["council", "alliance"])
def test_query_count_does_not_grow_with_meetings_and_interactions(
    client, malaga, acme, uni, council_member, scope
):
    url = _url(malaga) if scope == "council" else _url()
    client.force_login(council_member)
    _many(malaga, acme, uni, meetings=20, interactions=3)
    small = _count(client, url)

    _many(malaga, acme, uni, meetings=1980, interactions=120)
    large = _count(client, url)

    assert large == small
    assert small <= 20


def test_coordinator_row_alone_gives_the_council_dashboard(client, malaga):
    person = CouncilPersonFactory(council=malaga, role=CouncilPerson.Role.MEMBER)
    client.force_login(person.user)
    assert client.get(_url(malaga)).status_code == 200
