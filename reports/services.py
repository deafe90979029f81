"""Writes of the reports app: ask for a report, build it in a worker, remove old files.

A report goes queued → running → done (or failed); later its file is removed and the job is kept
as history (expired). Each step is a conditional update of the job's row, so a task that runs twice,
or two workers that get the same message, build and announce a report once.
"""

import contextlib
import logging
import os
import time
import zoneinfo
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.emails import email_render
from notifications.models import Area, Frequency, Notification
from notifications.services import email_queue, frequencies_for, notify, unsubscribe_headers
from notifications.unsubscribe import unsubscribe_url

from .models import ReportJob, report_upload_to
from .registry import ReportError, get_builder

logger = logging.getLogger(__name__)

Status = ReportJob.Status

# How many of a person's reports may wait or be built at the same time.
MAX_PENDING_PER_USER = 3
# A build cannot outlive the task's hard time limit; a job still "running" after that (and a margin)
# lost its worker, and may be claimed again or given up.
STALE_RUNNING = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 600)) + timedelta(minutes=5)
# A job queued this long ago whose task never started probably lost its message: queue it again...
LOST_QUEUED = timedelta(minutes=10)
# ...but not for ever.
GIVE_UP_QUEUED = timedelta(hours=24)
# Progress is written at most this often (seconds), so a builder may report it as often as it likes.
PROGRESS_INTERVAL = 0.5

MESSAGE_READY = gettext_noop('Your report "%(title)s" is ready to download.')
MESSAGE_FAILED = gettext_noop('Your report "%(title)s" could not be built.')


def retention():
    """How long a report's file is kept (``REPORT_RETENTION_DAYS``, 14 days by default)."""
    return timedelta(days=getattr(settings, "REPORT_RETENTION_DAYS", 14))


# --- asking for a report ------------------------------------------------------------------------


def report_request(*, user, kind, params, fmt, language=None):
    """Queue the report ``kind`` in format ``fmt`` for ``user``, with ``params`` as the builder's
    parameters form accepts them (unprefixed field names, raw values).

    Validates everything before writing anything; raises ``ValidationError`` (keyed by "kind",
    "format" or the parameter's field) for an unknown or forbidden kind, a format the report does
    not offer, invalid parameters, or too many of the user's reports still waiting. The build task
    is queued once the transaction commits. ``language`` (default: the user's) is the report's.
    """
    builder = get_builder(kind)
    if builder is None or not builder.available_to(user):
        raise ValidationError({"kind": _("Choose one of the reports offered.")})
    if fmt not in builder.formats:
        raise ValidationError({"format": _("This report is not offered in that format.")})
    form = builder.form(data=params or {}, user=user)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    with transaction.atomic():
        # One request at a time per person, so that two at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        pending = ReportJob.objects.filter(
            requested_by=user, status__in=[Status.QUEUED, Status.RUNNING]
        ).count()
        if pending >= MAX_PENDING_PER_USER:
            raise ValidationError(
                _("You have %(count)s reports waiting to be built. Please wait until one is ready.")
                % {"count": pending}
            )
        job = ReportJob.objects.create(
            kind=kind,
            parameters=builder.params_from_form(form),
            parameters_display=builder.params_display(form),
            format=fmt,
            language=language or user.language or settings.LANGUAGE_CODE,
            requested_by=user,
        )
        transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id):
    from .tasks import report_build

    try:
        report_build.delay(job_id=str(job_id))
    except Exception:  # broker down: the job waits as queued, and report_jobs_recover queues it again
        logger.exception("could not queue report %s; the periodic clean-up will queue it again", job_id)


# --- building it --------------------------------------------------------------------------------


