from django.contrib import admin

from .models import ReportJob
from .services import report_jobs_delete


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Jobs are made by people asking for reports and by the workers: the admin only looks, and
    deletes (with their files)."""

    list_display = ["kind", "format", "requested_by", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "kind", "format"]
    search_fields = ["id", "requested_by__email", "kind"]
    date_hierarchy = "created_at"
    list_select_related = ["requested_by"]
    readonly_fields = [field.name for field in ReportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        report_jobs_delete(jobs=[obj])

    def delete_queryset(self, request, queryset):
        report_jobs_delete(jobs=list(queryset))
