"""What the councils contribute to the digest emails (``notifications.registry``), area "councils".

For a person, only about the councils they are in (coordinators, individual members, people of
member organisations — the same rule as ``councils.permissions.council_roles``; staff get nothing
of councils they are not in):

- **upcoming meetings**: each meeting of their councils that is not cancelled appears once, in the
  digest whose window holds the moment it became "upcoming": 14 days before its start, or when it
  was created if that was later (a meeting announced a month ahead shows up two weeks before it; one
  announced three days ahead shows up in the next digest). It must still be ahead when the digest
  is built. Listing every meeting of the next 14 days in every digest would repeat the same
  meetings in 14 daily digests in a row.
- **new minutes**: meetings of their councils whose minutes were published in the window.
- **action items due**: action items they own, not done (open or in progress; dropped ones are
  not due either), in a council they are still in, overdue or due within 7 days of the person's
  own today (their time zone). These are repeated in each digest until done: they are reminders.

Built for many people at once (:meth:`CouncilDigest.batch`, which the digest batches use): three
queries for the whole batch, whatever the number of people, councils, meetings or actions; one
person alone (``contribute(user, since, until)``) is a batch of one.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from notifications.models import Area
from notifications.registry import DigestItem, register_digest

from .models import ActionItem, CouncilOrganisation, CouncilPerson, Meeting

UPCOMING = timedelta(days=14)
DUE_SOON = timedelta(days=7)
# Enough for the email (it shows ten per area and counts the rest) without loading a flood.
LIMIT = 50
OPEN = [ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS]


def council_ids_for(user_ids):
    """{user id: set of the ids of the councils they are in}, for many people in one query."""
    through_organisations = (
        CouncilOrganisation.objects.filter(
            status=CouncilOrganisation.Status.ACTIVE, organisation__memberships__user_id__in=user_ids
        )
        .values_list("organisation__memberships__user_id", "council_id")
        .order_by()
    )
    in_person = (
        CouncilPerson.objects.filter(user_id__in=user_ids, status=CouncilPerson.Status.ACTIVE)
        .values_list("user_id", "council_id")
        .order_by()
    )
    councils = defaultdict(set)
    for user_id, council_id in through_organisations.union(in_person):
        councils[user_id].add(council_id)
    return councils


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@dataclass
class _Meeting:
    pk: int
    council_id: int
    council: str
    title: str
    start: datetime
    created_at: datetime
    cancelled: bool
    minutes_published_at: datetime | None
    url: str

    @property
    def listed_at(self):
        """When the meeting became "upcoming" for the digest (see the module's docstring)."""
        return max(self.created_at, self.start - UPCOMING)


@dataclass
class _Action:
    pk: int
    owner_id: int
    council_id: int
    council: str
    meeting: str
    title: str
    due_date: date


class _Loaded:
    """What a batch of people's council items need, loaded once; :meth:`items_for` runs no query."""

    def __init__(self, users, since, until):
        self.until = until
        user_ids = [user.pk for user in users]
        self.councils_of = council_ids_for(user_ids)
        council_ids = set().union(*self.councils_of.values()) if self.councils_of else set()
        self.meetings = []
        self.actions = defaultdict(list)
        if not council_ids:
            return
        rows = (
            Meeting.objects.filter(council_id__in=council_ids)
            .filter(
                Q(
                    event__start__gt=until,
                    event__start__lte=until + UPCOMING,
                    event__cancelled_at__isnull=True,
                )
                | Q(minutes_published_at__gte=since, minutes_published_at__lt=until)
            )
            .order_by("event__start", "pk")
            .values_list(
                "pk",
                "council_id",
                "council__slug",
                "council__name",
                "event__title",
                "event__start",
                "event__created_at",
                "event__cancelled_at",
                "minutes_published_at",
            )
        )
        for pk, council_id, slug, council, title, start, created_at, cancelled_at, published_at in rows:
            self.meetings.append(
                _Meeting(
                    pk,
                    council_id,
                    council,
                    title,
                    start,
                    created_at,
                    cancelled_at is not None,
                    published_at,
                    reverse("councils:meeting", args=[slug, pk]),
                )
            )
        # Due within a week of anyone's today: the latest today is at most a day past ``until``.
        latest_due = (until + timedelta(days=1) + DUE_SOON).date()
        actions = (
            ActionItem.objects.filter(
                owner_id__in=user_ids,
                status__in=OPEN,
                due_date__lte=latest_due,
                meeting__council_id__in=council_ids,
            )
            .order_by("due_date", "pk")
            .values_list(
                "pk",
                "owner_id",
                "meeting__council_id",
                "meeting__council__name",
                "meeting__event__title",
                "title",
                "due_date",
            )
        )
        for row in actions:
            action = _Action(*row)
            self.actions[action.owner_id].append(action)
        self.actions_url = reverse("councils:my_actions")

    def items_for(self, user, since):
        councils = self.councils_of.get(user.pk, set())
        if not councils:
            return []
        mine = [meeting for meeting in self.meetings if meeting.council_id in councils]
        return self._upcoming(mine, since) + self._minutes(mine, since) + self._actions(user, councils)

    def _upcoming(self, meetings, since):
        listed = [
            meeting
            for meeting in meetings
            if not meeting.cancelled
            and self.until < meeting.start <= self.until + UPCOMING
            and since <= meeting.listed_at < self.until
        ]
        return [
            DigestItem(
                area=Area.COUNCILS,
                title=gettext("Upcoming meeting of %(council)s: %(title)s")
                % {"council": meeting.council, "title": meeting.title},
                url=meeting.url,
                when=meeting.start,
            )
            for meeting in listed[:LIMIT]
        ]

    def _minutes(self, meetings, since):
        published = sorted(
            (
                meeting
                for meeting in meetings
                if meeting.minutes_published_at and since <= meeting.minutes_published_at < self.until
            ),
            key=lambda meeting: meeting.minutes_published_at,
            reverse=True,
        )
        return [
            DigestItem(
                area=Area.COUNCILS,
                title=gettext("Minutes published: %(title)s (%(council)s)")
                % {"title": meeting.title, "council": meeting.council},
                url=meeting.url,
                when=meeting.minutes_published_at,
            )
            for meeting in published[:LIMIT]
        ]

    def _actions(self, user, councils):
        zone = _zone(user.time_zone)
        today = self.until.astimezone(zone).date()
        due = [
            action
            for action in self.actions.get(user.pk, ())
            if action.council_id in councils and action.due_date <= today + DUE_SOON
        ]
        items = []
        for action in due[:LIMIT]:
            overdue = action.due_date < today
            items.append(
                DigestItem(
                    area=Area.COUNCILS,
                    title=(
                        gettext("Overdue action: %(title)s") if overdue else gettext("Action due: %(title)s")
                    )
                    % {"title": action.title},
                    url=self.actions_url,
                    when=datetime.combine(action.due_date, time(), tzinfo=zone),
                    detail=gettext("Due %(date)s · %(meeting)s (%(council)s)")
                    % {
                        "date": formats.date_format(action.due_date, "DATE_FORMAT"),
                        "meeting": action.meeting,
                        "council": action.council,
                    },
                )
            )
        return items


class CouncilDigest:
    """The councils' digest contributor: ``contribute(user, since, until)`` for one person, and
    ``batch(users, since, until)`` for many (three queries in all)."""

    def __call__(self, user, since, until):
        return self.batch([user], since, until)(user, since)

    def batch(self, users, since, until):
        """Load what the council items of ``users`` need in [since, until); returns
        ``items_for(user, since)`` (``since`` at or after the batch's), which runs no query."""
        return _Loaded(users, since, until).items_for


contribute = CouncilDigest()
register_digest(Area.COUNCILS.value, contribute)
