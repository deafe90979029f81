"""Events in the Django admin. Changes go through the services (validation, the sequence number,
promotion from the waiting list when the capacity grows); registrations are read-only here —
people register, cancel and are checked in on the events pages, where the waiting list is kept."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import CalendarKey, Event, Registration
from .services import EVENT_FIELDS, confirmed_count, event_update, event_validate


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ("user", "status", "queued_at", "confirmed_at", "cancelled_at", "checked_in_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class EventAdminForm(forms.ModelForm):
    online_url = forms.URLField(label=_("online link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Event
        fields = ["organiser", *EVENT_FIELDS]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            event_validate(self.instance)
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None and capacity < confirmed_count(self.instance):
            self.add_error("capacity", _("More people are already confirmed than this capacity."))
        return cleaned


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ("title", "kind", "start", "time_zone", "format", "capacity", "organiser", "cancelled_at")
    list_filter = ("kind", "format", "time_zone")
    search_fields = ("title", "venue")
    date_hierarchy = "start"
    list_select_related = ("organiser",)
    raw_id_fields = ("organiser",)
    readonly_fields = (
        "kind",
        "uid",
        "sequence",
        "reminder_sent_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    )
    inlines = [RegistrationInline]

    def has_add_permission(self, request):
        return False  # events are created by the app that owns their kind (e.g. council meetings)

    def save_model(self, request, obj, form, change):
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in EVENT_FIELDS}
        others = [name for name in form.changed_data if name not in EVENT_FIELDS]
        if others:
            Event.objects.filter(pk=obj.pk).update(**{name: form.cleaned_data[name] for name in others})
        if changed:
            event_update(event=obj, actor=request.user, **changed)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "status", "queued_at", "checked_in_at", "reminder_sent_at")
    list_filter = ("status", "event__kind")
    search_fields = ("user__email", "event__title")
    list_select_related = ("user", "event")
    readonly_fields = [field.name for field in Registration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarKey)
class CalendarKeyAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    exclude = ("key",)
