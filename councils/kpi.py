"""The KPI dashboards' numbers: the four success factors of one council, or of the whole alliance
(``council=None``), over a period of quarters. Pure selectors: every number is an SQL aggregate, a
fixed number of queries whatever the size of the ledger; the callers check who may see them
(``councils.view_dashboard`` / ``councils.view_alliance_dashboard``). The report job and the
benchmark call the same functions. What a dashboard reads on every request is plain SQL (see "plain
SQL" below): the ORM spent as long building those statements as the database spent running them.

- :func:`period_for` — the period: the last ``quarters`` quarters up to today (the viewer's today).
- :func:`ledger_kpis` — success factors 1 and 2 from the interaction ledger: SME–HEI, cross-cluster,
  cross-border and across-councils interactions per quarter, this quarter so far against the same
  days of the quarter a year before, the last four full quarters (one query of the daily roll-up).
- :func:`indicator_rows` — success factor 3: indicators with their latest value and progress to
  target (one query; progress by ``councils.selectors.success.progress_percent``, the rule of the
  council's own pages).
- :func:`impact_kpis` — success factor 4: impact records by country and kind (one query).
- :func:`network` — who interacts with whom: the strongest links between organisations in the
  period and their organisations (three queries, the links' one a LIMITed self-join: seconds at a
  million ledger entries). :func:`network_cached` is what the dashboards read: the graph kept in the
  cache per scope and number of quarters for ``COUNCIL_DASHBOARD_CACHE_SECONDS``, whatever is
  recorded meanwhile, and recomputed by the periodic task ``councils.refresh_networks``
  (:func:`networks_refresh`) so that viewers normally never wait for it.
- :func:`membership_by_kind`, :func:`meetings_by_quarter` — the council's members by kind of
  organisation, the meetings held and the people checked in per quarter (one query each).
- :func:`dashboard_data` — all of the above for one page.

There are no targets for success factors 1 and 2 (the models have none): the dashboards show their
trend and the change against the same quarter a year before; progress to target is shown where
targets exist, for the councils' own indicators (success factor 3).
"""

import datetime
import functools
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries as country_names

from events.models import Event, Registration
from organisations.models import Interaction, Organisation

from .models import (
    Challenge,
    Council,
    CouncilInteraction,
    CouncilOrganisation,
    ImpactRecord,
    Indicator,
    IndicatorValue,
    LedgerDay,
    Meeting,
    SuccessFactor,
)
from .selectors.success import progress_percent

logger = logging.getLogger(__name__)

DEFAULT_QUARTERS = 8
QUARTER_CHOICES = (4, 8, 12, 20)
NETWORK_LIMIT = 80  # links drawn: the strongest; a denser drawing is unreadable anyway
NETWORK_CACHE_SECONDS = 300  # without the COUNCIL_DASHBOARD_CACHE_SECONDS setting
NETWORK_KEEP_SECONDS = 7 * 24 * 3600  # a stale graph is still shown (while recomputed) for a week
NETWORK_REFRESH_LOCK_SECONDS = 120  # one recomputation asked for at a time per graph

# Success factors 1 and 2: the ledger's counts, in the order the dashboards show them.
LEDGER_METRICS = ("sme_hei", "cross_cluster", "cross_border", "cross_council", "total")


# --- quarters -----------------------------------------------------------------------------------


