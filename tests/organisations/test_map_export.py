"""The directory's map (page and markers) and its CSV/XLSX export: visibility, filters, permissions."""

import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook

from organisations import exports
from organisations.models import Membership, Organisation, Region, Visibility, default_visibility

from ..factories.organisations import MembershipFactory, OrganisationFactory, sector, topic

pytestmark = pytest.mark.django_db

MAP = "/organisations/map/"
MARKERS = "/organisations/map/markers.json"


@pytest.fixture
def places(db):
    return {
        "public": OrganisationFactory(name="Open Works", slug="open", region=Region.BOLOGNA),
        "members": OrganisationFactory(
            name="Members Works",
            slug="members",
            region=Region.CORK,
            visibility={**default_visibility(), "location": Visibility.MEMBERS},
        ),
        "council": OrganisationFactory(
            name="Council Works",
            slug="council",
            region=Region.PARIS,
            visibility={**default_visibility(), "location": Visibility.COUNCIL},
        ),
        "nowhere": OrganisationFactory(
            name="Nowhere Works", slug="nowhere", region=Region.OTHER, latitude=None, longitude=None
        ),
    }


@pytest.fixture
def portal_member(places, member):
    MembershipFactory(user=member, organisation=OrganisationFactory(name="Bob Tooling", slug="bob"))
    return member


