"""Council peers: people of a council's member organisations see each other's "council" fields."""

from ..models import CouncilOrganisation
from ..permissions import council_roles


def peer_organisation_ids(user):
    """Ids of the active member organisations of every council ``user`` belongs to (one query)."""
    council_ids = list(council_roles(user))
    if not council_ids:
        return frozenset()
    return frozenset(
        CouncilOrganisation.objects.filter(
            council_id__in=council_ids, status=CouncilOrganisation.Status.ACTIVE
        ).values_list("organisation_id", flat=True)
    )
