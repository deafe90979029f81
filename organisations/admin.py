"""The organisations app in the Django admin.

Writes go through the services, as everywhere else: saving an organisation keeps its search text
current, an interaction added by hand gets its SME–HEI and cross-border flags derived, memberships
keep the last-admin rule, and the import (``resources.OrganisationResource``) saves every row
through the services and imports nothing unless every row is valid.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries.filters import CountryFilter
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from import_export.tmp_storages import CacheStorage

from . import imports
from .models import Interaction, Invitation, JoinRequest, Membership, Organisation, Sector, Topic
from .resources import OrganisationResource
from .services import (
    RESERVED_SLUGS,
    interaction_record,
    invitation_revoke,
    join_request_decide,
    membership_remove,
    membership_set_role,
    organisation_create,
    organisation_update,
    organisation_verify,
)

ORGANISATION_M2M = ["sectors", "topics_offered", "topics_needed"]


def _adopt(target, saved):
    """Make the admin's unsaved ``target`` the object a service created (same row, same values),
    so that the admin's inlines, log entry and redirect refer to it."""
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def _count(through, column):
    counts = (
        through.objects.filter(**{column: OuterRef("pk")})
        .order_by()
        .values(column)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


# --- taxonomies ---------------------------------------------------------------------------------


class InUseFilter(SimpleListFilter):
    """Whether any organisation uses a sector or topic (on the counts the admin's queryset annotates)."""

    title = _("in use")
    parameter_name = "in_use"
    count_fields = []

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        unused = Q(**dict.fromkeys(self.count_fields, 0))
        return queryset.exclude(unused) if self.value() == "yes" else queryset.filter(unused)


class SectorInUseFilter(InUseFilter):
    count_fields = ["organisation_count"]


class TopicInUseFilter(InUseFilter):
    count_fields = ["offered_count", "needed_count"]


class NaceSectionFilter(SimpleListFilter):
    title = _("NACE section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        sections = Sector.objects.order_by().values_list("code", flat=True)
        return [(letter, letter) for letter in sorted({code[:1] for code in sections})]

    def queryset(self, request, queryset):
        return queryset.filter(code__startswith=self.value()) if self.value() else queryset


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organisation_count"]
    list_filter = [NaceSectionFilter, SectorInUseFilter]
    search_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self, request):
        through = Organisation.sectors.through
        return super().get_queryset(request).annotate(organisation_count=_count(through, "sector_id"))

    @admin.display(description=_("organisations"), ordering="organisation_count")
    def organisation_count(self, obj):
        return obj.organisation_count


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "offered_count", "needed_count"]
    list_filter = [TopicInUseFilter]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                offered_count=_count(Organisation.topics_offered.through, "topic_id"),
                needed_count=_count(Organisation.topics_needed.through, "topic_id"),
            )
        )

    @admin.display(description=_("offered by"), ordering="offered_count")
    def offered_count(self, obj):
        return obj.offered_count

    @admin.display(description=_("needed by"), ordering="needed_count")
    def needed_count(self, obj):
        return obj.needed_count


# --- memberships (inline and on their own) -------------------------------------------------------


def _check_admins_remain(organisation, memberships_after):
    """Refuse a change that would leave an organisation that has administrators without any."""
    if organisation is None or organisation.pk is None:
        return
    has_admins = Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN).exists()
    if has_admins and Membership.Role.ADMIN not in memberships_after:
        raise ValidationError(
            gettext(
                "%(organisation)s needs at least one administrator. Make someone else an administrator first."
            )
            % {"organisation": organisation.name},
            code="last_admin",
        )


def _save_membership(membership, *, actor):
    """Save a membership made or changed in the admin; a changed role goes through the service."""
    if membership.pk is None:
        membership.save()
        return
    previous = Membership.objects.get(pk=membership.pk)
    if previous.role != membership.role:
        membership_set_role(membership=previous, role=membership.role, actor=actor)
    if previous.user_id != membership.user_id:
        membership.save(update_fields=["user"])


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        _check_admins_remain(self.instance, roles)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipInlineFormSet
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role"]

    def clean(self):
        cleaned = super().clean()
        membership = self.instance
        if membership.pk and cleaned.get("role"):
            others = Membership.objects.filter(organisation_id=membership.organisation_id).exclude(
                pk=membership.pk
            )
            _check_admins_remain(
                membership.organisation, [*others.values_list("role", flat=True), cleaned["role"]]
            )
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind", "organisation__region"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        # A membership moves between people or organisations only by removing it and adding another.
        return ["user", "organisation", "created_at"] if obj else ["created_at"]

    def get_actions(self, request):
        # Deleting goes one by one, through the service that keeps the last-admin rule.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        # Checked here rather than in has_delete_permission, which would also stop staff deleting
        # a whole organisation or a person (the admin asks it about every related row).
        membership = self.get_object(request, unquote(object_id))
        if membership is not None:
            try:
                _check_admins_remain(
                    membership.organisation,
                    Membership.objects.filter(organisation_id=membership.organisation_id)
                    .exclude(pk=membership.pk)
                    .values_list("role", flat=True),
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(
                    reverse(
                        "admin:organisations_membership_change",
                        args=[membership.pk],
                        current_app=self.admin_site.name,
                    )
                )
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        _save_membership(obj, actor=request.user)

    def delete_model(self, request, obj):
        membership_remove(membership=obj, actor=request.user)


# --- organisations ------------------------------------------------------------------------------


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "slug",
            "kind",
            "subtype",
            "country",
            "region",
            "city",
            "latitude",
            "longitude",
            *ORGANISATION_M2M,
            "size_band",
            "founded_year",
            "website",
            "languages",
            "description",
            "logo",
            "visibility",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "Part of the organisation's address. Leave empty to make one from the name."
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if not slug and self.instance.pk:
            return self.instance.slug  # an organisation keeps its address unless given another
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is reserved for the portal's own pages."), params={"slug": slug}
            )
        return slug


