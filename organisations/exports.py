"""Exports of the directory, and the small CSV/XLSX writers they use.

The writers are generic (rows of cells in, text chunks or a file out) so that the reports app can
take them over; :func:`directory_rows` is what is specific to organisations: which columns, and
which cells the viewer may see (a cell whose field the organisation hides from the viewer is blank).

Both formats go through the rows lazily, a chunk of organisations at a time, so the memory an export
takes does not grow with the number of organisations.
"""

import csv
import io
import operator
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import Organisation, Region, Sector, Topic
from .validators import LANGUAGE_CHOICES

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 1000

# --- generic writers ----------------------------------------------------------------------------

# A spreadsheet treats a cell starting with one of these as a formula; a value typed by a user must
# never run as one in whoever opens the export ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain():
    """A converter of cell values to what a spreadsheet shows: None blank, booleans yes or no
    (translated once, not once per cell)."""
    yes, no = _("yes"), _("no")

    def plain(value):
        if value is None:
            return ""
        if value is True:
            return yes
        if value is False:
            return no
        return value

    return plain


def csv_stream(rows: Iterable[Sequence], *, batch=500) -> Iterator[str]:
    """The rows as CSV text, in chunks of ``batch`` rows, for a ``StreamingHttpResponse``.

    Starts with a byte-order mark so that spreadsheet programs read the file as UTF-8.
    """
    yield "\ufeff"
    plain = _plain()

    def cell(value):
        value = plain(value)
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
            return "'" + value
        return value

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_file(rows: Iterable[Sequence], *, title="Export", widths: Sequence[int] | None = None):
    """The rows as an XLSX workbook of one sheet, in a temporary file opened at its start.

    The first row is the header (bold, frozen, with an autofilter). Written in openpyxl's write-only
    mode, which keeps a constant amount of memory whatever the number of rows. ``widths`` are column
    widths in characters; without them each column is as wide as its header (within limits).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    rows = iter(rows)
    header = [str(value) for value in next(rows, [])]
    for index, label in enumerate(header, start=1):
        width = widths[index - 1] if widths and index <= len(widths) else min(max(len(label) + 2, 10), 50)
        sheet.column_dimensions[get_column_letter(index)].width = width
    if header:
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    plain = _plain()
    count = 0
    for row in rows:
        cells = []
        for value in row:
            value = plain(value)
            if isinstance(value, str) and value.startswith("="):
                # Text, not a formula (openpyxl would store a string starting with "=" as one).
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    # Left open for the caller: a FileResponse streams it and closes it.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


# --- the directory ------------------------------------------------------------------------------


# (header, visibility field or None when always shown, value, width in characters). A value names
# an attribute of the organisation, or one of the derived values of ``_cells``.
DIRECTORY_COLUMNS = [
    (gettext_lazy("Name"), None, "name", 40),
    (gettext_lazy("Short name"), "short_name", "short_name", 16),
    (gettext_lazy("Kind"), None, "kind_label", 20),
    (gettext_lazy("Type of intermediary"), None, "subtype_label", 22),
    (gettext_lazy("Country"), None, "country_name", 16),
    (gettext_lazy("Region"), None, "region_label", 18),
    (gettext_lazy("City"), None, "city", 18),
    (gettext_lazy("Latitude"), "location", "latitude", 11),
    (gettext_lazy("Longitude"), "location", "longitude", 11),
    (gettext_lazy("Website"), "website", "website", 30),
    (gettext_lazy("Size"), "size_band", "size_label", 26),
    (gettext_lazy("Founded"), "founded_year", "founded_year", 10),
    (gettext_lazy("Sectors"), "sectors", "sectors", 40),
    (gettext_lazy("Topics offered"), "topics_offered", "topics_offered", 40),
    (gettext_lazy("Topics needed"), "topics_needed", "topics_needed", 40),
    (gettext_lazy("Languages"), "languages", "languages", 20),
    (gettext_lazy("Description"), "description", "description", 60),
    (gettext_lazy("Verified"), None, "is_verified", 10),
]
# The last column, after those above: the organisation's page on the portal.
PROFILE_HEADER = gettext_lazy("Profile")
DIRECTORY_WIDTHS = [column[3] for column in DIRECTORY_COLUMNS] + [45]


def _labels(choices):
    return {value: str(label) for value, label in choices}


def _cells():
    """The derived values, with every label translated once per export rather than once per row
    (``get_FOO_display()`` and ``country.name`` translate the whole list of choices at each call,
    which made a 50,000-row export take minutes)."""
    kinds, subtypes = _labels(Organisation.Kind.choices), _labels(Organisation.Subtype.choices)
    regions, sizes = _labels(Region.choices), _labels(Organisation.SizeBand.choices)
    country_names, languages = dict(countries), _labels(LANGUAGE_CHOICES)

    def number(value):
        return None if value is None else float(value)

    return {
        "kind_label": lambda o: kinds.get(o.kind, o.kind),
        "subtype_label": lambda o: subtypes.get(o.subtype, o.subtype),
        "country_name": lambda o: country_names.get(o.country.code, o.country.code),
        "region_label": lambda o: regions.get(o.region, o.region),
        "size_label": lambda o: sizes.get(o.size_band, o.size_band),
        "latitude": lambda o: number(o.latitude),
        "longitude": lambda o: number(o.longitude),
        "sectors": lambda o: o.export_related["sectors"],
        "topics_offered": lambda o: o.export_related["topics_offered"],
        "topics_needed": lambda o: o.export_related["topics_needed"],
        "languages": lambda o: ", ".join(languages.get(code, code) for code in o.languages or []),
    }


# Many-to-many fields: (column of the target in the through table, target model, label of a target)
_RELATED = {
    "sectors": ("sector_id", Sector, lambda sector: f"{sector.code} {sector.name}"),
    "topics_offered": ("topic_id", Topic, lambda topic: topic.name),
    "topics_needed": ("topic_id", Topic, lambda topic: topic.name),
}


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _attach_related(batch, labels):
    """Give each organisation of ``batch`` ``export_related``: {field: "label; label"}, sorted.

    One query per field for the whole batch, reading (organisation, target) id pairs from the
    through table, with the targets' labels looked up in ``labels``: much faster than
    ``prefetch_related``, which builds a model instance per link.
    """
    ids = [organisation.pk for organisation in batch]
    found = {field: defaultdict(list) for field in _RELATED}
    for field, (column, _model, _label) in _RELATED.items():
        through = getattr(Organisation, field).through.objects
        for organisation_id, target_id in through.filter(organisation_id__in=ids).values_list(
            "organisation_id", column
        ):
            found[field][organisation_id].append(labels[field][target_id])
    for organisation in batch:
        organisation.export_related = {
            field: "; ".join(sorted(found[field].get(organisation.pk, []))) for field in _RELATED
        }


def directory_rows(queryset, *, viewer, profile_url):
    """The header, then one row per organisation of ``queryset``, with a blank cell wherever the
    organisation hides that field from ``viewer``. ``profile_url`` is the absolute URL of the
    directory, under which each profile lives at ``<slug>/``.

    Organisations are read ``CHUNK_SIZE`` at a time, each chunk with its sectors and topics in
    three more queries (and two at the start for the sectors' and topics' names).
    """
    yield [str(column[0]) for column in DIRECTORY_COLUMNS] + [str(PROFILE_HEADER)]
    cells = _cells()
    columns = [
        (field, cells.get(value) or operator.attrgetter(value))
        for _header, field, value, _width in DIRECTORY_COLUMNS
    ]
    names = {model: {obj.pk: obj for obj in model.objects.all()} for model in (Sector, Topic)}
    labels = {
        field: {pk: label(obj) for pk, obj in names[model].items()}
        for field, (_column, model, label) in _RELATED.items()
    }
    queryset = queryset.defer("search_text").prefetch_related(None)
    for batch in _batches(queryset.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        _attach_related(batch, labels)
        for organisation in batch:
            row = [
                get(organisation) if field is None or viewer.can_see(organisation, field) else ""
                for field, get in columns
            ]
            row.append(f"{profile_url}{organisation.slug}/")
            yield row
