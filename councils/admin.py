"""The councils app in the Django admin.

Membership writes that tell people something or keep a rule go through the services: requests are
answered with ``council_request_decide`` (the organisation is notified), organisations are removed
with ``council_organisation_remove``, and people's roles change and go with ``council_person_set_role``
/ ``council_person_remove`` (a council keeps at least one coordinator; staff may remove the last
one). Staff appoint a council's first coordinator here (or on the council's members page).
Meetings are created on the council's meeting pages, where their event is made; the admin edits them
and their agenda, decisions and action items. Ledger links are read-only (the ledger hook makes them).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organisations.models import Organisation

from .models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Challenge,
    Council,
    CouncilInteraction,
    CouncilOrganisation,
    CouncilPerson,
    Decision,
    ImpactRecord,
    Indicator,
    IndicatorValue,
    Meeting,
    SuccessFactor,
)
from .services.membership import (
    council_organisation_remove,
    council_person_remove,
    council_person_set_role,
    council_request_decide,
)

OrgStatus = CouncilOrganisation.Status
PersonStatus = CouncilPerson.Status


def _report(modeladmin, request, done, failures):
    for obj, error in failures:
        messages_text = error.messages if isinstance(error, ValidationError) else [str(error)]
        modeladmin.message_user(request, f"{obj}: {' '.join(messages_text)}", messages.WARNING)
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d row changed.", "%(count)d rows changed.", done) % {"count": done},
            messages.SUCCESS,
        )


# --- councils -----------------------------------------------------------------------------------


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "time_zone", "member_count", "coordinator_count"]
    list_filter = ["country"]
    search_fields = ["name", "city", "slug"]
    readonly_fields = ["slug", "region", "created_at"]
    fields = ["name", "slug", "city", "country", "region", "time_zone", "description", "created_at"]

    def has_add_permission(self, request):
        return False  # the six councils are seeded

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count(
                    "organisation_links",
                    filter=Q(organisation_links__status=OrgStatus.ACTIVE),
                    distinct=True,
                ),
                coordinator_total=Count(
                    "people",
                    filter=Q(people__role=CouncilPerson.Role.COORDINATOR, people__status=PersonStatus.ACTIVE),
                    distinct=True,
                ),
            )
        )

    @admin.display(description=_("member organisations"), ordering="member_total")
    def member_count(self, obj):
        return obj.member_total

    @admin.display(description=_("coordinators"), ordering="coordinator_total")
    def coordinator_count(self, obj):
        return obj.coordinator_total


# --- organisations in councils ------------------------------------------------------------------


class CouncilOrganisationAddForm(forms.ModelForm):
    class Meta:
        model = CouncilOrganisation
        fields = ["council", "organisation"]

    def clean(self):
        cleaned = super().clean()
        council, organisation = cleaned.get("council"), cleaned.get("organisation")
        if (
            council
            and organisation
            and CouncilOrganisation.objects.filter(council=council, organisation=organisation).exists()
        ):
            raise ValidationError(
                _("This organisation already has a link to this council; answer or change that one.")
            )
        return cleaned

    def validate_unique(self):
        pass  # clean() says it in words


@admin.register(CouncilOrganisation)
class CouncilOrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "council",
        "status",
        "requested_by",
        "created_at",
        "decided_at",
        "joined_at",
    ]
    list_filter = ["status", "council", "organisation__kind"]
    list_select_related = ["organisation", "council", "requested_by"]
    search_fields = ["organisation__name", "council__name", "message"]
    autocomplete_fields = ["organisation"]
    date_hierarchy = "created_at"
    actions = ["approve", "refuse", "remove"]
    readonly_fields = [
        "council",
        "organisation",
        "status",
        "message",
        "requested_by",
        "decided_by",
        "decided_at",
        "joined_at",
        "created_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CouncilOrganisationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["council", "organisation"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # "remove" keeps the history (status "left")

    def save_model(self, request, obj, form, change):
        if change:
            return  # everything is read-only; changes go through the actions
        # Staff add an organisation directly as an active member.
        now = timezone.now()
        obj.status = OrgStatus.ACTIVE
        obj.requested_by = obj.decided_by = request.user
        obj.decided_at = obj.joined_at = now
        obj.save()

    def _each(self, request, queryset, action):
        done, failures = 0, []
        for link in queryset.select_related("council", "organisation"):
            try:
                action(link)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                failures.append((link, error))
        _report(self, request, done, failures)

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda link: council_request_decide(link=link, approve=True, actor=request.user),
        )

    @admin.action(description=_("Refuse the selected requests"))
    def refuse(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda link: council_request_decide(link=link, approve=False, actor=request.user),
        )

    @admin.action(description=_("Remove from the council (or withdraw the invitation)"))
    def remove(self, request, queryset):
        self._each(request, queryset, lambda link: council_organisation_remove(link=link, actor=request.user))


# --- people in councils -------------------------------------------------------------------------


class CouncilPersonAddForm(forms.ModelForm):
    class Meta:
        model = CouncilPerson
        fields = ["council", "user", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].required = True

    def clean(self):
        cleaned = super().clean()
        council, user = cleaned.get("council"), cleaned.get("user")
        if council and user and CouncilPerson.objects.filter(council=council, user=user).exists():
            raise ValidationError(_("This person already has a role in this council; change that one."))
        return cleaned

    def validate_unique(self):
        pass


class CouncilPersonChangeForm(forms.ModelForm):
    class Meta:
        model = CouncilPerson
        fields = ["role"]

    def clean_role(self):
        role = self.cleaned_data["role"]
        person = self.instance
        if (
            role != CouncilPerson.Role.COORDINATOR
            and person.role == CouncilPerson.Role.COORDINATOR
            and person.status == PersonStatus.ACTIVE
            and not CouncilPerson.objects.filter(
                council=person.council_id, role=CouncilPerson.Role.COORDINATOR, status=PersonStatus.ACTIVE
            )
            .exclude(pk=person.pk)
            .exists()
        ):
            raise ValidationError(
                _("The council needs at least one coordinator. Make someone else a coordinator first.")
            )
        return role


@admin.register(CouncilPerson)
class CouncilPersonAdmin(admin.ModelAdmin):
    list_display = ["person", "council", "role", "status", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", "status", "council"]
    list_select_related = ["user", "council", "invited_by"]
    search_fields = ["user__email", "user__full_name", "email", "council__name"]
    autocomplete_fields = ["user"]
    date_hierarchy = "created_at"
    actions = ["remove"]

    @admin.display(description=_("person"), ordering="user__full_name")
    def person(self, obj):
        return obj.user.display_name if obj.user_id else obj.email

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = CouncilPersonAddForm if obj is None else CouncilPersonChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["council", "user", "role"]
        return ["council", "user", "email", "role", "status", "invited_by", "created_at", "accepted_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["council", "user", "email", "status", "invited_by", "created_at", "accepted_at"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "remove" keeps the last-coordinator rule
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            # Staff appoint someone directly (the council's first coordinator, say).
            obj.email = obj.user.email
            obj.status = PersonStatus.ACTIVE
            obj.invited_by = request.user
            obj.accepted_at = timezone.now()
            obj.save()
            return
        if "role" in form.changed_data:
            previous = CouncilPerson.objects.get(pk=obj.pk)
            council_person_set_role(person=previous, role=obj.role, actor=request.user)

    def delete_model(self, request, obj):
        council_person_remove(person=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            council_person_remove(person=person, actor=request.user)

    @admin.action(description=_("Remove the selected people (or withdraw their invitations)"))
    def remove(self, request, queryset):
        done, failures = 0, []
        for person in queryset.select_related("council", "user"):
            try:
                council_person_remove(person=person, actor=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                failures.append((person, error))
        _report(self, request, done, failures)


@admin.register(CouncilInteraction)
class CouncilInteractionAdmin(admin.ModelAdmin):
    list_display = ["council", "kind", "date", "is_sme_hei", "is_cross_border", "is_cross_cluster"]
    list_filter = [
        "council",
        "interaction__kind",
        "interaction__is_sme_hei",
        "interaction__is_cross_border",
        "interaction__is_cross_cluster",
    ]
    list_select_related = ["council", "interaction"]
    search_fields = ["interaction__description", "council__name"]
    fields = ["council", "interaction"]
    readonly_fields = ["council", "interaction"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kind"), ordering="interaction__kind")
    def kind(self, obj):
        return obj.interaction.get_kind_display()

    @admin.display(description=_("date"), ordering="interaction__date")
    def date(self, obj):
        return obj.interaction.date

    @admin.display(description=_("SME–HEI"), boolean=True)
    def is_sme_hei(self, obj):
        return obj.interaction.is_sme_hei

    @admin.display(description=_("cross-border"), boolean=True)
    def is_cross_border(self, obj):
        return obj.interaction.is_cross_border

    @admin.display(description=_("cross-cluster"), boolean=True)
    def is_cross_cluster(self, obj):
        return obj.interaction.is_cross_cluster


# --- meetings -----------------------------------------------------------------------------------


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "title", "presenter", "duration_minutes"]
    extra = 0
    show_change_link = True


class DecisionInline(admin.TabularInline):
    model = Decision
    fields = ["position", "text"]
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fields = ["title", "owner", "due_date", "status", "note"]
    autocomplete_fields = ["owner"]
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "council", "start", "minutes_published_at", "created_by"]
    list_filter = ["council", ("minutes_published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["council", "event", "created_by"]
    search_fields = ["event__title", "council__name", "minutes"]
    date_hierarchy = "event__start"
    fields = [
        "council",
        "event",
        "minutes",
        "minutes_published_at",
        "minutes_published_by",
        "copied_from",
        "created_by",
        "created_at",
    ]
    # Publishing records the attendance in the ledger: it happens on the meeting's page, not here.
    readonly_fields = [
        "council",
        "event",
        "minutes_published_at",
        "minutes_published_by",
        "copied_from",
        "created_by",
        "created_at",
    ]
    inlines = [AgendaItemInline, DecisionInline, ActionItemInline]

    def has_add_permission(self, request):
        return False  # meetings are made on the council's pages, with their event

    @admin.display(description=_("title"), ordering="event__title")
    def title(self, obj):
        return obj.event.title

    @admin.display(description=_("start"), ordering="event__start")
    def start(self, obj):
        return obj.event.start


class AgendaDocumentInline(admin.TabularInline):
    model = AgendaDocument
    fields = ["name", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    extra = 0


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "position", "presenter", "duration_minutes"]
    list_filter = ["meeting__council"]
    list_select_related = ["meeting__council", "meeting__event"]
    search_fields = ["title", "presenter", "meeting__event__title"]
    fields = ["meeting", "position", "title", "description", "presenter", "duration_minutes"]
    readonly_fields = ["meeting"]
    inlines = [AgendaDocumentInline]

    def has_add_permission(self, request):
        return False  # added on the meeting

    def save_formset(self, request, form, formset, change):
        documents = formset.save(commit=False)
        for document in documents:
            if document.uploaded_by_id is None:
                document.uploaded_by = request.user
            document.save()
        for document in formset.deleted_objects:
            document.delete()


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "owner", "due_date", "status", "updated_at"]
    list_filter = ["status", "meeting__council", "due_date"]
    list_select_related = ["meeting__council", "meeting__event", "owner"]
    search_fields = ["title", "note", "owner__email", "owner__full_name"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["meeting", "created_at", "updated_at"]
    fields = ["meeting", "title", "owner", "due_date", "status", "note", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


# --- success factor 3 ---------------------------------------------------------------------------


class SuccessFactorInline(admin.StackedInline):
    model = SuccessFactor
    fields = ["position", "title", "description"]
    extra = 0
    show_change_link = True


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "council", "position", "factor_count"]
    list_filter = ["council"]
    list_select_related = ["council"]
    search_fields = ["title", "description"]
    inlines = [SuccessFactorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(factor_total=Count("success_factors"))

    @admin.display(description=_("success factors"), ordering="factor_total")
    def factor_count(self, obj):
        return obj.factor_total


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["name", "unit", "baseline", "baseline_date", "target", "target_date"]
    extra = 0
    show_change_link = True


@admin.register(SuccessFactor)
class SuccessFactorAdmin(admin.ModelAdmin):
    list_display = ["title", "challenge", "council", "position"]
    list_filter = ["challenge__council"]
    list_select_related = ["challenge__council"]
    search_fields = ["title", "description", "challenge__title"]
    inlines = [IndicatorInline]

    @admin.display(description=_("council"), ordering="challenge__council__name")
    def council(self, obj):
        return obj.challenge.council


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    fields = ["date", "value", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "success_factor", "council", "baseline", "target", "target_date"]
    list_filter = ["success_factor__challenge__council"]
    list_select_related = ["success_factor__challenge__council"]
    search_fields = ["name", "success_factor__title"]
    inlines = [IndicatorValueInline]

    @admin.display(description=_("council"))
    def council(self, obj):
        return obj.success_factor.challenge.council

    def save_formset(self, request, form, formset, change):
        values = formset.save(commit=False)
        for value in values:
            if value.recorded_by_id is None:
                value.recorded_by = request.user
            value.save()
        for value in formset.deleted_objects:
            value.delete()


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "date", "value", "recorded_by"]
    list_filter = ["indicator__success_factor__challenge__council", "date"]
    list_select_related = ["indicator", "recorded_by"]
    search_fields = ["indicator__name", "note"]
    date_hierarchy = "date"
    readonly_fields = ["recorded_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


# --- success factor 4 ---------------------------------------------------------------------------


@admin.register(ImpactRecord)
class ImpactRecordAdmin(admin.ModelAdmin):
    list_display = ["kind", "council", "date", "country", "quantity", "organisation_names"]
    list_filter = ["kind", "council", "country", "date"]
    list_select_related = ["council"]
    search_fields = ["description", "organisations__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["organisations"]
    readonly_fields = ["recorded_by", "created_at"]

    def get_queryset(self, request):
        names = Prefetch("organisations", queryset=Organisation.objects.only("pk", "name").order_by("name"))
        return super().get_queryset(request).prefetch_related(names)

    @admin.display(description=_("organisations"))
    def organisation_names(self, obj):
        return ", ".join(organisation.name for organisation in obj.organisations.all())

    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
