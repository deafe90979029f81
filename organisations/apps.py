from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from accounts import gdpr

        from . import digest, permissions, reports  # noqa: F401  (they register the digest, rules, report)
        from . import gdpr as organisations_gdpr

        gdpr.register("organisations", export=organisations_gdpr.export, erase=organisations_gdpr.erase)
