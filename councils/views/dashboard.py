"""The KPI dashboards: one per council, for its members (and staff), and one for the whole alliance,
for every portal member (and staff).

Each shows the four success factors over a period of quarters chosen in the query string
(``?quarters=8``; anything else is said and replaced by the default, never an error): SME–HEI,
cross-cluster, cross-border and across-councils interactions from the ledger, the councils'
indicators and their progress to target, impact by country, a network of who interacts with whom,
members by kind and meetings held. The numbers come from ``councils.kpi`` (SQL aggregates, a fixed
number of queries; the counts from the ledger's daily roll-up, read on every request so a new
interaction shows at once); the charts are drawn by Chart.js from JSON data islands
(``static/js/dashboard.js``), each with a table as its text alternative; the network is an SVG drawn
here, from the graph kept in the cache (``kpi.network_cached``, refreshed by a periodic task).

The page is rendered cheaply: the big repeated parts (the network's SVG, the links' table, the
numbers of the tables) are built once in Python with ``format_html`` (every name escaped) and the
numbers formatted once with ``number_format``, instead of thousands of template variables and filters.

A council's dashboard is members' business: anyone else gets a 404 (a visitor is asked to log in).
"""

import functools
import math
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from organisations.models import Organisation

from .. import kpi
from ..models import Council

VIEW = "councils.view_dashboard"
VIEW_ALLIANCE = "councils.view_alliance_dashboard"
LINKS_LISTED = 20  # the strongest links, listed in the table next to the network


class PeriodForm(forms.Form):
    quarters = forms.TypedChoiceField(label=gettext_lazy("Period"), coerce=int, initial=kpi.DEFAULT_QUARTERS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the request's language (a lazy string formatted at import would stay in English).
        label = _("Last %(count)s quarters")
        self.fields["quarters"].choices = [(n, label % {"count": n}) for n in kpi.QUARTER_CHOICES]


def _period_form(request):
    """The period chooser, and the number of quarters it gives: the default for a missing or bad
    value (the form then carries the error, shown above the charts)."""
    if "quarters" not in request.GET:
        return PeriodForm(initial={"quarters": kpi.DEFAULT_QUARTERS}), kpi.DEFAULT_QUARTERS
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["quarters"]
    return PeriodForm(initial={"quarters": kpi.DEFAULT_QUARTERS}), None


# --- charts: what the JSON data islands carry -----------------------------------------------------

# Okabe–Ito colours: told apart with the common colour-vision deficiencies.
KIND_COLOURS = {
    Organisation.Kind.SME: "#0072B2",
    Organisation.Kind.HEI: "#E69F00",
    Organisation.Kind.INTERMEDIARY: "#009E73",
}


def _charts(data):
    ledger, meetings, impact = data["ledger"], data["meetings"], data["impact"]
    series = ledger["series"]
    labels = ledger["labels"]
    charts = {
        "sf1": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                {"label": _("SME–HEI interactions"), "data": series["sme_hei"]},
                {"label": _("All interactions"), "data": series["total"], "type": "line"},
            ],
        },
        "sf2": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                {"label": _("Cross-cluster"), "data": series["cross_cluster"]},
                {"label": _("Cross-border"), "data": series["cross_border"]},
                {"label": _("Across councils"), "data": series["cross_council"]},
            ],
        },
        "meetings": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                {"label": _("Meetings held"), "data": meetings["meetings"]},
                {"label": _("People checked in"), "data": meetings["attendance"], "type": "line"},
            ],
        },
    }
    if data["indicators"]:
        charts["sf3"] = {
            "type": "bar",
            "horizontal": True,
            "percent": True,
            "labels": [row["name"] for row in data["indicators"]],
            "datasets": [
                {
                    "label": _("Progress to target (%)"),
                    "data": [row["progress"] or 0 for row in data["indicators"]],
                }
            ],
        }
    if impact["countries"]:
        charts["sf4"] = {
            "type": "bar",
            "stacked": True,
            "labels": [country["name"] for country in impact["countries"]],
            "datasets": [
                {
                    "label": label,
                    "data": [
                        country["by_kind"].get(kind, {}).get("count", 0) for country in impact["countries"]
                    ],
                }
                for kind, label in impact["kinds"]
            ],
        }
    return charts


