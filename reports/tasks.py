import logging

from celery import shared_task

from .services import report_jobs_expire, report_jobs_recover, report_run

logger = logging.getLogger(__name__)


@shared_task(name="reports.build", acks_late=True)
def report_build(*, job_id):
    """Build one report. Safe to run twice: the job is claimed first, so a second run does nothing.
    No retries: a report that fails says why on the requester's page, who may ask again."""
    report_run(job_id=job_id)


@shared_task(name="reports.cleanup", acks_late=True)
def reports_cleanup():
    """Periodic: remove expired report files, queue again or give up jobs that lost their task."""
    removed = report_jobs_expire()
    queued_again, failed = report_jobs_recover()
    if removed or queued_again or failed:
        logger.info(
            "reports: %s file(s) removed, %s job(s) queued again, %s failed", removed, queued_again, failed
        )
    return {"removed": removed, "queued_again": queued_again, "failed": failed}
