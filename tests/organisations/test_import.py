"""Importing organisations from CSV and XLSX in the admin (django-import-export): the preview, the
confirm step, per-row errors, all-or-nothing, malformed files, who may import, and export."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export.tmp_storages import CacheStorage

from organisations.models import Organisation, Topic
from organisations.selectors import fold

from ..factories.accounts import UserFactory, totp_enable
from ..factories.organisations import OrganisationFactory, sector, topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

IMPORT_URL = "/admin/organisations/organisation/import/"
CONFIRM_URL = "/admin/organisations/organisation/process_import/"
EXPORT_URL = "/admin/organisations/organisation/export/"
CSV, XLSX = "0", "1"  # the format choices of the import form

HEADER = [
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
ROWS = [
    [
        "Robótica Málaga S.L.",
        "sme",
        "",
        "RoboMal",
        "ES",
        "malaga",
        "Málaga",
        "36.72130",
        "-4.42140",
        "small",
        "2009",
        "https://robomal.example.es",
        "es, en",
        "C28, C28.9",
        "automation-robotics, mechatronics",
        "finance-funding",
        "Robot cells for small batches.",
    ],
    [
        "Università di Bologna – DIN",
        "hei",
        "",
        "",
        "IT",
        "bologna",
        "Bologna",
        "44.4949",
        "11.3426",
        "large",
        "1088",
        "www.din.unibo.example.it",
        "it, en",
        "P85.4, M72.1",
        "advanced-materials",
        "",
        "Department of industrial engineering.",
    ],
    [
        "Cork Cluster Network",
        "intermediary",
        "cluster",
        "CCN",
        "IE",
        "cork",
        "Cork",
        "",
        "",
        "micro",
        "",
        "",
        "en, ga",
        "",
        "export-internationalisation",
        "",
        "",
    ],
]


@pytest.fixture
def staff_client(client, staff):
    """Alice, staff with TOTP, signed in (the admin refuses staff without two-factor)."""
    totp_enable(staff)
    client.force_login(staff)
    return client


def csv_bytes(rows, header=HEADER, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content, *, fmt=CSV, name="organisations.csv"):
    return client.post(
        IMPORT_URL,
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, preview):
    """Post the confirm form of a preview page, as the "Confirm import" button does."""
    form = preview.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: form.initial.get(name, "") for name in form.fields})


def export(client, fmt):
    """Post the export form with every column ticked (its default)."""
    columns = {f"organisationresource_{column}": "on" for column in ["slug", *HEADER]}
    return client.post(EXPORT_URL, {"resource": "0", "format": fmt, **columns})


def page(response):
    return response.content.decode()


def with_row(index, **changes):
    rows = [list(row) for row in ROWS]
    for column, value in changes.items():
        rows[index][HEADER.index(column)] = value
    return rows


# --- the good path ------------------------------------------------------------------------------


def test_import_csv_preview_then_confirm_creates_organisations_with_taxonomies_and_search_text(staff_client):
    preview = upload(staff_client, csv_bytes(ROWS))

    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert Organisation.objects.count() == 0

    response = confirm(staff_client, preview)

    assert response.status_code == 302
    assert Organisation.objects.count() == 3
    robomal = Organisation.objects.get(slug="robotica-malaga-sl")
    assert robomal.kind == "sme" and robomal.subtype == ""
    assert robomal.country.code == "ES" and robomal.region == "malaga"
    assert str(robomal.latitude) == "36.72130"
    assert robomal.founded_year == 2009
    assert robomal.languages == ["es", "en"]
    assert set(robomal.sectors.all()) == {sector("C28"), sector("C28.9")}
    assert set(robomal.topics_offered.all()) == {topic("automation-robotics"), topic("mechatronics")}
    assert list(robomal.topics_needed.all()) == [topic("finance-funding")]
    assert robomal.memberships.count() == 0
    for organisation in Organisation.objects.all():
        assert organisation.search_text
        assert fold(organisation.name) in organisation.search_text
    assert "automation and robotics" in robomal.search_text
    unibo = Organisation.objects.get(slug="universita-di-bologna-din")
    assert unibo.website == "https://www.din.unibo.example.it"
    assert Organisation.objects.get(slug="cork-cluster-network").subtype == "cluster"
    followed = staff_client.get(response["Location"])
    assert "Import finished: 3 new, 0 updated" in page(followed)


def test_import_preview_lists_the_rows_and_creates_nothing(staff_client):
    response = upload(staff_client, csv_bytes(ROWS))

    assert response.status_code == 200
    assert "Preview" in page(response)
    assert "Robótica Málaga S.L." in page(response)
    assert "Cork Cluster Network" in page(response)
    assert "Confirm import" in page(response)
    assert Organisation.objects.count() == 0


def test_import_xlsx_works_too(staff_client):
    rows = [list(row) for row in ROWS]
    rows[0][HEADER.index("founded_year")] = 2009  # numbers as a spreadsheet stores them
    rows[0][HEADER.index("latitude")] = 36.7213
    preview = upload(staff_client, xlsx_bytes(rows), fmt=XLSX, name="organisations.xlsx")
    assert preview.status_code == 200 and preview.context["confirm_form"] is not None

    confirm(staff_client, preview)

    assert Organisation.objects.count() == 3
    robomal = Organisation.objects.get(slug="robotica-malaga-sl")
    assert robomal.founded_year == 2009
    assert set(robomal.sectors.values_list("code", flat=True)) == {"C28", "C28.9"}
    assert "robotica malaga" in robomal.search_text


def test_export_page_loads(staff_client):
    response = staff_client.get(EXPORT_URL)

    assert response.status_code == 200
    assert "topics_offered" in page(response)


def test_import_xlsx_ignores_empty_unnamed_columns_but_not_unnamed_values(staff_client):
    rows = [[*row, None] for row in ROWS]
    preview = upload(staff_client, xlsx_bytes(rows, header=[*HEADER, None]), fmt=XLSX, name="o.xlsx")
    assert preview.context["confirm_form"] is not None

    rows[0][-1] = "stray note"
    response = upload(staff_client, xlsx_bytes(rows, header=[*HEADER, None]), fmt=XLSX, name="o.xlsx")
    assert "Column 18 has values but no header." in page(response)


def test_import_semicolon_csv_and_header_case_are_accepted(staff_client):
    header = [column.upper() for column in HEADER]
    preview = upload(staff_client, csv_bytes(ROWS, header=header, delimiter=";"))

    confirm(staff_client, preview)

    assert Organisation.objects.count() == 3


def test_reimport_updates_organisations_matched_by_slug(staff_client):
    confirm(staff_client, upload(staff_client, csv_bytes(ROWS)))
    changed = with_row(0, city="Torremolinos", topics_offered="photonics")

    preview = upload(staff_client, csv_bytes(changed))
    assert "Update" in page(preview)
    confirm(staff_client, preview)

    assert Organisation.objects.count() == 3
    robomal = Organisation.objects.get(slug="robotica-malaga-sl")
    assert robomal.city == "Torremolinos"
    assert list(robomal.topics_offered.all()) == [topic("photonics")]
    assert "torremolinos" in robomal.search_text


def test_import_by_explicit_slug_updates_an_existing_organisation(staff_client):
    existing = OrganisationFactory(name="Old Name", slug="acme")
    header = ["slug", "name", "kind", "country", "region", "city"]
    content = csv_bytes([["acme", "Acme Mecanizados", "sme", "ES", "malaga", "Málaga"]], header=header)

    confirm(staff_client, upload(staff_client, content))

    existing.refresh_from_db()
    assert existing.name == "Acme Mecanizados"
    assert "acme mecanizados" in existing.search_text
    assert Organisation.objects.count() == 1


def test_export_then_reimport_round_trips(staff_client):
    OrganisationFactory(
        name="=Formula Works",
        slug="formula-works",
        sectors=[sector("C25")],
        topics_offered=[topic("sensors")],
        languages=["es"],
    )
    response = export(staff_client, CSV)
    assert response.status_code == 200
    exported = response.content.decode("utf-8")
    header = exported.splitlines()[0].split(",")
    assert header[:3] == ["slug", "name", "kind"]
    assert set(HEADER) <= set(header)
    assert "'=Formula Works" in exported  # a spreadsheet will not run it
    assert "C25" in exported and "sensors" in exported

    confirm(staff_client, upload(staff_client, response.content))

    organisation = Organisation.objects.get()
    assert organisation.name == "=Formula Works"
    assert list(organisation.sectors.all()) == [sector("C25")]


def test_export_xlsx_opens_in_a_spreadsheet(staff_client):
    OrganisationFactory(name="Acme", slug="acme", sectors=[sector("C25"), sector("M71")])

    response = export(staff_client, XLSX)

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("slug", "name")
    assert rows[1][:2] == ("acme", "Acme")
    assert "C25, M71" in rows[1]


# --- invalid rows: nothing is imported, each problem is named -----------------------------------


@pytest.mark.parametrize(
    ("index", "column", "value", "message"),
    [
        (1, "kind", "startup", "Unknown kind “startup”: use one of sme, hei, intermediary."),
        (
            0,
            "subtype",
            "investor",
            "Only intermediaries have a subtype; leave it empty when the kind is sme.",
        ),
        (2, "subtype", "", "An intermediary needs a subtype"),
        (1, "sectors", "C25, Z99", "Unknown NACE code “Z99”."),
        (0, "topics_offered", "teleportation", "Unknown topic “teleportation”."),
        (1, "country", "Italia", "Unknown country “Italia”"),
        (0, "latitude", "136.5", "The latitude must be between -90 and 90; it is 136.5."),
        (0, "longitude", "east", "“east” is not a number."),
        (2, "founded_year", "1700s", "“1700s” is not a year."),
        (2, "founded_year", "2200", "Ensure this value is less than or equal to 2100."),
        (2, "languages", "en, klingon", "Unknown language code “klingon”"),
        (1, "region", "atlantis", "Unknown region “atlantis”"),
        (0, "size_band", "huge", "Unknown size band “huge”"),
        (0, "website", "https://", "Enter a valid URL."),
        (1, "city", "", "This field cannot be blank."),
    ],
)
def test_import_with_one_bad_row_imports_nothing_and_names_row_column_and_problem(
    staff_client, index, column, value, message
):
    response = upload(staff_client, csv_bytes(with_row(index, **{column: value})))

    assert response.status_code == 200
    html = page(response)
    assert "Nothing was imported" in html
    assert f"<td>{index + 2}</td><td><code>{column}</code></td><td>{message}" in html
    assert response.context.get("confirm_form") is None
    assert "Confirm import" not in html
    assert Organisation.objects.count() == 0


def test_import_reports_every_bad_row(staff_client):
    rows = with_row(0, kind="startup")
    rows[2][HEADER.index("country")] = "XX"

    html = page(upload(staff_client, csv_bytes(rows)))

    assert "<td>2</td><td><code>kind</code></td>" in html
    assert "<td>4</td><td><code>country</code></td>" in html


def test_import_refuses_two_rows_with_the_same_slug(staff_client):
    rows = [*ROWS, list(ROWS[0])]

    html = page(upload(staff_client, csv_bytes(rows)))

    assert "Row 2 already has the slug “robotica-malaga-sl”" in html
    assert Organisation.objects.count() == 0


def test_import_refuses_a_reserved_slug(staff_client):
    html = page(upload(staff_client, csv_bytes(with_row(0, name="Map"))))

    assert "“map” is reserved for the portal" in html


def test_confirm_step_refuses_a_file_with_errors_and_imports_nothing(staff_client):
    """The confirm step does not trust the preview: a posted file name whose rows are invalid
    (a forged form, or data changed in between) imports nothing and shows the errors."""
    storage = CacheStorage()
    storage.save(csv_bytes(with_row(1, kind="startup")))

    response = staff_client.post(
        CONFIRM_URL,
        {"import_file_name": storage.name, "original_file_name": "x.csv", "format": CSV, "resource": "0"},
    )

    assert response.status_code == 200
    assert "Nothing was imported" in page(response)
    assert "Unknown kind “startup”" in page(response)
    assert Organisation.objects.count() == 0


def test_confirm_step_rolls_back_good_rows_when_one_became_invalid_since_the_preview(staff_client):
    preview = upload(staff_client, csv_bytes(ROWS))
    assert preview.context["confirm_form"] is not None
    Topic.objects.filter(slug="advanced-materials").delete()  # row 3 uses it

    response = confirm(staff_client, preview)

    assert response.status_code == 200
    assert "Unknown topic “advanced-materials”" in page(response)
    assert Organisation.objects.count() == 0


def test_confirm_step_with_a_file_that_is_gone_asks_to_upload_again(staff_client):
    response = staff_client.post(
        CONFIRM_URL,
        {"import_file_name": "no-such-file", "original_file_name": "x.csv", "format": CSV, "resource": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert "no longer available" in page(response)


def test_confirm_step_with_a_forged_format_is_refused_cleanly(staff_client):
    response = staff_client.post(
        CONFIRM_URL,
        {"import_file_name": "x", "original_file_name": "x.csv", "format": "99", "resource": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert "no longer available" in page(response)


# --- malformed files ----------------------------------------------------------------------------


def _zip_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        pytest.param(
            csv_bytes([["Acme", "sme", "ES", "malaga"]], header=["name", "kind", "country", "town"]),
            CSV,
            [
                "The required columns region, city are missing.",
                "The column town is not one the import knows.",
            ],
            id="wrong-columns",
        ),
        pytest.param(
            csv_bytes(ROWS[:1]).decode("utf-8").encode("latin-1"),
            CSV,
            ["This file is not UTF-8 text (an unreadable byte on line 2)", "CSV UTF-8"],
            id="latin-1",
        ),
        pytest.param(
            csv_bytes(ROWS).decode("utf-8").encode("utf-16"),
            CSV,
            ["This file is UTF-16 text; the import reads UTF-8 only."],
            id="utf-16",
        ),
        pytest.param(
            bytes(range(256)) * 64,
            CSV,
            ["This file is not UTF-8 text"],
            id="binary-garbage-as-csv",
        ),
        pytest.param(
            b"name,kind\x00,country\n" * 3,
            CSV,
            ["This file contains binary data, not CSV text."],
            id="nul-bytes-as-csv",
        ),
        pytest.param(
            xlsx_bytes(ROWS),
            CSV,
            ["This looks like an Excel workbook, not a CSV file: choose the xlsx format."],
            id="xlsx-declared-as-csv",
        ),
        pytest.param(
            csv_bytes(ROWS),
            XLSX,
            ["This is not an XLSX workbook."],
            id="csv-declared-as-xlsx",
        ),
        pytest.param(_zip_bytes(), XLSX, ["This is not an XLSX workbook."], id="zip-that-is-no-workbook"),
        pytest.param(b"", CSV, ["The submitted file is empty."], id="empty"),
        pytest.param(
            csv_bytes([]), CSV, ["The file has a header line but no organisations."], id="header-only"
        ),
        pytest.param(
            b'name,kind,country,region,city\n"Acme,sme,ES,malaga,Cork\n',
            CSV,
            ["<td>2</td><td><code>kind</code></td><td>This field cannot be blank."],
            id="unclosed-quote",
        ),
        pytest.param(
            b"name,kind,country,region,city\nAcme,sme,ES,malaga,Cork,extra,more\n",
            CSV,
            ["This file could not be read as CSV"],
            id="ragged-row",
        ),
    ],
)
def test_malformed_file_gets_a_clear_error_and_changes_nothing(staff_client, content, fmt, message):
    OrganisationFactory(name="Existing", slug="existing")

    response = upload(staff_client, content, fmt=fmt)

    assert response.status_code == 200
    html = page(response)
    for part in message:
        assert part in html
    assert response.context.get("confirm_form") is None
    assert list(Organisation.objects.values_list("slug", flat=True)) == ["existing"]


def test_file_over_5_mb_is_refused_before_it_is_read(staff_client, monkeypatch):
    from organisations import imports

    def must_not_parse(*args, **kwargs):
        raise AssertionError("a file over the limit was parsed")

    monkeypatch.setattr(imports, "_read_csv", must_not_parse)
    big = csv_bytes(ROWS) + b"x" * (10 * 1024 * 1024)

    response = upload(staff_client, big)

    assert response.status_code == 200
    assert "The file is 10.0 MB; an import file may be at most 5 MB." in page(response)
    assert Organisation.objects.count() == 0


def test_file_with_too_many_rows_is_refused(staff_client, settings, monkeypatch):
    from organisations import imports

    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 2)

    response = upload(staff_client, csv_bytes(ROWS))

    assert "The file has 3 rows; an import may have at most 2." in page(response)


# --- who may import -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_people_who_are_not_staff_cannot_reach_the_import(client, request, who):
    user = request.getfixturevalue(who)
    totp_enable(user)
    client.force_login(user)

    for response in (
        client.get(IMPORT_URL),
        upload(client, csv_bytes(ROWS)),
        client.post(CONFIRM_URL, {"import_file_name": "x", "original_file_name": "x", "format": CSV}),
        client.get(EXPORT_URL),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert Organisation.objects.count() == 0


def test_visitor_cannot_reach_the_import(client):
    response = client.get(IMPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_two_factor_is_sent_to_set_it_up(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(IMPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_import_permission_is_decided_in_one_place(staff_client, monkeypatch):
    from organisations import imports

    monkeypatch.setattr(imports, "can_import_organisations", lambda user: False)

    assert staff_client.get(IMPORT_URL).status_code == 403
    assert staff_client.post(CONFIRM_URL, {}).status_code == 403