# --- the network as SVG ---------------------------------------------------------------------------

SIZE = 720
CENTRE = SIZE / 2
RADIUS = 270
LABEL_RADIUS = 318


# Numbers and dates as the dashboards show them, in ``language`` (the caller asks for it once: a
# page formats a few hundred values). The same values come back on every request: each is formatted
# once per language and kept.


@functools.lru_cache(maxsize=8192, typed=True)
def _number(value, language):
    """An integer as the dashboards show it: localised, with thousands grouped (as ``intcomma``)."""
    return number_format(value, None, force_grouping=True)


@functools.lru_cache(maxsize=8192)
def _decimal(value, language):
    """A quantity, as ``floatformat:"-2g"``: two decimals, none for a whole number, grouped."""
    if value is None:
        return ""
    number = Decimal(value)
    if number == number.to_integral_value():
        return _number(int(number), language)
    return number_format(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2, force_grouping=True)


@functools.lru_cache(maxsize=2048)
def _short_date(day, language):
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _kind_labels():
    """``(kind, subtype) -> label`` as shown (the subtype where there is one), in the active language."""
    subtypes = {value: str(label) for value, label in Organisation.Subtype.choices}
    kinds = {value: str(label) for value, label in Organisation.Kind.choices}
    return lambda node: subtypes.get(node.get("subtype")) or kinds.get(node["kind"], "")


def network_drawing(graph, *, council=None):
    """Positions for the network's SVG: organisations on a circle, grouped by council (the council
    shown first, for a council's dashboard; then the others by name; then organisations in none),
    within a group by kind and weight. Deterministic: the same data draws the same picture.

    Returns ``{"nodes": [{…node, "x", "y", "r", "colour", "group"}], "edges": [{…edge, "x1", "y1",
    "x2", "y2", "width"}], "groups": [{"name", "x", "y", "anchor"}], "size"}``, or None without links.
    """
    if not graph["edges"]:
        return None
    names = graph["councils"]
    order = {Organisation.Kind.SME: 0, Organisation.Kind.HEI: 1, Organisation.Kind.INTERMEDIARY: 2}

    def group_of(node):
        if council is not None and council.slug in node["councils"]:
            return council.slug
        return node["councils"][0] if node["councils"] else ""

    def group_key(slug):
        if council is not None and slug == council.slug:
            return (0, "")
        return (1, names[slug]) if slug else (2, "")

    groups = {}
    for node in graph["nodes"]:
        groups.setdefault(group_of(node), []).append(node)
    ordered = []
    for slug in sorted(groups, key=group_key):
        members = sorted(
            groups[slug], key=lambda n: (order.get(n["kind"], 3), -n["weight"], n["name"], n["id"])
        )
        ordered.append((slug, members))

    # One slot per node and a gap of two slots between groups.
    gap = 2 if len(ordered) > 1 else 0
    slots = len(graph["nodes"]) + gap * len(ordered)
    step = 2 * math.pi / slots
    heaviest = max(node["weight"] for node in graph["nodes"])
    strongest = max(edge["weight"] for edge in graph["edges"])
    max_radius = max(3.0, min(14.0, 0.45 * RADIUS * step))
    kind_label = _kind_labels()
    placed, labels, slot = {}, [], 0
    for slug, members in ordered:
        first = slot
        for node in members:
            angle = -math.pi / 2 + slot * step
            placed[node["id"]] = {
                **node,
                "x": round(CENTRE + RADIUS * math.cos(angle), 1),
                "y": round(CENTRE + RADIUS * math.sin(angle), 1),
                "r": round(2.5 + (max_radius - 2.5) * math.sqrt(node["weight"] / heaviest), 1),
                "colour": KIND_COLOURS.get(node["kind"], "#6c757d"),
                "kind_label": kind_label(node),
                "group": names.get(slug, _("No council")),
            }
            slot += 1
        middle = -math.pi / 2 + (first + slot - 1) / 2 * step
        x = CENTRE + LABEL_RADIUS * math.cos(middle)
        labels.append(
            {
                "name": names.get(slug, _("No council")),
                "x": round(x, 1),
                "y": round(CENTRE + LABEL_RADIUS * math.sin(middle) + 4, 1),
                "anchor": "middle" if abs(x - CENTRE) < 40 else ("start" if x > CENTRE else "end"),
            }
        )
        slot += gap
    edges = []
    for edge in reversed(graph["edges"]):  # the strongest drawn last, on top
        a, b = placed[edge["source"]], placed[edge["target"]]
        edges.append(
            {
                **edge,
                "source_name": a["name"],
                "target_name": b["name"],
                "x1": a["x"],
                "y1": a["y"],
                "x2": b["x"],
                "y2": b["y"],
                "width": round(0.6 + 4.4 * edge["weight"] / strongest, 2),
            }
        )
    return {
        "nodes": list(placed.values()),
        "edges": edges,
        "groups": labels,
        "size": SIZE,
    }


