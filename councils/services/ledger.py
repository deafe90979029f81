"""The councils' side of the interaction ledger (success factors 1 and 2)."""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest

from organisations.services import interaction_record

from ..models import CouncilInteraction, CouncilOrganisation, LedgerDay


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
    ledger_day_add(interaction=interaction, council_ids=council_ids)


def ledger_day_add(*, interaction, council_ids, sign=1):
    """Count a new ledger entry in the daily roll-up (``sign=-1``: take a deleted one out): the
    alliance's row of its date and each of its councils'. Rows are created as needed, then updated
    one by one in a fixed order (alliance first, then by council id), so that two recordings at once
    wait for each other instead of deadlocking."""
    scopes = [None, *sorted(council_ids)]
    if sign > 0:
        LedgerDay.objects.bulk_create(
            [LedgerDay(council_id=council_id, date=interaction.date) for council_id in scopes],
            ignore_conflicts=True,
        )
    counted = {
        "total": 1,
        "sme_hei": int(interaction.is_sme_hei),
        "cross_cluster": int(interaction.is_cross_cluster),
        "cross_border": int(interaction.is_cross_border),
        "cross_council": int(len(council_ids) > 1),
    }
    # Never below zero: an entry written around the services (bulk) is counted by a rebuild only.
    increments = {name: Greatest(F(name) + sign * value, 0) for name, value in counted.items()}
    for council_id in scopes:
        scope = Q(council__isnull=True) if council_id is None else Q(council_id=council_id)
        LedgerDay.objects.filter(scope, date=interaction.date).update(**increments)


def ledger_day_forget(sender, instance, **kwargs):
    """pre_delete of a ledger entry (the admin may delete one): take it out of the roll-up while its
    council links still exist (they go with it)."""
    council_ids = set(
        CouncilInteraction.objects.filter(interaction_id=instance.pk).values_list("council_id", flat=True)
    )
    ledger_day_add(interaction=instance, council_ids=council_ids, sign=-1)


LEDGER_DAYS_SQL = """
INSERT INTO councils_ledgerday (council_id, date, total, sme_hei, cross_cluster, cross_border, cross_council)
SELECT {council}, i.date, COUNT(*),
       SUM(CASE WHEN i.is_sme_hei THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.is_cross_cluster THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.is_cross_border THEN 1 ELSE 0 END),
       SUM(CASE WHEN n.councils > 1 THEN 1 ELSE 0 END)
FROM organisations_interaction i
LEFT JOIN (
    SELECT interaction_id, COUNT(*) AS councils FROM councils_councilinteraction GROUP BY interaction_id
) n ON n.interaction_id = i.id
{join}
GROUP BY {group}
"""


def ledger_days_rebuild(cursor=None):
    """Count the whole ledger into the daily roll-up again (after a bulk load, or deletions)."""
    statements = [
        "DELETE FROM councils_ledgerday",
        LEDGER_DAYS_SQL.format(council="NULL", join="", group="i.date"),
        LEDGER_DAYS_SQL.format(
            council="ci.council_id",
            join="JOIN councils_councilinteraction ci ON ci.interaction_id = i.id",
            group="ci.council_id, i.date",
        ),
    ]
    with transaction.atomic(), connection.cursor() as own:
        for statement in statements:
            (cursor or own).execute(statement)


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
