"""Shared writers of report files: CSV, XLSX and PDF, plus an SVG bar chart for PDF reports.

Every writer returns the whole file as bytes: a report's file is saved only once it is complete,
so nothing half-written is ever offered for download.

- CSV: UTF-8 with a byte-order mark (so that Excel reads the accents right), and cells that a
  spreadsheet would run as formulas written as text ("CSV injection").
- XLSX (openpyxl): tables with a bold, filled header row, frozen under the header when the table
  starts the sheet, column widths from the content, and optional native bar charts.
- PDF (WeasyPrint): rendered from a Django template in the requester's language. No external
  resources are fetched: fonts are the system's, images and charts are inline (SVG or data: URLs).
  The PDF template may carry its CSS in a ``<style>`` block; the portal's Content Security Policy is
  about pages in browsers and does not apply to PDFs.
"""

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

# A spreadsheet runs a cell starting with one of these as a formula: text typed by a user must never
# run in whoever opens the file.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value):
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return translation.gettext("yes") if value else translation.gettext("no")
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    return str(value)


# --- CSV ----------------------------------------------------------------------------------------


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    """The rows (the first one is the header) as a CSV file in UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        cells = []
        for value in row:
            value = _plain(value)
            cells.append("'" + value if _is_formula_like(value) else value)
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill(fill_type="solid", start_color="0B3D91", end_color="0B3D91")
TOTAL_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
_THIN = Side(style="thin", color="B0B7C3")
TOTAL_BORDER = Border(top=_THIN)
MIN_WIDTH, MAX_WIDTH = 8, 60
_BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class XlsxTable:
    """Where a table landed on its sheet (1-based rows and columns), for charts that show it."""

    sheet: object
    header_row: int
    first_row: int
    last_row: int
    first_col: int
    last_col: int


def xlsx_workbook() -> Workbook:
    """An empty workbook (openpyxl starts one with a blank sheet; it is removed)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def xlsx_sheet(workbook, title):
    """A new sheet, its title made valid for Excel (31 characters, none of ``[]:*?/\\``)."""
    clean = " ".join(str(title).translate(_BAD_SHEET_CHARS).split())[:31] or "Sheet"
    return workbook.create_sheet(title=clean)


def _write_cell(sheet, row, col, value, *, number_format, font=None, border=None):
    value = _plain(value)
    cell = sheet.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever it starts with
    elif isinstance(value, int | float | Decimal):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if border is not None:
        cell.border = border
    return value


def xlsx_table(sheet, header, rows, *, start_row=None, title=None, total=None, number_format="#,##0"):
    """Write a table: an optional title line, the header (bold on a dark fill), the rows and an
    optional total row (bold). Returns an :class:`XlsxTable`.

    Without ``start_row`` the table goes two rows below what the sheet holds already. A table that
    starts the sheet gets its header row frozen (it stays in view when scrolling). Columns are
    widened to fit the longest value written in them. Text that looks like a formula stays text.
    """
    row_number = start_row or (sheet.max_row + 2 if sheet.max_row > 1 or sheet["A1"].value else 1)
    if title:
        cell = sheet.cell(row=row_number, column=1, value=str(title))
        cell.font = TITLE_FONT
        row_number += 1
    header_row = row_number
    header = [str(label) for label in header]
    for col, label in enumerate(header, start=1):
        cell = sheet.cell(row=header_row, column=col, value=label)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    if header_row == 1:
        sheet.freeze_panes = "A2"
    written = [header]
    last_row = header_row
    for row in rows:
        last_row += 1
        written.append(
            [
                _write_cell(sheet, last_row, col, value, number_format=number_format)
                for col, value in enumerate(row, 1)
            ]
        )
    data_last_row = last_row
    if total is not None:
        last_row += 1
        written.append(
            [
                _write_cell(
                    sheet,
                    last_row,
                    col,
                    value,
                    number_format=number_format,
                    font=TOTAL_FONT,
                    border=TOTAL_BORDER,
                )
                for col, value in enumerate(total, start=1)
            ]
        )
    _widen_columns(sheet, written)
    return XlsxTable(
        sheet=sheet,
        header_row=header_row,
        first_row=header_row + 1,
        last_row=data_last_row,
        first_col=1,
        last_col=len(header),
    )


def _text_width(value):
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float | Decimal):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _widen_columns(sheet, rows):
    """Make each column as wide as the longest value of ``rows`` in it (never narrower than it is)."""
    widths = {}
    for row in rows:
        for col, value in enumerate(row, start=1):
            if value not in (None, ""):
                widths[col] = max(widths.get(col, 0), _text_width(value))
    for col, width in widths.items():
        dimension = sheet.column_dimensions[get_column_letter(col)]
        current = dimension.width if dimension.customWidth else 0
        dimension.width = max(current, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))


