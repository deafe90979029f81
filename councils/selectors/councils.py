"""Reads for the councils' own pages: the list, a council's page and its members page.

Each function runs a fixed number of queries whatever the number of organisations, people or
meetings.
"""

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from organisations.models import Membership, Organisation

from ..models import Council, CouncilOrganisation, CouncilPerson, Meeting

OrgStatus = CouncilOrganisation.Status
PersonStatus = CouncilPerson.Status

UPCOMING_MEETINGS = 3
SEARCH_RESULTS = 20


def councils_for_list():
    """The six councils with their number of member organisations and next meeting's start (one
    query; the page shows the next meeting to the council's members only)."""
    next_meeting = (
        Meeting.objects.filter(
            council=OuterRef("pk"), event__start__gte=timezone.now(), event__cancelled_at__isnull=True
        )
        .order_by("event__start")
        .values("event__start")[:1]
    )
    return Council.objects.annotate(
        member_count=Count("organisation_links", filter=Q(organisation_links__status=OrgStatus.ACTIVE)),
        next_meeting_start=Subquery(next_meeting),
    ).order_by("name")


def council_coordinators(council):
    return list(
        CouncilPerson.objects.filter(
            council=council, role=CouncilPerson.Role.COORDINATOR, status=PersonStatus.ACTIVE
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def council_member_organisations(council):
    return list(
        Organisation.objects.filter(
            council_links__council=council, council_links__status=OrgStatus.ACTIVE
        ).order_by("name")
    )


def upcoming_meetings(council, *, limit=UPCOMING_MEETINGS):
    return list(
        Meeting.objects.filter(
            council=council, event__start__gte=timezone.now(), event__cancelled_at__isnull=True
        )
        .select_related("event", "council")
        .order_by("event__start")[:limit]
    )


def organisations_to_join(*, user, council):
    """The organisations ``user`` administers that are not members of ``council`` and have not asked
    to join it (each with ``link_status`` when it was invited)."""
    if not user.is_authenticated:
        return []
    status = CouncilOrganisation.objects.filter(council=council, organisation=OuterRef("pk")).values(
        "status"
    )[:1]
    return [
        organisation
        for organisation in Organisation.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.ADMIN
        )
        .annotate(link_status=Subquery(status))
        .order_by("name")
        if organisation.link_status not in (OrgStatus.ACTIVE, OrgStatus.REQUESTED)
    ]


def organisations_user_administers_in(*, user, council, statuses=(OrgStatus.ACTIVE,)):
    """The council links of organisations ``user`` administers, with the given statuses."""
    if not user.is_authenticated:
        return []
    return list(
        CouncilOrganisation.objects.filter(
            council=council,
            status__in=statuses,
            organisation__memberships__user=user,
            organisation__memberships__role=Membership.Role.ADMIN,
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )


def council_members_page(council, *, manage):
    """What the members page shows: active organisations and people with roles for every member;
    pending requests, open invitations for coordinators."""
    links = (
        CouncilOrganisation.objects.filter(council=council)
        .select_related("organisation", "requested_by")
        .order_by("organisation__name")
    )
    if not manage:
        links = links.filter(status=OrgStatus.ACTIVE)
    else:
        links = links.filter(status__in=[OrgStatus.ACTIVE, OrgStatus.REQUESTED, OrgStatus.INVITED])
    links = list(links)
    people = list(
        CouncilPerson.objects.filter(council=council)
        .select_related("user", "invited_by")
        .order_by("role", "user__full_name", "email")
    )
    if not manage:
        people = [person for person in people if person.status == PersonStatus.ACTIVE]
    active_people = [person for person in people if person.status == PersonStatus.ACTIVE]
    return {
        "organisations": [link for link in links if link.status == OrgStatus.ACTIVE],
        "requests": [link for link in links if link.status == OrgStatus.REQUESTED],
        "invited_organisations": [link for link in links if link.status == OrgStatus.INVITED],
        "people": active_people,
        "invited_people": [person for person in people if person.status == PersonStatus.INVITED],
        "coordinator_count": sum(
            1 for person in active_people if person.role == CouncilPerson.Role.COORDINATOR
        ),
    }


def organisations_to_invite(*, council, query):
    """Portal organisations whose name contains ``query`` and that are neither members nor invited."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    taken = CouncilOrganisation.objects.filter(
        council=council, status__in=[OrgStatus.ACTIVE, OrgStatus.INVITED]
    ).values("organisation_id")
    return list(
        Organisation.objects.filter(name__icontains=query)
        .exclude(pk__in=taken)
        .only("pk", "name", "slug", "kind", "city", "region")
        .order_by("name")[:SEARCH_RESULTS]
    )