def network_svg(drawing):
    """The network's SVG, built once in Python with plain string formatting (a few hundred elements: a
    template loop over them, or ``format_html`` per element, cost more than the page's SQL). Every
    text is escaped (``html.escape``: <, >, &, quotes); coordinates are numbers, never localised."""
    language = get_language()
    edges = "".join(
        f'<line x1="{e["x1"]}" y1="{e["y1"]}" x2="{e["x2"]}" y2="{e["y2"]}" stroke-width="{e["width"]}">'
        f"<title>{escape(e['source_name'])} – {escape(e['target_name'])}: {_number(e['weight'], language)}"
        "</title></line>"
        for e in drawing["edges"]
    )
    nodes = "".join(
        f'<circle cx="{n["x"]}" cy="{n["y"]}" r="{n["r"]}" fill="{escape(n["colour"])}">'
        f"<title>{escape(n['name'])} · {escape(n['kind_label'])} · {escape(n['group'])}</title></circle>"
        for n in drawing["nodes"]
    )
    labels = "".join(
        f'<text x="{g["x"]}" y="{g["y"]}" text-anchor="{escape(g["anchor"])}">{escape(g["name"])}</text>'
        for g in drawing["groups"]
    )
    title = escape(_("Network of organisations by shared interactions"))
    desc = escape(
        _(
            "The strongest links are listed in the table next to the drawing; hover over a line or a "
            "circle for its organisations."
        )
    )
    size = int(drawing["size"])
    return mark_safe(  # noqa: S308 — every text above is escaped
        f'<svg class="dashboard-network" viewBox="0 0 {size} {size}" role="img" '
        'aria-labelledby="network-svg-title network-svg-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="network-svg-title">{title}</title><desc id="network-svg-desc">{desc}</desc>'
        f'<g class="network-edges">{edges}</g><g class="network-nodes">{nodes}</g>'
        f'<g class="network-labels">{labels}</g></svg>'
    )


def _slug_link(view_name):
    """``slug -> escaped URL`` of a view taking one slug, reversed once for a whole table (slugs are
    URL-safe, so the rest is a concatenation)."""
    before, after = reverse(view_name, args=["SLUG"]).split("SLUG")
    return lambda slug: escape(before + slug + after)


