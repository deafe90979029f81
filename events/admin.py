from django.contrib import admin

from .models import CalendarKey, Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ("user", "status", "queued_at", "confirmed_at", "cancelled_at", "checked_in_at")
    readonly_fields = ("queued_at", "confirmed_at", "cancelled_at", "checked_in_at")
    raw_id_fields = ("user",)
    show_change_link = True


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "start", "time_zone", "format", "capacity", "organiser", "cancelled_at")
    list_filter = ("kind", "format", "time_zone")
    search_fields = ("title", "venue", "uid")
    date_hierarchy = "start"
    list_select_related = ("organiser",)
    raw_id_fields = ("organiser",)
    readonly_fields = ("uid", "sequence", "reminder_sent_at", "cancelled_at", "created_at", "updated_at")
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "status", "queued_at", "checked_in_at", "reminder_sent_at")
    list_filter = ("status", "event__kind")
    search_fields = ("user__email", "event__title")
    list_select_related = ("user", "event")
    raw_id_fields = ("event", "user", "registered_by", "checked_in_by")
    readonly_fields = ("created_at",)


@admin.register(CalendarKey)
class CalendarKeyAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    exclude = ("key",)
