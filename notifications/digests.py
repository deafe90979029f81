"""Digest emails: one per person and period (a day or an ISO week), sent in the person's morning.

Three steps, each safe to run twice:

1. :func:`digests_plan` (beat, hourly at minute 0) finds the people whose local time is past
   ``DIGEST_HOUR`` in a period they have not had a digest for, and fans them out in batches. Time
   zones are resolved per zone, not per person: the few distinct zones are read in one query, the
   due ones computed in Python, and the people selected in SQL by zone.
2. :func:`digests_send` (a worker task per batch) loads what is new for all of the batch's people
   at once — their notifications and what apps contribute (``notifications.registry``) — in a fixed
   number of queries (:class:`DigestBatch`).
3. :meth:`DigestBatch.send` records the people with nothing new (status ``empty``, no email), claims
   the others' :class:`DigestDelivery` rows (unique per person, period and period key), renders
   each digest in its reader's language and time zone, queues one email per person — its outbox
   key unique too — and marks those rows ``queued``.

So a task run twice, a planning run twice in the same hour, or a batch interrupted and run again
sends each person one digest: finished rows are skipped, a claim held by a live worker is left to
it, and a claim older than :data:`STALE_CLAIM` (its worker died) is taken over by the next planning.
Per person with news, the worker runs two queries (the outbox's); everything else is per batch.
"""

import logging
import zoneinfo
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from .emails import email_render
from .models import (
    DEFAULT_FREQUENCY,
    Area,
    DigestDelivery,
    Notification,
    NotificationPreference,
)
from .registry import DigestItem, digest_contributors
from .services import email_queue, unsubscribe_headers
from .unsubscribe import unsubscribe_token

logger = logging.getLogger(__name__)

Period = DigestDelivery.Period
PERIODS = (Period.DAILY, Period.WEEKLY)
PERIOD_LENGTH = {Period.DAILY: timedelta(days=1), Period.WEEKLY: timedelta(days=7)}
# A digest never reaches further back than this, whatever the date of the previous one (someone who
# turned the weekly digest back on after a year gets the last month, not the whole year).
MAX_WINDOW = timedelta(days=31)
# A claim older than this belongs to a worker that died while building the digest; it may be retaken.
STALE_CLAIM = timedelta(minutes=15)
BATCH_SIZE = 500
# Digests whose emails are committed together (one disk flush per chunk rather than per email).
CHUNK = 100
# Items shown per area; the rest are counted ("and 12 more") and linked.
ITEMS_PER_AREA = 10
DEFAULT_DIGEST_HOUR = 7


def digest_hour():
    """The local hour from which digests go out (``settings.DIGEST_HOUR``, default 7)."""
    return getattr(settings, "DIGEST_HOUR", DEFAULT_DIGEST_HOUR)


@lru_cache(maxsize=512)
def zone(name):
    """The time zone called ``name``; UTC for a name the tz database does not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r: digests use UTC", name)
        return UTC


def period_key(period, local):
    """The key of the period that the local datetime ``local`` falls in: ``2026-11-27`` or ``2026-W48``."""
    if period == Period.DAILY:
        return local.date().isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def is_due(period, local):
    """Whether the digest of the period ``local`` falls in may go out: the local time is past the
    digest hour on that day (daily), or on or after that hour on the week's Monday (weekly)."""
    past_hour = local.hour >= digest_hour()
    if period == Period.DAILY:
        return past_hour
    return local.weekday() > 0 or past_hour


# --- planning -----------------------------------------------------------------------------------


def _active_users():
    return get_user_model().objects.filter(is_active=True, erased_at__isnull=True).exclude(email="")


def due_zones(*, now, periods=PERIODS):
    """{(period, period_key): [time zone names]} of the periods due now, one query whatever the
    number of people: the distinct time zones of active accounts, each judged once."""
    names = _active_users().order_by().values_list("time_zone", flat=True).distinct()
    due = {}
    for name in names:
        local = now.astimezone(zone(name))
        for period in periods:
            if is_due(period, local):
                due.setdefault((period, period_key(period, local)), []).append(name)
    return due


