"""The reports pages over HTTP: asking for a report, the list with its polled rows, a job's page
and its download, for each role (visitor, member, outsider, staff); bad input; query counts."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import ReportJob
from reports.services import report_request

from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

Status = ReportJob.Status
INDEX = "/reports/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def ready_job(user, capture, fmt="xlsx", **params):
    with capture(execute=True):
        job = report_request(user=user, kind="widgets", params=params, fmt=fmt)
    job.refresh_from_db()
    assert job.status == Status.DONE
    return job


def signed_in(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cast(member, outsider, staff):
    return {"visitor": None, "member": member, "outsider": outsider, "staff": staff}


# --- permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 302), ("member", 200), ("outsider", 200), ("staff", 200)]
)
def test_reports_page_is_for_signed_in_people(client, cast, test_builders, role, status):
    response = signed_in(client, cast[role]).get(INDEX)

    assert response.status_code == status
    if role == "visitor":
        assert response["Location"].startswith("/accounts/login/?next=/reports/")


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 302), ("member", 200), ("outsider", 404), ("staff", 200)]
)
def test_report_download_only_for_its_requester_and_staff(
    client, cast, member, test_builders, django_capture_on_commit_callbacks, role, status
):
    job = ready_job(member, django_capture_on_commit_callbacks, count="9")

    response = signed_in(client, cast[role]).get(f"/reports/{job.pk}/download/")

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == 'attachment; filename="widgets.xlsx"'
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response["Cache-Control"] == "private, no-store"
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert list(workbook["Widgets"].iter_rows(values_only=True)) == [
            ("Widget", "Colour", "Count"),
            ("Sprocket", "any", 9),
        ]
    elif role == "visitor":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("role", "status"), [("visitor", 302), ("member", 200), ("outsider", 404), ("staff", 200)]
)
def test_report_page_and_row_only_for_its_requester_and_staff(
    client, cast, member, test_builders, django_capture_on_commit_callbacks, role, status
):
    job = ready_job(member, django_capture_on_commit_callbacks)
    client = signed_in(client, cast[role])

    page = client.get(f"/reports/{job.pk}/")
    row = client.get(f"/reports/{job.pk}/?partial=row", **HTMX)

    assert page.status_code == status
    if role == "visitor":  # a polled row reloads the page, which goes to the login page
        assert row.status_code == 200
        assert row["HX-Refresh"] == "true"
    else:
        assert row.status_code == status
    if status == 200:
        assert "Widget report" in page.content.decode()
        assert f'href="/reports/{job.pk}/download/"' in page.content.decode()


def test_polled_row_of_someone_signed_out_reloads_the_page(
    client, member, test_builders, django_capture_on_commit_callbacks
):
    job = report_request(user=member, kind="widgets", params={}, fmt="csv")

    response = client.get(f"/reports/{job.pk}/?partial=row", **HTMX)

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert response.content == b""


@pytest.mark.parametrize("role", ["member", "staff"])
def test_unknown_report_ids_are_not_found(client, cast, role):
    client = signed_in(client, cast[role])

    assert client.get(f"/reports/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/reports/{uuid.uuid4()}/download/").status_code == 404
    assert client.get("/reports/42/download/").status_code == 404
    assert client.get("/reports/not-a-uuid/").status_code == 404


def test_report_not_ready_has_no_download(client, member, test_builders):
    job = report_request(user=member, kind="widgets", params={}, fmt="csv")  # queued, never built

    response = signed_in(client, member).get(f"/reports/{job.pk}/download/")

    assert response.status_code == 404


def test_expired_report_download_is_gone_with_a_message(
    client, member, staff, outsider, test_builders, django_capture_on_commit_callbacks
):
    from reports.services import report_jobs_expire

    job = ready_job(member, django_capture_on_commit_callbacks)
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    # Past its date, even before the clean-up ran...
    response = signed_in(client, member).get(f"/reports/{job.pk}/download/")
    assert response.status_code == 410
    assert "This report has been removed" in response.content.decode()
    assert "kept for 14 days" in response.content.decode()
    # ...and after it.
    assert report_jobs_expire() == 1
    assert client.get(f"/reports/{job.pk}/download/").status_code == 410
    assert signed_in(client, staff).get(f"/reports/{job.pk}/download/").status_code == 410
    # Someone else still learns nothing.
    assert signed_in(client, outsider).get(f"/reports/{job.pk}/download/").status_code == 404
    page = signed_in(client, member).get(INDEX).content.decode()
    assert "Removed" in page
    assert f"/reports/{job.pk}/download/" not in page


def test_report_whose_file_went_missing_is_gone(
    client, member, test_builders, django_capture_on_commit_callbacks
):
    job = ready_job(member, django_capture_on_commit_callbacks)
    job.result.storage.delete(job.result.name)

    response = signed_in(client, member).get(f"/reports/{job.pk}/download/")

    assert response.status_code == 410


# --- asking for a report ------------------------------------------------------------------------


def test_report_asked_for_on_the_page_is_built_and_listed(
    client, member, outsider, test_builders, django_capture_on_commit_callbacks
):
    report_request(user=outsider, kind="widgets", params={}, fmt="csv")  # someone else's
    client = signed_in(client, member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INDEX, {"kind": "widgets", "format": "csv", "params-count": "5", "params-colour": "blue"}
        )

    assert response.status_code == 302
    assert response["Location"] == INDEX
    job = ReportJob.objects.get(requested_by=member)
    assert (job.kind, job.format, job.parameters, job.status) == (
        "widgets",
        "csv",
        {"count": "5", "colour": "blue"},
        Status.DONE,
    )
    page = client.get(INDEX).content.decode()
    assert "Your report is queued." in page
    assert "Number of widgets: 5" in page
    assert "Colour: Blue" in page
    assert f'href="/reports/{job.pk}/download/"' in page
    assert 'hx-trigger="every 1s"' not in page  # nothing left to poll
    assert ReportJob.objects.filter(requested_by=outsider).count() == 1
    assert page.count('<tr id="job-') == 1  # only one's own


def test_report_asked_for_in_another_language_is_built_in_it(
    client, member, test_builders, django_capture_on_commit_callbacks
):
    client = signed_in(client, member)
    client.cookies["django_language"] = "fr"

    client.post(INDEX, {"kind": "widgets", "format": "csv"})

    assert ReportJob.objects.get(requested_by=member).language == "fr"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "nonexistent", "format": "csv"}, "Select a valid choice"),
        ({"kind": "", "format": "csv"}, "This field is required"),
        ({"kind": "widgets", "format": "docx"}, "Select a valid choice"),
        ({"kind": "widgets", "format": ""}, "This field is required"),
        ({"kind": "widgets-refused", "format": "csv"}, "Select a valid choice"),  # XLSX and PDF only
        ({"kind": "widgets", "format": "csv", "params-count": "lots"}, "Enter a whole number"),
        ({"kind": "widgets", "format": "csv", "params-count": "0"}, "greater than or equal to 1"),
        ({"kind": "widgets", "format": "csv", "params-colour": "green"}, "Select a valid choice"),
        ({}, "This field is required"),
    ],
)
def test_report_request_with_bad_input_shows_form_errors(client, member, test_builders, data, message):
    response = signed_in(client, member).post(INDEX, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportJob.objects.exists()


def test_report_request_over_the_limit_says_so(client, member, test_builders):
    for _ in range(3):
        report_request(user=member, kind="widgets", params={}, fmt="csv")

    response = signed_in(client, member).post(INDEX, {"kind": "widgets", "format": "csv"})

    assert response.status_code == 400
    assert "You have 3 reports waiting to be built." in response.content.decode()
    assert ReportJob.objects.count() == 3


def test_visitors_cannot_ask_for_reports(client, test_builders):
    response = client.post(INDEX, {"kind": "widgets", "format": "csv"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ReportJob.objects.exists()


def test_choosing_another_report_shows_its_options(client, member, test_builders):
    client = signed_in(client, member)

    # With htmx: only the options are sent back.
    partial = client.get(INDEX, {"kind": "widgets-refused"}, HTTP_HX_TARGET="report-options", **HTMX)
    # Without JavaScript: the "Show its options" button posts the form, which is shown again.
    page = client.post(INDEX, {"kind": "widgets-refused", "format": "csv", "choose": "1"})

    assert partial.status_code == 200
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="report-options">')
    assert 'value="xlsx"' in html and 'value="pdf"' in html and 'value="csv"' not in html
    assert 'name="params-count"' in html
    assert page.status_code == 200
    assert 'value="widgets-refused" selected' in page.content.decode()
    assert not ReportJob.objects.exists()


def test_directory_report_form_takes_its_filters_from_the_link(client, member):
    response = signed_in(client, member).get(
        INDEX, {"kind": "directory", "region": "bologna", "params-kind": "hei", "page": "2"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="directory" selected' in html
    assert '<option value="bologna" selected>' in html
    assert '<option value="hei" selected>' in html
    assert 'name="params-sector"' in html


# --- following a report -------------------------------------------------------------------------


def test_waiting_report_row_polls_with_an_accessible_progress_bar(client, member, test_builders):
    job = report_request(user=member, kind="widgets", params={}, fmt="csv")
    client = signed_in(client, member)

    queued = client.get(f"/reports/{job.pk}/?partial=row", **HTMX)
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, progress=40, started_at=timezone.now())
    running = client.get(f"/reports/{job.pk}/?partial=row", **HTMX)

    for response, percent in [(queued, 0), (running, 40)]:
        html = response.content.decode()
        assert html.lstrip().startswith(f'<tr id="job-{job.pk}"')
        assert f'hx-get="/reports/{job.pk}/?partial=row" hx-trigger="every 1s" hx-swap="outerHTML"' in html
        assert 'role="progressbar"' in html
        assert f'aria-valuenow="{percent}"' in html
        assert 'aria-label="Progress of Widget report"' in html
        assert "HX-Trigger" not in response
    assert "Waiting to start" in queued.content.decode()
    assert "Being built: 40%" in running.content.decode()


def test_finished_report_row_stops_polling_and_tells_the_page(
    client, member, test_builders, django_capture_on_commit_callbacks
):
    job = ready_job(member, django_capture_on_commit_callbacks)

    response = signed_in(client, member).get(f"/reports/{job.pk}/?partial=row", **HTMX)

    html = response.content.decode()
    assert "hx-trigger" not in html
    assert 'role="progressbar"' not in html
    assert f'href="/reports/{job.pk}/download/"' in html
    events = json.loads(response["HX-Trigger"])
    assert events["reportFinished"] == {"message": 'Your report "Widget report" is ready.'}
    assert "notificationsChanged" in events  # the bell in the header refreshes


def test_failed_report_shows_its_error_on_the_pages(
    client, member, test_builders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_request(user=member, kind="widgets-refused", params={}, fmt="xlsx")
    client = signed_in(client, member)

    for url in (INDEX, f"/reports/{job.pk}/"):
        html = client.get(url).content.decode()
        assert "Failed" in html
        assert "No widget matches these parameters." in html
        assert f"/reports/{job.pk}/download/" not in html
        assert 'href="/reports/?kind=widgets-refused"' in html  # ask again
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404
    row = client.get(f"/reports/{job.pk}/?partial=row", **HTMX)
    assert json.loads(row["HX-Trigger"])["reportFinished"] == {
        "message": 'Your report "Refused widgets" could not be built.'
    }


# --- query counts -------------------------------------------------------------------------------


def make_jobs(user, n):
    statuses = [Status.QUEUED, Status.RUNNING, Status.DONE, Status.FAILED, Status.EXPIRED]
    now = timezone.now()
    ReportJob.objects.bulk_create(
        ReportJob(
            kind="widgets" if i % 2 else "directory",
            format="xlsx",
            requested_by=user,
            status=statuses[i % len(statuses)],
            progress=50,
            parameters_display=[["Region", "Cork"]],
            result=f"reports/x{i}/widgets.xlsx" if statuses[i % len(statuses)] == Status.DONE else "",
            error="No widget matches." if statuses[i % len(statuses)] == Status.FAILED else "",
            expires_at=now + timedelta(days=3),
            created_at=now - timedelta(minutes=i),
        )
        for i in range(n)
    )


def page_queries(client, url=INDEX):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_reports_page_queries_do_not_grow_with_the_jobs(client, member, test_builders):
    OrganisationFactory()
    client = signed_in(client, member)
    make_jobs(member, 5)
    small = page_queries(client)
    make_jobs(member, 45)
    large = page_queries(client)
    second_page = page_queries(client, INDEX + "?page=2")

    assert large == small == second_page
    assert small <= 12
