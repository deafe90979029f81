from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from accounts import gdpr

        from . import gdpr as events_gdpr

        gdpr.register("events", export=events_gdpr.export, erase=events_gdpr.erase)
