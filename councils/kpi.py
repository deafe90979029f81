"""The KPI dashboards' numbers: the four success factors of one council, or of the whole alliance
(``council=None``), over a period of quarters. Pure selectors: every number is an SQL aggregate, a
fixed number of queries whatever the size of the ledger; the callers check who may see them
(``councils.view_dashboard`` / ``councils.view_alliance_dashboard``). The report job and the
benchmark call the same functions.

- :func:`period_for` — the period: the last ``quarters`` quarters up to today (the viewer's today).
- :func:`ledger_kpis` — success factors 1 and 2 from the interaction ledger: SME–HEI, cross-cluster,
  cross-border and across-councils interactions per quarter, this quarter so far against the same
  days of the quarter a year before, the last four full quarters (two queries).
- :func:`indicator_rows` — success factor 3: indicators with their latest value and progress to
  target (one query, ``councils.selectors.success.indicators_with_progress``).
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
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries as country_names

from organisations.models import Interaction, Organisation

from .models import Council, CouncilInteraction, CouncilOrganisation, ImpactRecord, LedgerDay, Meeting
from .selectors.success import impact_by_country, indicators_with_progress

DEFAULT_QUARTERS = 8
QUARTER_CHOICES = (4, 8, 12, 20)
NETWORK_LIMIT = 80  # links drawn: the strongest; a denser drawing is unreadable anyway
NETWORK_CACHE_SECONDS = 300  # without the COUNCIL_DASHBOARD_CACHE_SECONDS setting

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


# --- success factors 1 and 2: the ledger --------------------------------------------------------


def _ledger(council):
    interactions = Interaction.objects.order_by()
    if council is not None:
        interactions = interactions.filter(council_links__council=council)
    return interactions


def ledger_by_quarter(*, council=None, period):
    """Success factors 1 and 2 per quarter, in one query of the daily roll-up (``LedgerDay``, a few
    hundred rows whatever the size of the ledger, summed by quarter in SQL): ``{quarter first day:
    row}`` for every quarter from ``period.query_start`` to the current one (zeros where nothing
    happened), each row
    ``{"total", "sme_hei", "cross_cluster", "cross_border", "cross_council", "so_far": {metric: n}}``,
    where ``so_far`` counts only the days up to the same day a year before (compared with the current
    quarter so far; meaningful in the quarter a year before the current one)."""
    until_last_year = period.same_day_last_year
    zero = dict.fromkeys(LEDGER_METRICS, 0)
    series = {}
    quarter = quarter_start(period.query_start)
    while quarter <= period.current:
        series[quarter] = {**zero, "so_far": dict(zero)}
        quarter = add_quarters(quarter, 1)
    sums = {f"sum_{metric}": Sum(metric) for metric in LEDGER_METRICS}
    so_far = {
        f"so_far_{metric}": Sum(metric, filter=Q(date__lte=until_last_year)) for metric in LEDGER_METRICS
    }
    rows = (
        LedgerDay.objects.filter(
            Q(council__isnull=True) if council is None else Q(council=council),
            date__gte=period.query_start,
            date__lte=period.end,
        )
        .order_by()
        .annotate(quarter=TruncQuarter("date"))
        .values("quarter")
        .annotate(**sums, **so_far)
    )
    for values in rows:
        day = values["quarter"]
        if isinstance(day, str):  # SQLite
            day = datetime.date.fromisoformat(day[:10])
        elif isinstance(day, datetime.datetime):
            day = day.date()
        row = series[quarter_start(day)]
        for metric in LEDGER_METRICS:
            row[metric] = values[f"sum_{metric}"] or 0
            row["so_far"][metric] = values[f"so_far_{metric}"] or 0
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


def indicator_rows(*, council=None):
    """Success factor 3, one query: the indicators of ``council`` (None: every council), as dicts
    ``{"id", "council" (slug), "council_name", "challenge", "success_factor", "name", "unit",
    "baseline", "target", "target_date", "latest_value", "latest_date", "progress" (0–100 or None)}``
    in the order of the councils' challenges and factors."""
    factor = "success_factor__"
    fields = {
        "id": "pk",
        "council": f"{factor}challenge__council__slug",
        "council_name": f"{factor}challenge__council__name",
        "challenge": f"{factor}challenge__title",
        "success_factor": f"{factor}title",
        "name": "name",
        "unit": "unit",
        "baseline": "baseline",
        "target": "target",
        "target_date": "target_date",
        "latest_value": "latest_value",
        "latest_date": "latest_date",
        "progress": "progress",
    }
    rows = []
    for values in indicators_with_progress(council=council).values_list(*fields.values()):
        row = dict(zip(fields, values, strict=True))
        if isinstance(row["latest_date"], str):  # SQLite gives a subquery's date as text
            row["latest_date"] = datetime.date.fromisoformat(row["latest_date"])
        if row["progress"] is not None:
            row["progress"] = round(row["progress"], 1)
        rows.append(row)
    return rows