def recipients_due(*, period, period_key, zones, now):
    """Ids of the people in ``zones`` who get the ``period`` digest for some area (no preference
    row counts as the default) and have no digest for ``period_key`` yet, or only a stale claim."""
    areas = Area.values
    users = _active_users().filter(time_zone__in=zones)
    if period == DEFAULT_FREQUENCY:
        # No row means this period: the person gets it unless every area has another choice.
        other_choices = (
            NotificationPreference.objects.filter(user=OuterRef("pk"), area__in=areas)
            .exclude(frequency=period)
            .order_by()
            .values("user")
            .annotate(count=Count("pk"))
            .values("count")
        )
        users = users.annotate(other_choices=Coalesce(Subquery(other_choices), Value(0))).filter(
            other_choices__lt=len(areas)
        )
    else:
        users = users.filter(
            Exists(
                NotificationPreference.objects.filter(user=OuterRef("pk"), area__in=areas, frequency=period)
            )
        )
    settled = DigestDelivery.objects.filter(
        user=OuterRef("pk"), period=period, period_key=period_key
    ).exclude(status=DigestDelivery.Status.CLAIMED, claimed_at__lt=now - STALE_CLAIM)
    return users.filter(~Exists(settled)).order_by("pk").values_list("pk", flat=True)


def digests_plan(*, now=None, periods=PERIODS, batch_size=BATCH_SIZE, pass_now=False):
    """Queue a :func:`~notifications.tasks.digest_send_batch` task per ``batch_size`` people whose
    digest is due; returns {"daily": people, "weekly": people}.

    Safe to run at any time and any number of times: people who have their digest for the period are
    not planned again, and people planned twice are claimed once. ``pass_now`` hands ``now`` on to
    the batches (tests freeze time that way); otherwise each batch uses the time it runs at.
    """
    from .tasks import digest_send_batch

    now = now or timezone.now()
    planned = Counter({str(period): 0 for period in periods})
    for (period, key), zones in sorted(due_zones(now=now, periods=periods).items()):
        user_ids = list(recipients_due(period=period, period_key=key, zones=zones, now=now))
        for start in range(0, len(user_ids), batch_size):
            digest_send_batch.delay(
                user_ids=user_ids[start : start + batch_size],
                period=str(period),
                period_key=key,
                now=now.isoformat() if pass_now else None,
            )
        planned[str(period)] += len(user_ids)
        if user_ids:
            logger.info("digests: %s %s planned for %s people", period, key, len(user_ids))
    return dict(planned)


# --- building -----------------------------------------------------------------------------------


@dataclass
class Section:
    """One area's part of a digest as the email shows it: its newest items (:class:`Shown`), how
    many more there are, and its links. Texts are made in the reader's language and time zone once,
    in Python, for both the text and the HTML part."""

    area: str
    label: str
    items: list = field(default_factory=list)
    more: int = 0
    more_label: str = ""
    more_url: str = ""
    stop_label: str = ""
    unsubscribe_url: str = ""


@dataclass
class Shown:
    """A :class:`~notifications.registry.DigestItem` as the email shows it: absolute link, local time."""

    title: str
    url: str
    when: str
    detail: str = ""


@dataclass
class Plan:
    """What one person's digest covers: from ``since``, the ``areas`` they get in this period's digest."""

    since: datetime
    areas: list


def _absolute(url):
    return settings.SITE_URL + url if url.startswith("/") else url


# Where "and N more" leads, per area; the notification list for the others.
AREA_PAGES = {Area.DIRECTORY: "organisations:directory", Area.COUNCILS: "councils:my_actions"}


@lru_cache(maxsize=32)
def _area_page(area):
    return _absolute(reverse(AREA_PAGES.get(area, "notifications:list")))


@lru_cache(maxsize=1)
def _preferences_url():
    return _absolute(reverse("notifications:preferences"))


def _frequencies(*, user_ids):
    """{user id: {area: frequency}} with the default filled in, for many people in one query."""
    chosen = {user_id: {} for user_id in user_ids}
    rows = NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "area", "frequency"
    )
    for user_id, area, frequency in rows:
        chosen[user_id][area] = frequency
    return {
        user_id: {area: choices.get(area, str(DEFAULT_FREQUENCY)) for area in Area.values}
        for user_id, choices in chosen.items()
    }


def _previous_ends(*, user_ids, period, period_key):
    """{user id: end of the window of their latest digest of ``period`` before ``period_key``}."""
    rows = (
        DigestDelivery.objects.filter(
            user_id__in=user_ids,
            period=period,
            status__in=[DigestDelivery.Status.QUEUED, DigestDelivery.Status.EMPTY],
            covers_until__isnull=False,
        )
        .exclude(period_key=period_key)
        .order_by()
        .values("user_id")
        .annotate(end=Max("covers_until"))
        .values_list("user_id", "end")
    )
    return dict(rows)


