from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from accounts import gdpr

        from . import gdpr as notifications_gdpr

        gdpr.register("notifications", export=notifications_gdpr.export, erase=notifications_gdpr.erase)