def _links_rows(links):
    """The links' table rows (``<tr>``s), built once in Python: organisation names escaped, linked to
    their pages."""
    url = _slug_link("organisations:detail")
    language = get_language()

    def link(node):
        return f'<a href="{url(node["slug"])}">{escape(node["name"])}</a>'

    return mark_safe(  # noqa: S308 — every text is escaped
        "".join(
            f"<tr><td>{link(row['source'])} – {link(row['target'])}</td>"
            f'<td class="text-end">{_number(row["weight"], language)}</td></tr>'
            for row in links
        )
    )


def _impact_table(impact):
    """Success factor 4's table, built once in Python, every text escaped: ``columns`` (a heading per
    kind that occurs), ``body`` (a row per country: a cell per kind — records, and their quantity —
    and its records in all) and ``totals`` (the same cells for all countries)."""
    language = get_language()
    kinds = [kind for kind, _label in impact["kinds"]]
    quantity = _("quantity %(quantity)s")
    none = escape(_("none"))  # (translatable strings stay outside f-strings: makemessages skips those)
    none = (
        '<td class="text-end"><span aria-hidden="true">—</span>'
        f'<span class="visually-hidden">{none}</span></td>'
    )

    def cell(by_kind):
        if not by_kind:
            return none
        amount = escape(quantity % {"quantity": _decimal(by_kind["quantity"], language)})
        return (
            f'<td class="text-end">{escape(_number(by_kind["count"], language))} '
            f'<span class="small text-body-secondary">({amount})</span></td>'
        )

    def cells(by_kind, count):
        records = escape(_number(count, language))
        return "".join(cell(by_kind.get(kind)) for kind in kinds) + f'<td class="text-end">{records}</td>'

    body = "".join(
        f'<tr><th scope="row">{escape(country["name"])}</th>'
        f"{cells(country['by_kind'], country['count'])}</tr>"
        for country in impact["countries"]
    )
    labels = (label for _kind, label in impact["kinds"])
    columns = "".join(f'<th scope="col" class="text-end">{escape(label)}</th>' for label in labels)
    return {
        "columns": mark_safe(columns),  # noqa: S308 — escaped
        "body": mark_safe(body),  # noqa: S308 — escaped
        "totals": mark_safe(cells(impact["by_kind"], impact["total"])),  # noqa: S308 — escaped
    }


def _indicator_rows(rows, *, council):
    """Success factor 3's table body (``<tr>``s), built once in Python: numbers and dates formatted
    once, every text escaped. The alliance's has some seventy rows: as a template loop they were a
    fifth of the page's time."""
    by_date, progress_of, no_value = (
        _("by %(date)s"),
        _("Progress of %(name)s to its target"),
        _("No value yet"),
    )
    language = get_language()
    cells = []
    for row in rows:

        def amount(value, unit=row["unit"]):
            return escape(f"{_decimal(value, language)} {unit}".strip())

        if row["latest_value"] is None:
            latest = "—"
        else:
            day = _short_date(row["latest_date"], language)
            latest = (
                f'{amount(row["latest_value"])}<div class="small text-body-secondary">{escape(day)}</div>'
            )
        target_day = _short_date(row["target_date"], language)
        if row["progress"] is None:
            progress = f'<span class="small text-body-secondary">{escape(no_value)}</span>'
        else:
            percent = Decimal(str(row["progress"])).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            label = escape(progress_of % {"name": row["name"]})
            progress = (
                f'<div class="d-flex align-items-center gap-2"><progress class="flex-grow-1" max="100" '
                f'value="{percent}" aria-label="{label}">{percent} %</progress>'
                f'<span class="text-nowrap">{percent} %</span></div>'
            )
        cells.append(
            "<tr>"
            + ("" if council else f"<td>{escape(row['council_name'])}</td>")
            + f'<th scope="row" class="fw-normal">{escape(row["name"])}'
            f'<div class="small text-body-secondary">'
            f"{escape(row['challenge'])} → {escape(row['success_factor'])}</div></th>"
            f'<td class="text-end text-nowrap">{amount(row["baseline"])}</td>'
            f'<td class="text-end text-nowrap">{latest}</td>'
            f'<td class="text-end text-nowrap">{amount(row["target"])}<div class="small text-body-secondary">'
            f"{escape(by_date % {'date': target_day})}</div></td>"
            f'<td class="dashboard-progress">{progress}</td></tr>'
        )
    return mark_safe("".join(cells))  # noqa: S308 — every text above is escaped