def _insert_deliveries(*, period, period_key, rows):
    """Insert delivery rows ``(user id, status, claimed_at, covers_from, covers_until)`` unless the
    person has one for the period already; returns {user id: row id} of those inserted.

    get_or_create on the unique constraint, for many rows in one statement (``INSERT … ON CONFLICT
    DO NOTHING RETURNING``, PostgreSQL and SQLite alike): the database decides who is first.
    """
    if not rows:
        return {}
    ops = connection.ops
    values = []
    for user_id, status, claimed_at, covers_from, covers_until in rows:
        values += [user_id, str(period), period_key, str(status)]
        values += [ops.adapt_datetimefield_value(value) for value in (claimed_at, covers_from, covers_until)]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, 0)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(DigestDelivery._meta.db_table)} "
            "(user_id, period, period_key, status, claimed_at, covers_from, covers_until, item_count) "
            f"VALUES {placeholders} "
            "ON CONFLICT (user_id, period, period_key) DO NOTHING RETURNING user_id, id",
            values,
        )
        return dict(cursor.fetchall())


def _stale_claims(*, user_ids, period, period_key, now):
    """Delivery rows of ``user_ids`` claimed by a worker that died (longer ago than STALE_CLAIM)."""
    return DigestDelivery.objects.filter(
        user_id__in=user_ids,
        period=period,
        period_key=period_key,
        status=DigestDelivery.Status.CLAIMED,
        claimed_at__lt=now - STALE_CLAIM,
    )


