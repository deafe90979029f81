"""The Council KPI report: who may ask for which council, the numbers (checked against a hand-counted
ledger, indicators and impact records), the XLSX and PDF files opened back, and a constant number of
queries whatever the size of the ledger."""

import datetime
import io
import zipfile
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from councils.models import Challenge, ImpactRecord, Indicator, IndicatorValue, SuccessFactor
from councils.reports import (
    ALLIANCE,
    REPORT_NAME,
    CouncilKpiReportForm,
    Quarter,
    council_kpi_data,
    recent_quarters,
    register_reports,
)
from organisations.models import Organisation, Region
from organisations.services import interaction_record
from reports import exports
from reports.models import ReportJob
from reports.registry import get_builder, register, unregister
from reports.services import report_request, report_run

from ..factories.councils import CouncilPersonFactory, council
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

# The period of the tests: the quarter before last (q2), the last one (q1) and this one (q0), so that
# every quarter is one the form offers whatever the day the tests run.
Q2, Q1, Q0 = recent_quarters(3)
Q3 = Q2.previous()  # before the period


def day(quarter, offset=10):
    return quarter.start + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def council_report_registered():
    """The report as councils' ready() registers it (without depending on that wiring)."""
    previous = get_builder(REPORT_NAME)
    register_reports()
    yield
    if previous is not None:
        register(previous)
    else:
        unregister(REPORT_NAME)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def bologna_coordinator(bologna):
    return CouncilPersonFactory(council=bologna, user__email="bruno@example.org").user


@pytest.fixture
def ledger(acme, uni, other_council_member, malaga, bologna):
    """Eight interactions, counted by hand in the tests (M: linked to Málaga, B: to Bologna):

    ===  =======  =========================  ====  =======  ========  =======
    #    quarter  organisations              link  SME–HEI  cluster   border
    ===  =======  =========================  ====  =======  ========  =======
    1    q2       acme, uni                  M     yes      no        no
    2    q2       acme, alcala               M     no       yes       no
    3    q1       uni, meccanica             M B   yes      yes       yes
    4    q1       acme, uni, cork HEI        M     yes      yes       yes
    5    q1       meccanica, cork HEI        B     yes      yes       yes
    6    q0       acme, uni                  M     yes      no        no
    7    q3       acme, uni (before)         M     yes      no        no
    8    q0       alcala, cork HEI           –     yes      yes       yes
    ===  =======  =========================  ====  =======  ========  =======
    """
    meccanica = Organisation.objects.get(slug="meccanica")
    alcala = OrganisationFactory(name="Alcalá Tornos", region=Region.ALCALA)
    cork_hei = OrganisationFactory(name="Cork Institute", kind=Organisation.Kind.HEI, region=Region.CORK)
    entries = [
        ("meeting", day(Q2), [acme, uni]),
        ("visit", day(Q2, 20), [acme, alcala]),
        ("joint_project", day(Q1), [uni, meccanica]),
        ("learning", day(Q1, 30), [acme, uni, cork_hei]),
        ("consultancy", day(Q1, 40), [meccanica, cork_hei]),
        ("meeting", day(Q0, 0), [acme, uni]),
        ("meeting", day(Q3), [acme, uni]),
        ("visit", day(Q0, 1), [alcala, cork_hei]),
    ]
    for kind, when, organisations in entries:
        interaction_record(kind=kind, date=when, organisations=organisations)
    return {"alcala": alcala, "cork_hei": cork_hei, "meccanica": meccanica}


