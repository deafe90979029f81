"""The shared export helpers: CSV for Excel, styled XLSX tables and charts, PDF without external
resources, SVG charts."""

import csv
import datetime
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports import exports


def test_csv_is_utf8_with_a_byte_order_mark_and_quotes_what_needs_it():
    content = exports.csv_bytes(
        [
            ["Name", "City", "Count", "Verified"],
            ["Çelik, Ltd", 'The "best"', 3, True],
            ["Ünal", None, 0, False],
        ]
    )

    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "City", "Count", "Verified"],
        ["Çelik, Ltd", 'The "best"', "3", "yes"],
        ["Ünal", "", "0", "no"],
    ]


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_never_writes_a_formula(value):
    rows = list(csv.reader(io.StringIO(exports.csv_bytes([["Name"], [value]]).decode("utf-8-sig"))))

    assert rows[1] == ["'" + value]


def test_csv_keeps_negative_numbers_as_numbers():
    assert exports.csv_bytes([[-3, 2.5]]).decode("utf-8-sig").strip() == "-3,2.5"


def test_xlsx_table_styles_freezes_and_fits_its_columns():
    workbook = exports.xlsx_workbook()
    sheet = exports.xlsx_sheet(workbook, "Regions: [all] / any?")
    table = exports.xlsx_table(
        sheet,
        ["Region", "Organisations"],
        [["Alcalá de Henares", 1200], ["Cork", 3], ["=cmd|' /C calc'!A0", 1]],
        total=["Total", 1204],
    )
    exports.xlsx_bar_chart(table, title="Organisations by region", anchor="D2")

    content = exports.xlsx_bytes(workbook)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Regions all any"]
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]] == ["Region", "Organisations"]
    assert all(cell.font.bold and cell.fill.fill_type == "solid" for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["A4"].value == "=cmd|' /C calc'!A0"
    assert sheet["A4"].data_type == "s"  # text, not a formula
    assert sheet["B2"].number_format == "#,##0"
    assert sheet["A5"].value == "Total" and sheet["A5"].font.bold
    assert sheet.column_dimensions["A"].width >= len("=cmd|' /C calc'!A0")
    assert 8 <= sheet.column_dimensions["B"].width <= len("Organisations") + 4
    assert (table.header_row, table.first_row, table.last_row) == (1, 2, 4)  # the total row is not data
    chart = zipfile.ZipFile(io.BytesIO(content)).read("xl/charts/chart1.xml").decode()
    assert "<f>'Regions all any'!$A$2:$A$4</f>" in chart  # categories: the regions, not the total
    assert "<f>'Regions all any'!B1</f>" in chart  # the series named by its header


def test_xlsx_tables_below_a_title_are_not_frozen_and_stack():
    workbook = exports.xlsx_workbook()
    sheet = exports.xlsx_sheet(workbook, "Summary")
    last = exports.xlsx_key_values(
        sheet, [("Generated", datetime.date(2026, 3, 5)), ("Total", 8)], title="Report"
    )
    second = exports.xlsx_table(sheet, ["A", "B"], [[1, 2]], title="Counts")

    assert last == 3
    assert second.header_row == 6  # title line at 5, after one blank row
    assert sheet.freeze_panes is None
    workbook = load_workbook(io.BytesIO(exports.xlsx_bytes(workbook)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Report"
    assert rows[1][:2] == ("Generated", datetime.datetime(2026, 3, 5))
    assert rows[4][0] == "Counts"


def test_pdf_from_template_renders_in_the_given_language(tmp_path, settings):
    template = tmp_path / "report.html"
    template.write_text(
        '{% load i18n %}<html lang="{{ LANGUAGE_CODE }}"><body>{% get_current_language as LANGUAGE_CODE %}'
        '<p>{% translate "Region" %}</p></body></html>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    with translation.override("en"):
        content = exports.pdf_from_template("report.html", {}, language="es")

    assert content.startswith(b"%PDF-")


def test_pdf_fetches_nothing_from_outside(monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("a report tried to fetch an external resource")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = (
        '<html><head><link rel="stylesheet" href="https://cdn.example.org/x.css"></head><body>'
        '<img src="http://tracker.example.org/pixel.png" alt="">'
        '<img src="file:///etc/passwd" alt="">'
        "<p>Offline</p></body></html>"
    )

    assert exports.pdf_render(html).startswith(b"%PDF-")


def test_svg_bar_chart_escapes_labels_and_is_labelled():
    svg = exports.svg_bar_chart(
        ["<script>", "Cork & Kerry"], [("SME", [3, 0]), ("HEI", [1, 2])], title='Regions "by" kind'
    )

    assert svg.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Regions &quot;by&quot; kind"'
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "Cork &amp; Kerry" in svg
    assert svg.count("<rect") == 4 + 2  # one bar per value, one legend key per series


def test_svg_bar_chart_without_data():
    svg = exports.svg_bar_chart([], [], title="Nothing")

    assert "<title>Nothing</title>" in svg
