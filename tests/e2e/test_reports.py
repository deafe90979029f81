"""Reports in a real browser: ask for the directory report, watch its progress as htmx polls its
row, download the file, see the bell count the notification and follow it to the report's page;
axe-core on every page visited."""

import io
import re
import threading
from contextlib import contextmanager

import pytest
from django.db import connections
from openpyxl import load_workbook
from playwright.sync_api import expect

from organisations.models import Organisation, Region
from reports import services
from reports.models import ReportJob
from reports.registry import get_builder
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.organisations import MembershipFactory, OrganisationFactory

from .axe import assert_accessible
from .helpers import field, log_in


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@contextmanager
def directory_builder_held_at_half_way():
    """The directory report's builder, made to report 50 % and wait until the test lets it go on,
    so that the browser has time to show the progress."""
    gate = threading.Event()
    builder = get_builder("directory")
    original = builder.build

    def build(job, params, progress):
        progress(50)
        assert gate.wait(30), "the test never let the build go on"
        return original(job, params, progress)

    object.__setattr__(builder, "build", build)  # the registry's builders are frozen dataclasses
    try:
        yield gate
    finally:
        object.__setattr__(builder, "build", original)


def run_as_worker(job_id):
    """Build the report in a thread of its own, as a worker would: with a database connection of
    its own (an in-memory SQLite test database is shared by the connections of this process)."""
    errors = []

    def work():
        try:
            services.report_run(job_id=job_id)
        except Exception as exc:  # shown by the test, which would otherwise wait in vain
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, errors


def test_directory_report_asked_for_followed_and_downloaded(site, live_server, media, monkeypatch):
    page = site
    queued = []
    # The request queues the build instead of running it at once (Celery is eager in tests): the
    # test starts it itself, to watch it.
    monkeypatch.setattr(services, "_enqueue", queued.append)
    ines = UserFactory(email="ines@munster-tooling.example", full_name="Inés Analyst")
    MembershipFactory(
        user=ines,
        organisation=OrganisationFactory(name="Munster Tooling", slug="munster", region=Region.CORK),
    )
    OrganisationFactory(name="Cork Precision", slug="cork-precision", region=Region.CORK)
    OrganisationFactory(name="UCC", slug="ucc", kind=Organisation.Kind.HEI, region=Region.CORK)
    OrganisationFactory(name="Officine Bolognesi", slug="officine", region=Region.BOLOGNA)

    log_in(page, ines.email, PASSWORD)
    assert_accessible(page, "profile page")
    page.goto("/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.get_by_text("You have not asked for any report yet.")).to_be_visible()
    # With JavaScript the "Show its options" button is not needed: htmx swaps them in.
    expect(page.get_by_role("button", name="Show its options")).to_be_hidden()
    assert_accessible(page, "reports page")

    # The only report offered is chosen already (choosing another swaps its options in with htmx).
    expect(field(page, "Report")).to_have_value("directory")
    page.get_by_label("Excel workbook (XLSX)").check()
    field(page, "Region").select_option(label="Cork")
    page.get_by_role("button", name="Ask for the report").click()

    expect(page.get_by_text("Your report is queued.")).to_be_visible()
    row = page.locator("tbody tr").first
    bar = row.get_by_role("progressbar", name="Progress of Directory report")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(row).to_contain_text("Waiting to start")
    expect(row).to_contain_text("Region: Cork")
    assert_accessible(page, "reports page with a queued report")
    assert len(queued) == 1
    job_id = queued[0]

    with directory_builder_held_at_half_way() as gate:
        thread, errors = run_as_worker(job_id)
        # htmx asks for the row every second: the bar moves without reloading the page.
        expect(bar).to_have_attribute("aria-valuenow", "50", timeout=15_000)
        expect(row).to_contain_text("Being built: 50%")
        assert_accessible(page, "reports page with a report being built")
        gate.set()
        thread.join(30)
    assert not errors, errors

    download_link = row.get_by_role("link", name=re.compile(r"^Download"))
    expect(download_link).to_be_visible(timeout=15_000)
    expect(row.get_by_role("progressbar")).to_have_count(0)
    expect(row).to_contain_text("Ready")
    # Said to screen readers, in the page's live region.
    expect(page.locator("#reports-status[role=status]")).to_have_text(
        'Your report "Directory report" is ready.'
    )
    # The finished row told the page: the header's bell counts the new notification.
    expect(page.locator("#bell")).to_contain_text("1 unread")
    assert_accessible(page, "reports page with the report ready")
    job = ReportJob.objects.get(pk=job_id)
    assert job.status == ReportJob.Status.DONE

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == job.filename
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
    assert ("Cork", 2, 1, 0, 3) in list(workbook["Region and kind"].iter_rows(values_only=True))

    # After a reload the bell still says so; it leads to the notification, and that to the report.
    page.reload()
    expect(page.locator("#bell")).to_contain_text("1 unread")
    assert_accessible(page, "reports page reloaded")
    page.locator("#bell").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    assert_accessible(page, "notifications page")
    page.get_by_role("link", name='Your report "Directory report" is ready to download.').click()
    expect(page).to_have_url(re.compile(rf"/reports/{job_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory report")
    expect(page.get_by_role("link", name=re.compile(r"^Download"))).to_be_visible()
    assert_accessible(page, "report page")
