from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from accounts import gdpr

        from . import gdpr as organisations_gdpr
        from . import permissions, reports  # noqa: F401  (they register the rules and the directory report)

        gdpr.register("organisations", export=organisations_gdpr.export, erase=organisations_gdpr.erase)
