from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """The outbox: one row per email the portal sends, so that sending is idempotent and auditable."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Set by callers that must never send the same email twice (e.g. one digest per period)."),
    )
    to = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The account the email was sent for, so that its owner's data export and erasure find it "
            "even after the address changed."
        ),
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Files sent with the email, kept on the row so that retries send them too:
    # [{"filename": ..., "mimetype": ..., "content": base64}, ...].
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["to"])]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class Area(models.TextChoices):
    """The parts of the portal that notify people; preferences are kept per area."""

    DIRECTORY = "directory", _("Directory")
    COUNCILS = "councils", _("Cluster Growth Councils")
    MAPPING = "mapping", _("Mapping & Spotlight")
    LEARNING = "learning", _("Learning")
    CONSULTANCY = "consultancy", _("Consultancy")
    FACILITIES = "facilities", _("Facilities Sharing")
    REPORTS = "reports", _("Reports")


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Email me at once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("No emails")


DEFAULT_FREQUENCY = Frequency.WEEKLY


class Notification(models.Model):
    """Something a person should know about, shown under the bell and gathered into digests.

    The message is kept as its English source text with parameters and translated when shown, so
    each person reads it in their own language.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    kind = models.CharField(
        _("kind"), max_length=64, help_text=_("What happened, e.g. 'join_request.created'.")
    )
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["user", "area", "created_at"]),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self):
        from django.utils.translation import gettext

        try:
            return gettext(self.message) % self.params if self.params else gettext(self.message)
        except (KeyError, TypeError, ValueError):
            return self.message


class NotificationPreference(models.Model):
    """How a person wants to hear about one area; no row means the default (weekly digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=DEFAULT_FREQUENCY
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "area"], name="notification_preference_unique_user_area"),
        ]

    def __str__(self):
        return f"{self.user} · {self.area}: {self.frequency}"


class DigestDelivery(models.Model):
    """One digest for one person and one period (e.g. the week 2026-W48): claimed before it is built,
    so that a task run twice, or a batch re-run after a worker died, sends no digest twice."""

    class Period(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("being built")
        QUEUED = "queued", _("queued for sending")
        EMPTY = "empty", _("nothing new: not sent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=8, choices=Period.choices)
    period_key = models.CharField(max_length=16, help_text=_("The local date or ISO week it covers."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    covers_from = models.DateTimeField(null=True, blank=True)
    covers_until = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    email = models.OneToOneField(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "period_key"], name="digest_delivery_one_per_user_and_period"
            ),
        ]
        indexes = [models.Index(fields=["period", "period_key", "status"])]

    def __str__(self):
        return f"{self.user} · {self.period} {self.period_key}: {self.status}"
