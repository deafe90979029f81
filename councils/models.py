"""The six Cluster Growth Councils: their members, meetings, and the four success factors.

Success factors 1 and 2 are measured from the interaction ledger (``organisations.Interaction``,
linked to the councils involved through :class:`CouncilInteraction`); factor 3 is each council's
challenges → adapted success factors → indicators with dated values; factor 4 the impact records.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import validate_time_zone
from events.models import Event
from organisations.models import Interaction, Organisation, Region


class Council(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=80)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=16, choices=Region.choices, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    description = models.TextField(_("description"), blank=True, max_length=5000)
    interactions = models.ManyToManyField(
        Interaction, through="CouncilInteraction", related_name="councils", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("councils:detail", args=[self.slug])


class CouncilOrganisation(models.Model):
    """An organisation's membership of a council, from the request or invitation to the decision."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked to join")
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Member")
        REFUSED = "refused", _("Request refused")
        DECLINED = "declined", _("Invitation declined")
        LEFT = "left", _("Left")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="organisation_links")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="council_links")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["council", "organisation__name"]
        verbose_name = _("council organisation")
        verbose_name_plural = _("council organisations")
        constraints = [
            models.UniqueConstraint(fields=["council", "organisation"], name="council_organisation_once"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["council", "status"]),
        ]

    def __str__(self):
        return f"{self.organisation} · {self.council} ({self.get_status_display()})"


class CouncilPerson(models.Model):
    """A person's role in a council. Coordinators run it; people of member organisations are members
    without a row here, and a row with the member role adds someone individually (an invited
    expert, say). An invitation by email waits for the person's acceptance (``user`` set then)."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="council_roles",
    )
    email = models.EmailField(_("email"), blank=True, help_text=_("The address an invitation went to."))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["council", "role", "created_at"]
        verbose_name = _("council person")
        verbose_name_plural = _("council people")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], condition=Q(user__isnull=False), name="council_person_once"
            ),
            models.UniqueConstraint(
                fields=["council", "email"],
                condition=Q(status="invited"),
                name="council_person_one_open_invitation",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(status="invited"), name="council_person_active_has_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "status", "role"])]

    def __str__(self):
        return f"{self.user or self.email} · {self.council} ({self.get_role_display()})"


class CouncilInteraction(models.Model):
    """Links a ledger interaction to the councils involved (success factors 1 and 2)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="interaction_links")
    interaction = models.ForeignKey(Interaction, on_delete=models.CASCADE, related_name="council_links")

    class Meta:
        verbose_name = _("council interaction")
        verbose_name_plural = _("council interactions")
        constraints = [
            models.UniqueConstraint(fields=["council", "interaction"], name="council_interaction_once"),
        ]

    def __str__(self):
        return f"{self.council} · {self.interaction}"


class Meeting(models.Model):
    """A council meeting: an event with an agenda, minutes, decisions and action items."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="meeting")
    minutes = models.TextField(_("minutes"), blank=True, max_length=50000)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    minutes_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes_nudged_at = models.DateTimeField(null=True, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-event__start"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return f"{self.council} · {self.event}"

    def get_absolute_url(self):
        return reverse("councils:meeting", args=[self.council.slug, self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    presenter = models.CharField(_("presenter"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=15, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="agenda_item_duration_positive"
            ),
        ]

    def __str__(self):
        return self.title


def agenda_document_path(instance, filename):
    return f"councils/agenda/{instance.item.meeting_id}/{filename}"


class AgendaDocument(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=agenda_document_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["item", "uploaded_at"]
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")

    def __str__(self):
        return self.name


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("decision"), max_length=2000)

    class Meta:
        ordering = ["meeting", "position", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return self.text[:80]


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="council_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("progress note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["owner", "status", "due_date"])]

    def __str__(self):
        return self.title


# -- Success factor 3: challenges → adapted success factors → indicators with dated values --


class Challenge(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="challenges")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("challenge"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["council", "position", "id"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self):
        return self.title


class SuccessFactor(models.Model):
    """A success factor adapted to one of the council's challenges."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="success_factors")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("success factor"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)

    class Meta:
        ordering = ["challenge", "position", "id"]
        verbose_name = _("adapted success factor")
        verbose_name_plural = _("adapted success factors")

    def __str__(self):
        return self.title


class Indicator(models.Model):
    success_factor = models.ForeignKey(SuccessFactor, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    baseline_date = models.DateField(_("baseline date"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    target_date = models.DateField(_("target date"))

    class Meta:
        ordering = ["success_factor", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")), name="indicator_target_differs_from_baseline"
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_date")), name="indicator_target_after_baseline"
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="indicator_value_once_per_date"),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.date}: {self.value}"


# -- Success factor 4: direct impact in each country --


class ImpactRecord(models.Model):
    class Kind(models.TextChoices):
        PARTNERSHIP = "partnership", _("Partnership")
        JOINT_PROJECT = "joint_project", _("Joint project")
        FUNDING = "funding", _("Funding obtained")
        PRODUCT = "product", _("New product or service")
        JOBS = "jobs", _("Jobs")
        TRAINING = "training", _("Training delivered")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="impact_records")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    country = CountryField(_("country"))
    organisations = models.ManyToManyField(
        Organisation, related_name="impact_records", verbose_name=_("organisations"), blank=True
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Euros for funding, people for jobs and training, otherwise a count."),
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("impact record")
        verbose_name_plural = _("impact records")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="impact_quantity_not_negative"),
        ]
        indexes = [models.Index(fields=["council", "date"]), models.Index(fields=["country", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.date}"


class LedgerDay(models.Model):
    """Success factors 1 and 2 counted per day: the ledger's interactions linked to a council on one
    date, or (no council) all of them, the alliance's. Kept by the ledger hook as interactions are
    recorded (``councils.services.ledger.ledger_day_add``), so that a dashboard reads a few hundred
    rows instead of aggregating a million-entry ledger; rebuilt from the ledger by migration 0003 and
    ``ledger_days_rebuild()``."""

    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    total = models.PositiveIntegerField(default=0)
    sme_hei = models.PositiveIntegerField(default=0)
    cross_cluster = models.PositiveIntegerField(default=0)
    cross_border = models.PositiveIntegerField(default=0)
    cross_council = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "date"], condition=Q(council__isnull=False), name="ledger_day_council_once"
            ),
            models.UniqueConstraint(
                fields=["date"], condition=Q(council__isnull=True), name="ledger_day_alliance_once"
            ),
        ]

    def __str__(self):
        return f"{self.council or 'alliance'} · {self.date}: {self.total}"