def _links(graph):
    """The links as table rows, strongest first, with the organisations' names."""
    names = {node["id"]: node for node in graph["nodes"]}
    return [
        {"source": names[edge["source"]], "target": names[edge["target"]], "weight": edge["weight"]}
        for edge in graph["edges"]
    ]


# --- pages --------------------------------------------------------------------------------------


def _summaries(ledger):
    """Success factors 1 and 2: the headline figures, in the order shown."""
    labels = {
        "sme_hei": _("SME–HEI interactions"),
        "cross_cluster": _("Cross-cluster interactions"),
        "cross_border": _("Cross-border interactions"),
        "cross_council": _("Interactions across councils"),
        "total": _("All interactions"),
    }
    language = get_language()
    return {
        metric: {
            "key": metric,
            "label": labels[metric],
            "this_quarter": _change(ledger["summary"][metric]["this_quarter"], language),
            "last_four_quarters": _change(ledger["summary"][metric]["last_four_quarters"], language),
            "series": ledger["series"][metric],
            "total": ledger["total"][metric],
        }
        for metric in kpi.LEDGER_METRICS
    }


def _change(change, language):
    """A change for display: ``{"now", "before"}`` formatted, and ``"html"``: "▲ +3 (+150 %)" (with
    "up" for screen readers), "▼ −1 (−50 %)" ("down") or "no change"."""
    difference = change["difference"]
    shown = {"now": _number(change["now"], language), "before": _number(change["before"], language)}
    if not difference:
        no_change = escape(_("no change"))
        return {**shown, "html": mark_safe(f"<span>{no_change}</span>")}  # noqa: S308 — escaped
    up = difference > 0
    sign = "+" if up else "−"
    amount = escape(_number(abs(difference), language))
    said = escape(_("up") if up else _("down"))
    percent = (
        "" if change["percent"] is None else f" ({sign}{escape(_number(abs(change['percent']), language))} %)"
    )
    html = (
        f'<span class="{"dashboard-up" if up else "dashboard-down"}"><span aria-hidden="true">'
        f'{"▲" if up else "▼"} </span><span class="visually-hidden">{said} '
        f"</span>{sign}{amount}{percent}</span>"
    )
    return {**shown, "html": mark_safe(html)}  # noqa: S308 — every text is escaped


def _table(labels, items, caption):
    """A chart's text alternative, in a disclosure, built once in Python: a row per quarter (its label,
    then each item's value), the items' totals over the period, every text escaped."""
    language = get_language()

    def cells(values):
        return "".join(f'<td class="text-end">{escape(_number(value, language))}</td>' for value in values)

    columns = "".join(f'<th scope="col" class="text-end">{escape(item["label"])}</th>' for item in items)
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>{cells(item["series"][i] for item in items)}</tr>'
        for i, label in enumerate(labels)
    )
    totals = cells(item["total"] for item in items)
    show, quarter, whole = (
        escape(text) for text in (_("Show the numbers as a table"), _("Quarter"), _("Whole period"))
    )
    return mark_safe(  # noqa: S308 — every text is escaped
        f'<details class="mt-2">\n<summary>{show}</summary>\n'
        '<div class="table-responsive"><table class="table table-sm mt-2">\n'
        f"<caption>{escape(caption)}</caption>\n"
        f'<thead><tr><th scope="col">{quarter}</th>{columns}</tr></thead>\n<tbody>{body}</tbody>\n'
        f'<tfoot><tr><th scope="row">{whole}</th>{totals}</tr></tfoot>\n'
        "</table></div>\n</details>"
    )


