"""The Council KPI report: the four success factors of one council, or of the whole alliance, quarter
by quarter over a period the requester chooses; as XLSX (a summary sheet and one sheet per success
factor, with native charts) or PDF (tables and SVG charts), built by a report job.

- Success factor 1 — interactions between SMEs and universities (SME–HEI), from the ledger;
- success factor 2 — interactions across clusters (regions) and across borders, from the ledger;
- success factor 3 — the council's challenges → adapted success factors → indicators, with their
  baseline, target, latest value and progress, and each indicator's value at the end of each quarter;
- success factor 4 — impact records by quarter and kind, and by country and kind.

Every number is an SQL aggregate (a fixed number of queries whatever the size of the ledger), the
same ones the KPI dashboards show (``councils.kpi``).

Who may ask: coordinators, for the councils they coordinate or the whole alliance, and staff, for
any council or the alliance (``councils.council_report``). The parameters form offers only those
councils and refuses any other (a forged request is a form error); the build checks again, as the
requester's roles may have changed while the job waited.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from organisations.models import Interaction
from reports import exports
from reports.models import Format
from reports.registry import ReportBuilder, ReportError, register

from .models import Council, CouncilInteraction, ImpactRecord, IndicatorValue
from .permissions import coordinated_council_ids
from .selectors.success import impact_by_country, indicators_with_progress

REPORT_NAME = "council_kpi"
ALLIANCE = "alliance"
QUARTERS_OFFERED = 20  # the quarters the form lists, the current one and those before it
DEFAULT_QUARTERS = 8


# --- quarters -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    @classmethod
    def of(cls, day):
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text):
        """``"2026-Q3"`` → Quarter(2026, 3); ValueError for anything else."""
        year, _sep, number = str(text).partition("-Q")
        quarter = cls(int(year), int(number))
        if not (1 <= quarter.number <= 4 and 1900 <= quarter.year <= 2100):
            raise ValueError(text)
        return quarter

    @property
    def key(self):
        return f"{self.year}-Q{self.number}"

    @property
    def label(self):
        return _("%(year)s Q%(number)s") % {"year": self.year, "number": self.number}  # as the dashboards

    @property
    def start(self):
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self):
        return self.next().start - timedelta(days=1)

    def next(self):
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self):
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self):
        return self.label


def quarters_between(first, last):
    quarters, quarter = [], first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def recent_quarters(count, today=None):
    """The current quarter and the ``count - 1`` before it, oldest first."""
    quarter = Quarter.of(today or timezone.localdate())
    quarters = [quarter]
    for _i in range(count - 1):
        quarter = quarter.previous()
        quarters.append(quarter)
    return quarters[::-1]


# --- who may ask for which council --------------------------------------------------------------


def report_councils(user):
    """The councils ``user`` may have the report of: all six for staff, the ones they coordinate for
    coordinators, none for anyone else. Whether the whole alliance is offered: to the same people
    (the alliance's figures are on the alliance dashboard, which every portal member sees)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return [], False
    if user.is_staff:
        return list(Council.objects.order_by("name")), True
    ids = coordinated_council_ids(user)
    return list(Council.objects.filter(pk__in=ids).order_by("name")), bool(ids)


class CouncilKpiReportForm(forms.Form):
    council = forms.ChoiceField(label=gettext_lazy("Council"))
    first_quarter = forms.ChoiceField(label=gettext_lazy("From quarter"))
    last_quarter = forms.ChoiceField(label=gettext_lazy("To quarter"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        councils, alliance = report_councils(user)
        self._councils = {council.slug: council for council in councils}
        choices = [(ALLIANCE, _("The whole alliance"))] if alliance else []
        choices += [(council.slug, council.name) for council in councils]
        self.fields["council"].choices = choices
        if councils:
            self.fields["council"].initial = councils[0].slug if not user.is_staff else ALLIANCE
        quarters = recent_quarters(QUARTERS_OFFERED)[::-1]  # the newest first
        quarter_choices = [(quarter.key, quarter.label) for quarter in quarters]
        self.fields["first_quarter"].choices = quarter_choices
        self.fields["last_quarter"].choices = quarter_choices
        self.fields["first_quarter"].initial = quarters[DEFAULT_QUARTERS - 1].key
        self.fields["last_quarter"].initial = quarters[0].key

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_quarter"), cleaned.get("last_quarter")
        if first and last and Quarter.parse(first) > Quarter.parse(last):
            self.add_error("last_quarter", _("The last quarter cannot be before the first."))
        return cleaned

    @property
    def chosen_council(self):
        """The council chosen, or None for the whole alliance (once the form is valid)."""
        return self._councils.get(self.cleaned_data["council"])

    @property
    def quarters(self):
        return quarters_between(
            Quarter.parse(self.cleaned_data["first_quarter"]),
            Quarter.parse(self.cleaned_data["last_quarter"]),
        )


# --- the numbers --------------------------------------------------------------------------------


@dataclass
class KpiReportData:
    council: Council | None
    quarters: list
    # Success factors 1 and 2: per quarter {"total", "sme_hei", "cross_cluster", "cross_border"}.
    interactions: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)  # per quarter: organisations that interacted
    by_kind: list = field(default_factory=list)  # (kind, total, sme_hei, cross_cluster, cross_border)
    by_council: list = field(default_factory=list)  # alliance: (council, total, sme_hei, cluster, border)
    # Success factor 3.
    indicators: list = field(default_factory=list)  # Indicator objects with latest value and progress
    indicator_quarters: dict = field(default_factory=dict)  # indicator id -> {quarter: value at its end}
    # Success factor 4.
    impact_quarters: dict = field(default_factory=dict)  # quarter -> {kind: count}
    impact_by_country: list = field(default_factory=list)  # {"country", "kind", "count", "quantity"}

    def totals(self):
        keys = ("total", "sme_hei", "cross_cluster", "cross_border")
        return {key: sum(row[key] for row in self.interactions.values()) for key in keys}


def _quarter_index(quarters, field):
    """The number (0, 1, …) of the quarter of ``quarters`` a date field falls in, as a CASE of date
    comparisons: much cheaper per row than DATE_TRUNC, which PostgreSQL computes through a time zone."""
    return Case(
        *(
            When(**{f"{field}__lt": quarter.next().start}, then=Value(index))
            for index, quarter in enumerate(quarters)
        ),
        default=Value(len(quarters) - 1),
        output_field=IntegerField(),
    )


_FLAGS = {"sme_hei": "is_sme_hei", "cross_cluster": "is_cross_cluster", "cross_border": "is_cross_border"}


def _flag_counts(prefix=""):
    return {
        "total": Count("pk"),
        **{key: Count("pk", filter=Q(**{f"{prefix}{flag}": True})) for key, flag in _FLAGS.items()},
    }


def _ledger(council, since, until):
    interactions = Interaction.objects.filter(date__gte=since, date__lte=until)
    if council is not None:
        interactions = interactions.filter(council_links__council=council)
    return interactions.order_by()


def interaction_series(*, council, quarters):
    """Rows {"quarter" (its number in ``quarters``), "total", "sme_hei", "cross_cluster", "cross_border"}."""
    return (
        _ledger(council, quarters[0].start, quarters[-1].end)
        .annotate(quarter=_quarter_index(quarters, "date"))
        .values("quarter")
        .annotate(**_flag_counts())
        .order_by("quarter")
    )


def organisation_series(*, council, quarters):
    """Rows {"quarter", "organisations"}: how many organisations took part in an interaction."""
    links = Interaction.organisations.through.objects.filter(
        interaction__date__gte=quarters[0].start, interaction__date__lte=quarters[-1].end
    )
    if council is not None:
        links = links.filter(interaction__council_links__council=council)
    return (
        links.order_by()
        .annotate(quarter=_quarter_index(quarters, "interaction__date"))
        .values("quarter")
        .annotate(organisations=Count("organisation_id", distinct=True))
        .order_by("quarter")
    )


def interactions_by_kind(*, council, since, until):
    return _ledger(council, since, until).values("kind").annotate(**_flag_counts()).order_by("kind")


def interactions_by_council(*, since, until):
    """Rows {"council" (id), "total", …}: each council's linked interactions."""
    return (
        CouncilInteraction.objects.filter(interaction__date__gte=since, interaction__date__lte=until)
        .order_by()
        .values("council")
        .annotate(**_flag_counts("interaction__"))
        .order_by("council")
    )


def _impact(council, since, until):
    records = ImpactRecord.objects.filter(date__gte=since, date__lte=until)
    if council is not None:
        records = records.filter(council=council)
    return records.order_by()


def impact_series(*, council, quarters):
    """Rows {"quarter" (its number in ``quarters``), "kind", "count"}."""
    return (
        _impact(council, quarters[0].start, quarters[-1].end)
        .annotate(quarter=_quarter_index(quarters, "date"))
        .values("quarter", "kind")
        .annotate(count=Count("pk"))
        .order_by("quarter", "kind")
    )


def council_kpi_data(*, council, quarters):
    """The report's numbers for ``council`` (None: the whole alliance) over ``quarters``: eight
    queries whatever the size of the ledger."""
    first, last = quarters[0], quarters[-1]
    since, until = first.start, last.end
    data = KpiReportData(council=council, quarters=quarters)

    zero = {"total": 0, "sme_hei": 0, "cross_cluster": 0, "cross_border": 0}
    data.interactions = {quarter: dict(zero) for quarter in quarters}
    for row in interaction_series(council=council, quarters=quarters):
        data.interactions[quarters[row["quarter"]]] = {key: row[key] or 0 for key in zero}
    data.organisations = dict.fromkeys(quarters, 0)
    for row in organisation_series(council=council, quarters=quarters):
        data.organisations[quarters[row["quarter"]]] = row["organisations"]
    kinds = {row["kind"]: row for row in interactions_by_kind(council=council, since=since, until=until)}
    data.by_kind = [
        (str(label), *(kinds.get(kind, {}).get(key, 0) or 0 for key in zero))
        for kind, label in Interaction.Kind.choices
    ]
    if council is None:
        per_council = {row["council"]: row for row in interactions_by_council(since=since, until=until)}
        data.by_council = [
            (c, *(per_council.get(c.pk, {}).get(key, 0) or 0 for key in zero))
            for c in Council.objects.order_by("name")
        ]

    data.indicators = list(indicators_with_progress(council=council))
    data.indicator_quarters = _indicator_quarter_values(data.indicators, quarters)

    data.impact_quarters = {quarter: defaultdict(int) for quarter in quarters}
    for row in impact_series(council=council, quarters=quarters):
        data.impact_quarters[quarters[row["quarter"]]][row["kind"]] += row["count"]
    data.impact_by_country = list(impact_by_country(records=_impact(council, since, until)))
    return data


def _indicator_quarter_values(indicators, quarters):
    """{indicator id: {quarter: the latest value recorded by the quarter's end, or None}} in one query
    (the values up to the period's end; a council has tens of indicators with a value a quarter)."""
    values = defaultdict(dict)
    if not indicators:
        return values
    rows = (
        IndicatorValue.objects.filter(indicator__in=[i.pk for i in indicators], date__lte=quarters[-1].end)
        .order_by("indicator_id", "date")
        .values_list("indicator_id", "date", "value")
    )
    by_indicator = defaultdict(list)
    for indicator_id, day, value in rows:
        by_indicator[indicator_id].append((day, value))
    for indicator in indicators:
        series, latest, position = by_indicator.get(indicator.pk, []), None, 0
        for quarter in quarters:
            while position < len(series) and series[position][0] <= quarter.end:
                latest = series[position][1]
                position += 1
            values[indicator.pk][quarter] = latest
    return values


# --- the tables, in the report's language -------------------------------------------------------


def _percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0


def _number(value):
    """Decimals as int when whole, else float (spreadsheet numbers, not text)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _kind_labels():
    return {value: str(label) for value, label in ImpactRecord.Kind.choices}


def _scope(data):
    return data.council.name if data.council else _("The whole alliance")


def report_tables(data):
    """The report's tables as {name: (title, header, rows, total)}."""
    quarters = data.quarters
    tables = {}
    rows = []
    for quarter in quarters:
        row = data.interactions[quarter]
        rows.append(
            [
                quarter.label,
                row["total"],
                row["sme_hei"],
                _percent(row["sme_hei"], row["total"]),
                data.organisations.get(quarter, 0),
            ]
        )
    totals = data.totals()
    tables["sf1_quarters"] = (
        _("SME–HEI interactions by quarter"),
        [_("Quarter"), _("Interactions"), _("SME–HEI"), _("SME–HEI share (%)"), _("Organisations involved")],
        rows,
        [_("Total"), totals["total"], totals["sme_hei"], _percent(totals["sme_hei"], totals["total"]), ""],
    )
    tables["by_kind"] = (
        _("Interactions by kind"),
        [_("Kind"), _("Interactions"), _("SME–HEI"), _("Cross-cluster"), _("Cross-border")],
        [list(row) for row in data.by_kind],
        [_("Total"), totals["total"], totals["sme_hei"], totals["cross_cluster"], totals["cross_border"]],
    )
    rows = []
    for quarter in quarters:
        row = data.interactions[quarter]
        rows.append(
            [
                quarter.label,
                row["cross_cluster"],
                row["cross_border"],
                _percent(row["cross_cluster"], row["total"]),
                _percent(row["cross_border"], row["total"]),
            ]
        )
    tables["sf2_quarters"] = (
        _("Cross-cluster and cross-border interactions by quarter"),
        [
            _("Quarter"),
            _("Cross-cluster"),
            _("Cross-border"),
            _("Cross-cluster share (%)"),
            _("Cross-border share (%)"),
        ],
        rows,
        [
            _("Total"),
            totals["cross_cluster"],
            totals["cross_border"],
            _percent(totals["cross_cluster"], totals["total"]),
            _percent(totals["cross_border"], totals["total"]),
        ],
    )
    if data.council is None:
        tables["by_council"] = (
            _("Interactions by council"),
            [_("Council"), _("Interactions"), _("SME–HEI"), _("Cross-cluster"), _("Cross-border")],
            [[str(row[0]), *row[1:]] for row in data.by_council],
            None,
        )
    indicator_rows, value_rows = [], []
    for indicator in data.indicators:
        factor = indicator.success_factor
        progress = indicator.progress
        indicator_rows.append(
            [
                *([factor.challenge.council.name] if data.council is None else []),
                factor.challenge.title,
                factor.title,
                indicator.name,
                indicator.unit,
                _number(indicator.baseline),
                indicator.baseline_date,
                _number(indicator.target),
                indicator.target_date,
                _number(indicator.latest_value),
                indicator.latest_date,
                round(progress, 1) if progress is not None else None,
            ]
        )
        value_rows.append(
            [
                indicator.name,
                *(_number(data.indicator_quarters[indicator.pk].get(q)) for q in quarters),
            ]
        )
    tables["indicators"] = (
        _("Indicators: baseline, target, latest value and progress"),
        [
            *([_("Council")] if data.council is None else []),
            _("Challenge"),
            _("Success factor"),
            _("Indicator"),
            _("Unit"),
            _("Baseline"),
            _("Baseline date"),
            _("Target"),
            _("Target date"),
            _("Latest value"),
            _("Latest date"),
            _("Progress to target (%)"),
        ],
        indicator_rows,
        None,
    )
    tables["indicator_quarters"] = (
        _("Indicator values at the end of each quarter"),
        [_("Indicator"), *(q.label for q in quarters)],
        value_rows,
        None,
    )
    kinds = _kind_labels()
    rows = [
        [quarter.label, *(data.impact_quarters[quarter].get(kind, 0) for kind in kinds)]
        + [sum(data.impact_quarters[quarter].values())]
        for quarter in quarters
    ]
    tables["impact_quarters"] = (
        _("Impact records by quarter and kind"),
        [_("Quarter"), *kinds.values(), _("Total")],
        rows,
        [_("Total"), *(sum(row[1 + i] for row in rows) for i in range(len(kinds))), sum(r[-1] for r in rows)],
    )
    tables["impact_country"] = (
        _("Impact by country and kind"),
        [_("Country"), _("Kind"), _("Records"), _("Quantity")],
        [
            [
                str(countries.name(row["country"]) or row["country"]),
                kinds.get(row["kind"], row["kind"]),
                row["count"],
                _number(row["quantity"]),
            ]
            for row in data.impact_by_country
        ],
        None,
    )
    return tables


def _summary(job, data, tables):
    totals = data.totals()
    progress = [i.progress for i in data.indicators if i.progress is not None]
    impact_records = sum(sum(counts.values()) for counts in data.impact_quarters.values())
    return {
        "title": _("Council KPI report"),
        "scope": _scope(data),
        "period": f"{data.quarters[0].label} – {data.quarters[-1].label}",
        "generated": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
        "figures": [
            (_("Interactions"), totals["total"]),
            (_("1. SME–HEI interactions"), totals["sme_hei"]),
            (_("2. Cross-cluster interactions"), totals["cross_cluster"]),
            (_("2. Cross-border interactions"), totals["cross_border"]),
            (_("3. Indicators"), len(data.indicators)),
            (
                _("3. Mean progress to target (%)"),
                round(sum(progress) / len(progress), 1) if progress else _("no values yet"),
            ),
            (_("4. Impact records"), impact_records),
        ],
        "note": _(
            "Interactions are those of the ledger linked to the council (for the alliance: all of them), "
            "by the quarter of their date. An interaction can be SME–HEI, cross-cluster and "
            "cross-border at once. Progress is the latest value's way from the baseline to the target."
        ),
    }


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx(job, data, tables):
    summary = _summary(job, data, tables)
    workbook = exports.xlsx_workbook()
    sheet = exports.xlsx_sheet(workbook, _("Summary"))
    exports.xlsx_key_values(
        sheet,
        [
            (_("Council"), summary["scope"]),
            (_("Period"), summary["period"]),
            (_("Generated"), summary["generated"]),
            *summary["figures"],
            (_("Note"), summary["note"]),
        ],
        title=summary["title"],
        start_row=1,
    )
    totals = data.totals()
    overview = [
        [
            q.label,
            data.interactions[q]["total"],
            data.interactions[q]["sme_hei"],
            data.interactions[q]["cross_cluster"],
            data.interactions[q]["cross_border"],
            sum(data.impact_quarters[q].values()),
        ]
        for q in data.quarters
    ]
    exports.xlsx_table(
        sheet,
        [
            _("Quarter"),
            _("Interactions"),
            _("SME–HEI"),
            _("Cross-cluster"),
            _("Cross-border"),
            _("Impact records"),
        ],
        overview,
        title=_("Quarter by quarter"),
        total=[
            _("Total"),
            totals["total"],
            totals["sme_hei"],
            totals["cross_cluster"],
            totals["cross_border"],
            sum(row[5] for row in overview),
        ],
    )

    sheet = exports.xlsx_sheet(workbook, _("1 SME–HEI"))
    table = _table(sheet, tables["sf1_quarters"])
    exports.xlsx_bar_chart(
        table, title=tables["sf1_quarters"][0], anchor="H2", series_cols=[2, 3], y_title=_("Interactions")
    )
    _table(sheet, tables["by_kind"])

    sheet = exports.xlsx_sheet(workbook, _("2 Cross-cluster"))
    table = _table(sheet, tables["sf2_quarters"])
    exports.xlsx_bar_chart(
        table, title=tables["sf2_quarters"][0], anchor="H2", series_cols=[2, 3], y_title=_("Interactions")
    )
    if "by_council" in tables:
        _table(sheet, tables["by_council"])

    sheet = exports.xlsx_sheet(workbook, _("3 Adapted factors"))
    _table(sheet, tables["indicators"], number_format="#,##0.##")
    _table(sheet, tables["indicator_quarters"], number_format="#,##0.##")

    sheet = exports.xlsx_sheet(workbook, _("4 Impact"))
    kinds = len(_kind_labels())
    table = _table(sheet, tables["impact_quarters"])
    exports.xlsx_bar_chart(
        table,
        title=tables["impact_quarters"][0],
        anchor=f"{chr(ord('A') + kinds + 3)}2",
        series_cols=range(2, 2 + kinds),
        stacked=True,
        y_title=_("Records"),
    )
    _table(sheet, tables["impact_country"], number_format="#,##0.##")
    return exports.xlsx_bytes(workbook)


def _table(sheet, table, number_format="#,##0.#"):
    title, header, rows, total = table
    start_row = None if sheet.max_row > 1 or sheet["A1"].value else 1
    return exports.xlsx_table(
        sheet, header, rows, total=total, title=title, start_row=start_row, number_format=number_format
    )


# --- PDF ----------------------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, date):
        return {"value": formats.date_format(value, "SHORT_DATE_FORMAT"), "number": False}
    if value is None:
        return {"value": "–", "number": False}
    return {"value": value, "number": isinstance(value, int | float) and not isinstance(value, bool)}


def _pdf_table(table):
    title, header, rows, total = table
    sample = total or (rows[0] if rows else header)
    return {
        "title": title,
        "header": [
            {"value": label, "number": isinstance(cell, int | float)}
            for label, cell in zip(header, sample, strict=False)
        ],
        "rows": [[_cell(value) for value in row] for row in rows],
        "total": [_cell(value) for value in total] if total else None,
    }


def _pdf(job, data, tables):
    quarters = [q.label for q in data.quarters]
    series = data.interactions
    sf1_chart = exports.svg_bar_chart(
        quarters,
        [
            (_("Interactions"), [series[q]["total"] for q in data.quarters]),
            (_("SME–HEI"), [series[q]["sme_hei"] for q in data.quarters]),
        ],
        title=tables["sf1_quarters"][0],
    )
    sf2_chart = exports.svg_bar_chart(
        quarters,
        [
            (_("Cross-cluster"), [series[q]["cross_cluster"] for q in data.quarters]),
            (_("Cross-border"), [series[q]["cross_border"] for q in data.quarters]),
        ],
        title=tables["sf2_quarters"][0],
    )
    indicators = [i for i in data.indicators if i.progress is not None]
    sf3_chart = (
        exports.svg_bar_chart(
            [i.name for i in indicators],
            [(_("Progress to target (%)"), [round(i.progress, 1) for i in indicators])],
            title=_("Progress to target (%)"),
            label_width=220,
        )
        if indicators
        else ""
    )
    sf4_chart = exports.svg_bar_chart(
        quarters,
        [(_("Impact records"), [sum(data.impact_quarters[q].values()) for q in data.quarters])],
        title=tables["impact_quarters"][0],
    )
    context = {
        **_summary(job, data, tables),
        "sections": [
            {
                "title": _("Success factor 1: SME–HEI interactions"),
                "chart": sf1_chart,
                "tables": [_pdf_table(tables["sf1_quarters"]), _pdf_table(tables["by_kind"])],
            },
            {
                "title": _("Success factor 2: cross-cluster and cross-border interactions"),
                "chart": sf2_chart,
                "tables": [
                    _pdf_table(tables["sf2_quarters"]),
                    *([_pdf_table(tables["by_council"])] if "by_council" in tables else []),
                ],
            },
            {
                "title": _("Success factor 3: success factors adapted to the council's challenges"),
                "chart": sf3_chart,
                "tables": [_pdf_table(tables["indicators"]), _pdf_table(tables["indicator_quarters"])],
                "empty": _("No indicators yet.") if not data.indicators else "",
            },
            {
                "title": _("Success factor 4: direct impact in each country"),
                "chart": sf4_chart,
                "tables": [_pdf_table(tables["impact_quarters"]), _pdf_table(tables["impact_country"])],
            },
        ],
    }
    return exports.pdf_from_template("councils/reports/council_kpi_pdf.html", context)


# --- the builder --------------------------------------------------------------------------------


def build_council_kpi_report(job, params, progress):
    """Build the Council KPI report for ``job`` (runs in the requester's language and time zone)."""
    form = CouncilKpiReportForm(data=params, user=job.requested_by)
    if not form.is_valid():
        raise ReportError(
            _("You may no longer ask for this report with these parameters (%(problems)s).")
            % {"problems": "; ".join(" ".join(errors) for errors in form.errors.values())}
        )
    progress(10)
    data = council_kpi_data(council=form.chosen_council, quarters=form.quarters)
    progress(60)
    tables = report_tables(data)
    content = _pdf(job, data, tables) if job.format == Format.PDF else _xlsx(job, data, tables)
    progress(95)
    scope = data.council.slug if data.council else ALLIANCE
    period = f"{data.quarters[0].key}-{data.quarters[-1].key}"
    return f"council-kpi-{scope}-{period}.{job.format}", content


BUILDER = ReportBuilder(
    name=REPORT_NAME,
    title=gettext_lazy("Council KPI report"),
    description=gettext_lazy(
        "The four success factors of a council you coordinate, or of the whole alliance, quarter by "
        "quarter: SME–HEI, cross-cluster and cross-border interactions, indicators and their progress "
        "to target, impact by country."
    ),
    form_class=CouncilKpiReportForm,
    formats=(Format.XLSX, Format.PDF),
    build=build_council_kpi_report,
    permission="councils.council_report",
    form_takes_user=True,
)


def register_reports():
    """Called from the app's ``ready()``: offer the Council KPI report."""
    register(BUILDER)
