from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = _("Cluster Growth Councils")

    def ready(self):
        from django.db.models.signals import pre_delete

        from accounts import gdpr
        from events.registry import register_feed_provider
        from organisations.models import Interaction
        from organisations.selectors import register_peer_provider
        from organisations.services import register_interaction_hook, register_interactions_bulk_hook

        from . import digest, permissions  # noqa: F401  (they register the digest and the rules)
        from . import gdpr as councils_gdpr
        from .reports import register_reports
        from .selectors.peers import peer_organisation_ids
        from .services.ledger import ledger_day_forget, ledger_days_rebuild, link_councils
        from .services.meetings import register_meeting_kind
        from .views.feeds import calendar_feeds

        register_interaction_hook(link_councils)
        register_interactions_bulk_hook(ledger_days_rebuild)
        pre_delete.connect(ledger_day_forget, sender=Interaction, dispatch_uid="councils.ledger_day_forget")
        register_peer_provider(peer_organisation_ids)
        register_meeting_kind()
        register_feed_provider(calendar_feeds)
        register_reports()
        gdpr.register("councils", export=councils_gdpr.export, erase=councils_gdpr.erase)