def _figures(items, column):
    """Success factors 1 and 2's headline figures, a card each (in a ``column`` of the grid): this
    quarter so far against the same days a year before, the last four full quarters against the four
    before. Built once in Python, every text escaped."""
    so_far, last_four = _("this quarter so far"), _("in the last four full quarters")
    year_ago = _("%(before)s in the same days a year ago")
    four_before = _("%(before)s in the four quarters before")
    cards = []
    for item in items:
        now, last = item["this_quarter"], item["last_four_quarters"]
        cards.append(
            f'<div class="{column}"><div class="card h-100"><div class="card-body">\n'
            f'<h3 class="h6 card-title">{escape(item["label"])}</h3>\n'
            f'<p class="mb-0"><span class="fs-2 fw-semibold">{escape(now["now"])}</span> '
            f"{escape(so_far)}</p>\n"
            f'<p class="small text-body-secondary mb-3">{now["html"]} · '
            f"{escape(year_ago % {'before': now['before']})}</p>\n"
            f'<p class="mb-0"><strong>{escape(last["now"])}</strong> {escape(last_four)}</p>\n'
            f'<p class="small text-body-secondary mb-0">{last["html"]} · '
            f"{escape(four_before % {'before': last['before']})}</p>\n</div></div></div>\n"
        )
    return mark_safe("".join(cards))  # noqa: S308 — every text is escaped; the changes' HTML is built so


def _membership_rows(membership, *, council):
    """The members table's body (``<tr>``s): per council (linked, on the alliance's), the active
    member organisations of each kind and in all, built once in Python."""
    url = _slug_link("councils:detail")
    kinds = [kind for kind, _label in membership["kinds"]]
    language = get_language()
    rows = []
    for row in membership["rows"]:
        name = ""
        if council is None:
            name = f'<th scope="row"><a href="{url(row["council"])}">{escape(row["council_name"])}</a></th>'
        counts = [row["by_kind"].get(kind, 0) for kind in kinds] + [row["total"]]
        cells = "".join(f'<td class="text-end">{escape(_number(n, language))}</td>' for n in counts)
        rows.append(f"<tr>{name}{cells}</tr>")
    return mark_safe("".join(rows))  # noqa: S308 — every text is escaped


def _membership_totals(membership, language):
    """The members table's totals: per kind, then in all."""
    totals = membership["total"]
    return [_number(totals.get(kind, 0), language) for kind, _label in membership["kinds"]] + [
        _number(totals["all"], language)
    ]


def _dashboard_data(council, period):
    """``kpi.dashboard_data``, with the network — a self-join of the ledger, seconds at a million
    entries, the same for every viewer — read from the cache (``kpi.network_cached``: kept for
    COUNCIL_DASHBOARD_CACHE_SECONDS, refreshed by the ``councils.refresh_networks`` task; 0: computed
    on every request). Everything else is read on every request, so a new interaction counts at once
    (the ledger's counts come from its daily roll-up, a few hundred rows). The viewer's permission is
    checked before."""
    return {
        "council": council,
        "period": period,
        "ledger": kpi.ledger_kpis(council=council, period=period),
        "network": kpi.network_cached(council=council, period=period),
        "indicators": kpi.indicator_rows(council=council),
        "impact": kpi.impact_kpis(council=council, period=period),
        "membership": kpi.membership_by_kind(council=council),
        "meetings": kpi.meetings_by_quarter(council=council, period=period),
    }


# What is drawn of a cached graph, per graph version and language: the graph changes only when the
# periodic task recomputes it, so each process draws it once per version instead of on every request.
_DRAWN = {}
_DRAWN_KEPT = 64  # a few versions of 7 scopes × 4 periods × 5 languages; the oldest go first


