"""The directory report: counts by region × kind × size band and by sector, computed in SQL,
checked against hand-counted organisations, never revealing a field an organisation hides; and the
XLSX and PDF files, opened back."""

import contextlib
import io
import re
import shutil
import subprocess
import zipfile
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from organisations.models import Membership, Organisation, Region, Visibility, default_visibility
from organisations.reports import NOT_SHOWN, NOT_STATED, directory_counts
from organisations.selectors import viewer_for
from reports import exports
from reports.models import ReportJob
from reports.services import report_request

from ..factories.organisations import MembershipFactory, OrganisationFactory, sector

pytestmark = pytest.mark.django_db

SME, HEI, INTERMEDIARY = Organisation.Kind.SME, Organisation.Kind.HEI, Organisation.Kind.INTERMEDIARY
Size = Organisation.SizeBand


def hiding(**fields):
    return {**default_visibility(), **{name: str(level) for name, level in fields.items()}}


@pytest.fixture
def orgs(db):
    """Eight organisations, counted by hand in the tests below."""
    c25, c28, m71 = sector("C25"), sector("C28"), sector("M71")
    make = OrganisationFactory
    return {
        "acme": make(name="Acme Mecanizados", region=Region.MALAGA, size_band=Size.SMALL, sectors=[c28]),
        "beta": make(name="Beta Tornos", region=Region.MALAGA, size_band=Size.SMALL),
        "gamma": make(name="Gamma Robotics", region=Region.MALAGA, size_band=Size.MICRO, sectors=[c28, m71]),
        "uma": make(
            name="Universidad de Málaga", kind=HEI, region=Region.MALAGA, size_band=Size.LARGE, sectors=[m71]
        ),
        # Its size band only for its own people and councils: "not shown" to everyone else.
        "secret": make(
            name="Officine Riservate",
            region=Region.BOLOGNA,
            size_band=Size.MEDIUM,
            sectors=[c25],
            visibility=hiding(size_band=Visibility.COUNCIL),
        ),
        "cluster": make(name="Cluster Emilia", kind=INTERMEDIARY, region=Region.BOLOGNA, size_band=""),
        # Its sectors only for its own people and councils.
        "quiet": make(
            name="Quiet Engineering",
            region=Region.CORK,
            size_band=Size.SMALL,
            sectors=[c28],
            visibility=hiding(sectors=Visibility.COUNCIL),
        ),
        # Its size band for signed-in members of the portal (people in an organisation).
        "paris": make(
            name="Atelier Parisien",
            region=Region.PARIS,
            size_band=Size.MICRO,
            visibility=hiding(size_band=Visibility.MEMBERS),
        ),
    }


def counts_for(user, **params):
    return directory_counts(viewer=viewer_for(user), params=params)


def test_directory_counts_hide_what_organisations_hide_from_a_signed_in_outsider(orgs, outsider):
    counts = counts_for(outsider)

    assert counts.grid == {
        ("malaga", SME, Size.SMALL): 2,
        ("malaga", SME, Size.MICRO): 1,
        ("malaga", HEI, Size.LARGE): 1,
        ("bologna", SME, NOT_SHOWN): 1,  # Officine Riservate: medium, but hidden
        ("bologna", INTERMEDIARY, NOT_STATED): 1,
        ("cork", SME, Size.SMALL): 1,
        ("paris", SME, NOT_SHOWN): 1,  # Atelier Parisien: for portal members only
    }
    assert counts.total == 8
    assert counts.sectors == [
        ("C28", "Manufacture of machinery and equipment n.e.c.", 2),  # not Quiet Engineering's
        ("M71", sector("M71").name, 2),
        ("C25", "Manufacture of fabricated metal products", 1),
    ]
    assert counts.sector_not_stated == 3  # Beta, Cluster Emilia, Atelier Parisien
    assert counts.sector_not_shown == 1  # Quiet Engineering


def test_directory_counts_show_members_what_members_may_see(orgs, member):
    MembershipFactory(user=member, organisation=orgs["acme"])

    counts = counts_for(member)

    assert counts.count(region="paris") == 1
    assert counts.grid[("paris", SME, Size.MICRO)] == 1
    assert counts.grid[("bologna", SME, NOT_SHOWN)] == 1
    assert counts.sector_not_shown == 1


