import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    PDF = "pdf", _("PDF document")
    CSV = "csv", _("CSV table")


def report_upload_to(job, filename):
    # One folder per job: the download keeps the builder's file name, and two reports of the same
    # name never overwrite each other. The folder name is the job's unguessable id.
    return f"reports/{job.pk.hex}/{filename}"


class ReportJob(models.Model):
    """One report someone asked for: its parameters, how far its build got, and the file it made.

    The primary key is a random UUID, so that a download URL cannot be guessed from another one.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Removed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("report"), max_length=64, help_text=_("The name of its registered builder."))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    parameters_display = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The parameters as the requester saw them ([label, value] pairs), for the list of jobs."),
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="report_jobs",
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, help_text=_("Percent, 0–100."))
    result = models.FileField(_("file"), upload_to=report_upload_to, max_length=300, blank=True)
    error = models.TextField(
        _("error"), blank=True, help_text=_("Shown to the requester; never a traceback.")
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_job_progress_max_100"),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_job_user_created"),
            models.Index(fields=["status", "expires_at"], name="report_job_status_expires"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.format}) · {self.requested_by_id} · {self.status}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reports:detail", kwargs={"job_id": self.pk})

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_expired(self):
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def filename(self):
        return self.result.name.rsplit("/", 1)[-1] if self.result else ""

    @property
    def title(self):
        from .registry import report_title

        return report_title(self.kind)