class DigestBatch:
    """The digests of many people for one period: a fixed number of queries in all to load what is
    new for them (their notifications and every contributor's items) and to record those with
    nothing new, whatever the number of people or items; then, for each person with news, a fixed
    number to claim, record and queue their digest.

    Contributors registered in ``notifications.registry`` are functions ``(user, since, until)``
    asked once per person; a contributor may also offer ``batch(users, since, until)``, which loads
    what all of them need at once and returns a function ``(user, since) -> items`` that runs no
    query (it is called in each person's language). A contributor registered under an area's name is
    only asked for the people who get that area in this period's digest.
    """

    def __init__(self, *, users, period, period_key, now):
        self.users = list(users)
        self.period = period
        self.period_key = period_key
        self.now = now
        ids = [user.pk for user in self.users]
        frequencies = _frequencies(user_ids=ids)
        previous = _previous_ends(user_ids=ids, period=period, period_key=period_key)
        self.plans = {
            user.pk: Plan(
                since=max(previous.get(user.pk) or now - PERIOD_LENGTH[period], now - MAX_WINDOW),
                areas=[area for area in Area.values if frequencies[user.pk][area] == period],
            )
            for user in self.users
        }
        self.notifications, self.totals = self._load_notifications()
        self.contributions = self._load_contributions()

    def _load_notifications(self):
        """Each person's notifications in their areas that are new in their window: not read under
        the bell, not emailed at once already. At most :data:`ITEMS_PER_AREA` per person and area are
        loaded, with the total. One query per distinct window start (people whose previous digests
        were built together share it: usually one or two per batch)."""
        by_since = {}
        for user_id, plan in self.plans.items():
            if plan.areas:
                by_since.setdefault(plan.since, []).append(user_id)
        notifications, totals = {}, {}
        for since, user_ids in by_since.items():
            areas = set().union(*(self.plans[user_id].areas for user_id in user_ids))
            partition = [F("user_id"), F("area")]
            rows = (
                Notification.objects.filter(
                    user_id__in=user_ids,
                    area__in=areas,
                    created_at__gte=since,
                    created_at__lt=self.now,
                    read_at__isnull=True,
                    emailed_at__isnull=True,
                )
                .annotate(
                    rank=Window(
                        RowNumber(), partition_by=partition, order_by=[F("created_at").desc(), F("pk").desc()]
                    ),
                    area_total=Window(Count("pk"), partition_by=partition),
                )
                .filter(rank__lte=ITEMS_PER_AREA)
                .only("user", "area", "message", "params", "url", "created_at")
            )
            for notification in rows:
                if notification.area in self.plans[notification.user_id].areas:
                    notifications.setdefault(notification.user_id, []).append(notification)
                    totals.setdefault(notification.user_id, {})[notification.area] = notification.area_total
        return notifications, totals

    def _load_contributions(self):
        contributions = []
        for name, contribute in digest_contributors().items():
            users = [
                user
                for user in self.users
                if self.plans[user.pk].areas
                and (name not in Area.values or name in self.plans[user.pk].areas)
            ]
            if not users:
                continue
            if hasattr(contribute, "batch"):
                since = min(self.plans[user.pk].since for user in users)
                items_for = contribute.batch(users, since, self.now)
            else:
                items_for = partial(_ask_one, contribute, until=self.now)
            contributions.append(({user.pk for user in users}, items_for))
        return contributions

    def sections(self, user):
        """What is new for ``user``: a :class:`Section` per area with something new, in the order of
        :class:`Area`, items newest first. Call it in the person's language and time zone
        (:func:`_reading`): titles and times are made then."""
        plan = self.plans[user.pk]
        items = [
            DigestItem(area=n.area, title=n.text, url=n.url, when=n.created_at)
            for n in self.notifications.get(user.pk, ())
        ]
        totals = Counter(self.totals.get(user.pk, {}))
        for user_ids, items_for in self.contributions:
            if user.pk in user_ids:
                for item in items_for(user, plan.since):
                    if item.area in plan.areas:
                        items.append(item)
                        totals[item.area] += 1
        by_area = {}
        for item in sorted(items, key=lambda item: item.when, reverse=True):
            by_area.setdefault(item.area, []).append(item)
        sections = []
        for area in plan.areas:
            if area not in by_area:
                continue
            shown = by_area[area][:ITEMS_PER_AREA]
            more = max(totals[area] - len(shown), 0)
            label = str(Area(area).label)
            sections.append(
                Section(
                    area=area,
                    label=label,
                    items=[
                        Shown(item.title, _absolute(item.url), _local(item.when), item.detail)
                        for item in shown
                    ],
                    more=more,
                    more_label=ngettext("And %(counter)s more", "And %(counter)s more", more)
                    % {"counter": more},
                    more_url=_area_page(area),
                    stop_label=gettext("Stop emails about %(area)s") % {"area": label},
                )
            )
        return sections

    def send(self):
        """Deliver every person's digest; returns how many were queued, empty, skipped (done
        already, or being built by another worker) and failed.

        What is new is worked out for everyone first. The people with nothing new are recorded
        together (:meth:`record_nothing_new`). The others are claimed together (:meth:`claim`), then
        each one's digest is rendered and its email queued (:meth:`deliver`), and those queued are
        marked so (:meth:`record_queued`), :data:`CHUNK` people at a time. One person's failure is
        logged, their claim given back, and the others go on; they are planned again at the next
        hourly run.
        """
        outcome = Counter(queued=0, empty=0, skipped=0, failed=0)
        news, nothing_new = [], []
        for user in self.users:
            try:
                with _reading(user):
                    sections = self.sections(user)
            except Exception:
                self._failed(user, outcome)
                continue
            if sections:
                news.append((user, sections))
            else:
                nothing_new.append(user)
        recorded = self.record_nothing_new(nothing_new)
        outcome["empty"] += len(recorded)
        outcome["skipped"] += len(nothing_new) - len(recorded)
        claims = self.claim([user for user, _ in news])
        outcome["skipped"] += len(news) - len(claims)
        claimed = [(user, sections) for user, sections in news if user.pk in claims]
        for start in range(0, len(claimed), CHUNK):
            # A transaction per chunk: its emails and their "queued" marks are committed together,
            # with one disk flush instead of one per email. Should the worker die in the middle, the
            # chunk is rolled back (no email was handed to the queue: that waits for the commit) and
            # its claims, committed before, go stale and are taken over by the next planning.
            with transaction.atomic():
                queued = []
                for user, sections in claimed[start : start + CHUNK]:
                    try:
                        queued.append(self.deliver(user, sections, claims[user.pk]))
                    except Exception:
                        self._failed(user, outcome)
                        self.release(claims[user.pk])
                self.record_queued(queued)
            outcome["queued"] += len(queued)
        return dict(outcome)

    def _failed(self, user, outcome):
        logger.exception(
            "digest %s %s of user %s failed; planned again later", self.period, self.period_key, user.pk
        )
        outcome["failed"] += 1

    def _retake_stale(self, user_ids, fields=lambda user_id: {}):
        """Take over the claims of ``user_ids`` that a dead worker left (older than STALE_CLAIM),
        writing ``fields(user_id)`` too; returns {user id: row id} of those taken over. One query,
        plus one per claim taken over (they are rare: a worker died)."""
        stale = _stale_claims(user_ids=user_ids, period=self.period, period_key=self.period_key, now=self.now)
        taken = {}
        for user_id, row_id in stale.values_list("user_id", "pk"):
            still_stale = _stale_claims(
                user_ids=[user_id], period=self.period, period_key=self.period_key, now=self.now
            ).filter(pk=row_id)
            if still_stale.update(claimed_at=self.now, **fields(user_id)):
                logger.warning(
                    "digest %s %s of user %s: took over a stale claim", self.period, self.period_key, user_id
                )
                taken[user_id] = row_id
        return taken

    def record_nothing_new(self, users):
        """Record that ``users`` had nothing new (status ``empty``, no email) in one statement, plus
        one when some have a row already (to take over claims gone stale). A person whose digest is
        done, or being built by a live worker, is left alone. Returns the ids of those recorded."""
        rows = [
            (user.pk, DigestDelivery.Status.EMPTY, self.now, self.plans[user.pk].since, self.now)
            for user in users
        ]
        recorded = set(_insert_deliveries(period=self.period, period_key=self.period_key, rows=rows))
        others = [user.pk for user in users if user.pk not in recorded]
        if others:
            recorded.update(
                self._retake_stale(
                    others,
                    lambda user_id: {
                        "status": DigestDelivery.Status.EMPTY,
                        "covers_from": self.plans[user_id].since,
                        "covers_until": self.now,
                        "item_count": 0,
                    },
                )
            )
        return recorded

    def claim(self, users):
        """Claim the digests of ``users`` for this worker: {user id: :class:`DigestDelivery`} of
        those it may build. One statement, plus one when some have a row already: a finished digest,
        or another worker's fresh claim, is left alone; a stale claim is taken over."""
        rows = [(user.pk, DigestDelivery.Status.CLAIMED, self.now, None, None) for user in users]
        claimed = _insert_deliveries(period=self.period, period_key=self.period_key, rows=rows)
        others = [user.pk for user in users if user.pk not in claimed]
        if others:
            claimed.update(self._retake_stale(others))
        return {
            user.pk: DigestDelivery(
                pk=claimed[user.pk],
                user=user,
                period=self.period,
                period_key=self.period_key,
                status=DigestDelivery.Status.CLAIMED,
                claimed_at=self.now,
            )
            for user in users
            if user.pk in claimed
        }

    def deliver(self, user, sections, delivery):
        """Render ``user``'s digest of ``sections`` (what :meth:`sections` found new) and queue its
        email, for the claimed ``delivery``; returns the delivery with what :meth:`record_queued`
        writes. The email's outbox key is unique: a digest built twice is still sent once."""
        plan = self.plans[user.pk]
        with _reading(user):
            item_count = sum(len(section.items) + section.more for section in sections)
            subject, text, html, headers = digest_render(
                user=user,
                period=self.period,
                sections=sections,
                since=plan.since,
                areas=plan.areas,
                item_count=item_count,
            )
        delivery.email = email_queue(  # sent once the chunk's transaction commits
            to=user.email,
            subject=subject,
            body_text=text,
            body_html=html,
            headers=headers,
            key=f"digest:{user.pk}:{self.period}:{self.period_key}",
            user=user,
        )
        delivery.status = DigestDelivery.Status.QUEUED
        delivery.covers_from = plan.since
        delivery.covers_until = self.now
        delivery.item_count = item_count
        return delivery

    def record_queued(self, deliveries):
        """Mark ``deliveries`` queued, with their emails, in one statement (per BATCH_SIZE).

        Plain SQL (``CASE id WHEN … THEN …``) rather than ``bulk_update``, whose per-row expressions
        cost more to build than the rest of the batch's bookkeeping."""
        ops = connection.ops
        table = ops.quote_name(DigestDelivery._meta.db_table)
        for start in range(0, len(deliveries), BATCH_SIZE):
            chunk = deliveries[start : start + BATCH_SIZE]
            whens = " ".join(["WHEN %s THEN %s"] * len(chunk))
            params = [DigestDelivery.Status.QUEUED.value, ops.adapt_datetimefield_value(self.now)]
            for column in ("email_id", "item_count", "covers_from"):
                for delivery in chunk:
                    value = getattr(delivery, column)
                    params += [
                        delivery.pk,
                        ops.adapt_datetimefield_value(value) if column == "covers_from" else value,
                    ]
            params += [delivery.pk for delivery in chunk]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET status = %s, covers_until = %s, "
                    f"email_id = CASE id {whens} END, item_count = CASE id {whens} END, "
                    f"covers_from = CASE id {whens} END "
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    params,
                )

    def release(self, delivery):
        """Give a claim back after a failure, so the next run need not wait for it to go stale."""
        DigestDelivery.objects.filter(
            pk=delivery.pk, status=DigestDelivery.Status.CLAIMED, claimed_at=delivery.claimed_at
        ).delete()