def network_presentation(graph, *, council):
    """The network section's parts: ``{"drawn" (False without links), "svg", "links_top" (the
    strongest links, with their organisations), "links_rows" (their table's rows)}``, drawn from
    ``graph`` — once per process, version and language for a cached graph (``kpi.network_refresh``
    gives it a version), on every call for one that is not."""
    key = (graph.get("version"), council.pk if council else None, get_language())
    if key[0] is not None and key in _DRAWN:
        return _DRAWN[key]
    drawing = network_drawing(graph, council=council)
    links_top = _links(graph)[:LINKS_LISTED]
    presented = {
        "drawn": drawing is not None,
        "svg": network_svg(drawing) if drawing else "",
        "links_top": links_top,
        "links_rows": _links_rows(links_top),
    }
    if key[0] is not None:
        while len(_DRAWN) >= _DRAWN_KEPT:
            _DRAWN.pop(next(iter(_DRAWN)), None)
        _DRAWN[key] = presented
    return presented


def _render(request, *, council):
    form, quarters = _period_form(request)
    period = kpi.period_for(quarters=quarters or kpi.DEFAULT_QUARTERS)
    data = _dashboard_data(council, period)
    summaries = _summaries(data["ledger"])
    language = get_language()
    labels = data["ledger"]["labels"]
    context = {
        "council": council,
        "form": form,
        "bad_period": quarters is None and "quarters" in request.GET,
        "period": period,
        "period_text": ngettext(
            "%(first)s to %(last)s (%(count)s quarter)",
            "%(first)s to %(last)s (%(count)s quarters)",
            period.count,
        )
        % {"first": labels[0], "last": labels[-1], "count": period.count},
        "data": data,
        "charts": _charts(data),
        "sf1_figures": _figures([summaries["sme_hei"], summaries["total"]], "col-md-6"),
        "sf1_table": _table(
            labels,
            [summaries["sme_hei"], summaries["total"]],
            _("SME–HEI interactions and all interactions per quarter"),
        ),
        "sf2_figures": _figures(
            [summaries["cross_cluster"], summaries["cross_border"], summaries["cross_council"]], "col-md-4"
        ),
        "sf2_table": _table(
            labels,
            [summaries["cross_cluster"], summaries["cross_border"], summaries["cross_council"]],
            _("Cross-cluster, cross-border and across-councils interactions per quarter"),
        ),
        "meetings_held": sum(data["meetings"]["meetings"]),
        "meetings_table": _table(
            labels,
            [
                {
                    "label": _("Meetings held"),
                    "series": data["meetings"]["meetings"],
                    "total": sum(data["meetings"]["meetings"]),
                },
                {
                    "label": _("People checked in"),
                    "series": data["meetings"]["attendance"],
                    "total": sum(data["meetings"]["attendance"]),
                },
            ],
            _("Meetings held and people checked in per quarter"),
        ),
        "impact_table": _impact_table(data["impact"]),
        "membership_rows": _membership_rows(data["membership"], council=council),
        "membership_totals": _membership_totals(data["membership"], language),
        "indicator_rows": _indicator_rows(data["indicators"], council=council),
        "network": network_presentation(data["network"], council=council),
        "kind_legend": [
            (label, KIND_COLOURS[kind]) for kind, label in Organisation.Kind.choices if kind in KIND_COLOURS
        ],
        "network_limit": kpi.NETWORK_LIMIT,
    }
    return render(request, "councils/dashboard/dashboard.html", context)


@login_required
@require_safe
def council_dashboard(request, slug):
    council = get_object_or_404(Council, slug=slug)
    if not request.user.has_perm(VIEW, council):
        raise Http404
    return _render(request, council=council)


@login_required
@require_safe
def alliance_dashboard(request):
    if not request.user.has_perm(VIEW_ALLIANCE):
        raise PermissionDenied
    return _render(request, council=None)


urlpatterns = [
    path("dashboard/", alliance_dashboard, name="alliance_dashboard"),
    path("<slug:slug>/dashboard/", council_dashboard, name="dashboard"),
]
