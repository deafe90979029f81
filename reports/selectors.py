"""Reads of the reports app."""

from django.http import Http404

from .models import ReportJob

# What the list of jobs shows; the parameters themselves are not needed there.
LIST_FIELDS = [
    "id",
    "kind",
    "parameters_display",
    "format",
    "requested_by_id",
    "status",
    "progress",
    "result",
    "error",
    "created_at",
    "finished_at",
    "expires_at",
]


def report_jobs_for_user(*, user):
    """The reports ``user`` asked for, newest first."""
    return ReportJob.objects.filter(requested_by=user).only(*LIST_FIELDS).order_by("-created_at", "-id")


def report_job_for_viewer(*, job_id, user):
    """One job, for its requester or staff; 404 for anyone else, as for an id that does not exist."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None or not user.has_perm("reports.download_report", job):
        raise Http404
    return job