@pytest.fixture
def indicators(malaga, bologna):
    """Málaga: "Apprentices placed" 10 → 30, at 14 in q2 and 20 in q1 (50 %); "Time to market" 18 → 12
    months, at 16.5 in q0 (25 %). Bologna: one indicator that Málaga's report never shows."""
    challenge = Challenge.objects.create(council=malaga, title="Skills gap")
    factor = SuccessFactor.objects.create(challenge=challenge, title="More apprenticeships")
    apprentices = Indicator.objects.create(
        success_factor=factor,
        name="Apprentices placed",
        unit="people",
        baseline=10,
        baseline_date=day(Q3),
        target=30,
        target_date=day(Q0) + datetime.timedelta(days=365),
    )
    IndicatorValue.objects.create(indicator=apprentices, date=day(Q2), value=14)
    IndicatorValue.objects.create(indicator=apprentices, date=day(Q1), value=20)
    time_to_market = Indicator.objects.create(
        success_factor=factor,
        name="Time to market",
        unit="months",
        baseline=18,
        baseline_date=day(Q3),
        target=12,
        target_date=day(Q0) + datetime.timedelta(days=365),
    )
    IndicatorValue.objects.create(indicator=time_to_market, date=day(Q0, 0), value=Decimal("16.5"))
    other = SuccessFactor.objects.create(
        challenge=Challenge.objects.create(council=bologna, title="Export"), title="Export more"
    )
    Indicator.objects.create(
        success_factor=other,
        name="Bologna exports",
        baseline=1,
        baseline_date=day(Q3),
        target=5,
        target_date=day(Q0) + datetime.timedelta(days=365),
    )
    return apprentices, time_to_market


@pytest.fixture
def impact(malaga, bologna):
    """Málaga: a partnership (ES) and funding of 50,000 (ES) in q2, funding of 25,000 (IT) in q1, 3 jobs
    (ES) in q0, and a partnership before the period; Bologna: training for 12 people (IT) in q1."""
    Kind = ImpactRecord.Kind
    for council_, kind, when, country, quantity in [
        (malaga, Kind.PARTNERSHIP, day(Q2), "ES", 1),
        (malaga, Kind.FUNDING, day(Q2, 5), "ES", 50000),
        (malaga, Kind.FUNDING, day(Q1), "IT", 25000),
        (malaga, Kind.JOBS, day(Q0, 0), "ES", 3),
        (malaga, Kind.PARTNERSHIP, day(Q3), "ES", 1),
        (bologna, Kind.TRAINING, day(Q1), "IT", 12),
    ]:
        ImpactRecord.objects.create(
            council=council_, kind=kind, date=when, country=country, quantity=quantity
        )


def params(council_slug, first=Q2, last=Q0):
    return {"council": council_slug, "first_quarter": first.key, "last_quarter": last.key}


def build(user, fmt, council_slug, language="en"):
    job = report_request(user=user, kind=REPORT_NAME, params=params(council_slug), fmt=fmt, language=language)
    report_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error
    with job.result.open("rb") as file:
        return job, file.read()


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table_after(rows, title):
    """The rows of the table titled ``title`` on a sheet (its header first), up to the blank line."""
    start = next(index for index, row in enumerate(rows) if row[0] == title) + 1
    table = []
    for row in rows[start:]:
        if all(value is None for value in row):
            break
        table.append([value for value in row if value is not None] if row[0] is not None else row)
    return table


# --- quarters -----------------------------------------------------------------------------------


def test_quarters():
    assert Quarter.of(datetime.date(2026, 11, 27)) == Quarter(2026, 4)
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 2).start == datetime.date(2026, 4, 1)
    assert Quarter(2026, 4).end == datetime.date(2026, 12, 31)
    assert Quarter.parse("2026-Q3") == Quarter(2026, 3)
    assert recent_quarters(3, today=datetime.date(2026, 2, 1)) == [
        Quarter(2025, 3),
        Quarter(2025, 4),
        Quarter(2026, 1),
    ]


# --- who may ask for which council --------------------------------------------------------------


def test_the_form_offers_a_coordinator_their_councils_and_the_alliance(coordinator):
    form = CouncilKpiReportForm(user=coordinator)

    assert [value for value, _label in form.fields["council"].choices] == [ALLIANCE, "malaga"]
    assert form.fields["council"].initial == "malaga"
    assert form.fields["last_quarter"].initial == Q0.key


def test_the_form_offers_staff_every_council(staff):
    form = CouncilKpiReportForm(user=staff)

    assert [value for value, _label in form.fields["council"].choices] == [
        ALLIANCE,
        "alcala",
        "bologna",
        "cork",
        "istanbul",
        "malaga",
        "paris",
    ]