class _Progress:
    """The ``progress(percent)`` a builder calls: written to the job at most every
    ``PROGRESS_INTERVAL`` seconds, only forwards, and below 100 (100 means the file is saved)."""

    def __init__(self, job_id, started_at):
        self.job_id = job_id
        self.started_at = started_at
        self.value = 0
        self.written_at = 0.0

    def __call__(self, percent):
        percent = max(0, min(99, int(percent)))
        now = time.monotonic()
        if percent <= self.value or now - self.written_at < PROGRESS_INTERVAL:
            return
        self.value, self.written_at = percent, now
        ReportJob.objects.filter(pk=self.job_id, status=Status.RUNNING, started_at=self.started_at).update(
            progress=percent
        )


def _zone(user):
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def report_run(*, job_id):
    """Build a queued report and save its file; the report task calls this.

    Idempotent: the job is claimed (queued → running) by one conditional update, so a second run
    does nothing; only a job left "running" by a worker that died (``STALE_RUNNING``) is claimed
    again. The builder runs in the requester's language and time zone. The file is saved only
    once the builder returned all of it, and the job is done only once the file is saved: a
    failing builder leaves the job failed with a message for the requester and no file. The
    requester is notified either way, and emailed when the report is ready.

    Returns the job when this call finished it (done or failed), else None.
    """
    started_at = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=started_at - STALE_RUNNING)
    if not ReportJob.objects.filter(claimable, pk=job_id).update(
        status=Status.RUNNING, started_at=started_at, progress=0, error=""
    ):
        logger.info("report %s is not waiting to be built; nothing to do", job_id)
        return None
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by
    with translation.override(job.language or user.language), timezone.override(_zone(user)):
        builder = get_builder(job.kind)
        try:
            if builder is None:
                raise ReportError(_("This report is no longer offered."))
            if not builder.available_to(user) or job.format not in builder.formats:
                raise ReportError(_("You may no longer ask for this report in this format."))
            filename, content = builder.build(job, dict(job.parameters), _Progress(job.pk, started_at))
            if not isinstance(content, bytes | bytearray) or not content:
                raise TypeError(f"report builder {job.kind!r} returned no content")
        except ReportError as exc:
            return _fail(job, current=Q(started_at=started_at), error=str(exc))
        except SoftTimeLimitExceeded:
            logger.warning("report %s (%s) took too long and was stopped", job.pk, job.kind)
            return _fail(
                job,
                current=Q(started_at=started_at),
                error=_("The report took too long to build. Try again with narrower parameters."),
            )
        except Exception:
            logger.exception("report %s (%s) failed", job.pk, job.kind)
            return _fail(
                job,
                current=Q(started_at=started_at),
                error=_(
                    "The report could not be built because of an error on our side. The team has been told."
                ),
            )
        return _finish(job, started_at=started_at, filename=filename, content=bytes(content))


def _safe_filename(filename, fmt):
    stem = get_valid_filename(os.path.basename(str(filename or ""))) or "report"
    stem = stem.removesuffix(f".{fmt}")[:120]
    return f"{stem}.{fmt}"


def _finish(job, *, started_at, filename, content):
    storage = job.result.storage
    name = storage.save(report_upload_to(job, _safe_filename(filename, job.format)), ContentFile(content))
    finished_at = timezone.now()
    try:
        with transaction.atomic():
            done = ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING, started_at=started_at).update(
                status=Status.DONE,
                progress=100,
                result=name,
                error="",
                finished_at=finished_at,
                expires_at=finished_at + retention(),
            )
            if done:
                job.refresh_from_db()
                _tell_ready(job)
    except Exception:
        _file_delete(storage, name)
        raise
    if not done:  # given up on (clean-up) while it was being built: keep nothing
        _file_delete(storage, name)
        return None
    return job


def _fail(job, *, current, error):
    """Mark ``job`` failed with ``error`` (for the requester) if it is still in the state ``current``
    describes, and tell the requester."""
    with transaction.atomic():
        failed = ReportJob.objects.filter(current, pk=job.pk).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now(), result=""
        )
        if not failed:
            return None
        job.refresh_from_db()
        notify(
            users=[job.requested_by],
            kind="report.failed",
            area=Area.REPORTS,
            message=MESSAGE_FAILED,
            params={"title": str(job.title)},
            url=job.get_absolute_url(),
            target=job,
        )
    return job