def test_directory_counts_show_an_organisation_its_own_hidden_fields(orgs, member):
    MembershipFactory(user=member, organisation=orgs["secret"], role=Membership.Role.MEMBER)
    MembershipFactory(user=member, organisation=orgs["quiet"], role=Membership.Role.MEMBER)

    counts = counts_for(member)

    assert counts.grid[("bologna", SME, Size.MEDIUM)] == 1
    assert ("bologna", SME, NOT_SHOWN) not in counts.grid
    assert counts.sectors[0] == ("C28", "Manufacture of machinery and equipment n.e.c.", 3)
    assert counts.sector_not_shown == 0


def test_directory_counts_show_staff_everything(orgs, staff):
    counts = counts_for(staff)

    assert counts.count(size=NOT_SHOWN) == 0
    assert counts.grid[("bologna", SME, Size.MEDIUM)] == 1
    assert counts.grid[("paris", SME, Size.MICRO)] == 1
    assert counts.sector_not_shown == 0
    assert counts.total == 8


def test_directory_counts_follow_the_chosen_filters(orgs, outsider, staff):
    assert counts_for(outsider, region="malaga").total == 4
    assert counts_for(outsider, region="malaga", kind="sme").total == 3
    assert counts_for(outsider, sector="C28").total == 2  # Quiet Engineering's sectors are hidden
    assert counts_for(outsider, q="acme").total == 1
    # Filtering on a hidden size band finds nothing, so the filter cannot reveal it either.
    assert counts_for(outsider, size_band="medium").total == 0
    assert counts_for(staff, size_band="medium").total == 1


def test_directory_counts_refuse_filters_no_longer_valid(orgs, outsider):
    from reports.registry import ReportError

    with pytest.raises(ReportError, match="not valid any more"):
        counts_for(outsider, region="atlantis")


def test_directory_counts_take_the_same_queries_for_more_organisations(orgs, outsider):
    viewer = viewer_for(outsider)
    with CaptureQueriesContext(connection) as small:
        directory_counts(viewer=viewer, params={"region": "malaga"})
    for _ in range(30):
        OrganisationFactory(region=Region.MALAGA, sectors=[sector("C28"), sector("C25")])
    with CaptureQueriesContext(connection) as large:
        counts = directory_counts(viewer=viewer, params={"region": "malaga"})

    assert counts.total == 34
    assert len(large) == len(small) == 2


# --- the files ----------------------------------------------------------------------------------