def test_a_coordinator_of_bologna_cannot_have_malagas_report(bologna_coordinator, malaga):
    with pytest.raises(ValidationError) as error:
        report_request(user=bologna_coordinator, kind=REPORT_NAME, params=params("malaga"), fmt="xlsx")

    assert "council" in error.value.message_dict
    assert not ReportJob.objects.exists()
    # Their own council, and the alliance, they may.
    report_request(user=bologna_coordinator, kind=REPORT_NAME, params=params("bologna"), fmt="xlsx")
    report_request(user=bologna_coordinator, kind=REPORT_NAME, params=params(ALLIANCE), fmt="pdf")
    assert ReportJob.objects.count() == 2


@pytest.mark.parametrize("who", ["council_member", "uni_member", "outsider", "other_council_member"])
def test_people_who_coordinate_no_council_cannot_ask(request, who, malaga):
    user = request.getfixturevalue(who)

    with pytest.raises(ValidationError) as error:
        report_request(user=user, kind=REPORT_NAME, params=params("malaga"), fmt="xlsx")

    assert "kind" in error.value.message_dict
    assert not ReportJob.objects.exists()


def test_a_forged_post_on_the_reports_page_is_a_form_error(client, bologna_coordinator, malaga):
    client.force_login(bologna_coordinator)

    response = client.post(
        reverse("reports:index"),
        {
            "kind": REPORT_NAME,
            "format": "xlsx",
            "params-council": "malaga",
            "params-first_quarter": Q2.key,
            "params-last_quarter": Q0.key,
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_the_period_cannot_end_before_it_starts(coordinator):
    with pytest.raises(ValidationError) as error:
        report_request(user=coordinator, kind=REPORT_NAME, params=params("malaga", Q0, Q2), fmt="xlsx")

    assert "last_quarter" in error.value.message_dict


def test_quarters_the_form_does_not_offer_are_refused(coordinator):
    with pytest.raises(ValidationError) as error:
        report_request(
            user=coordinator,
            kind=REPORT_NAME,
            params={"council": "malaga", "first_quarter": "1999-Q1", "last_quarter": "banana"},
            fmt="xlsx",
        )

    assert set(error.value.message_dict) == {"first_quarter", "last_quarter"}


def test_a_coordinator_who_stepped_down_before_the_build_gets_no_report(coordinator, malaga):
    job = report_request(user=coordinator, kind=REPORT_NAME, params=params("malaga"), fmt="xlsx")
    coordinator.council_roles.all().delete()

    report_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert not job.result


# --- the numbers --------------------------------------------------------------------------------


def test_council_numbers_are_the_hand_counted_ones(ledger, indicators, impact, malaga):
    data = council_kpi_data(council=malaga, quarters=[Q2, Q1, Q0])

    assert data.interactions == {
        Q2: {"total": 2, "sme_hei": 1, "cross_cluster": 1, "cross_border": 0},
        Q1: {"total": 2, "sme_hei": 2, "cross_cluster": 2, "cross_border": 2},
        Q0: {"total": 1, "sme_hei": 1, "cross_cluster": 0, "cross_border": 0},
    }
    assert data.organisations == {Q2: 3, Q1: 4, Q0: 2}
    assert data.totals() == {"total": 5, "sme_hei": 4, "cross_cluster": 3, "cross_border": 2}
    by_kind = {row[0]: row[1:] for row in data.by_kind}
    assert by_kind["Meeting co-attendance"] == (2, 2, 0, 0)
    assert by_kind["Consultancy engagement"] == (0, 0, 0, 0)  # #5 is Bologna's only
    assert [i.name for i in data.indicators] == ["Apprentices placed", "Time to market"]
    assert [round(i.progress) for i in data.indicators] == [50, 25]
    apprentices, time_to_market = indicators
    assert data.indicator_quarters[apprentices.pk] == {Q2: 14, Q1: 20, Q0: 20}
    assert data.indicator_quarters[time_to_market.pk] == {Q2: None, Q1: None, Q0: Decimal("16.5")}
    assert {q: dict(kinds) for q, kinds in data.impact_quarters.items()} == {
        Q2: {"partnership": 1, "funding": 1},
        Q1: {"funding": 1},
        Q0: {"jobs": 1},
    }
    assert [(r["country"], r["kind"], r["count"], r["quantity"]) for r in data.impact_by_country] == [
        ("ES", "funding", 1, 50000),
        ("ES", "jobs", 1, 3),
        ("ES", "partnership", 1, 1),
        ("IT", "funding", 1, 25000),
    ]


def test_alliance_numbers_are_the_hand_counted_ones(ledger, indicators, impact):
    data = council_kpi_data(council=None, quarters=[Q2, Q1, Q0])

    assert data.interactions == {
        Q2: {"total": 2, "sme_hei": 1, "cross_cluster": 1, "cross_border": 0},
        Q1: {"total": 3, "sme_hei": 3, "cross_cluster": 3, "cross_border": 3},
        Q0: {"total": 2, "sme_hei": 2, "cross_cluster": 1, "cross_border": 1},
    }
    by_council = {row[0].slug: row[1:] for row in data.by_council}
    assert by_council["malaga"] == (5, 4, 3, 2)
    assert by_council["bologna"] == (2, 2, 2, 2)
    assert by_council["cork"] == (0, 0, 0, 0)
    assert len(data.indicators) == 3
    assert sum(sum(kinds.values()) for kinds in data.impact_quarters.values()) == 5


def test_the_numbers_take_the_same_queries_for_a_larger_ledger(ledger, indicators, impact, malaga, acme, uni):
    with CaptureQueriesContext(connection) as small:
        council_kpi_data(council=malaga, quarters=[Q2, Q1, Q0])
    for offset in range(30):
        interaction_record(kind="visit", date=day(Q1, offset), organisations=[acme, uni])
        ImpactRecord.objects.create(
            council=malaga, kind="product", date=day(Q1, offset), country="ES", quantity=1
        )
    with CaptureQueriesContext(connection) as large:
        data = council_kpi_data(council=malaga, quarters=[Q2, Q1, Q0])

    assert data.interactions[Q1]["total"] == 32
    assert len(large) == len(small) <= 10


# --- the files ----------------------------------------------------------------------------------


def test_xlsx_of_a_council_holds_the_hand_counted_numbers(ledger, indicators, impact, coordinator):
    job, content = build(coordinator, "xlsx", "malaga")

    assert job.filename == f"council-kpi-malaga-{Q2.key}-{Q0.key}.xlsx"
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Summary", "1 SME–HEI", "2 Cross-cluster", "3 Adapted factors", "4 Impact"]

    summary = rows_of(workbook["Summary"])
    assert summary[0][0] == "Council KPI report"
    assert ["Council", "Málaga"] in [row[:2] for row in summary] or ["Council", council("malaga").name] in [
        row[:2] for row in summary
    ]
    assert ["Period", f"{Q2.label} – {Q0.label}"] in [row[:2] for row in summary]
    assert ["1. SME–HEI interactions", 4] in [row[:2] for row in summary]
    assert ["3. Mean progress to target (%)", 37.5] in [row[:2] for row in summary]
    assert ["4. Impact records", 4] in [row[:2] for row in summary]
    assert table_after(summary, "Quarter by quarter") == [
        ["Quarter", "Interactions", "SME–HEI", "Cross-cluster", "Cross-border", "Impact records"],
        [Q2.label, 2, 1, 1, 0, 2],
        [Q1.label, 2, 2, 2, 2, 1],
        [Q0.label, 1, 1, 0, 0, 1],
        ["Total", 5, 4, 3, 2, 4],
    ]

    sf1 = rows_of(workbook["1 SME–HEI"])
    assert table_after(sf1, "SME–HEI interactions by quarter") == [
        ["Quarter", "Interactions", "SME–HEI", "SME–HEI share (%)", "Organisations involved"],
        [Q2.label, 2, 1, 50, 3],
        [Q1.label, 2, 2, 100, 4],
        [Q0.label, 1, 1, 100, 2],
        ["Total", 5, 4, 80],
    ]
    sf2 = rows_of(workbook["2 Cross-cluster"])
    assert table_after(sf2, "Cross-cluster and cross-border interactions by quarter")[1:] == [
        [Q2.label, 1, 0, 50, 0],
        [Q1.label, 2, 2, 100, 100],
        [Q0.label, 0, 0, 0, 0],
        ["Total", 3, 2, 60, 40],
    ]
    sf3 = rows_of(workbook["3 Adapted factors"])
    indicators_table = table_after(sf3, "Indicators: baseline, target, latest value and progress")
    assert indicators_table[1][:6] == [
        "Skills gap",
        "More apprenticeships",
        "Apprentices placed",
        "people",
        10,
        30,
    ] or (indicators_table[1][:4] == ["Skills gap", "More apprenticeships", "Apprentices placed", "people"])
    assert indicators_table[1][-1] == 50
    assert indicators_table[2][-1] == 25
    assert table_after(sf3, "Indicator values at the end of each quarter") == [
        ["Indicator", Q2.label, Q1.label, Q0.label],
        ["Apprentices placed", 14, 20, 20],
        ["Time to market", 16.5],
    ]
    sf4 = rows_of(workbook["4 Impact"])
    impact_quarters = table_after(sf4, "Impact records by quarter and kind")
    assert impact_quarters[0] == [
        "Quarter",
        "Partnership",
        "Joint project",
        "Funding obtained",
        "New product or service",
        "Jobs",
        "Training delivered",
        "Total",
    ]
    assert impact_quarters[1:] == [
        [Q2.label, 1, 0, 1, 0, 0, 0, 2],
        [Q1.label, 0, 0, 1, 0, 0, 0, 1],
        [Q0.label, 0, 0, 0, 0, 1, 0, 1],
        ["Total", 1, 0, 2, 0, 1, 0, 4],
    ]
    assert table_after(sf4, "Impact by country and kind") == [
        ["Country", "Kind", "Records", "Quantity"],
        ["Spain", "Funding obtained", 1, 50000],
        ["Spain", "Jobs", 1, 3],
        ["Spain", "Partnership", 1, 1],
        ["Italy", "Funding obtained", 1, 25000],
    ]
    # Native bar charts: SME–HEI and cross-cluster by quarter, impact by quarter and kind.
    charts = [
        name for name in zipfile.ZipFile(io.BytesIO(content)).namelist() if name.startswith("xl/charts/")
    ]
    assert len(charts) == 3


def test_xlsx_of_the_alliance_has_every_council(ledger, indicators, impact, staff):
    job, content = build(staff, "xlsx", ALLIANCE)

    assert job.filename == f"council-kpi-alliance-{Q2.key}-{Q0.key}.xlsx"
    workbook = load_workbook(io.BytesIO(content))
    summary = rows_of(workbook["Summary"])
    assert ["Council", "The whole alliance"] in [row[:2] for row in summary]
    assert table_after(summary, "Quarter by quarter")[-1] == ["Total", 7, 6, 5, 4, 5]
    by_council = {
        row[0]: row[1:]
        for row in table_after(rows_of(workbook["2 Cross-cluster"]), "Interactions by council")[1:]
    }
    assert by_council[council("malaga").name] == [5, 4, 3, 2]
    assert by_council[council("bologna").name] == [2, 2, 2, 2]
    indicators_table = table_after(
        rows_of(workbook["3 Adapted factors"]), "Indicators: baseline, target, latest value and progress"
    )
    assert indicators_table[0][0] == "Council"
    assert len(indicators_table) == 4  # the header and three indicators


def test_pdf_in_the_requesters_language(ledger, indicators, impact, coordinator, monkeypatch):
    rendered = []
    real_render = exports.pdf_render

    def spy(html):
        rendered.append(html)
        return real_render(html)

    monkeypatch.setattr(exports, "pdf_render", spy)

    job, content = build(coordinator, "pdf", "malaga", language="es")

    assert job.filename.endswith(".pdf")
    assert content.startswith(b"%PDF-")
    (html,) = rendered
    assert '<html lang="es">' in html
    assert "Apprentices placed" in html and "Skills gap" in html
    assert "España" in html  # the country, in Spanish
    assert html.count("<svg") == 4 and 'role="img"' in html  # a chart per success factor, inline
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "Apprentices placed" in text


def test_the_reports_page_offers_a_coordinator_only_their_council(client, coordinator, bologna):
    client.force_login(coordinator)

    response = client.get(reverse("reports:index"), {"kind": REPORT_NAME})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="malaga"' in page and 'value="alliance"' in page
    assert 'value="bologna"' not in page


def test_the_reports_page_does_not_offer_the_report_to_members(client, council_member):
    client.force_login(council_member)

    response = client.get(reverse("reports:index"), {"kind": REPORT_NAME})

    assert response.status_code == 200
    assert "Council KPI report" not in response.content.decode()
