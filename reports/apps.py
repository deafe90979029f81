from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from accounts import gdpr

        from . import gdpr as reports_gdpr
        from . import permissions  # noqa: F401  (registers the rules)

        gdpr.register("reports", export=reports_gdpr.export, erase=reports_gdpr.erase)