def xlsx_bar_chart(
    table,
    *,
    title,
    anchor,
    y_title="",
    x_title="",
    horizontal=False,
    stacked=False,
    series_cols=None,
    categories_col=None,
    max_rows=None,
    width=18,
    height=9,
):
    """A native Excel bar chart of ``table``: a column gives the categories (``categories_col``,
    by default the first), and each of ``series_cols`` (1-based column numbers; by default all
    columns after the first) a series named by its header. Only the first ``max_rows`` rows are
    shown when given. Placed with its top-left corner at ``anchor`` (e.g. "H2")."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = str(title)
    if y_title:
        chart.y_axis.title = str(y_title)
    if x_title:
        chart.x_axis.title = str(x_title)
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    chart.width, chart.height = width, height
    # Recent openpyxl versions hide both axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    sheet = table.sheet
    last_row = table.last_row if max_rows is None else min(table.last_row, table.first_row + max_rows - 1)
    for col in series_cols or range(table.first_col + 1, table.last_col + 1):
        data = Reference(sheet, min_col=col, min_row=table.header_row, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
    categories = Reference(
        sheet, min_col=categories_col or table.first_col, min_row=table.first_row, max_row=last_row
    )
    chart.set_categories(categories)
    sheet.add_chart(chart, anchor)
    return chart


def xlsx_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_simple(header, rows, *, title="Export", total=None) -> bytes:
    """One table on one sheet, as XLSX bytes."""
    workbook = xlsx_workbook()
    xlsx_table(xlsx_sheet(workbook, title), header, rows, total=total)
    return xlsx_bytes(workbook)


# --- PDF ----------------------------------------------------------------------------------------


def _url_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing from outside the document: only ``data:``
    URLs are read, so a report never reaches the network or the file system while rendering."""
    import weasyprint

    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint 66+
        return weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(url, *args, **kwargs):  # older WeasyPrint: a plain function
        if not url.startswith("data:"):
            raise ValueError(f"external resources are not allowed in reports: {url[:80]}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def pdf_render(html: str) -> bytes:
    """An HTML document as PDF bytes."""
    from weasyprint import HTML  # slow to import; only workers that build PDFs need it

    # WeasyPrint logs each step of each document at INFO: not worth a worker's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher()).write_pdf()


def pdf_from_template(template_name, context, *, language=None) -> bytes:
    """Render ``template_name`` in ``language`` (default: the active one) and make a PDF of it."""
    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, context)
    return pdf_render(html)


# --- SVG charts (for PDF reports) ---------------------------------------------------------------

# Okabe–Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


_QUOTE = {'"': "&quot;"}


def _fmt(number):
    return f"{number:,}" if isinstance(number, int) else f"{number:,.1f}"


def svg_bar_chart(categories, series, *, title, width=640, bar_height=14, label_width=150):
    """A horizontal grouped bar chart as inline SVG markup (safe to put in a template).

    ``categories`` are the row labels, ``series`` a list of ``(name, values)`` with one value per
    category. Each bar carries its value as text, so the chart reads without colour too, and the
    ``<svg>`` has ``role="img"`` with the title as its accessible name.
    """
    categories = [str(c) for c in categories]
    series = [(str(name), list(values)) for name, values in series]
    top = 28 + (18 if len(series) > 1 else 0)
    group = bar_height * max(len(series), 1) + 8
    height = top + group * max(len(categories), 1) + 24
    plot_width = width - label_width - 60
    peak = max((v for _name, values in series for v in values), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{xml_escape(str(title), _QUOTE)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="10">',
        f"<title>{xml_escape(str(title))}</title>",
        f'<text x="0" y="14" font-size="12" font-weight="bold">{xml_escape(str(title))}</text>',
    ]
    if len(series) > 1:
        x = 0
        for index, (name, _values) in enumerate(series):
            colour = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{x}" y="22" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{x + 14}" y="31">{xml_escape(name)}</text>')
            x += 24 + 6 * len(name)
    for row, category in enumerate(categories):
        y0 = top + row * group
        fits = max(label_width // 6, 4)  # characters of about 6 px at 10 px DejaVu Sans
        label = category if len(category) <= fits else category[: fits - 1] + "…"
        middle = y0 + group / 2 + 2
        parts.append(f'<text x="{label_width - 6}" y="{middle}" text-anchor="end">{xml_escape(label)}</text>')
        for index, (_name, values) in enumerate(series):
            value = values[row] if row < len(values) else 0
            length = round(plot_width * value / peak, 1)
            y = y0 + index * bar_height
            colour = PALETTE[index % len(PALETTE)]
            height = bar_height - 2
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length}" height="{height}" fill="{colour}"/>'
            )
            parts.append(f'<text x="{label_width + length + 4}" y="{y + height - 2}">{_fmt(value)}</text>')
    axis_bottom = top + group * max(len(categories), 1)
    parts.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{axis_bottom}" stroke="#555"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above


def xlsx_key_values(sheet, pairs, *, start_row=None, title=None):
    """Label / value lines (labels bold), e.g. a report's title, date and filters on its first sheet.
    Returns the last row written."""
    row_number = start_row or (sheet.max_row + 2 if sheet.max_row > 1 or sheet["A1"].value else 1)
    if title:
        cell = sheet.cell(row=row_number, column=1, value=str(title))
        cell.font = TITLE_FONT
        row_number += 1
    written = []
    for label, value in pairs:
        label_cell = sheet.cell(row=row_number, column=1, value=str(label))
        label_cell.font = TOTAL_FONT
        label_cell.data_type = "s"
        _write_cell(sheet, row_number, 2, value, number_format="#,##0")
        written.append([str(label), _plain(value)])
        row_number += 1
    _widen_columns(sheet, written)
    return row_number - 1
