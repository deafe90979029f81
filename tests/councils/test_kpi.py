"""The KPI numbers (councils.kpi) against a small ledger counted by hand.

Today is 15 May 2026 (2026 Q2); the default period is the eight quarters 2024 Q3 … 2026 Q2, and the
ledger query reads from 2024 Q2 (the four full quarters before the current one and the four before
those). The cast: Acme (SME) and the University of Málaga (HEI), members of Málaga; Meccanica (SME)
and UniBo (HEI), members of Bologna; Alcalá Tools (SME, region Alcalá, no council).

    #   date         organisations          flags                                    councils
    1   2026-01-10   acme, uni              SME–HEI                                  Málaga
    2   2026-02-20   acme, uni              SME–HEI                                  Málaga
    3   2026-03-31   acme, uni              SME–HEI                                  Málaga
    4   2026-04-02   acme, meccanica        cross-cluster, cross-border              Málaga, Bologna
    5   2026-04-20   acme, alcala           cross-cluster                            Málaga
    6   2026-05-10   meccanica, unibo       SME–HEI                                  Bologna
    7   2025-04-15   acme, uni              SME–HEI (≤ 15 May a year ago)            Málaga
    8   2025-06-01   acme, uni              SME–HEI (after 15 May a year ago)        Málaga
    9   2026-05-16   acme, uni              tomorrow: not counted                    Málaga
    10  2024-06-30   acme, uni              SME–HEI, before the period (2024 Q2)     Málaga
    11  2024-07-01   acme, uni, meccanica   SME–HEI, cross-cluster, cross-border     Málaga, Bologna
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from councils import kpi
from councils.models import Challenge, ImpactRecord, Indicator, IndicatorValue, SuccessFactor
from events.models import Registration
from organisations.models import Interaction, Organisation, Region
from organisations.services import interaction_record

from ..factories.councils import CouncilOrganisationFactory, MeetingFactory
from ..factories.events import RegistrationFactory
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)
D = datetime.date


@pytest.fixture
def period():
    return kpi.period_for(today=TODAY)


@pytest.fixture
def cast(malaga, bologna, acme, uni):
    meccanica = OrganisationFactory(name="Meccanica", slug="meccanica-b", region=Region.BOLOGNA)
    unibo = OrganisationFactory(
        name="UniBo", slug="unibo", region=Region.BOLOGNA, kind=Organisation.Kind.HEI, size_band=""
    )
    for organisation in (meccanica, unibo):
        CouncilOrganisationFactory(council=bologna, organisation=organisation)
    alcala = OrganisationFactory(name="Alcalá Tools", slug="alcala-tools", region=Region.ALCALA)
    return {"acme": acme, "uni": uni, "meccanica": meccanica, "unibo": unibo, "alcala": alcala}


LEDGER = [
    (D(2026, 1, 10), ["acme", "uni"]),
    (D(2026, 2, 20), ["acme", "uni"]),
    (D(2026, 3, 31), ["acme", "uni"]),
    (D(2026, 4, 2), ["acme", "meccanica"]),
    (D(2026, 4, 20), ["acme", "alcala"]),
    (D(2026, 5, 10), ["meccanica", "unibo"]),
    (D(2025, 4, 15), ["acme", "uni"]),
    (D(2025, 6, 1), ["acme", "uni"]),
    (D(2026, 5, 16), ["acme", "uni"]),
    (D(2024, 6, 30), ["acme", "uni"]),
    (D(2024, 7, 1), ["acme", "uni", "meccanica"]),
]


@pytest.fixture
def ledger(cast):
    for day, names in LEDGER:
        interaction_record(
            kind=Interaction.Kind.VISIT, date=day, organisations=[cast[name] for name in names]
        )
    return cast


# --- quarters and the period --------------------------------------------------------------------


def test_period_is_the_last_eight_quarters_up_to_today(period):
    assert period.quarters == [
        D(2024, 7, 1),
        D(2024, 10, 1),
        D(2025, 1, 1),
        D(2025, 4, 1),
        D(2025, 7, 1),
        D(2025, 10, 1),
        D(2026, 1, 1),
        D(2026, 4, 1),
    ]
    assert (period.start, period.end, period.current) == (D(2024, 7, 1), TODAY, D(2026, 4, 1))
    assert period.query_start == D(2024, 4, 1)
    assert period.labels()[0] == "2024 Q3" and period.labels()[-1] == "2026 Q2"


def test_period_of_one_quarter_still_reads_the_comparison_quarters():
    period = kpi.period_for(quarters=1, today=TODAY)
    assert period.quarters == [D(2026, 4, 1)]
    assert period.query_start == D(2024, 4, 1)


def test_period_uses_the_viewers_today(settings):
    # 23:30 UTC on 31 March is already 1 April (2026 Q2) in Istanbul.
    now = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    with timezone.override("Europe/Istanbul"):
        assert kpi.period_for(today=timezone.localdate(now)).current == D(2026, 4, 1)
    with timezone.override("UTC"):
        assert kpi.period_for(today=timezone.localdate(now)).current == D(2026, 1, 1)


def test_same_day_last_year_of_29_february():
    assert kpi.period_for(today=D(2028, 2, 29)).same_day_last_year == D(2027, 2, 28)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8", 8),
        ("4", 4),
        (" 12 ", 12),
        ("abc", None),
        ("-1", None),
        ("0", None),
        ("7", None),
        ("99999999999999999999", None),
        ("", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_parse_quarters(value, expected):
    assert kpi.parse_quarters(value) == expected


# --- success factors 1 and 2 --------------------------------------------------------------------


def test_malaga_series_by_quarter(ledger, malaga, period):
    data = kpi.ledger_kpis(council=malaga, period=period)

    assert data["labels"] == [
        "2024 Q3",
        "2024 Q4",
        "2025 Q1",
        "2025 Q2",
        "2025 Q3",
        "2025 Q4",
        "2026 Q1",
        "2026 Q2",
    ]
    assert data["series"] == {
        "sme_hei": [1, 0, 0, 2, 0, 0, 3, 0],
        "cross_cluster": [1, 0, 0, 0, 0, 0, 0, 2],
        "cross_border": [1, 0, 0, 0, 0, 0, 0, 1],
        "cross_council": [1, 0, 0, 0, 0, 0, 0, 1],
        "total": [1, 0, 0, 2, 0, 0, 3, 2],
    }
    assert data["total"] == {
        "sme_hei": 6,
        "cross_cluster": 3,
        "cross_border": 2,
        "cross_council": 2,
        "total": 8,
    }


def test_malaga_summary_against_a_year_before(ledger, malaga, period):
    summary = kpi.ledger_kpis(council=malaga, period=period)["summary"]

    # This quarter so far (1 April – 15 May 2026) against 1 April – 15 May 2025 (#7 only, not #8).
    assert summary["sme_hei"]["this_quarter"] == {"now": 0, "before": 1, "difference": -1, "percent": -100}
    assert summary["total"]["this_quarter"] == {"now": 2, "before": 1, "difference": 1, "percent": 100}
    assert summary["cross_border"]["this_quarter"] == {
        "now": 1,
        "before": 0,
        "difference": 1,
        "percent": None,
    }
    # 2025 Q2 … 2026 Q1 (2 + 3) against 2024 Q2 … 2025 Q1 (#10 and #11).
    assert summary["sme_hei"]["last_four_quarters"] == {
        "now": 5,
        "before": 2,
        "difference": 3,
        "percent": 150,
    }
    assert summary["cross_council"]["last_four_quarters"] == {
        "now": 0,
        "before": 1,
        "difference": -1,
        "percent": -100,
    }


def test_bologna_numbers_leave_out_malaga_only_interactions(ledger, bologna, period):
    data = kpi.ledger_kpis(council=bologna, period=period)

    # #4, #6 and #11 only.
    assert data["series"]["total"] == [1, 0, 0, 0, 0, 0, 0, 2]
    assert data["series"]["sme_hei"] == [1, 0, 0, 0, 0, 0, 0, 1]
    assert data["series"]["cross_council"] == [1, 0, 0, 0, 0, 0, 0, 1]
    assert data["series"]["cross_cluster"] == [1, 0, 0, 0, 0, 0, 0, 1]


def test_alliance_counts_every_interaction_once(ledger, period):
    data = kpi.ledger_kpis(council=None, period=period)

    # #4 and #11 are linked to two councils and counted once; #5 (Alcalá Tools, no council) counts.
    assert data["series"]["total"] == [1, 0, 0, 2, 0, 0, 3, 3]
    assert data["series"]["sme_hei"] == [1, 0, 0, 2, 0, 0, 3, 1]
    assert data["series"]["cross_council"] == [1, 0, 0, 0, 0, 0, 0, 1]
    assert data["series"]["cross_cluster"] == [1, 0, 0, 0, 0, 0, 0, 2]
    assert data["summary"]["total"]["this_quarter"]["now"] == 3


def test_interaction_in_two_councils_is_across_councils_for_each(ledger, malaga, bologna, period):
    # #4 for both; #5 (Málaga only, with an organisation in no council) is not across councils.
    for council in (malaga, bologna):
        assert kpi.ledger_kpis(council=council, period=period)["series"]["cross_council"][-1] == 1


def test_shorter_period(ledger, malaga):
    data = kpi.ledger_kpis(council=malaga, period=kpi.period_for(quarters=4, today=TODAY))

    assert data["labels"] == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]
    assert data["series"]["sme_hei"] == [0, 0, 3, 0]
    # The comparisons read further back than the period.
    assert data["summary"]["sme_hei"]["last_four_quarters"]["before"] == 2


def test_empty_ledger_gives_zeros(malaga, period):
    data = kpi.ledger_kpis(council=malaga, period=period)

    assert data["series"]["total"] == [0] * 8
    assert data["summary"]["total"]["this_quarter"] == {
        "now": 0,
        "before": 0,
        "difference": 0,
        "percent": None,
    }


def test_ledger_is_one_query(ledger, malaga, period):
    with CaptureQueriesContext(connection) as queries:
        kpi.ledger_kpis(council=malaga, period=period)
        kpi.ledger_kpis(council=None, period=period)
    assert len(queries) == 2  # one read of the daily roll-up each


# --- the network --------------------------------------------------------------------------------


def test_malaga_network_edges_and_weights(ledger, malaga, period):
    graph = kpi.network(council=malaga, period=period)
    names = {node["id"]: node["name"] for node in graph["nodes"]}
    edges = [({names[e["source"]], names[e["target"]]}, e["weight"]) for e in graph["edges"]]

    # acme–uni: #1 #2 #3 #7 #8 #11; acme–meccanica: #4 #11; uni–meccanica: #11; acme–alcala: #5.
    # #9 (tomorrow) and #10 (before the period) are not counted; #6 is Bologna's only.
    assert edges[:2] == [
        ({"Acme Mecanizados", "Universidad de Málaga"}, 6),
        ({"Acme Mecanizados", "Meccanica"}, 2),
    ]
    assert sorted((sorted(pair), weight) for pair, weight in edges[2:]) == [
        (["Acme Mecanizados", "Alcalá Tools"], 1),
        (["Meccanica", "Universidad de Málaga"], 1),
    ]
    nodes = {node["name"]: node for node in graph["nodes"]}
    assert {name: node["weight"] for name, node in nodes.items()} == {
        "Acme Mecanizados": 9,
        "Universidad de Málaga": 7,
        "Meccanica": 3,
        "Alcalá Tools": 1,
    }
    assert nodes["Meccanica"]["councils"] == ["bologna"]
    assert nodes["Alcalá Tools"]["councils"] == []
    assert nodes["Universidad de Málaga"]["kind"] == "hei"
    assert graph["councils"] == {"malaga": "Málaga", "bologna": "Bologna"}


def test_alliance_network_has_every_link(ledger, period):
    graph = kpi.network(council=None, period=period)
    names = {node["id"]: node["name"] for node in graph["nodes"]}
    pairs = {frozenset((names[e["source"]], names[e["target"]])): e["weight"] for e in graph["edges"]}

    assert pairs[frozenset(("Meccanica", "UniBo"))] == 1
    assert len(pairs) == 5


def test_network_keeps_the_strongest_links_only(ledger, malaga, period):
    graph = kpi.network(council=malaga, period=period, limit=2)

    assert [edge["weight"] for edge in graph["edges"]] == [6, 2]
    assert sorted(node["name"] for node in graph["nodes"]) == [
        "Acme Mecanizados",
        "Meccanica",
        "Universidad de Málaga",
    ]


def test_network_without_interactions_is_empty(malaga, period):
    assert kpi.network(council=malaga, period=period) == {"nodes": [], "edges": [], "councils": {}}


# --- success factors 3 and 4 --------------------------------------------------------------------


def test_indicators_with_latest_value_and_progress(malaga, bologna, coordinator):
    challenge = Challenge.objects.create(council=malaga, title="Slow time to market")
    factor = SuccessFactor.objects.create(challenge=challenge, title="Shared prototyping")
    indicator = Indicator.objects.create(
        success_factor=factor,
        name="Prototypes made together",
        unit="prototypes",
        baseline=Decimal(10),
        baseline_date=D(2025, 1, 1),
        target=Decimal(20),
        target_date=D(2027, 1, 1),
    )
    IndicatorValue.objects.create(indicator=indicator, date=D(2025, 6, 1), value=Decimal(12))
    IndicatorValue.objects.create(indicator=indicator, date=D(2026, 3, 1), value=Decimal(15))
    other = Challenge.objects.create(council=bologna, title="Skills")
    Indicator.objects.create(
        success_factor=SuccessFactor.objects.create(challenge=other, title="Apprentices"),
        name="Apprentices hired",
        baseline=Decimal(0),
        baseline_date=D(2025, 1, 1),
        target=Decimal(5),
        target_date=D(2027, 1, 1),
    )

    rows = kpi.indicator_rows(council=malaga)

    assert len(rows) == 1
    assert rows[0]["name"] == "Prototypes made together"
    assert (rows[0]["latest_value"], rows[0]["latest_date"], rows[0]["progress"]) == (
        Decimal(15),
        D(2026, 3, 1),
        50.0,
    )
    assert rows[0]["council"] == "malaga" and rows[0]["challenge"] == "Slow time to market"
    everyone = kpi.indicator_rows(council=None)
    assert [row["name"] for row in everyone] == ["Apprentices hired", "Prototypes made together"]
    assert everyone[0]["progress"] is None and everyone[0]["latest_value"] is None


def _impact(council, kind, day, country, quantity):
    return ImpactRecord.objects.create(
        council=council, kind=kind, date=day, country=country, quantity=Decimal(quantity)
    )


def test_impact_by_country_and_kind(malaga, bologna, period):
    K = ImpactRecord.Kind
    _impact(malaga, K.PARTNERSHIP, D(2026, 2, 1), "ES", 1)
    _impact(malaga, K.FUNDING, D(2025, 10, 10), "ES", 50000)
    _impact(malaga, K.FUNDING, D(2025, 11, 10), "ES", 25000)
    _impact(malaga, K.JOBS, D(2026, 3, 1), "IT", 3)
    _impact(malaga, K.JOBS, D(2024, 1, 1), "ES", 9)  # before the period
    _impact(malaga, K.JOBS, D(2026, 5, 20), "ES", 4)  # after today
    _impact(bologna, K.JOBS, D(2026, 1, 1), "IT", 2)

    impact = kpi.impact_kpis(council=malaga, period=period)

    assert impact["kinds"] == [
        ("partnership", "Partnership"),
        ("funding", "Funding obtained"),
        ("jobs", "Jobs"),
    ]
    spain, italy = impact["countries"]
    assert (spain["code"], spain["name"], spain["count"]) == ("ES", "Spain", 3)
    assert spain["by_kind"]["funding"] == {"count": 2, "quantity": Decimal(75000)}
    assert spain["by_kind"]["partnership"]["count"] == 1
    assert italy["by_kind"] == {"jobs": {"count": 1, "quantity": Decimal(3)}}
    assert impact["total"] == 4
    assert impact["by_kind"]["jobs"] == {"count": 1, "quantity": Decimal(3)}

    alliance = kpi.impact_kpis(council=None, period=period)
    assert alliance["total"] == 5
    assert {c["code"]: c["count"] for c in alliance["countries"]} == {"ES": 3, "IT": 2}


# --- members and meetings -----------------------------------------------------------------------


def test_membership_by_kind(cast, malaga, bologna):
    mine = kpi.membership_by_kind(council=malaga)
    assert mine["rows"] == [
        {"council": "malaga", "council_name": "Málaga", "by_kind": {"sme": 1, "hei": 1}, "total": 2}
    ]

    alliance = kpi.membership_by_kind(council=None)
    assert [row["council"] for row in alliance["rows"]] == ["bologna", "malaga"]
    assert alliance["total"] == {"sme": 2, "hei": 2, "intermediary": 0, "all": 4}


def test_meetings_and_attendance_by_quarter(malaga, bologna, period):
    def meeting(council, start, checked_in, cancelled=False):
        held = MeetingFactory(
            council=council,
            event__start=start,
            event__end=start + datetime.timedelta(hours=2),
            event__cancelled_at=timezone.now() if cancelled else None,
        )
        for _n in range(checked_in):
            RegistrationFactory(event=held.event, checked_in_at=start)
        RegistrationFactory(event=held.event)  # registered, did not come
        RegistrationFactory(event=held.event, status=Registration.Status.CANCELLED)
        return held

    utc = datetime.UTC
    meeting(malaga, datetime.datetime(2026, 1, 20, 9, tzinfo=utc), 3)
    meeting(malaga, datetime.datetime(2026, 3, 3, 9, tzinfo=utc), 2)
    meeting(malaga, datetime.datetime(2026, 4, 10, 9, tzinfo=utc), 0)
    meeting(malaga, datetime.datetime(2026, 4, 11, 9, tzinfo=utc), 5, cancelled=True)
    meeting(malaga, datetime.datetime(2026, 5, 20, 9, tzinfo=utc), 0)  # after today
    meeting(bologna, datetime.datetime(2026, 2, 2, 9, tzinfo=utc), 4)

    with timezone.override("UTC"):
        mine = kpi.meetings_by_quarter(council=malaga, period=period)
        alliance = kpi.meetings_by_quarter(council=None, period=period)

    assert mine == {"meetings": [0, 0, 0, 0, 0, 0, 2, 1], "attendance": [0, 0, 0, 0, 0, 0, 5, 0]}
    assert alliance == {"meetings": [0, 0, 0, 0, 0, 0, 3, 1], "attendance": [0, 0, 0, 0, 0, 0, 9, 0]}


def test_meeting_quarter_is_the_viewers(malaga):
    # 31 March 23:30 UTC is 1 April in Madrid: 2026 Q2 for a viewer there.
    start = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    MeetingFactory(council=malaga, event__start=start, event__end=start + datetime.timedelta(hours=1))
    period = kpi.period_for(quarters=4, today=TODAY)
    with timezone.override("Europe/Madrid"):
        assert kpi.meetings_by_quarter(council=malaga, period=period)["meetings"] == [0, 0, 0, 1]
    with timezone.override("UTC"):
        assert kpi.meetings_by_quarter(council=malaga, period=period)["meetings"] == [0, 0, 1, 0]


# --- all of it ----------------------------------------------------------------------------------


def test_dashboard_data_query_count_does_not_grow(ledger, malaga, period):
    with CaptureQueriesContext(connection) as small:
        kpi.dashboard_data(council=malaga, period=period)
    for day in range(60):
        interaction_record(
            kind=Interaction.Kind.OTHER,
            date=D(2025, 1, 1) + datetime.timedelta(days=day * 7),
            organisations=[ledger["acme"], ledger["uni"], OrganisationFactory()],
        )
    with CaptureQueriesContext(connection) as large:
        data = kpi.dashboard_data(council=malaga, period=period)
    assert len(large) == len(small) == 8
    assert data["ledger"]["total"]["total"] == 68
