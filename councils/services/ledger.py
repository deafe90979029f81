"""The councils' side of the interaction ledger (success factors 1 and 2)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from organisations.services import interaction_record

from ..models import CouncilInteraction, CouncilOrganisation


def link_councils(*, interaction, organisations, councils):
    """Interaction hook: link a new ledger entry to the councils given by the recording service and
    to the councils the organisations are members of (idempotent)."""
    council_ids = {council.pk for council in councils}
    council_ids |= set(
        CouncilOrganisation.objects.filter(
            organisation__in=organisations, status=CouncilOrganisation.Status.ACTIVE
        ).values_list("council_id", flat=True)
    )
    CouncilInteraction.objects.bulk_create(
        [CouncilInteraction(council_id=council_id, interaction=interaction) for council_id in council_ids],
        ignore_conflicts=True,
    )


@transaction.atomic
def council_interaction_record(*, council, actor, kind, date, organisations, description=""):
    """A coordinator records an interaction of their council by hand (or staff do).

    Raises PermissionDenied for anyone else, ValidationError for bad input (fewer than two
    organisations, an unknown kind).
    """
    if not actor.has_perm("councils.record_interactions", council):
        raise PermissionDenied
    return interaction_record(
        kind=kind,
        date=date,
        organisations=organisations,
        description=description,
        source="manual",
        recorded_by=actor,
        councils=[council],
    )