@contextmanager
def _reading(user):
    """The reader's language and time zone, for what is made for them."""
    with translation.override(user.language), timezone.override(zone(user.time_zone)):
        yield


def _ask_one(contribute, user, since, *, until):
    return contribute(user, since, until)


def _local(when):
    """``when`` in the active time zone and language: "March 2, 2026, 9:30 a.m."."""
    return _local_in(when, translation.get_language(), timezone.get_current_timezone_name())


@lru_cache(maxsize=4096)
def _local_in(when, language, zone_name):
    # Cached: a new organisation's time shows in the digests of everyone in its region.
    return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")


@lru_cache(maxsize=1)
def _unsubscribe_url_parts():
    # reverse() once: it costs more than the rest of a link (it runs for every area of every digest).
    return _absolute(reverse("notifications:unsubscribe", kwargs={"token": "TOKEN"})).split("TOKEN")


def _unsubscribe_url(*, user, area):
    """:func:`notifications.unsubscribe.unsubscribe_url`, without its reverse() per link."""
    before, after = _unsubscribe_url_parts()
    return f"{before}{unsubscribe_token(user=user, area=area)}{after}"


def digest_render(*, user, period, sections, since, areas, item_count):
    """(subject, text, html, headers) of a digest, in the active language and time zone. Each area
    has its own one-click unsubscribe link; the ``List-Unsubscribe`` header's link turns off every
    area this person gets in this period's digest, which is what a mail client's "Unsubscribe"
    button means for this email (immediate emails and the other period's digest stay as they are)."""
    for section in sections:
        section.unsubscribe_url = _unsubscribe_url(user=user, area=section.area)
    stop_all = _unsubscribe_url(user=user, area=areas)
    heading = gettext("Your daily digest") if period == Period.DAILY else gettext("Your weekly digest")
    context = {
        "user": user,
        "name": user.full_name or user.email,
        "period": str(period),
        "heading": heading,
        "subject": heading,  # the HTML layout's <title>
        "sections": sections,
        "item_count": item_count,
        "since": _local(since),
        "site_url": settings.SITE_URL,
        "preferences_url": _preferences_url(),
        "unsubscribe_all_url": stop_all,
        "language": user.language,
    }
    subject, text, html = email_render(
        template_prefix="notifications/emails/digest", context=context, language=user.language
    )
    return subject, text, html, unsubscribe_headers(stop_all)