def _tell_ready(job):
    """An in-app notification, and one email: notify() sends its own to those who chose immediate
    emails for reports; the others (digest readers) get the "your report is ready" email, since
    they asked for this report and are waiting for it; those who turned report emails off get none."""
    user = job.requested_by
    title = str(job.title)
    notifications = notify(
        users=[user],
        kind="report.ready",
        area=Area.REPORTS,
        message=MESSAGE_READY,
        params={"title": title},
        url=job.get_absolute_url(),
        target=job,
    )
    if not notifications:  # an inactive account
        return
    if frequencies_for(user)[Area.REPORTS] in (Frequency.IMMEDIATE, Frequency.OFF):
        return
    unsubscribe = unsubscribe_url(user=user, area=Area.REPORTS)
    subject, text, html = email_render(
        template_prefix="reports/emails/ready",
        context={
            "user": user,
            "job": job,
            "title": title,
            "job_url": settings.SITE_URL + job.get_absolute_url(),
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe,
        },
        language=job.language,
    )
    email_queue(
        to=user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=unsubscribe_headers(unsubscribe),
        key=f"report-ready:{job.pk}",
        user=user,
    )
    # The digest does not need to tell it again.
    Notification.objects.filter(pk=notifications[0].pk).update(emailed_at=timezone.now())


# --- housekeeping -------------------------------------------------------------------------------


def _file_delete(storage, name):
    """Delete a report's file and its (then empty) folder; a missing file is not an error."""
    if not name:
        return
    with contextlib.suppress(FileNotFoundError):
        storage.delete(name)
    # Not a local storage, or the folder is not empty: leave the folder.
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(os.path.dirname(storage.path(name)))


def report_jobs_expire(*, now=None):
    """Remove the files of reports past their ``expires_at``; the jobs stay, as "removed", in their
    requesters' history. Idempotent. Returns how many files were removed."""
    now = now or timezone.now()
    count = 0
    for job in (
        ReportJob.objects.filter(status=Status.DONE, expires_at__lte=now).only("pk", "result").iterator()
    ):
        if ReportJob.objects.filter(pk=job.pk, status=Status.DONE).update(status=Status.EXPIRED, result=""):
            _file_delete(job.result.storage, job.result.name)
            count += 1
    return count


def report_jobs_recover(*, now=None):
    """Jobs that lost their task: queue again those queued for a while (the broker may have been
    down), and fail those queued for a day or left running by a worker that died. Safe to run at
    any time: a job is built once whatever the number of its tasks. Returns (queued again, failed)."""
    now = now or timezone.now()
    lost = ReportJob.objects.filter(
        status=Status.QUEUED, created_at__lt=now - LOST_QUEUED, created_at__gte=now - GIVE_UP_QUEUED
    ).values_list("pk", flat=True)
    queued_again = 0
    for job_id in lost.iterator():
        _enqueue(job_id)
        queued_again += 1
    failed = 0
    stuck = ReportJob.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=now - GIVE_UP_QUEUED)
        | Q(status=Status.RUNNING, started_at__lt=now - STALE_RUNNING)
    ).select_related("requested_by")
    for job in stuck.iterator():
        with translation.override(job.language):
            error = (
                _("The report could not be started. Please ask for it again.")
                if job.status == Status.QUEUED
                else _("Building the report was interrupted. Please ask for it again.")
            )
            current = (
                Q(status=Status.QUEUED)
                if job.status == Status.QUEUED
                else Q(status=Status.RUNNING, started_at=job.started_at)
            )
            failed += _fail(job, current=current, error=error) is not None
    return queued_again, failed


def report_jobs_delete(*, jobs):
    """Delete report jobs and, once the deletion is committed, their files."""
    names = [(job.result.storage, job.result.name) for job in jobs if job.result]
    ReportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    transaction.on_commit(lambda: [_file_delete(storage, name) for storage, name in names])
