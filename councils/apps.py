from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = _("Cluster Growth Councils")

    def ready(self):
        from organisations.selectors import register_peer_provider
        from organisations.services import register_interaction_hook

        from . import permissions  # noqa: F401  (registers the rules)
        from .selectors.peers import peer_organisation_ids
        from .services.ledger import link_councils
        from .services.meetings import register_meeting_kind

        register_interaction_hook(link_councils)
        register_peer_provider(peer_organisation_ids)
        register_meeting_kind()
