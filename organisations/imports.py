"""Importing organisations from CSV and XLSX files: who may, which columns, and the checks a file
passes before any row is read (size, encoding, structure, headers).

The rows themselves are validated by ``resources.OrganisationResource``; these checks only make sure
that a broken file gets one clear message instead of a parser's exception.
"""

import csv
import io
import zipfile

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.formats import base_formats

from .permissions import is_staff

# The one place that says who may import organisations. Council coordinators join here once the
# councils app provides their predicate (``is_staff | is_council_coordinator``); until then the
# import lives in the admin, which only staff can reach anyway.
can_import_organisations = is_staff

# A file is refused before it is parsed when it is bigger than this, and after parsing when it has
# more rows: the preview and the confirm step each validate and save every row within one web
# request (which gunicorn ends after 30 seconds), so a larger list is better split into files.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 1000
# An XLSX file is a zip archive; refuse one that unpacks to far more than any real list would.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024

COLUMNS = [
    "slug",
    "name",
    "kind",
    "subtype",
    "short_name",
    "country",
    "region",
    "city",
    "latitude",
    "longitude",
    "size_band",
    "founded_year",
    "website",
    "languages",
    "sectors",
    "topics_offered",
    "topics_needed",
    "description",
]
REQUIRED_COLUMNS = ["name", "kind", "country", "region", "city"]


class CSVFormat(base_formats.CSV):
    """CSV, with the delimiter taken from the header line: spreadsheets set to Spanish, Italian,
    French or Turkish save CSV files with semicolons."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes) and self.encoding:
            in_stream = in_stream.decode(self.encoding)
        first_line = in_stream.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first_line.count)
        return tablib.import_set(in_stream, format="csv", delimiter=delimiter, **kwargs)


class XLSXFormat(base_formats.XLSX):
    pass


FORMATS = [CSVFormat, XLSXFormat]


def normalise_headers(dataset):
    """Trim and lower-case the column headers, and drop unnamed columns without values (spreadsheets
    often carry a few). Changes ``dataset`` in place."""
    headers = ["" if header is None else str(header).strip().lower() for header in dataset.headers or []]
    empty = [
        index
        for index, header in enumerate(headers)
        if not header and all(_blank(row[index]) for row in dataset)
    ]
    if empty:
        rows = [[value for index, value in enumerate(row) if index not in empty] for row in dataset]
        dataset.wipe()
        dataset.headers = [header for index, header in enumerate(headers) if index not in empty]
        dataset.extend(rows)
    else:
        dataset.headers = headers
    return dataset


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def check_headers(headers):
    """Raise ValidationError naming the missing, unknown or repeated columns, if any."""
    problems = []
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        problems.append(
            ngettext(
                "The required column %(columns)s is missing.",
                "The required columns %(columns)s are missing.",
                len(missing),
            )
            % {"columns": ", ".join(missing)}
        )
    unnamed = [str(index + 1) for index, header in enumerate(headers) if not header]
    if unnamed:
        problems.append(_("Column %(numbers)s has values but no header.") % {"numbers": ", ".join(unnamed)})
    unknown = [header for header in headers if header and header not in COLUMNS]
    if unknown:
        problems.append(
            ngettext(
                "The column %(columns)s is not one the import knows.",
                "The columns %(columns)s are not ones the import knows.",
                len(unknown),
            )
            % {"columns": ", ".join(unknown)}
        )
    repeated = sorted({header for header in headers if header and headers.count(header) > 1})
    if repeated:
        problems.append(
            _("The column %(columns)s appears more than once.") % {"columns": ", ".join(repeated)}
        )
    if problems:
        problems.append(
            _("Columns: %(columns)s (required: %(required)s).")
            % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)}
        )
        raise ValidationError(problems, code="columns")


def read_upload(uploaded_file, input_format):
    """Read an uploaded file the way the import will, and return its dataset.

    Raises ValidationError with a message a person can act on when the file is too big, is not
    in the chosen format, is not UTF-8 text, has the wrong columns, no rows or too many rows.
    The size is checked before anything is read.
    """
    if uploaded_file.size > MAX_IMPORT_BYTES:
        raise ValidationError(
            _(
                "The file is %(size)s MB; an import file may be at most %(limit)s MB. "
                "Split it into smaller files."
            )
            % {
                "size": f"{uploaded_file.size / (1024 * 1024):.1f}",
                "limit": MAX_IMPORT_BYTES // (1024 * 1024),
            },
            code="too_big",
        )
    data = b"".join(uploaded_file.chunks())
    uploaded_file.seek(0)
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    read = _read_xlsx if input_format.is_binary() else _read_csv
    dataset = read(data, input_format)
    normalise_headers(dataset)
    check_headers(dataset.headers)
    if not dataset.height:
        raise ValidationError(_("The file has a header line but no organisations."), code="no_rows")
    if dataset.height > MAX_IMPORT_ROWS:
        raise ValidationError(
            _(
                "The file has %(rows)s rows; an import may have at most %(limit)s. "
                "Split it into smaller files."
            )
            % {"rows": dataset.height, "limit": MAX_IMPORT_ROWS},
            code="too_many_rows",
        )
    return dataset


_SAVE_AS_UTF8 = _("Save it from your spreadsheet as “CSV UTF-8 (comma delimited)” and upload it again.")


def _read_csv(data, input_format):
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(
            _("This looks like an Excel workbook, not a CSV file: choose the xlsx format."), code="format"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        raise ValidationError(
            _("This file is UTF-16 text; the import reads UTF-8 only. %(how)s") % {"how": _SAVE_AS_UTF8},
            code="encoding",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            _(
                "This file is not UTF-8 text (an unreadable byte on line %(line)s): it may be Latin-1 or "
                "Windows-1252 text, or not text at all. %(how)s"
            )
            % {"line": line, "how": _SAVE_AS_UTF8},
            code="encoding",
        ) from exc
    if "\x00" in text:
        raise ValidationError(_("This file contains binary data, not CSV text."), code="format")
    try:
        return input_format.create_dataset(text)
    except (csv.Error, tablib.InvalidDimensions, ValueError) as exc:
        raise ValidationError(
            _(
                "This file could not be read as CSV: a line has more values than there are column "
                "headers, or a quote is not closed."
            ),
            code="format",
        ) from exc


def _read_xlsx(data, input_format):
    not_xlsx = ValidationError(
        _(
            "This is not an XLSX workbook. Save it from your spreadsheet as “Excel Workbook (.xlsx)”, "
            "or choose the csv format for a CSV file."
        ),
        code="format",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise not_xlsx from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ValidationError(
            _("This workbook is too large when unpacked. Split it into smaller files."), code="too_big"
        )
    try:
        return input_format.create_dataset(data)
    except (
        Exception
    ) as exc:  # openpyxl raises many kinds (KeyError, InvalidFileException, …) for a broken file
        raise not_xlsx from exc
