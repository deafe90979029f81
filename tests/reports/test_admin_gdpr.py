"""Report jobs in the admin (look and delete, with their files) and in a person's data export and
erasure."""

import pytest

from accounts import gdpr
from reports.models import ReportJob
from reports.services import report_request

from ..factories.accounts import totp_enable
from .conftest import files_under

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]


def ready(user, capture, **params):
    with capture(execute=True):
        job = report_request(user=user, kind="widgets", params=params, fmt="csv")
    job.refresh_from_db()
    return job


def test_admin_lists_and_shows_jobs_read_only_and_deletes_their_files(
    client, staff, member, test_builders, media_root, django_capture_on_commit_callbacks
):
    job = ready(member, django_capture_on_commit_callbacks, count="4")
    totp_enable(staff)
    client.force_login(staff)

    assert client.get("/admin/reports/reportjob/").status_code == 200
    assert client.get("/admin/reports/reportjob/?q=bob@example.org").status_code == 200
    page = client.get(f"/admin/reports/reportjob/{job.pk}/change/")
    assert page.status_code == 200
    assert client.get("/admin/reports/reportjob/add/").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/reports/reportjob/{job.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ReportJob.objects.exists()
    assert files_under(media_root) == []


def test_admin_is_for_staff_only(client, member):
    client.force_login(member)

    assert client.get("/admin/reports/reportjob/").status_code == 302


def test_data_export_lists_the_persons_reports_only(member, outsider, test_builders):
    report_request(user=member, kind="widgets", params={"colour": "red"}, fmt="xlsx")
    report_request(user=outsider, kind="widgets", params={}, fmt="csv")

    exported = gdpr.exporters()["reports"](member)

    assert [(e["report"], e["format"], e["parameters"]) for e in exported] == [
        ("widgets", "xlsx", {"colour": "red"})
    ]


def test_erasure_removes_the_persons_reports_and_files(
    member, outsider, test_builders, media_root, django_capture_on_commit_callbacks
):
    mine = ready(member, django_capture_on_commit_callbacks)
    theirs = ready(outsider, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        gdpr.erasers()["reports"](member)

    assert list(ReportJob.objects.all()) == [theirs]
    assert files_under(media_root) == [theirs.result.name]
    assert mine.result.name not in files_under(media_root)