# --- success factor 4: impact -------------------------------------------------------------------


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
    rows = impact_by_country(council=council, since=period.start).filter(date__lte=period.end)
    countries, by_kind = {}, {}
    for row in rows:
        code = str(row["country"])
        entry = countries.setdefault(code, {"code": code, "count": 0, "by_kind": {}})
        entry["count"] += row["count"]
        entry["by_kind"][row["kind"]] = {"count": row["count"], "quantity": row["quantity"]}
        total = by_kind.setdefault(row["kind"], {"count": 0, "quantity": 0})
        total["count"] += row["count"]
        total["quantity"] += row["quantity"] or 0
    for entry in countries.values():
        entry["name"] = str(country_names.name(entry["code"])) or entry["code"]
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
    period up to today) and store it in the cache for ``seconds`` (default
    COUNCIL_DASHBOARD_CACHE_SECONDS). Returns the graph."""
    period = period or period_for()
    graph = network(council=council, period=period)
    seconds = _network_seconds() if seconds is None else seconds
    if seconds:
        cache.set(network_cache_key(council=council, quarters=period.count), graph, seconds)
    return graph


def network_cached(*, council=None, period):
    """:func:`network` as the dashboards show it: from the cache (one read) when there, else computed
    now and stored for COUNCIL_DASHBOARD_CACHE_SECONDS (0: computed on every call, never cached).
    The graph may lag the ledger by up to that long; the counts never do (they are not cached).
    The caller checks the viewer's permission first."""
    seconds = _network_seconds()
    if not seconds:
        return network(council=council, period=period)
    graph = cache.get(network_cache_key(council=council, quarters=period.count))
    if graph is None:
        graph = network_refresh(council=council, period=period, seconds=seconds)
    return graph


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


def membership_by_kind(*, council=None):
    """Active member organisations by kind, one query: ``{"kinds": [(kind, label)], "rows": [{"council"
    (slug), "council_name", "by_kind": {kind: n}, "total"}], "total": {kind: n, "all": n}}`` — one
    row for the council, or one per council for the alliance; ``total`` adds the rows up (an
    organisation in two councils counts in both)."""
    links = CouncilOrganisation.objects.filter(status=CouncilOrganisation.Status.ACTIVE)
    if council is not None:
        links = links.filter(council=council)
    rows = {}
    for slug, name, kind, count in (
        links.order_by()
        .values_list("council__slug", "council__name", "organisation__kind")
        .annotate(count=Count("organisation", distinct=True))
        .order_by("council__name", "organisation__kind")
    ):
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


def meetings_by_quarter(*, council=None, period):
    """Meetings held (started, not cancelled) and people checked in, per quarter of ``period`` in the
    active time zone, one query: ``{"meetings": [int per quarter], "attendance": [int per quarter]}``."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    meetings = Meeting.objects.filter(
        event__start__gte=start, event__start__lt=min(end, timezone.now()), event__cancelled_at__isnull=True
    )
    if council is not None:
        meetings = meetings.filter(council=council)
    rows = (
        meetings.order_by()
        .annotate(quarter=TruncQuarter("event__start", tzinfo=tz))
        .values("quarter")
        .annotate(
            meetings=Count("pk", distinct=True),
            attendance=Count(
                "event__registrations", filter=Q(event__registrations__checked_in_at__isnull=False)
            ),
        )
    )
    by_quarter = {}
    for row in rows:
        day = row["quarter"]
        if isinstance(day, datetime.datetime):
            day = timezone.localtime(day, tz).date() if timezone.is_aware(day) else day.date()
        by_quarter[quarter_start(day)] = row
    return {
        key: [by_quarter.get(quarter, {}).get(key, 0) for quarter in period.quarters]
        for key in ("meetings", "attendance")
    }


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
