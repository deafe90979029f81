import datetime

import pytest
from django.core.exceptions import PermissionDenied

from councils.models import CouncilInteraction
from councils.services.ledger import council_interaction_record
from organisations.models import Interaction, Region
from organisations.services import interaction_record

from ..factories.councils import CouncilOrganisationFactory
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_interaction_is_linked_to_the_councils_of_its_organisations(acme, uni, malaga, bologna):
    italian = OrganisationFactory(region=Region.BOLOGNA)
    CouncilOrganisationFactory(council=bologna, organisation=italian)

    interaction = interaction_record(
        kind=Interaction.Kind.JOINT_PROJECT, date=datetime.date(2026, 3, 1), organisations=[acme, italian]
    )

    assert set(interaction.councils.all()) == {malaga, bologna}
    assert interaction.is_cross_cluster and interaction.is_cross_border and not interaction.is_sme_hei


def test_interaction_within_one_region_is_not_cross_cluster(acme, uni, malaga):
    interaction = interaction_record(
        kind=Interaction.Kind.VISIT, date=datetime.date(2026, 3, 1), organisations=[acme, uni]
    )

    assert interaction.is_sme_hei and not interaction.is_cross_cluster and not interaction.is_cross_border
    assert list(interaction.councils.all()) == [malaga]


def test_coordinator_records_an_interaction_for_their_council(coordinator, malaga, acme):
    outside = OrganisationFactory(region=Region.PARIS)

    interaction = council_interaction_record(
        council=malaga,
        actor=coordinator,
        kind=Interaction.Kind.OTHER,
        date=datetime.date(2026, 5, 4),
        organisations=[acme, outside],
    )

    assert interaction.recorded_by == coordinator
    assert CouncilInteraction.objects.filter(council=malaga, interaction=interaction).exists()


def test_other_people_cannot_record_council_interactions(malaga, acme, council_member, outsider):
    for person in (council_member, outsider):
        with pytest.raises(PermissionDenied):
            council_interaction_record(
                council=malaga,
                actor=person,
                kind=Interaction.Kind.OTHER,
                date=datetime.date(2026, 5, 4),
                organisations=[acme, OrganisationFactory()],
            )
    assert not Interaction.objects.exists()


def _days(council=None):
    from councils.models import LedgerDay

    rows = LedgerDay.objects.filter(council=council) if council else LedgerDay.objects.filter(council=None)
    return {
        row.date: (row.total, row.sme_hei, row.cross_cluster, row.cross_border, row.cross_council)
        for row in rows
    }


def test_daily_counts_follow_recording_and_deletion(acme, uni, malaga, bologna):
    from councils.services.ledger import ledger_days_rebuild

    italian = OrganisationFactory(region=Region.BOLOGNA)
    CouncilOrganisationFactory(council=bologna, organisation=italian)
    day = datetime.date(2026, 3, 1)
    sme_hei = interaction_record(kind=Interaction.Kind.VISIT, date=day, organisations=[acme, uni])
    interaction_record(kind=Interaction.Kind.JOINT_PROJECT, date=day, organisations=[acme, italian])

    assert _days() == {day: (2, 1, 1, 1, 1)}
    assert _days(malaga) == {day: (2, 1, 1, 1, 1)}
    assert _days(bologna) == {day: (1, 0, 1, 1, 1)}

    sme_hei.delete()  # as the admin does
    assert _days() == {day: (1, 0, 1, 1, 1)}
    assert _days(malaga) == {day: (1, 0, 1, 1, 1)}

    before = (_days(), _days(malaga), _days(bologna))
    ledger_days_rebuild()
    assert (_days(), _days(malaga), _days(bologna)) == before


def test_entries_written_in_bulk_are_counted_by_a_rebuild(acme, uni, malaga):
    from organisations.services import interactions_bulk_recorded

    day = datetime.date(2026, 4, 2)
    interaction_record(kind=Interaction.Kind.VISIT, date=day, organisations=[acme, uni])
    bulk = Interaction.objects.create(kind=Interaction.Kind.OTHER, date=day, is_sme_hei=True)
    bulk.organisations.set([acme, uni])
    assert _days()[day][0] == 1

    interactions_bulk_recorded()

    assert _days() == {day: (2, 2, 0, 0, 0)}
    bulk.delete()
    assert _days() == {day: (1, 1, 0, 0, 0)}