def quarter_start(day):
    """The first day of ``day``'s quarter."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_quarters(first_day, count):
    """The first day of the quarter ``count`` quarters after (before, when negative) ``first_day``'s."""
    months = first_day.year * 12 + first_day.month - 1 + 3 * count
    return datetime.date(months // 12, months % 12 + 1, 1)


def quarter_label(first_day):
    """ "2026 Q3", in the active language."""
    return _quarter_label(first_day, get_language())


@functools.lru_cache(maxsize=1024)
def _quarter_label(first_day, language):
    return _("%(year)s Q%(number)s") % {"year": first_day.year, "number": (first_day.month - 1) // 3 + 1}


def _a_year_before(day):
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """The last ``count`` quarters up to ``today``: the current quarter (so far) and those before it."""

    today: datetime.date
    count: int = DEFAULT_QUARTERS

    @property
    def current(self):
        """The first day of the current quarter."""
        return quarter_start(self.today)

    @property
    def quarters(self):
        """The first day of each quarter shown, oldest first."""
        return [add_quarters(self.current, offset) for offset in range(1 - self.count, 1)]

    @property
    def start(self):
        return self.quarters[0]

    @property
    def end(self):
        return self.today

    @property
    def query_start(self):
        """The first day the ledger query reads: the period, and at least the eight quarters before the
        current one (the last four full quarters, the four before them, the same quarter a year
        before)."""
        return min(self.start, add_quarters(self.current, -8))

    @property
    def same_day_last_year(self):
        return _a_year_before(self.today)

    def labels(self):
        return [quarter_label(quarter) for quarter in self.quarters]


def period_for(*, quarters=DEFAULT_QUARTERS, today=None):
    """The period of the last ``quarters`` quarters (the current one included) up to ``today`` (by
    default today in the active time zone: the viewer's)."""
    return Period(today=today or timezone.localdate(), count=max(1, int(quarters)))


def parse_quarters(value):
    """The number of quarters asked for in a query string; anything but one of QUARTER_CHOICES (not a
    number, negative, huge) gives None, and the caller says so and uses the default."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number in QUARTER_CHOICES else None


# --- plain SQL ------------------------------------------------------------------------------------
#
# The dashboards' reads are plain SQL, written for PostgreSQL and SQLite alike: each statement's text is
# built once per shape (scoped to a council or not, number of quarters) and kept, so a request spends
# its time in the database rather than in building queries (the ORM took as long as the SQL itself).
# Parameters go through the backend's adapters; what comes back is normalised by the helpers below.


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day(value):
    """A date as bound in SQL (SQLite keeps dates as ISO text)."""
    return connection.ops.adapt_datefield_value(value)


def _instant(value):
    """An aware datetime as bound in SQL (SQLite keeps them as UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def _as_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


CENTS = Decimal("0.01")


def _as_decimal(value):
    """A two-decimal column's value (or sum) as a Decimal, as the ORM gives it: SQLite gives ints and
    floats. None kept."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENTS)


def _bucket(column, boundaries):
    """SQL giving the index of the interval ``column`` falls in, the intervals split at ``boundaries``
    (``boundaries`` placeholders): 0 before the first, ``boundaries`` from the last on."""
    if not boundaries:
        return "0"
    whens = " ".join(f"WHEN {column} < %s THEN {index}" for index in range(boundaries))
    return f"CASE {whens} ELSE {boundaries} END"


# --- success factors 1 and 2: the ledger --------------------------------------------------------


@functools.cache
def _ledger_sql(scoped, boundaries):
    metrics = ", ".join(f"SUM({metric})" for metric in LEDGER_METRICS)
    so_far = ", ".join(f"SUM(CASE WHEN date <= %s THEN {metric} ELSE 0 END)" for metric in LEDGER_METRICS)
    scope = "council_id = %s" if scoped else "council_id IS NULL"
    return (
        f"SELECT {_bucket('date', boundaries)}, {metrics}, {so_far} FROM {_table(LedgerDay)} "
        f"WHERE {scope} AND date >= %s AND date <= %s GROUP BY 1"
    )


def ledger_by_quarter(*, council=None, period):
    """Success factors 1 and 2 per quarter, in one query of the daily roll-up (``LedgerDay``, a few
    hundred rows whatever the size of the ledger, summed by quarter in SQL): ``{quarter first day:
    row}`` for every quarter from ``period.query_start`` to the current one (zeros where nothing
    happened), each row
    ``{"total", "sme_hei", "cross_cluster", "cross_border", "cross_council", "so_far": {metric: n}}``,
    where ``so_far`` counts only the days up to the same day a year before (compared with the current
    quarter so far; meaningful in the quarter a year before the current one)."""
    quarters = []
    quarter = quarter_start(period.query_start)
    while quarter <= period.current:
        quarters.append(quarter)
        quarter = add_quarters(quarter, 1)
    zero = dict.fromkeys(LEDGER_METRICS, 0)
    series = {quarter: {**zero, "so_far": dict(zero)} for quarter in quarters}
    params = [_day(quarter) for quarter in quarters[1:]]
    params += [_day(period.same_day_last_year)] * len(LEDGER_METRICS)
    if council is not None:
        params.append(council.pk)
    params += [_day(period.query_start), _day(period.end)]
    width = len(LEDGER_METRICS)
    for index, *sums in _fetch(_ledger_sql(council is not None, len(quarters) - 1), params):
        row = series[quarters[index]]
        for metric, total, so_far in zip(LEDGER_METRICS, sums[:width], sums[width:], strict=True):
            row[metric] = int(total or 0)
            row["so_far"][metric] = int(so_far or 0)
    return series


def _change(now, before):
    """``{"now", "before", "difference", "percent"}`` (percent None when ``before`` is 0)."""
    return {
        "now": now,
        "before": before,
        "difference": now - before,
        "percent": round((now - before) * 100 / before) if before else None,
    }


def ledger_kpis(*, council=None, period):
    """Success factors 1 and 2 of ``council`` (None: the alliance) over ``period``, two queries::

    {
      "quarters": [date, …],            # the period's quarters (first days), oldest first
      "labels": ["2026 Q1", …],
      "series": {metric: [int per quarter]},   # metric in LEDGER_METRICS
      "summary": {metric: {
          "this_quarter": {"now", "before", "difference", "percent"},  # so far vs the same
                                           # days of the same quarter a year before
          "last_four_quarters": {"now", "before", "difference", "percent"},  # the four full
                                           # quarters before the current one vs the four before
      }},
      "total": {metric: int},           # over the period
    }

    """
    by_quarter = ledger_by_quarter(council=council, period=period)
    quarters = period.quarters
    current = period.current
    year_before = add_quarters(current, -4)
    last_four = [add_quarters(current, offset) for offset in range(-4, 0)]
    four_before = [add_quarters(current, offset) for offset in range(-8, -4)]
    summary = {}
    for metric in LEDGER_METRICS:
        last = sum(by_quarter[q][metric] for q in last_four)
        before = sum(by_quarter[q][metric] for q in four_before)
        summary[metric] = {
            "this_quarter": _change(by_quarter[current][metric], by_quarter[year_before]["so_far"][metric]),
            "last_four_quarters": _change(last, before),
        }
    return {
        "quarters": quarters,
        "labels": period.labels(),
        "series": {metric: [by_quarter[q][metric] for q in quarters] for metric in LEDGER_METRICS},
        "summary": summary,
        "total": {metric: sum(by_quarter[q][metric] for q in quarters) for metric in LEDGER_METRICS},
    }


# --- success factor 3: indicators ---------------------------------------------------------------


@functools.cache
def _indicators_sql(scoped):
    latest = f"FROM {_table(IndicatorValue)} v WHERE v.indicator_id = i.id ORDER BY v.date DESC LIMIT 1"
    return (
        "SELECT i.id, c.slug, c.name, ch.title, f.title, i.name, i.unit, i.baseline, i.target, "
        f"i.target_date, (SELECT v.value {latest}), (SELECT v.date {latest}) "
        f"FROM {_table(Indicator)} i JOIN {_table(SuccessFactor)} f ON f.id = i.success_factor_id "
        f"JOIN {_table(Challenge)} ch ON ch.id = f.challenge_id "
        f"JOIN {_table(Council)} c ON c.id = ch.council_id "
        + ("WHERE ch.council_id = %s " if scoped else "")
        + "ORDER BY c.name, ch.position, ch.id, f.position, f.id, i.id"
    )


INDICATOR_FIELDS = (
    "id",
    "council",
    "council_name",
    "challenge",
    "success_factor",
    "name",
    "unit",
    "baseline",
    "target",
    "target_date",
    "latest_value",
    "latest_date",
)


def indicator_rows(*, council=None):
    """Success factor 3, one query: the indicators of ``council`` (None: every council), as dicts
    ``{"id", "council" (slug), "council_name", "challenge", "success_factor", "name", "unit",
    "baseline", "target", "target_date", "latest_value", "latest_date", "progress" (0–100 or None)}``
    in the order of the councils' challenges and factors. The latest value is found in SQL (a
    subquery on the (indicator, date) index); its progress is ``progress_percent`` of it, the same
    rule as the council's pages (``selectors.success.progress_expression``)."""
    params = [] if council is None else [council.pk]
    rows = []
    for values in _fetch(_indicators_sql(council is not None), params):
        row = dict(zip(INDICATOR_FIELDS, values, strict=True))
        for key in ("baseline", "target", "latest_value"):
            row[key] = _as_decimal(row[key])
        row["target_date"] = _as_date(row["target_date"])
        row["latest_date"] = _as_date(row["latest_date"])
        progress = progress_percent(row["latest_value"], row["baseline"], row["target"])
        row["progress"] = None if progress is None else round(progress, 1)
        rows.append(row)
    return rows


# --- success factor 4: impact -------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _country_name(code, language):
    """A country's name in ``language`` (the active one), or its code when unknown."""
    return str(country_names.name(code)) or code


@functools.cache
def _impact_sql(scoped):
    return (
        f"SELECT country, kind, COUNT(*), SUM(quantity) FROM {_table(ImpactRecord)} "
        "WHERE date >= %s AND date <= %s "
        + ("AND council_id = %s " if scoped else "")
        + "GROUP BY country, kind"
    )


def impact_kpis(*, council=None, period):
    """Success factor 4 since the start of ``period``, one query::

        {
          "kinds": [(kind, label), …],          # the kinds that occur, in the model's order
          "countries": [{"code", "name", "count", "by_kind": {kind: {"count", "quantity"}}}, …],
          "by_kind": {kind: {"count", "quantity"}},   # totals (quantities are in each kind's unit)
          "total": int,                         # records
        }

    Countries in order of their number of records (most first), then name.
    """
    params = [_day(period.start), _day(period.end)] + ([] if council is None else [council.pk])
    countries, by_kind = {}, {}
    for code, kind, count, quantity in _fetch(_impact_sql(council is not None), params):
        quantity = _as_decimal(quantity)
        entry = countries.setdefault(code, {"code": code, "count": 0, "by_kind": {}})
        entry["count"] += count
        entry["by_kind"][kind] = {"count": count, "quantity": quantity}
        total = by_kind.setdefault(kind, {"count": 0, "quantity": 0})
        total["count"] += count
        total["quantity"] += quantity or 0
    for entry in countries.values():
        entry["name"] = _country_name(entry["code"], get_language())
    return {
        "kinds": [(kind, str(label)) for kind, label in ImpactRecord.Kind.choices if kind in by_kind],
        "countries": sorted(countries.values(), key=lambda entry: (-entry["count"], entry["name"])),
        "by_kind": by_kind,
        "total": sum(entry["count"] for entry in countries.values()),
    }


# --- the network: who interacts with whom --------------------------------------------------------


def _network_edges_sql(council):
    """The strongest links: pairs of organisations by the number of interactions they shared in the
    period, a self-join of the ledger's organisations table, the period filter first and the LIMIT in
    SQL (what the dashboard shows of a million entries is a few hundred rows)."""
    quote = connection.ops.quote_name
    through = quote(Interaction.organisations.through._meta.db_table)
    interaction = quote(Interaction._meta.db_table)
    links = quote(CouncilInteraction._meta.db_table)
    scope = ""
    if council is not None:
        scope = f"AND EXISTS (SELECT 1 FROM {links} ci WHERE ci.interaction_id = i.id AND ci.council_id = %s)"
    return f"""
        SELECT a.organisation_id, b.organisation_id, COUNT(*) AS weight
        FROM {interaction} i
        JOIN {through} a ON a.interaction_id = i.id
        JOIN {through} b ON b.interaction_id = i.id AND b.organisation_id > a.organisation_id
        WHERE i.date >= %s AND i.date <= %s {scope}
        GROUP BY a.organisation_id, b.organisation_id
        ORDER BY weight DESC, a.organisation_id, b.organisation_id
        LIMIT %s
    """


def network(*, council=None, period, limit=NETWORK_LIMIT):
    """Who interacts with whom in ``period`` (of ``council``'s interactions, or all), three queries::

        {
          "nodes": [{"id", "name", "slug", "kind", "kind_label", "region", "country",
                     "councils": [council slug, …] (by council name), "weight": int}, …],  # by name
          "edges": [{"source": id, "target": id, "weight": int}, …],    # strongest first
          "councils": {slug: name},   # the councils the nodes belong to
        }

    A graph kept in the cache (:func:`network_refresh`) also has a ``"version"``, unique to that
    computation.

    ``weight`` of an edge: the interactions the two organisations shared; of a node: the sum of its
    edges' weights shown. Only the ``limit`` strongest links and their organisations are returned.
    """
    params = [period.start, period.end]
    if council is not None:
        params.append(council.pk)
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(_network_edges_sql(council), params)
        edges = [{"source": a, "target": b, "weight": weight} for a, b, weight in cursor.fetchall()]
    if not edges:
        return {"nodes": [], "edges": [], "councils": {}}
    weights = {}
    for edge in edges:
        for end in (edge["source"], edge["target"]):
            weights[end] = weights.get(end, 0) + edge["weight"]
    councils_of, council_names = {}, {}
    for organisation_id, slug, name in (
        CouncilOrganisation.objects.filter(
            organisation_id__in=weights, status=CouncilOrganisation.Status.ACTIVE
        )
        .order_by("council__name")
        .values_list("organisation_id", "council__slug", "council__name")
    ):
        councils_of.setdefault(organisation_id, []).append(slug)
        council_names[slug] = name
    kinds = dict(Organisation.Kind.choices)
    subtypes = dict(Organisation.Subtype.choices)
    nodes = [
        {
            "id": row["pk"],
            "name": row["name"],
            "slug": row["slug"],
            "kind": row["kind"],
            "subtype": row["subtype"],
            "kind_label": str(subtypes.get(row["subtype"]) or kinds.get(row["kind"], "")),
            "region": row["region"],
            "country": str(row["country"]),
            "councils": councils_of.get(row["pk"], []),
            "weight": weights[row["pk"]],
        }
        for row in Organisation.objects.filter(pk__in=weights)
        .order_by("name", "pk")
        .values("pk", "name", "slug", "kind", "subtype", "region", "country")
    ]
    return {"nodes": nodes, "edges": edges, "councils": council_names}


def _network_seconds():
    return getattr(settings, "COUNCIL_DASHBOARD_CACHE_SECONDS", NETWORK_CACHE_SECONDS)


def network_cache_key(*, council=None, quarters=DEFAULT_QUARTERS):
    """The cache key of a scope's network over its last ``quarters`` quarters. Neither today's date nor
    the ledger's latest entry is part of it: the graph is refreshed on a time limit (a viewer whose
    today differs by a day, in another time zone, reads the same graph)."""
    return "councils:network:{}:{}".format(council.pk if council is not None else "alliance", int(quarters))


def network_refresh(*, council=None, period=None, seconds=None):
    """Compute ``council``'s network (None: the alliance's) over ``period`` (default: the default
    period up to today) and store it in the cache, fresh for ``seconds`` (default
    COUNCIL_DASHBOARD_CACHE_SECONDS) and kept, stale, for NETWORK_KEEP_SECONDS. Returns the graph,
    with its ``version`` (unique to this computation), ``computed_at`` and ``fresh_until``."""
    period = period or period_for()
    graph = network(council=council, period=period)
    seconds = _network_seconds() if seconds is None else seconds
    if seconds:
        now = timezone.now()
        # The version names this computation: what is drawn from the graph is kept as long as it is.
        graph.update(
            version=uuid.uuid4().hex, computed_at=now, fresh_until=now + datetime.timedelta(seconds=seconds)
        )
        key = network_cache_key(council=council, quarters=period.count)
        cache.set(key, graph, max(seconds, NETWORK_KEEP_SECONDS))
        cache.delete(f"{key}:refreshing")
    return graph


def network_cached(*, council=None, period):
    """:func:`network` as the dashboards show it, from the cache (one read): fresh for
    COUNCIL_DASHBOARD_CACHE_SECONDS, then — while a worker recomputes it (``councils.refresh_network``,
    asked for once) — stale, so that no viewer waits seconds for it; computed now only when the cache
    has none (a first view of that scope and period in NETWORK_KEEP_SECONDS). With the setting at 0
    it is computed on every call and never cached. The graph may lag the ledger by a few minutes; the
    counts never do (they are not cached). The caller checks the viewer's permission first."""
    seconds = _network_seconds()
    if not seconds:
        return network(council=council, period=period)
    key = network_cache_key(council=council, quarters=period.count)
    graph = cache.get(key)
    if graph is None:
        return network_refresh(council=council, period=period, seconds=seconds)
    if graph.get("fresh_until") is None or graph["fresh_until"] <= timezone.now():
        _ask_for_refresh(key, council=council, quarters=period.count)
    return graph


def _ask_for_refresh(key, *, council, quarters):
    """Queue the recomputation of a stale graph, once while one is pending (a lock in the cache). A
    broker that cannot be reached is logged, never the viewer's problem: the stale graph is shown."""
    if not cache.add(f"{key}:refreshing", True, NETWORK_REFRESH_LOCK_SECONDS):
        return
    from .tasks import refresh_network

    def send():
        try:
            refresh_network.delay(council.pk if council is not None else None, quarters)
        except Exception:  # the broker: the next viewer after the lock expires asks again
            logger.exception("councils: could not queue the refresh of %s", key)
            cache.delete(f"{key}:refreshing")

    transaction.on_commit(send)


def networks_refresh(*, quarters=DEFAULT_QUARTERS):
    """The periodic warm-up (``councils.refresh_networks``): recompute the networks of the alliance and
    of every council over the default period and keep them for twice COUNCIL_DASHBOARD_CACHE_SECONDS,
    so that a run a little late never leaves a viewer to compute one. Returns the number of graphs
    stored (0 when the setting is 0: nothing is cached then)."""
    seconds = _network_seconds()
    if not seconds:
        return 0
    period = period_for(quarters=quarters)
    scopes = [None, *Council.objects.order_by("slug")]
    for council in scopes:
        network_refresh(council=council, period=period, seconds=2 * seconds)
    return len(scopes)


# --- council life: members and meetings ---------------------------------------------------------


@functools.cache
def _membership_sql(scoped):
    return (
        "SELECT c.slug, c.name, o.kind, COUNT(DISTINCT co.organisation_id) "
        f"FROM {_table(CouncilOrganisation)} co JOIN {_table(Council)} c ON c.id = co.council_id "
        f"JOIN {_table(Organisation)} o ON o.id = co.organisation_id WHERE co.status = %s "
        + ("AND co.council_id = %s " if scoped else "")
        + "GROUP BY c.slug, c.name, o.kind ORDER BY c.name, o.kind"
    )


def membership_by_kind(*, council=None):
    """Active member organisations by kind, one query: ``{"kinds": [(kind, label)], "rows": [{"council"
    (slug), "council_name", "by_kind": {kind: n}, "total"}], "total": {kind: n, "all": n}}`` — one
    row for the council, or one per council for the alliance; ``total`` adds the rows up (an
    organisation in two councils counts in both)."""
    params = [CouncilOrganisation.Status.ACTIVE.value] + ([] if council is None else [council.pk])
    rows = {}
    for slug, name, kind, count in _fetch(_membership_sql(council is not None), params):
        row = rows.setdefault(slug, {"council": slug, "council_name": name, "by_kind": {}, "total": 0})
        row["by_kind"][kind] = count
        row["total"] += count
    total = {kind: 0 for kind, _label in Organisation.Kind.choices}
    for row in rows.values():
        for kind, count in row["by_kind"].items():
            total[kind] = total.get(kind, 0) + count
    total["all"] = sum(total.values())
    return {
        "kinds": [(kind, str(label)) for kind, label in Organisation.Kind.choices],
        "rows": list(rows.values()),
        "total": total,
    }


@functools.cache
def _meetings_sql(scoped, boundaries):
    return (
        f"SELECT {_bucket('e.start', boundaries)}, COUNT(DISTINCT m.id), "
        "SUM(CASE WHEN r.checked_in_at IS NOT NULL THEN 1 ELSE 0 END) "
        f"FROM {_table(Meeting)} m JOIN {_table(Event)} e ON e.id = m.event_id "
        f"LEFT JOIN {_table(Registration)} r ON r.event_id = e.id "
        "WHERE e.start >= %s AND e.start < %s AND e.cancelled_at IS NULL "
        + ("AND m.council_id = %s " if scoped else "")
        + "GROUP BY 1"
    )


def meetings_by_quarter(*, council=None, period):
    """Meetings held (started, not cancelled) and people checked in, per quarter of ``period`` in the
    active time zone, one query: ``{"meetings": [int per quarter], "attendance": [int per quarter]}``."""
    tz = timezone.get_current_timezone()

    def midnight(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

    quarters = period.quarters
    end = min(midnight(period.end + datetime.timedelta(days=1)), timezone.now())
    params = [_instant(midnight(quarter)) for quarter in quarters[1:]]
    params += [_instant(midnight(period.start)), _instant(end)]
    if council is not None:
        params.append(council.pk)
    meetings, attendance = [0] * len(quarters), [0] * len(quarters)
    for index, held, checked_in in _fetch(_meetings_sql(council is not None, len(quarters) - 1), params):
        meetings[index], attendance[index] = held, int(checked_in or 0)
    return {"meetings": meetings, "attendance": attendance}


# --- everything on one page ---------------------------------------------------------------------


def dashboard_data(*, council=None, period=None):
    """Everything a dashboard shows, in a fixed number of queries (nine; seven without links):
    ``{"council", "period", "ledger" (ledger_kpis), "indicators" (indicator_rows), "impact"
    (impact_kpis), "network", "membership" (membership_by_kind), "meetings" (meetings_by_quarter)}``."""
    period = period or period_for()
    return {
        "council": council,
        "period": period,
        "ledger": ledger_kpis(council=council, period=period),
        "indicators": indicator_rows(council=council),
        "impact": impact_kpis(council=council, period=period),
        "network": network(council=council, period=period),
        "membership": membership_by_kind(council=council),
        "meetings": meetings_by_quarter(council=council, period=period),
    }