def build(user, fmt, params=None, language="en", capture=None):
    with capture(execute=True):
        job = report_request(user=user, kind="directory", params=params or {}, fmt=fmt, language=language)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error
    with job.result.open("rb") as file:
        return job, file.read()


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_directory_report_xlsx_holds_the_hand_counted_numbers(
    orgs, outsider, django_capture_on_commit_callbacks
):
    job, content = build(outsider, "xlsx", capture=django_capture_on_commit_callbacks)

    assert job.filename.startswith("directory-report-") and job.filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Summary", "Region and kind", "Region, kind and size", "Sectors"]

    summary = rows_of(workbook["Summary"])
    assert summary[0][0] == "Directory report"
    assert ["Filters", "none: all organisations"] in summary
    assert ["Organisations", 8] in summary

    sheet = workbook["Region and kind"]
    assert rows_of(sheet) == [
        ["Region", "Engineering SME", "University (HEI)", "Intermediary", "Total"],
        ["Málaga", 3, 1, 0, 4],
        ["Alcalá de Henares", 0, 0, 0, 0],
        ["Bologna", 1, 0, 1, 2],
        ["Cork", 1, 0, 0, 1],
        ["Istanbul", 0, 0, 0, 0],
        ["Paris", 1, 0, 0, 1],
        ["Other region", 0, 0, 0, 0],
        ["Total", 6, 1, 1, 8],
    ]
    # The header: bold on a dark fill, frozen; columns as wide as their content.
    header = sheet["A1"]
    assert header.font.bold
    assert header.fill.fill_type == "solid"
    assert header.fill.start_color.rgb.endswith("0B3D91")
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("Alcalá de Henares")
    assert sheet.column_dimensions["C"].width >= len("University (HEI)")

    grid = rows_of(workbook["Region, kind and size"])
    assert grid[0] == [
        "Region",
        "Kind",
        "Micro (fewer than 10 staff)",
        "Small (10–49 staff)",
        "Medium (50–249 staff)",
        "Large (250 staff or more)",
        "Not stated",
        "Not shown to you",
        "Total",
    ]
    assert grid[1:] == [
        ["Málaga", "Engineering SME", 1, 2, 0, 0, 0, 0, 3],
        ["Málaga", "University (HEI)", 0, 0, 0, 1, 0, 0, 1],
        ["Bologna", "Engineering SME", 0, 0, 0, 0, 0, 1, 1],  # the medium size band stays hidden
        ["Bologna", "Intermediary", 0, 0, 0, 0, 1, 0, 1],
        ["Cork", "Engineering SME", 0, 1, 0, 0, 0, 0, 1],
        ["Paris", "Engineering SME", 0, 0, 0, 0, 0, 1, 1],
        ["Total", None, 1, 3, 0, 1, 1, 2, 8],
    ]

    assert rows_of(workbook["Sectors"]) == [
        ["NACE code", "Sector", "Organisations"],
        ["C28", "Manufacture of machinery and equipment n.e.c.", 2],
        ["M71", sector("M71").name, 2],
        ["C25", "Manufacture of fabricated metal products", 1],
        [None, "No sector stated", 3],
        [None, "Sectors not shown to you", 1],
    ]
    # Native charts: one of regions by kind, one of the largest sectors (openpyxl does not read
    # charts back, so look into the file).
    charts = [
        name for name in zipfile.ZipFile(io.BytesIO(content)).namelist() if name.startswith("xl/charts/")
    ]
    assert sorted(charts) == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    chart = zipfile.ZipFile(io.BytesIO(content)).read("xl/charts/chart1.xml").decode()
    assert "<barChart>" in chart
    assert "'Region and kind'!$A$2:$A$8" in chart  # regions as categories, the total row left out
    assert "'Region and kind'!$E$" not in chart  # the kinds as series, not the total


def test_directory_report_xlsx_for_chosen_filters(orgs, outsider, django_capture_on_commit_callbacks):
    job, content = build(
        outsider,
        "xlsx",
        params={"region": "malaga", "sector": "C28"},
        capture=django_capture_on_commit_callbacks,
    )

    workbook = load_workbook(io.BytesIO(content))
    summary = rows_of(workbook["Summary"])
    assert ["Region", "Málaga"] in summary
    assert ["Sector", "C28 Manufacture of machinery and equipment n.e.c."] in summary
    assert ["Organisations", 2] in summary
    assert rows_of(workbook["Region and kind"])[1] == ["Málaga", 2, 0, 0, 2]


def pdf_pages(content):
    """The page count of a PDF (WeasyPrint puts its objects in compressed object streams)."""
    objects = content
    for match in re.finditer(rb"stream\r?\n", content):
        with contextlib.suppress(zlib.error):  # not every stream is compressed
            objects += zlib.decompressobj().decompress(content[match.end() :])
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", objects)
    assert len(counts) == 1, counts
    return int(counts[0])


def test_directory_report_pdf(orgs, outsider, django_capture_on_commit_callbacks):
    job, content = build(outsider, "pdf", capture=django_capture_on_commit_callbacks)

    assert job.filename.endswith(".pdf")
    assert content.startswith(b"%PDF-")
    assert 1 <= pdf_pages(content) <= 4
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        assert "Directory report" in text
        assert "Alcalá de Henares" in text
        assert "Not shown to you" in text


def test_directory_report_pdf_is_in_the_requesters_language(
    orgs, outsider, monkeypatch, django_capture_on_commit_callbacks
):
    rendered = []
    real_render = exports.pdf_render

    def spy(html):
        rendered.append(html)
        return real_render(html)

    monkeypatch.setattr(exports, "pdf_render", spy)

    build(outsider, "pdf", language="es", capture=django_capture_on_commit_callbacks)

    (html,) = rendered
    assert '<html lang="es">' in html
    assert "Pyme de ingeniería" in html  # the kinds, in Spanish
    assert "<svg" in html and 'role="img"' in html  # the chart, inline
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch
