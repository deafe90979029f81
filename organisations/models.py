from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .validators import validate_languages, validate_logo


class Sector(models.Model):
    """A NACE Rev. 2 activity relevant to engineering (seeded by a data migration)."""

    code = models.CharField(_("NACE code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return f"{self.code} {self.name}"


class Topic(models.Model):
    """A technology or business topic: what organisations offer and what they need (seeded)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class Region(models.TextChoices):
    MALAGA = "malaga", "Málaga"
    ALCALA = "alcala", "Alcalá de Henares"
    BOLOGNA = "bologna", "Bologna"
    CORK = "cork", "Cork"
    ISTANBUL = "istanbul", "Istanbul"
    PARIS = "paris", "Paris"
    OTHER = "other", _("Other region")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members of the portal")
    COUNCIL = "council", _("Our organisation and our councils")


# Who may see which optional profile fields is chosen per organisation; these are the fields, and
# the level each starts at. Name, kind, country, region and city are always public: the directory
# is built on them.
VISIBILITY_FIELDS = {
    "short_name": Visibility.PUBLIC,
    "description": Visibility.PUBLIC,
    "website": Visibility.PUBLIC,
    "logo": Visibility.PUBLIC,
    "sectors": Visibility.PUBLIC,
    "topics_offered": Visibility.PUBLIC,
    "topics_needed": Visibility.MEMBERS,
    "size_band": Visibility.PUBLIC,
    "founded_year": Visibility.PUBLIC,
    "languages": Visibility.PUBLIC,
    "location": Visibility.PUBLIC,
}


def default_visibility():
    return {field: str(level) for field, level in VISIBILITY_FIELDS.items()}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SME = "sme", _("Engineering SME")
        HEI = "hei", _("University (HEI)")
        INTERMEDIARY = "intermediary", _("Intermediary")

    class Subtype(models.TextChoices):
        PUBLIC_BODY = "public_body", _("Public body")
        CLUSTER = "cluster", _("Cluster organisation")
        CONSULTANCY = "consultancy", _("Consultancy")
        INVESTOR = "investor", _("Investor")
        STUDENT = "student", _("Student organisation")
        OTHER = "other", _("Other")

    class SizeBand(models.TextChoices):
        # The EU SME definition (Recommendation 2003/361/EC), by staff headcount.
        MICRO = "micro", _("Micro (fewer than 10 staff)")
        SMALL = "small", _("Small (10–49 staff)")
        MEDIUM = "medium", _("Medium (50–249 staff)")
        LARGE = "large", _("Large (250 staff or more)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subtype = models.CharField(_("type of intermediary"), max_length=16, choices=Subtype.choices, blank=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    city = models.CharField(_("city"), max_length=100)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), blank=True, related_name="organisations"
    )
    topics_offered = models.ManyToManyField(
        Topic, verbose_name=_("topics and technologies offered"), blank=True, related_name="offered_by"
    )
    topics_needed = models.ManyToManyField(
        Topic, verbose_name=_("topics and technologies needed"), blank=True, related_name="needed_by"
    )
    size_band = models.CharField(_("size"), max_length=8, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1088), MaxValueValidator(2100)],
    )
    website = models.URLField(_("website"), blank=True)
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[validate_languages]
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True, validators=[validate_logo])
    visibility = models.JSONField(_("field visibility"), default=default_visibility, blank=True)
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Name, short name, city, description and topic names in one column, kept by the services,
    # for full-text search (on PostgreSQL a generated, GIN-indexed tsvector column, see migration 0004).
    search_text = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="intermediary") & ~Q(subtype=""))
                | (~Q(kind="intermediary") & Q(subtype="")),
                name="organisation_subtype_only_for_intermediaries",
                violation_error_message=_("Intermediaries need a type; SMEs and universities have none."),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "region"]),
            models.Index(fields=["country"]),
            models.Index(fields=["region", "name"]),
            # The directory's order (name, then id for stable pages) without sorting every row.
            models.Index(fields=["name", "id"], name="organisation_name_id"),
            models.Index(fields=["size_band"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("organisations:detail", kwargs={"slug": self.slug})

    @property
    def display_kind(self):
        if self.kind == self.Kind.INTERMEDIARY and self.subtype:
            return self.get_subtype_display()
        return self.get_kind_display()


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organisation", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self):
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    """An invitation by email to join an organisation; the link in the email carries a signed token."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=8, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class JoinRequest(models.Model):
    """A signed-in person asks to join an organisation; its admins approve or refuse."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="join_request_one_pending_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"


class Interaction(models.Model):
    """The interaction ledger: a typed, dated link between organisations (DESIGN.md).

    Area services record interactions when real things happen; coordinators and staff add others.
    The flags are derived from the organisations involved when the entry is recorded, and indexed,
    so that the councils' success-factor KPIs are plain SQL aggregates.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting co-attendance")
        CONSULTANCY = "consultancy", _("Consultancy engagement")
        FACILITY = "facility", _("Facility booking")
        LEARNING = "learning", _("Course or workshop")
        JOINT_PROJECT = "joint_project", _("Joint project")
        VISIT = "visit", _("Visit")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    organisations = models.ManyToManyField(
        Organisation, related_name="interactions", verbose_name=_("organisations")
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    source = models.CharField(
        _("source"),
        max_length=64,
        default="manual",
        help_text=_("'manual', or the service that recorded it."),
    )
    source_ref = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("The recording service's own id, so it records each thing once."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_sme_hei = models.BooleanField(_("SME–HEI"), default=False, editable=False)
    is_cross_border = models.BooleanField(_("cross-border"), default=False, editable=False)
    # Organisations from different clusters (regions): success factor 2.
    is_cross_cluster = models.BooleanField(_("cross-cluster"), default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="interaction_unique_source_ref",
            ),
        ]
        indexes = [
            models.Index(fields=["date"]),
            models.Index(fields=["kind", "date"]),
            models.Index(fields=["is_sme_hei", "date"]),
            models.Index(fields=["is_cross_border", "date"]),
            models.Index(fields=["is_cross_cluster", "date"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.date}"
