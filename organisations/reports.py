"""The directory report: how many organisations there are by region × kind × size band, and by
sector, among those matching the directory filters the requester chose; as XLSX (tables and native
charts) or PDF (tables and SVG charts).

Counts are computed in SQL (a fixed number of queries whatever the number of organisations) and
only from what each organisation shows the requester: an organisation that hides its size band (or
sectors) from them is counted under "not shown", so the report never reveals a hidden value.
"""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Case, CharField, Count, F, IntegerField, Sum, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import exports
from reports.models import Format
from reports.registry import ReportBuilder, ReportError, register

from .models import Organisation, Region
from .selectors import DirectoryFilter, Viewer, viewer_for

NOT_STATED = "not_stated"
NOT_SHOWN = "not_shown"
SIZES = [*Organisation.SizeBand.values, NOT_STATED, NOT_SHOWN]
TOP_SECTORS_IN_CHARTS = 10


class DirectoryReportForm(forms.Form):
    """The directory's filters as a form of its own: the same fields, labels and choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        filters = DirectoryFilter(queryset=Organisation.objects.none(), viewer=Viewer())
        for name, filter_field in filters.form.fields.items():
            self.fields[name] = filter_field


@dataclass
class DirectoryCounts:
    """The report's numbers. ``grid`` maps (region, kind, size) to a count, where size is a size
    band, ``NOT_STATED`` or ``NOT_SHOWN``; ``sectors`` are (code, name, count), most first; an
    organisation in several sectors counts in each."""

    grid: dict = field(default_factory=dict)
    sectors: list = field(default_factory=list)
    sector_not_stated: int = 0
    sector_not_shown: int = 0

    @property
    def total(self):
        return sum(self.grid.values())

    def count(self, region=None, kind=None, size=None):
        return sum(
            n
            for (r, k, s), n in self.grid.items()
            if (region is None or r == region) and (kind is None or k == kind) and (size is None or s == size)
        )


def _shown(viewer, field_name):
    """A condition true for the organisations that show ``field_name`` to ``viewer`` (None: all do)."""
    condition = viewer.can_see_q(field_name)
    return condition or None  # an empty Q() (staff) cannot be a When() condition


def directory_counts(*, viewer, params):
    """Count the organisations matching the directory filters ``params`` as ``viewer`` may see
    them, in two queries. Raises ReportError when the filters are not valid (any more)."""
    filters = DirectoryFilter(params, queryset=Organisation.objects.all(), viewer=viewer)
    if not filters.is_valid():
        problems = "; ".join(
            f"{filters.form.fields[name].label}: {' '.join(errors)}"
            for name, errors in filters.errors.items()
        )
        raise ReportError(
            _("The filters of this report are not valid any more (%(problems)s).") % {"problems": problems}
        )
    # The filtered ids as a subquery: the search's ranking and ordering stay out of the counting.
    matching = Organisation.objects.filter(pk__in=filters.qs.order_by().values("pk"))

    size_shown, sectors_shown = _shown(viewer, "size_band"), _shown(viewer, "sectors")
    size = Case(When(size_band="", then=Value(NOT_STATED)), default=F("size_band"), output_field=CharField())
    if size_shown is not None:
        size = Case(When(size_shown, then=size), default=Value(NOT_SHOWN), output_field=CharField())
    sectors_hidden = (
        Value(0)
        if sectors_shown is None
        else Case(When(sectors_shown, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    counts = DirectoryCounts()
    rows = (
        matching.annotate(size=size, sectors_hidden=sectors_hidden)
        .values("region", "kind", "size")
        .annotate(n=Count("pk"), hidden=Sum("sectors_hidden"))
        .order_by()
    )
    for row in rows:
        counts.grid[(row["region"], row["kind"], row["size"])] = row["n"]
        counts.sector_not_shown += row["hidden"] or 0

    with_sectors = matching if sectors_shown is None else matching.filter(sectors_shown)
    sector_rows = (
        with_sectors.values("sectors__code", "sectors__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for row in sector_rows:
        if row["sectors__code"] is None:
            counts.sector_not_stated = row["n"]
        else:
            counts.sectors.append((row["sectors__code"], row["sectors__name"], row["n"]))
    counts.sectors.sort(key=lambda sector: (-sector[2], sector[0]))
    return counts


# --- the tables, in the report's language -------------------------------------------------------


def _size_labels():
    return {
        **{value: str(label) for value, label in Organisation.SizeBand.choices},
        NOT_STATED: _("Not stated"),
        NOT_SHOWN: _("Not shown to you"),
    }


def directory_tables(counts):
    """The report's three tables as (title, header, rows, total row): organisations by region and
    kind, by region, kind and size band, and by sector."""
    regions = [(value, str(label)) for value, label in Region.choices]
    kinds = [(value, str(label)) for value, label in Organisation.Kind.choices]
    sizes = _size_labels()

    region_kind = (
        _("Organisations by region and kind"),
        [_("Region"), *(label for _value, label in kinds), _("Total")],
        [
            [
                label,
                *(counts.count(region=region, kind=kind) for kind, _l in kinds),
                counts.count(region=region),
            ]
            for region, label in regions
        ],
        [_("Total"), *(counts.count(kind=kind) for kind, _l in kinds), counts.total],
    )
    grid_rows = []
    for region, region_label in regions:
        for kind, kind_label in kinds:
            total = counts.count(region=region, kind=kind)
            if total:
                cells = [counts.count(region=region, kind=kind, size=size) for size in SIZES]
                grid_rows.append([region_label, kind_label, *cells, total])
    by_size = (
        _("Organisations by region, kind and size"),
        [_("Region"), _("Kind"), *(sizes[size] for size in SIZES), _("Total")],
        grid_rows,
        [_("Total"), "", *(counts.count(size=size) for size in SIZES), counts.total],
    )
    sector_rows = [[code, name, n] for code, name, n in counts.sectors]
    sector_rows.append(["", _("No sector stated"), counts.sector_not_stated])
    sector_rows.append(["", _("Sectors not shown to you"), counts.sector_not_shown])
    by_sector = (
        _("Organisations by sector"),
        [_("NACE code"), _("Sector"), _("Organisations")],
        sector_rows,
        None,
    )
    return region_kind, by_size, by_sector


def _summary(job, counts):
    filters = [(label, value) for label, value in job.parameters_display] or [
        (_("Filters"), _("none: all organisations"))
    ]
    return {
        "title": _("Directory report"),
        "generated": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
        "filters": filters,
        "total": counts.total,
        "note": _(
            "Counts use only what each organisation shows you: one that hides its size or sectors "
            "from you is counted as not shown. An organisation in several sectors counts in each."
        ),
    }


def _xlsx(job, counts, tables):
    summary = _summary(job, counts)
    workbook = exports.xlsx_workbook()
    sheet = exports.xlsx_sheet(workbook, _("Summary"))
    exports.xlsx_key_values(
        sheet,
        [
            (_("Generated"), summary["generated"]),
            *summary["filters"],
            (_("Organisations"), summary["total"]),
            (_("Note"), summary["note"]),
        ],
        title=summary["title"],
        start_row=1,
    )
    region_kind, by_size, by_sector = tables

    title, header, rows, total = region_kind
    sheet = exports.xlsx_sheet(workbook, _("Region and kind"))
    table = exports.xlsx_table(sheet, header, rows, total=total)
    exports.xlsx_bar_chart(
        table,
        title=title,
        anchor="G2",
        y_title=_("Organisations"),
        series_cols=range(2, len(header)),  # the kinds, not the total
    )

    title, header, rows, total = by_size
    exports.xlsx_table(exports.xlsx_sheet(workbook, _("Region, kind and size")), header, rows, total=total)

    title, header, rows, total = by_sector
    sheet = exports.xlsx_sheet(workbook, _("Sectors"))
    table = exports.xlsx_table(sheet, header, rows)
    if counts.sectors:
        exports.xlsx_bar_chart(
            table,
            title=_("The largest sectors"),
            anchor="E2",
            horizontal=True,
            series_cols=[3],
            categories_col=2,
            max_rows=min(TOP_SECTORS_IN_CHARTS, len(counts.sectors)),
            height=12,
        )
    return exports.xlsx_bytes(workbook)


def _pdf_cells(row):
    return [{"value": value, "number": isinstance(value, int)} for value in row]


def _pdf(job, counts, tables):
    region_kind, by_size, by_sector = tables
    kinds = [str(label) for _value, label in Organisation.Kind.choices]
    region_chart = exports.svg_bar_chart(
        [row[0] for row in region_kind[2]],
        [(kind, [row[1 + index] for row in region_kind[2]]) for index, kind in enumerate(kinds)],
        title=region_kind[0],
    )
    top = counts.sectors[:TOP_SECTORS_IN_CHARTS]
    sector_chart = (
        exports.svg_bar_chart(
            [f"{code} {name}" for code, name, _n in top],
            [(_("Organisations"), [n for _c, _n, n in top])],
            title=_("The largest sectors"),
            label_width=220,
        )
        if top
        else ""
    )
    context = {
        **_summary(job, counts),
        "tables": [
            {
                "title": title,
                # A column of numbers is right-aligned, its header too.
                "header": [
                    {"value": label, "number": isinstance(cell, int)}
                    for label, cell in zip(header, total or (rows[0] if rows else header), strict=False)
                ],
                "rows": [_pdf_cells(row) for row in rows],
                "total": _pdf_cells(total) if total else None,
            }
            for title, header, rows, total in tables
        ],
        "region_chart": region_chart,
        "sector_chart": sector_chart,
    }
    return exports.pdf_from_template("organisations/reports/directory.html", context)


def build_directory_report(job, params, progress):
    """Build the directory report for ``job`` (runs in the requester's language and time zone)."""
    viewer = viewer_for(job.requested_by)
    progress(10)
    counts = directory_counts(viewer=viewer, params=params)
    progress(50)
    tables = directory_tables(counts)
    content = _pdf(job, counts, tables) if job.format == Format.PDF else _xlsx(job, counts, tables)
    progress(95)
    return f"directory-report-{timezone.localdate():%Y-%m-%d}.{job.format}", content


register(
    ReportBuilder(
        name="directory",
        title=gettext_lazy("Directory report"),
        description=gettext_lazy(
            "Organisations by region, kind and size, and by sector, for the directory filters you choose, "
            "with charts."
        ),
        form_class=DirectoryReportForm,
        formats=(Format.XLSX, Format.PDF),
        build=build_directory_report,
    )
)
