"""Reads of council meetings, scoped to the viewer: lookups of what they may not see raise 404."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from events.models import Registration
from organisations.models import Membership

from ..models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Council,
    CouncilOrganisation,
    CouncilPerson,
    Meeting,
)

MEETINGS_PER_PAGE = 20


def council_for_viewer(*, slug, user, perm="councils.view_meetings"):
    """The council, if ``user`` has ``perm`` on it; 404 otherwise (its meetings are members' business)."""
    council = get_object_or_404(Council, slug=slug)
    if not user.has_perm(perm, council):
        raise Http404
    return council


def meeting_for_viewer(*, council, pk, user):
    """A meeting of ``council`` that ``user`` may see (404 for anyone else), with its event."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("event", "council", "minutes_published_by", "copied_from__event"),
        council=council,
        pk=pk,
    )
    meeting.council = council
    if not user.has_perm("councils.view_meeting", meeting):
        raise Http404
    return meeting


def meetings_for_council(*, council, user, archive=False, now=None):
    """Upcoming meetings (soonest first) or, with ``archive``, past ones (latest first), each with
    its confirmed and checked-in counts and the viewer's registration status, in one query."""
    now = now or timezone.now()
    meetings = Meeting.objects.filter(council=council, event__cancelled_at__isnull=True).select_related(
        "event"
    )
    if archive:
        meetings = meetings.filter(event__end__lte=now).order_by("-event__start", "-pk")
    else:
        meetings = meetings.filter(event__end__gt=now).order_by("event__start", "pk")
    confirmed = Registration.Status.CONFIRMED
    return meetings.annotate(
        confirmed_count=Count("event__registrations", filter=Q(event__registrations__status=confirmed)),
        attended_count=Count(
            "event__registrations", filter=Q(event__registrations__checked_in_at__isnull=False)
        ),
        my_status=Subquery(
            Registration.objects.filter(event_id=OuterRef("event_id"), user_id=user.pk).values("status")[:1]
        ),
    )


def meetings_page(queryset, number):
    return Paginator(queryset, MEETINGS_PER_PAGE).get_page(number)


def meeting_agenda(meeting):
    """The agenda items in order, each with its documents."""
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch("documents", queryset=AgendaDocument.objects.order_by("uploaded_at", "id"))
        )
    )


def agenda_total_minutes(items):
    return sum(item.duration_minutes for item in items)


def meeting_actions(meeting):
    return list(meeting.action_items.select_related("owner").order_by("due_date", "id"))


def _memberships():
    return Prefetch(
        "user__memberships",
        queryset=Membership.objects.select_related("organisation").order_by("organisation__name"),
    )


def meeting_attendance(meeting):
    """The people checked in at the meeting, by name."""
    return list(
        Registration.objects.filter(event_id=meeting.event_id, checked_in_at__isnull=False)
        .select_related("user")
        .prefetch_related(_memberships())
        .order_by("user__full_name", "user__email")
    )


def meeting_registrations(meeting):
    """Every registration of the meeting (cancelled too), with the people and their organisations."""
    return list(
        Registration.objects.filter(event_id=meeting.event_id)
        .select_related("user")
        .prefetch_related(_memberships())
        .order_by("queued_at", "id")
    )


def council_member_users(council):
    """Active accounts that are members of ``council``: its people with a role and the people of its
    member organisations (action item owners are chosen from them)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(council_roles__council=council, council_roles__status=CouncilPerson.Status.ACTIVE)
            | Q(
                memberships__organisation__council_links__council=council,
                memberships__organisation__council_links__status=CouncilOrganisation.Status.ACTIVE,
            )
        )
        .distinct()
        .order_by("full_name", "email")
    )


def actions_for_user(user):
    """The action items ``user`` owns across councils: open ones first by due date, then the rest."""
    open_statuses = [ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS]
    return (
        ActionItem.objects.filter(owner=user)
        .select_related("meeting__event", "meeting__council")
        .order_by(
            # open and in progress before done and dropped
            Case(When(status__in=open_statuses, then=Value(0)), default=Value(1)),
            F("due_date").asc(nulls_last=True),
            "id",
        )
    )


def action_for_viewer(*, pk, user):
    """An action item ``user`` may update (its owner, the council's coordinators, staff); 404 else."""
    action = get_object_or_404(
        ActionItem.objects.select_related("meeting__event", "meeting__council", "owner"), pk=pk
    )
    if not user.has_perm("councils.update_action", action):
        raise Http404
    return action