def digest_deliver(*, user, period, period_key, now=None):
    """Build and queue one person's digest for one period, at most once ever (see
    :class:`DigestBatch`); returns its :class:`DigestDelivery` (``queued`` or ``empty``), or None
    when it was done already, is being built elsewhere, or failed."""
    outcome = DigestBatch(
        users=[user], period=period, period_key=period_key, now=now or timezone.now()
    ).send()
    if not (outcome["queued"] or outcome["empty"]):
        return None
    return DigestDelivery.objects.get(user=user, period=period, period_key=period_key)


def digests_send(*, user_ids, period, period_key, now=None):
    """Deliver the digest of ``period``/``period_key`` to each of ``user_ids`` (see
    :meth:`DigestBatch.send`); returns how many were queued, empty, skipped (done already, being
    built elsewhere, or no longer active) and failed."""
    users = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True, erased_at__isnull=True)
        .order_by("pk")
    )
    gone = len(set(user_ids)) - len(users)
    if not users:
        return {"queued": 0, "empty": 0, "skipped": gone, "failed": 0}
    outcome = DigestBatch(users=users, period=period, period_key=period_key, now=now or timezone.now()).send()
    outcome["skipped"] += gone
    return outcome


def parse_now(value):
    """A task's ``now`` argument (ISO 8601, or None for the current time)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)
