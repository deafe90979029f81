"""What the reports app holds about a person: the reports they asked for."""

from .models import ReportJob
from .services import report_jobs_delete


def export(user):
    return [
        {
            "report": job.kind,
            "format": job.format,
            "parameters": job.parameters,
            "status": job.status,
            "requested_at": job.created_at.isoformat(),
        }
        for job in ReportJob.objects.filter(requested_by=user).order_by("created_at")
    ]


def erase(user):
    report_jobs_delete(jobs=list(ReportJob.objects.filter(requested_by=user)))
