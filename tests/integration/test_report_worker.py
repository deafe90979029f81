"""A real Celery worker process on Redis builds a report asked for on the page, and the requester
gets the "your report is ready" email at a real SMTP server (aiosmtpd).

Needs PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``): skipped without them, failed under
``REQUIRE_SERVICES=1``. See the ``celery_worker`` fixture in conftest.py.
"""

import io

import pytest
from openpyxl import load_workbook

from notifications.models import Notification
from organisations.models import Organisation, Region
from reports.models import ReportJob

from ..factories.organisations import OrganisationFactory
from .conftest import body, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60  # seconds; only reached on failure


@pytest.fixture
def worker_media(tmp_path, settings, monkeypatch):
    """One media folder for this process and the worker (which reads MEDIA_ROOT from its
    environment): the worker writes the file, the test downloads it through the view."""
    media = tmp_path / "media"
    media.mkdir()
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    settings.MEDIA_ROOT = media
    return media


def test_report_is_built_by_the_worker_and_the_requester_emailed(
    worker_media, celery_worker, smtp_server, client, member
):
    for name, kind in [("Cork Precision", Organisation.Kind.SME), ("Munster Tooling", Organisation.Kind.SME)]:
        OrganisationFactory(name=name, kind=kind, region=Region.CORK)
    OrganisationFactory(name="University College Cork", kind=Organisation.Kind.HEI, region=Region.CORK)
    OrganisationFactory(name="Officine Bolognesi", region=Region.BOLOGNA)
    client.force_login(member)

    response = client.post("/reports/", {"kind": "directory", "format": "xlsx", "params-region": "cork"})
    assert response.status_code == 302
    job = ReportJob.objects.get(requested_by=member)

    def finished():
        job.refresh_from_db()
        return job.status not in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)

    wait_for(finished, timeout=TIMEOUT, message="the worker to build the report")
    assert job.status == ReportJob.Status.DONE, job.error
    assert job.progress == 100
    assert (worker_media / job.result.name).is_file()
    assert "reports.build[" in celery_worker.output()  # the worker built it, not this process

    messages = wait_for(
        lambda: smtp_server.messages_to("bob@example.org"), timeout=TIMEOUT, message="the report-ready email"
    )
    assert len(messages) == 1
    message = messages[0]
    assert message["Subject"] == "[SME Cluster Growth] Your report is ready: Directory report"
    text = body(message, "plain")
    assert f"/reports/{job.pk}/" in text
    assert "Directory report" in body(message, "html")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(user=member, kind="report.ready", url=f"/reports/{job.pk}/").exists()

    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(workbook["Region and kind"].iter_rows(values_only=True))
    assert ("Cork", 2, 1, 0, 3) in rows
    assert ("Bologna", 0, 0, 0, 0) in rows  # outside the filter
    assert rows[-1] == ("Total", 2, 1, 0, 3)