def marker_slugs(client, **params):
    response = client.get(MARKERS, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return {m["url"].strip("/").split("/")[-1] for m in response.json()}


# --- markers ------------------------------------------------------------------------------------


def test_markers_are_what_the_map_needs(client, places):
    [marker] = [m for m in client.get(MARKERS).json() if m["name"] == "Open Works"]
    assert marker == {
        "name": "Open Works",
        "kind": "Engineering SME",
        "city": "Bologna",
        "lat": 44.4949,
        "lng": 11.3426,
        "url": "/organisations/open/",
    }


def test_markers_omit_organisations_whose_location_is_hidden(client, places, portal_member, staff):
    assert marker_slugs(client) == {"open", "bob"}
    client.force_login(portal_member)
    assert marker_slugs(client) == {"open", "members", "bob"}
    client.force_login(staff)
    assert marker_slugs(client) == {"open", "members", "council", "bob"}
    # The organisation's own people see its location.
    own = MembershipFactory(organisation=places["council"], role=Membership.Role.MEMBER).user
    client.force_login(own)
    assert marker_slugs(client) == {"open", "members", "council", "bob"}


def test_markers_follow_the_filters(client, places, portal_member):
    client.force_login(portal_member)
    assert marker_slugs(client, region="cork") == {"members"}
    assert marker_slugs(client, q="open") == {"open"}
    assert marker_slugs(client, kind="hei") == set()
    # An unknown value is ignored, as on the directory.
    assert marker_slugs(client, region="atlantis", kind="sme") == {"open", "members", "bob"}


def test_markers_do_not_leak_a_hidden_field_through_a_filter(client, places):
    places["public"].topics_needed.set([topic("hydrogen")])
    assert marker_slugs(client, topic_needed="hydrogen") == set()


def test_markers_of_an_empty_directory(client, db):
    assert client.get(MARKERS).json() == []


# --- the map page -------------------------------------------------------------------------------


def test_map_page_carries_what_the_script_needs(client, places, settings):
    response = client.get(MAP, {"region": "cork"})
    page = response.text
    assert response.status_code == 200
    assert 'data-markers-url="/organisations/map/markers.json"' in page
    assert f'data-tile-url="{settings.MAP_TILE_URL}"' in page
    assert "data-attribution=" in page and "OpenStreetMap" in page
    # Vendored Leaflet and the cluster plugin, no CDN, no inline script or style.
    for path in (
        "/static/vendor/leaflet-1.9.4/leaflet.js",
        "/static/vendor/leaflet-1.9.4/leaflet.css",
        "/static/vendor/leaflet.markercluster-1.5.3/leaflet.markercluster.js",
        "/static/vendor/leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
        "/static/js/map.js",
    ):
        assert path in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "<style" not in page and " style=" not in page
    # The same filter form as the directory, with the chosen filter kept.
    assert '<option value="cork" selected>' in page
    assert 'href="/organisations/?region=cork"' in page  # back to the list, same filters


def test_map_tile_url_comes_from_the_settings(client, db, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in client.get(MAP).text


def test_map_tile_host_is_allowed_by_the_content_security_policy(client, db, settings):
    policy = client.get(MAP)["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]*)", policy).group(1).split()
    assert "https://tile.openstreetmap.org" in img_src
    assert "script-src 'self'" in policy


def test_map_with_bad_filters_never_fails(client, places):
    response = client.get(MAP, {"kind": "spaceship", "q": "x" * 10_000, "sector": "Z99"})
    assert response.status_code == 200
    assert client.get(MARKERS, {"kind": "spaceship", "q": "x" * 10_000}).status_code == 200


@pytest.mark.parametrize("role", ["visitor", "member", "outsider", "staff"])
def test_map_is_open_to_every_role(client, places, portal_member, outsider, staff, role):
    user = {"visitor": None, "member": portal_member, "outsider": outsider, "staff": staff}[role]
    if user:
        client.force_login(user)
    assert client.get(MAP).status_code == 200
    assert client.get(MARKERS).status_code == 200


# --- export -------------------------------------------------------------------------------------


def export_csv(client, **params):
    response = client.get("/organisations/export.csv", params)
    assert response.status_code == 200, response.status_code
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    return response, rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def export_xlsx(client, **params):
    response = client.get("/organisations/export.xlsx", params)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = [[("" if cell.value is None else cell.value) for cell in row] for row in sheet.iter_rows()]
    return response, sheet, [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.fixture
def profiled(db):
    """An organisation with every field filled, some of them hidden from some viewers."""
    organisation = OrganisationFactory(
        name="Acme Mecanizados",
        slug="acme",
        short_name="ACME",
        website="https://acme.example",
        founded_year=1987,
        languages=["es", "en"],
        sectors=[sector("C25")],
        topics_offered=[topic("sensors"), topic("photonics")],
        topics_needed=[topic("hydrogen")],
        description="Precision machining.",
        is_verified=True,
    )
    organisation.visibility = {
        **organisation.visibility,
        "website": Visibility.COUNCIL,
        "founded_year": Visibility.MEMBERS,
        "location": Visibility.COUNCIL,
    }
    organisation.save()
    return organisation


def test_export_csv_is_a_dated_attachment(client, profiled, portal_member):
    client.force_login(portal_member)
    response, header, rows = export_csv(client)
    today = datetime.date.today().isoformat()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="organisations-{today}.csv"'
    assert header[:3] == ["Name", "Short name", "Kind"]
    assert header[-1] == "Profile"
    assert {row["Name"] for row in rows} == {
        "Acme Mecanizados",
        "Open Works",
        "Members Works",
        "Council Works",
        "Nowhere Works",
        "Bob Tooling",
    }


def test_export_cells_are_blank_where_the_viewer_may_not_see(client, profiled, portal_member, staff):
    client.force_login(portal_member)
    [acme] = [row for row in export_csv(client)[2] if row["Name"] == "Acme Mecanizados"]
    assert acme["Short name"] == "ACME"
    assert acme["Founded"] == "1987"  # members may see it
    assert acme["Topics needed"] == "Hydrogen technologies"  # members may see it
    assert acme["Topics offered"] == "Photonics and lasers; Sensors and instrumentation"
    assert acme["Sectors"] == "C25 Manufacture of fabricated metal products"
    assert acme["Languages"] == "Spanish, English"
    assert acme["Verified"] == "yes"
    assert acme["Profile"] == "http://testserver/organisations/acme/"
    assert acme["Website"] == "" and acme["Latitude"] == "" and acme["Longitude"] == ""  # council only
    # Staff, and the organisation's own people, see it all.
    for viewer in (staff, MembershipFactory(organisation=profiled).user):
        client.force_login(viewer)
        [acme] = [row for row in export_csv(client)[2] if row["Name"] == "Acme Mecanizados"]
        assert acme["Website"] == "https://acme.example"
        assert acme["Latitude"] == "36.7213"


def test_export_follows_the_filters(client, profiled, portal_member):
    OrganisationFactory(name="Alma Lab", kind=Organisation.Kind.HEI, region=Region.BOLOGNA)
    client.force_login(portal_member)
    assert [row["Name"] for row in export_csv(client, kind="hei")[2]] == ["Alma Lab"]
    assert [row["Name"] for row in export_csv(client, q="mecanizados")[2]] == ["Acme Mecanizados"]
    # Members may filter by what organisations need; a broken filter is ignored.
    assert [row["Name"] for row in export_csv(client, topic_needed="hydrogen", kind="bogus")[2]] == [
        "Acme Mecanizados"
    ]


def test_export_xlsx_respects_visibility_and_looks_right(client, profiled, portal_member):
    client.force_login(portal_member)
    response, sheet, rows = export_xlsx(client)
    today = datetime.date.today().isoformat()
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert f'filename="organisations-{today}.xlsx"' in response["Content-Disposition"]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 40  # names
    [acme] = [row for row in rows if row["Name"] == "Acme Mecanizados"]
    assert acme["Founded"] == 1987
    assert acme["Website"] == "" and acme["Latitude"] == ""


def test_export_never_writes_a_formula(client, db, portal_member):
    OrganisationFactory(name='=HYPERLINK("http://evil.example")', slug="evil", description="+1 yes")
    client.force_login(portal_member)
    [evil] = [row for row in export_csv(client)[2] if "HYPERLINK" in row["Name"]]
    assert evil["Name"].startswith("'=")
    assert evil["Description"] == "'+1 yes"
    _, sheet, _ = export_xlsx(client, q="hyperlink")
    assert sheet["A2"].data_type == "s"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "role,status", [("visitor", 302), ("outsider", 403), ("member", 200), ("staff", 200)]
)
def test_export_permissions(client, places, portal_member, outsider, staff, fmt, role, status):
    user = {"visitor": None, "member": portal_member, "outsider": outsider, "staff": staff}[role]
    if user:
        client.force_login(user)
    response = client.get(f"/organisations/export.{fmt}", {"kind": "sme"})
    assert response.status_code == status
    if role == "visitor":
        assert response["Location"].startswith("/accounts/login/?next=/organisations/export.")


def test_export_of_an_unknown_format_is_404(client, portal_member):
    client.force_login(portal_member)
    assert client.get("/organisations/export.pdf").status_code == 404


# --- the writers --------------------------------------------------------------------------------


def test_csv_stream_yields_chunks_not_one_string():
    rows = ([n, f"name {n}"] for n in range(1200))
    chunks = list(exports.csv_stream(rows, batch=500))
    assert len(chunks) == 4  # the byte-order mark, then 500 + 500 + 200 rows
    assert chunks[1].count("\r\n") == 500


def test_directory_rows_read_in_chunks(client, db, portal_member, monkeypatch, django_assert_max_num_queries):
    from organisations.selectors import organisations_for_directory, viewer_for

    OrganisationFactory.create_batch(25, topics_offered=[topic("sensors")])
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    viewer = viewer_for(portal_member)
    queryset = organisations_for_directory(viewer=viewer, params={}).qs
    rows = exports.directory_rows(queryset, viewer=viewer, profile_url="/")
    next(rows)  # the header
    # 30 organisations (with the map's and Bob's) in 3 chunks: two queries for the names of the
    # sectors and topics, one for the rows, three per chunk for the sectors and topics.
    with django_assert_max_num_queries(2 + 1 + 3 * 3):
        assert len(list(rows)) == 30


def test_xlsx_file_of_generic_rows():
    rows = [["Name", "Count"], ["a", 1], ["=b", 2.5], [None, True]]
    workbook = load_workbook(exports.xlsx_file(rows, title="Things"))
    sheet = workbook["Things"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Name", "Count"],
        ["a", 1],
        ["=b", 2.5],
        [None, "yes"],
    ]
    assert sheet["A3"].data_type == "s"
    assert sheet.auto_filter.ref == "A1:B4"