class OrganisationImportForm(ImportForm):
    """The admin's import form, which also reads the file once to refuse a broken one clearly."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self._formats = formats
        self.fields["import_file"].help_text = _(
            "A CSV file (UTF-8) or an XLSX workbook, at most %(size)s MB and %(rows)s organisations."
        ) % {"size": imports.MAX_IMPORT_BYTES // (1024 * 1024), "rows": imports.MAX_IMPORT_ROWS}

    def clean(self):
        cleaned = super().clean()
        upload, format_index = cleaned.get("import_file"), cleaned.get("format")
        if upload is not None and format_index not in (None, ""):
            try:
                imports.read_upload(upload, self._formats[int(format_index)]())
            except ValidationError as exc:
                self.add_error("import_file", exc)
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    form = OrganisationAdminForm
    list_display = [
        "name",
        "kind",
        "subtype",
        "country",
        "region",
        "city",
        "size_band",
        "is_verified",
        "created_at",
    ]
    list_filter = [
        "kind",
        "subtype",
        "region",
        ("country", CountryFilter),
        "size_band",
        "is_verified",
        "sectors",
        "created_at",
    ]
    search_fields = ["name", "short_name", "slug", "city"]
    date_hierarchy = "created_at"
    filter_horizontal = ORGANISATION_M2M
    inlines = [MembershipInline]
    readonly_fields = ["is_verified", "verified_at", "verified_by", "search_text", "created_at", "updated_at"]
    actions = ["mark_verified", "mark_unverified"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "subtype"]}),
        (_("Place"), {"fields": ["country", "region", "city", "latitude", "longitude"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "sectors",
                    "topics_offered",
                    "topics_needed",
                    "size_band",
                    "founded_year",
                    "website",
                    "languages",
                    "description",
                    "logo",
                ]
            },
        ),
        (_("Visibility"), {"fields": ["visibility"]}),
        (
            _("Verification and search"),
            {
                "fields": [
                    "is_verified",
                    "verified_at",
                    "verified_by",
                    "search_text",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    # import and export
    resource_classes = [OrganisationResource]
    formats = imports.FORMATS
    import_form_class = OrganisationImportForm
    import_template_name = "admin/organisations/organisation/import.html"
    # The uploaded file waits between preview and confirmation in the cache (Redis or the database),
    # which every web process shares, rather than in one machine's temporary folder.
    tmp_storage_class = CacheStorage
    import_error_display = ["message"]

    # --- saving through the services -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        m2m = {name: form.cleaned_data[name] for name in ORGANISATION_M2M if name in form.cleaned_data}
        if change:
            organisation_update(organisation=obj, actor=request.user, m2m=m2m)
            return
        values = {
            field.name: getattr(obj, field.name)
            for field in Organisation._meta.concrete_fields
            if field.editable and not field.primary_key
        }
        _adopt(obj, organisation_create(creator=None, m2m=m2m, **values))

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were set by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Promotions first, then demotions and removals, so that no step leaves the organisation
        # without an administrator on the way (the formset checked the end result).
        changed = formset.save(commit=False)
        for membership in sorted(changed, key=lambda m: m.role != Membership.Role.ADMIN):
            _save_membership(membership, actor=request.user)
        for membership in formset.deleted_objects:
            membership_remove(membership=membership, actor=request.user)

    # --- verification ----------------------------------------------------------------------------

    def has_verify_permission(self, request):
        return request.user.has_perm("organisations.verify_organisation")

    @admin.action(description=_("Mark verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        count = 0
        for organisation in queryset:
            organisation_verify(organisation=organisation, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation marked verified.", "%(count)d organisations marked verified.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark not verified"), permissions=["verify"])
    def mark_unverified(self, request, queryset):
        count = 0
        for organisation in queryset:
            organisation_verify(organisation=organisation, actor=request.user, verified=False)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation marked not verified.",
                "%(count)d organisations marked not verified.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    # --- import --------------------------------------------------------------------------------

    def has_import_permission(self, request):
        return imports.can_import_organisations(request.user)

    def has_export_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related(*ORGANISATION_M2M)

    def get_import_data_kwargs(self, **kwargs):
        # A file with any invalid row imports nothing, at the confirm step as in the preview.
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirm step: import the previewed file for real, all rows or none.

        Refuses (and shows the errors) when the rows are no longer all valid, for instance because
        the data changed since the preview, or when the previewed file is gone.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        import_url = reverse("admin:organisations_organisation_import", current_app=self.admin_site.name)
        confirm_form = self.create_confirm_form(request)
        formats = self.get_import_formats()
        data = input_format = tmp_storage = None
        if confirm_form.is_valid():
            try:
                input_format = formats[int(confirm_form.cleaned_data["format"])](encoding=self.from_encoding)
            except (ValueError, IndexError):
                input_format = None
        if input_format is not None:
            tmp_storage = self.get_tmp_storage_class()(
                name=confirm_form.cleaned_data["import_file_name"],
                encoding=None if input_format.is_binary() else self.from_encoding,
                read_mode=input_format.get_read_mode(),
                **self.get_tmp_storage_class_kwargs(),
            )
            try:
                data = tmp_storage.read()
            except OSError:  # a storage that keeps files on disk, and the file is gone
                data = None
        if data is None:
            messages.error(request, gettext("The file to import is no longer available. Upload it again."))
            return HttpResponseRedirect(import_url)
        try:
            dataset = input_format.create_dataset(data)
        except Exception:  # the preview read it; anything else means it was tampered with
            messages.error(request, gettext("The file to import could not be read. Upload it again."))
            return HttpResponseRedirect(import_url)
        result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            messages.error(
                request, gettext("Nothing was imported: correct the rows below and upload the file again.")
            )
            return self._import_errors_response(request, result)
        tmp_storage.remove()
        return self.process_result(result, request)

    def _import_errors_response(self, request, result):
        form = self.get_import_form_class(request)(
            self.get_import_formats(),
            self.get_import_resource_classes(request),
            initial=self.get_import_form_initial(request),
        )
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": _("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "result": result,
                "import_error_display": self.import_error_display,
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


# --- invitations and join requests ---------------------------------------------------------------


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
        "expires_at",
    ]
    list_select_related = ["organisation", "invited_by"]
    search_fields = ["email", "organisation__name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "organisation",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Invitations are sent from the organisation's people page, which emails the link.
        return False

    @admin.action(description=_("Withdraw the selected invitations"))
    def revoke(self, request, queryset):
        for invitation in queryset:
            invitation_revoke(invitation=invitation, actor=request.user)
        self.message_user(request, _("Invitations withdrawn."), messages.SUCCESS)


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status", "organisation__kind", "organisation__region"]
    list_select_related = ["user", "organisation", "decided_by"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    date_hierarchy = "created_at"
    readonly_fields = ["organisation", "user", "message", "status", "created_at", "decided_at", "decided_by"]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, *, approve):
        done = 0
        for join_request in queryset:
            try:
                join_request_decide(join_request=join_request, approve=approve, actor=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{join_request}: {' '.join(exc.messages)}", messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d request answered.", "%(count)d requests answered.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Refuse the selected requests"))
    def refuse(self, request, queryset):
        self._decide(request, queryset, approve=False)


# --- the interaction ledger ---------------------------------------------------------------------


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["kind", "date", "organisations", "description"]

    def clean_organisations(self):
        organisations = self.cleaned_data["organisations"]
        if len(organisations) < 2:
            raise ValidationError(_("An interaction needs at least two organisations."))
        return organisations


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "date",
        "organisation_names",
        "is_sme_hei",
        "is_cross_border",
        "source",
        "recorded_by",
    ]
    list_filter = ["kind", "is_sme_hei", "is_cross_border", "is_cross_cluster", "source", "date"]
    list_select_related = ["recorded_by"]
    search_fields = ["description", "organisations__name", "source_ref"]
    date_hierarchy = "date"
    autocomplete_fields = ["organisations"]
    form = InteractionForm

    def get_queryset(self, request):
        names = Prefetch("organisations", queryset=Organisation.objects.only("pk", "name").order_by("name"))
        return super().get_queryset(request).prefetch_related(names)

    @admin.display(description=_("organisations"))
    def organisation_names(self, obj):
        return ", ".join(organisation.name for organisation in obj.organisations.all())

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "date", "organisations", "description"]
        return [
            "kind",
            "date",
            "organisation_names",
            "description",
            "is_sme_hei",
            "is_cross_border",
            "is_cross_cluster",
            "source",
            "source_ref",
            "recorded_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The flags are derived from the organisations when the entry is recorded, so neither changes;
        # nor does the date, which the councils' daily counts are kept by (delete and record again).
        return [
            "date",
            "organisation_names",
            "is_sme_hei",
            "is_cross_border",
            "is_cross_cluster",
            "source",
            "source_ref",
            "recorded_by",
            "created_at",
        ]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        interaction = interaction_record(
            kind=form.cleaned_data["kind"],
            date=form.cleaned_data["date"],
            organisations=form.cleaned_data["organisations"],
            description=form.cleaned_data.get("description", ""),
            source="manual",
            recorded_by=request.user,
        )
        _adopt(obj, interaction)

    def save_related(self, request, form, formsets, change):
        # interaction_record set the organisations; on a change they are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
