"""The life of a report job through the services: asked for, built with progress, saved, announced;
refused and failing builders; idempotency; clean-up of old files and lost jobs."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Area, Frequency, Notification, OutboundEmail
from notifications.services import preference_set
from reports import services
from reports.models import ReportJob
from reports.services import (
    report_jobs_expire,
    report_jobs_recover,
    report_request,
    report_run,
)
from reports.tasks import reports_cleanup

from .conftest import files_under

pytestmark = pytest.mark.django_db

Status = ReportJob.Status


@pytest.fixture(autouse=True)
def _progress_every_step(monkeypatch):
    # Write every progress step, so the test sees each one (normally at most one write per 0.5 s).
    monkeypatch.setattr(services, "PROGRESS_INTERVAL", 0)


def ask(user, kind="widgets", params=None, fmt="csv", **kwargs):
    return report_request(user=user, kind=kind, params=params or {}, fmt=fmt, **kwargs)


def test_report_lifecycle_queued_running_done_with_progress(
    member, test_builders, recorder, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(member, params={"count": "7", "colour": "red"})

    job.refresh_from_db()
    assert job.status == Status.QUEUED
    assert job.progress == 0
    assert job.parameters == {"count": "7", "colour": "red"}
    assert job.parameters_display == [["Number of widgets", "7"], ["Colour", "Red"]]
    assert job.language == "en"
    assert not job.result
    assert len(callbacks) == 1  # the build task is queued once the request is committed

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # Celery runs eagerly in unit tests: this builds the report

    job.refresh_from_db()
    assert recorder.calls == [(job.pk, {"count": "7", "colour": "red"})]
    assert recorder.progress_seen == [25, 60]  # stored while it was running
    assert job.status == Status.DONE
    assert job.progress == 100
    assert job.started_at <= job.finished_at
    assert job.expires_at == job.finished_at + timedelta(days=14)
    assert job.error == ""
    assert job.result.name == f"reports/{job.pk.hex}/widgets.csv"
    assert files_under(media_root) == [f"reports/{job.pk.hex}/widgets.csv"]
    with job.result.open("rb") as file:
        content = file.read()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    assert content.decode("utf-8-sig").splitlines() == ["Widget,Colour,Count", "Sprocket,red,7"]


def test_report_ready_notifies_and_emails_the_requester(
    member, test_builders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(member)
    with django_capture_on_commit_callbacks(execute=True):
        pass  # the email task queued by the build runs here

    notification = Notification.objects.get(user=member)
    assert notification.area == Area.REPORTS
    assert notification.kind == "report.ready"
    assert notification.text == 'Your report "Widget report" is ready to download.'
    assert notification.url == f"/reports/{job.pk}/"
    assert notification.read_at is None
    assert notification.emailed_at is not None  # so that no digest tells it again
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    assert message.subject == "[SME Cluster Growth] Your report is ready: Widget report"
    assert f"http://127.0.0.1:8000/reports/{job.pk}/" in message.body
    assert "Hello Bob Member," in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboundEmail.objects.get(key=f"report-ready:{job.pk}").status == OutboundEmail.Status.SENT


def test_report_ready_sends_one_email_to_those_who_chose_immediate_emails(
    member, test_builders, django_capture_on_commit_callbacks
):
    preference_set(user=member, area=Area.REPORTS, frequency=Frequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        ask(member)
    with django_capture_on_commit_callbacks(execute=True):
        pass

    assert len(mail.outbox) == 1  # notify()'s own email; not a second one
    assert "Widget report" in mail.outbox[0].subject


def test_report_ready_sends_no_email_to_those_who_turned_report_emails_off(
    member, test_builders, django_capture_on_commit_callbacks
):
    preference_set(user=member, area=Area.REPORTS, frequency=Frequency.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        ask(member)

    assert Notification.objects.filter(user=member, kind="report.ready").count() == 1
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()


def test_report_is_built_in_the_requesters_language_and_time_zone(
    member, test_builders, django_capture_on_commit_callbacks
):
    from django.utils import translation

    seen = {}
    builder = test_builders[0]
    original = builder.build

    def spy(job, params, progress):
        seen["language"] = translation.get_language()
        seen["zone"] = str(timezone.get_current_timezone())
        return original(job, params, progress)

    object.__setattr__(builder, "build", spy)  # a frozen dataclass; the fixture makes new ones per test
    member.time_zone = "Europe/Istanbul"
    member.save()

    with django_capture_on_commit_callbacks(execute=True):
        job = ask(member, language="it")

    assert seen == {"language": "it", "zone": "Europe/Istanbul"}
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_report_run_twice_builds_once(member, test_builders, recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = ask(member)

    assert report_run(job_id=job.pk) is not None
    assert report_run(job_id=job.pk) is None
    for callback in callbacks:  # and the task queued by the request, run late, does nothing either
        callback()

    assert len(recorder.calls) == 1
    assert Notification.objects.filter(user=member).count() == 1
    assert OutboundEmail.objects.filter(to=member.email).count() == 1


def test_report_running_elsewhere_is_not_claimed_again(member, test_builders, recorder):
    job = ask(member)
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())

    assert report_run(job_id=job.pk) is None
    assert recorder.calls == []


def test_report_left_running_by_a_dead_worker_is_built_by_the_next_run(member, test_builders, recorder):
    job = ask(member)
    long_ago = timezone.now() - services.STALE_RUNNING - timedelta(minutes=1)
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=long_ago, progress=40)

    assert report_run(job_id=job.pk) is not None

    job.refresh_from_db()
    assert job.status == Status.DONE
    assert len(recorder.calls) == 1


def test_report_refused_by_its_builder_fails_with_its_message_and_no_file(
    member, test_builders, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(member, kind="widgets-refused", fmt="xlsx")

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "No widget matches these parameters."
    assert not job.result
    assert job.finished_at is not None
    assert job.expires_at is None
    assert files_under(media_root) == []
    notification = Notification.objects.get(user=member)
    assert notification.kind == "report.failed"
    assert notification.text == 'Your report "Refused widgets" could not be built.'
    assert mail.outbox == []  # weekly digest by default: no email for a failure


def test_report_crashing_builder_fails_without_revealing_the_error(
    member, test_builders, media_root, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        job = ask(member, kind="widgets-crash", fmt="pdf")

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "error on our side" in job.error
    assert "hunter2" not in job.error
    assert "Traceback" not in job.error
    assert not job.result
    assert files_under(media_root) == []
    assert "hunter2" in caplog.text  # logged for the team


def test_report_whose_file_cannot_be_recorded_leaves_no_file(member, test_builders, media_root, monkeypatch):
    job = ask(member)

    def broken(job):
        raise RuntimeError("notification service down")

    monkeypatch.setattr(services, "_tell_ready", broken)
    with pytest.raises(RuntimeError):
        report_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == Status.RUNNING  # the done update was rolled back; recovery will fail it
    assert not job.result
    assert files_under(media_root) == []


def test_report_finished_after_being_given_up_keeps_no_file(member, test_builders, media_root, monkeypatch):
    job = ask(member)
    builder = test_builders[0]
    original = builder.build

    def given_up_meanwhile(job, params, progress):
        result = original(job, params, progress)
        ReportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, error="Interrupted.")
        return result

    object.__setattr__(builder, "build", given_up_meanwhile)

    assert report_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert files_under(media_root) == []


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "fmt", "field"),
    [
        ("nonexistent", {}, "csv", "kind"),
        ("", {}, "csv", "kind"),
        ("widgets", {}, "docx", "format"),
        ("widgets-refused", {}, "csv", "format"),  # offered as XLSX and PDF only
        ("widgets", {"count": "many"}, "csv", "count"),
        ("widgets", {"count": "1000"}, "csv", "count"),
        ("widgets", {"colour": "green"}, "csv", "colour"),
    ],
)
def test_report_request_refuses_bad_input(member, test_builders, kind, params, fmt, field):
    with pytest.raises(ValidationError) as error:
        ask(member, kind=kind, params=params, fmt=fmt)

    assert field in error.value.message_dict
    assert not ReportJob.objects.exists()


def test_report_request_refuses_a_report_the_user_may_not_ask_for(member, staff, test_builders):
    from dataclasses import replace

    from reports.registry import register

    register(replace(test_builders[0], name="staff-widgets", permission="reports.nobody_has_this"))

    with pytest.raises(ValidationError) as error:
        ask(member, kind="staff-widgets")
    assert "kind" in error.value.message_dict
    ask(staff, kind="staff-widgets")  # superusers have every permission


def test_report_request_limits_the_reports_waiting_per_person(member, outsider, test_builders):
    for _ in range(services.MAX_PENDING_PER_USER):
        ask(member)

    with pytest.raises(ValidationError) as error:
        ask(member)

    assert "waiting to be built" in error.value.messages[0]
    ask(outsider)  # others are not held up
    ReportJob.objects.filter(requested_by=member).update(status=Status.DONE)
    ask(member)


# --- clean-up -----------------------------------------------------------------------------------


def test_expired_report_files_are_removed_and_jobs_kept_as_history(
    member, test_builders, media_root, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_RETENTION_DAYS = 3
    with django_capture_on_commit_callbacks(execute=True):
        old = ask(member)
        recent = ask(member, fmt="xlsx")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert recent.expires_at - recent.finished_at == timedelta(days=3)
    ReportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert len(files_under(media_root)) == 2

    assert reports_cleanup() == {"removed": 1, "queued_again": 0, "failed": 0}
    assert report_jobs_expire() == 0  # idempotent

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == Status.EXPIRED
    assert not old.result
    assert recent.status == Status.DONE
    assert files_under(media_root) == [recent.result.name]
    assert not (media_root / "reports" / old.pk.hex).exists()  # nor its folder


def test_jobs_that_lost_their_task_are_queued_again_then_given_up(
    member, test_builders, recorder, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = ask(member)
        lost = ask(member)
        ancient = ask(member)
    queued.clear()
    ReportJob.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=30))
    ReportJob.objects.filter(pk=ancient.pk).update(created_at=now - timedelta(days=2))
    stuck = ReportJob.objects.create(
        kind="widgets",
        format="csv",
        requested_by=member,
        status=Status.RUNNING,
        started_at=now - timedelta(hours=1),
    )

    assert report_jobs_recover() == (1, 2)

    assert queued == [lost.pk]
    for job, status in [
        (fresh, Status.QUEUED),
        (lost, Status.QUEUED),
        (ancient, Status.FAILED),
        (stuck, Status.FAILED),
    ]:
        job.refresh_from_db()
        assert job.status == status, job
    ancient.refresh_from_db()
    stuck.refresh_from_db()
    assert ancient.error == "The report could not be started. Please ask for it again."
    assert stuck.error == "Building the report was interrupted. Please ask for it again."
    assert Notification.objects.filter(user=member, kind="report.failed").count() == 2
    assert report_jobs_recover() == (1, 0)  # the failed ones are left alone
