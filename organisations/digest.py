"""What the directory contributes to the digest emails (``notifications.registry``).

For a person: organisations that joined the portal in the window, in the regions of the person's
own organisations, offering a topic those organisations need or needing a topic they offer; and the
people who joined the person's organisations in the window (not the person).

Built for many people at once (``DirectoryDigest.batch``, which the digest batches use): a fixed
number of queries for the whole batch, whatever the number of people, organisations or items; one
person alone (``contribute(user, since, until)``) is a batch of one. Visibility: an organisation
only matches through a topic list it shows this person (``Viewer.can_see``, the rule that
``Viewer.can_see_q`` applies in SQL), and only the matching topics are named.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from notifications.models import Area
from notifications.registry import DigestItem, register_digest

from . import selectors
from .models import Membership, Organisation, Region, Topic
from .selectors import Viewer

# Enough for the email (it shows ten per area and counts the rest) without loading a flood.
LIMIT = 50


def viewers_for(users):
    """{user id: Viewer}: :func:`~organisations.selectors.viewer_for` for many people at once (their
    memberships in one query; peer providers answer for all of them at once)."""
    memberships = defaultdict(list)
    rows = Membership.objects.filter(user__in=[user.pk for user in users]).values_list(
        "user_id", "organisation_id", "role"
    )
    for user_id, organisation_id, role in rows:
        memberships[user_id].append((organisation_id, role))
    peers_of = selectors.peer_org_ids_for([user.pk for user in users])
    viewers = {}
    for user in users:
        own = frozenset(organisation_id for organisation_id, _ in memberships[user.pk])
        admin = frozenset(o for o, role in memberships[user.pk] if role == Membership.Role.ADMIN)
        viewers[user.pk] = Viewer(
            is_staff=user.is_staff,
            is_portal_member=bool(own),
            own_org_ids=own,
            admin_org_ids=admin,
            peer_org_ids=peers_of[user.pk],
        )
    return viewers


def _topics(relation, organisation_ids):
    """{organisation id: set of topic ids} through ``relation`` (topics_offered or topics_needed)."""
    through = getattr(Organisation, relation).through
    topics = defaultdict(set)
    rows = through.objects.filter(organisation_id__in=organisation_ids).values_list(
        "organisation_id", "topic_id"
    )
    for organisation_id, topic_id in rows:
        topics[organisation_id].add(topic_id)
    return topics


@dataclass
class _Organisation:
    """What ``Viewer.can_see`` needs of an organisation (``pk``, ``visibility``), and what the email
    shows of it."""

    pk: int
    name: str
    region: str
    created_at: datetime
    visibility: dict
    url: str


@dataclass
class _Colleague:
    user_id: int
    name: str
    created_at: datetime


class _Loaded:
    """What a batch of people's directory items need, loaded once; :meth:`items_for` runs no query."""

    def __init__(self, users, since, until):
        self.viewers = viewers_for(users)
        own_ids = set().union(*(viewer.own_org_ids for viewer in self.viewers.values()))
        self.own = {
            pk: _Organisation(
                pk, name, region, None, {}, reverse("organisations:people", kwargs={"slug": slug})
            )
            for pk, name, slug, region in Organisation.objects.filter(pk__in=own_ids).values_list(
                "pk", "name", "slug", "region"
            )
        }
        self.needs = _topics("topics_needed", own_ids)
        self.offers = _topics("topics_offered", own_ids)
        # Organisations new in the window in these regions, indexed by (region, topic).
        regions = {organisation.region for organisation in self.own.values()}
        newcomers = {
            pk: _Organisation(
                pk,
                name,
                region,
                created_at,
                visibility,
                reverse("organisations:detail", kwargs={"slug": slug}),
            )
            for pk, name, slug, region, created_at, visibility in Organisation.objects.filter(
                created_at__gte=since, created_at__lt=until, region__in=regions
            ).values_list("pk", "name", "slug", "region", "created_at", "visibility")
        }
        self.offering, self.needing = defaultdict(list), defaultdict(list)
        for index, relation in ((self.offering, "topics_offered"), (self.needing, "topics_needed")):
            for pk, topic_ids in _topics(relation, list(newcomers)).items():
                for topic_id in topic_ids:
                    index[newcomers[pk].region, topic_id].append(newcomers[pk])
        self.topic_names = dict(Topic.objects.values_list("pk", "name")) if newcomers else {}
        # People who joined these organisations in the window, newest first.
        self.colleagues = defaultdict(list)
        rows = (
            Membership.objects.filter(
                organisation_id__in=own_ids,
                created_at__gte=since,
                created_at__lt=until,
                user__is_active=True,
                user__erased_at__isnull=True,
            )
            .order_by("-created_at", "-pk")
            .values_list("organisation_id", "user_id", "user__full_name", "created_at")
        )
        for organisation_id, user_id, name, created_at in rows:
            self.colleagues[organisation_id].append(_Colleague(user_id, name, created_at))

    def items_for(self, user, since):
        viewer = self.viewers[user.pk]
        own_ids = viewer.own_org_ids
        return self._newcomers(viewer, own_ids, since) + self._colleagues(user, own_ids, since)

    def _newcomers(self, viewer, own_ids, since):
        regions = {self.own[pk].region for pk in own_ids if pk in self.own}
        needs = set().union(*(self.needs[pk] for pk in own_ids))
        offers = set().union(*(self.offers[pk] for pk in own_ids))
        # organisation id -> (the organisation, topics it offers that we need, topics it needs that we offer)
        matches = {}
        for region in regions:
            for topics, index, field, slot in (
                (needs, self.offering, "topics_offered", 1),
                (offers, self.needing, "topics_needed", 2),
            ):
                for topic_id in topics:
                    for organisation in index.get((region, topic_id), ()):
                        if (
                            organisation.pk in own_ids
                            or organisation.created_at < since
                            or not viewer.can_see(organisation, field)
                        ):
                            continue
                        match = matches.setdefault(organisation.pk, (organisation, set(), set()))
                        match[slot].add(topic_id)
        newest = sorted(matches.values(), key=lambda match: (match[0].created_at, match[0].pk), reverse=True)
        items = []
        for organisation, offered, needed in newest[:LIMIT]:
            details = []
            if offered:
                details.append(gettext("Offers what you need: %(topics)s") % {"topics": self._names(offered)})
            if needed:
                details.append(gettext("Needs what you offer: %(topics)s") % {"topics": self._names(needed)})
            items.append(
                DigestItem(
                    area=Area.DIRECTORY,
                    title=gettext("New in %(region)s: %(name)s")
                    % {"region": Region(organisation.region).label, "name": organisation.name},
                    url=organisation.url,
                    when=organisation.created_at,
                    detail=" · ".join(details),
                )
            )
        return items

    def _names(self, topic_ids):
        return ", ".join(sorted(self.topic_names[topic_id] for topic_id in topic_ids))

    def _colleagues(self, user, own_ids, since):
        joined = [
            (colleague, self.own[pk])
            for pk in own_ids
            for colleague in self.colleagues.get(pk, ())
            if colleague.user_id != user.pk and colleague.created_at >= since
        ]
        joined.sort(key=lambda pair: pair[0].created_at, reverse=True)
        return [
            DigestItem(
                area=Area.DIRECTORY,
                title=gettext("%(name)s joined %(organisation)s")
                % {"name": colleague.name or gettext("A new colleague"), "organisation": organisation.name},
                url=organisation.url,
                when=colleague.created_at,
            )
            for colleague, organisation in joined[:LIMIT]
        ]


class DirectoryDigest:
    """The directory's digest contributor: ``contribute(user, since, until)`` for one person, and
    ``batch(users, since, until)`` for many."""

    def __call__(self, user, since, until):
        return self.batch([user], since, until)(user, since)

    def batch(self, users, since, until):
        """Load what the directory's items of ``users`` need in [since, until); returns
        ``items_for(user, since)`` (``since`` at or after the batch's), which runs no query."""
        return _Loaded(users, since, until).items_for


contribute = DirectoryDigest()
register_digest(Area.DIRECTORY.value, contribute)
