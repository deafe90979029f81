"""Council peers: people of a council's member organisations see each other's "council" fields."""

from collections import defaultdict

from ..models import CouncilOrganisation, CouncilPerson


def peer_organisation_ids(user_ids):
    """{user id: ids of the active member organisations of every council the person belongs to},
    for many people in two queries (the directory's digest asks for a whole batch at once)."""
    active = CouncilOrganisation.Status.ACTIVE
    through_organisations = (
        CouncilOrganisation.objects.filter(status=active, organisation__memberships__user_id__in=user_ids)
        .values_list("organisation__memberships__user_id", "council_id")
        .order_by()
    )
    in_person = (
        CouncilPerson.objects.filter(user_id__in=user_ids, status=CouncilPerson.Status.ACTIVE)
        .values_list("user_id", "council_id")
        .order_by()
    )
    councils_of = defaultdict(set)
    for user_id, council_id in through_organisations.union(in_person):
        councils_of[user_id].add(council_id)
    members_of = defaultdict(set)
    if councils_of:
        for council_id, organisation_id in CouncilOrganisation.objects.filter(
            council_id__in=set().union(*councils_of.values()), status=active
        ).values_list("council_id", "organisation_id"):
            members_of[council_id].add(organisation_id)
    return {
        user_id: frozenset(org for council in councils_of[user_id] for org in members_of[council])
        for user_id in user_ids
    }
