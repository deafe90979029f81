"""Organisations in a real browser: an admin invites a colleague who joins from the email and edits
the profile; the directory filters without reloading the page; the map shows markers without tiles."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from organisations.models import Membership, Organisation, Region
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.organisations import CITY, MembershipFactory, OrganisationFactory

from .axe import assert_accessible
from .helpers import field, log_in

COLLEAGUE_PASSWORD = "Quarry-Spindle-2026"
INVITATION_LINK = re.compile(r"https?://[^\s\"'<>]+/organisations/invitations/[^\s\"'<>/]+/")


def test_organisation_invitation_accepted_from_email_and_profile_edited(
    site, live_server, mailoutbox, settings
):
    settings.SITE_URL = live_server.url  # the invitation email links to the live server
    page = site
    admin = UserFactory(email="ada@officine-reno.example", full_name="Ada Reno")
    organisation = OrganisationFactory(name="Officine Reno", slug="officine-reno", region=Region.BOLOGNA)
    MembershipFactory(user=admin, organisation=organisation, role=Membership.Role.ADMIN)

    # The admin invites a colleague from the People page.
    log_in(page, admin.email, PASSWORD)
    assert_accessible(page, "profile page")
    page.goto("/organisations/officine-reno/")
    assert_accessible(page, "organisation page")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page).to_have_url(re.compile(r"/organisations/officine-reno/people/$"))
    assert_accessible(page, "people page")

    invite = page.get_by_role("region", name="Invite someone")
    field(invite, "Email address").fill("Bruno@Officine-Reno.example")
    field(invite, "Role").select_option(label="Administrator")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to bruno@officine-reno.example.")).to_be_visible()
    open_invitations = page.get_by_role("region", name="Open invitations")
    expect(open_invitations.get_by_role("listitem")).to_contain_text("bruno@officine-reno.example")
    assert_accessible(page, "people page with the invitation sent")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["bruno@officine-reno.example"]
    link = INVITATION_LINK.search(message.body).group(0)
    assert link.startswith(live_server.url)

    # The colleague, in a browser of their own: nothing of the admin's session is left.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Officine Reno")
    expect(page.get_by_text("Ada Reno invites you to join Officine Reno as Administrator.")).to_be_visible()
    assert_accessible(page, "invitation page for a visitor")

    page.get_by_role("link", name="Create your account").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/\?next="))
    assert_accessible(page, "sign-up page from the invitation")
    field(page, "Email").fill("bruno@officine-reno.example")
    field(page, "Full name").fill("Bruno Tornitore")
    field(page, "Password").fill(COLLEAGUE_PASSWORD)
    field(page, "Password (again)").fill(COLLEAGUE_PASSWORD)
    page.get_by_role("checkbox", name="privacy notice").check()
    page.get_by_role("button", name="Sign Up").click()

    # No confirmation email: the invitation link already proved the address. Back to accept.
    expect(page).to_have_url(link)
    assert_accessible(page, "invitation page signed in")
    page.get_by_role("button", name="Accept the invitation").click()

    expect(page).to_have_url(re.compile(r"/organisations/officine-reno/$"))
    expect(page.get_by_text("Welcome to Officine Reno!")).to_be_visible()
    assert_accessible(page, "organisation page after accepting")
    colleague = Membership.objects.select_related("user").get(
        organisation=organisation, user__email="bruno@officine-reno.example"
    )
    assert colleague.role == Membership.Role.ADMIN
    assert colleague.user.full_name == "Bruno Tornitore"
    assert len(mailoutbox) == 1, "no verification email for an address the invitation proved"

    # As an admin now, the colleague edits the profile: the description, and who sees the size.
    page.get_by_role("link", name="Edit profile").click()
    expect(page).to_have_url(re.compile(r"/organisations/officine-reno/edit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Officine Reno")
    assert_accessible(page, "edit profile page")
    description = "CNC turning and milling of aluminium parts for packaging machines."
    field(page.get_by_role("group", name="Profile"), "Description").fill(description)
    field(page, "Who sees the size").select_option(label="Signed-in members of the portal")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(re.compile(r"/organisations/officine-reno/$"))
    expect(page.get_by_text("The profile has been saved.")).to_be_visible()
    expect(page.get_by_role("region", name="About")).to_contain_text(description)
    facts = page.locator(".org-facts")
    expect(facts).to_contain_text("Small (10–49 staff)")  # members still see the size
    assert_accessible(page, "organisation page after editing")
    organisation.refresh_from_db()
    assert organisation.description == description
    assert organisation.visibility["size_band"] == "members"

    # A visitor sees the new description but no longer the size.
    page.context.clear_cookies()
    page.reload()
    expect(page.get_by_role("region", name="About")).to_contain_text(description)
    expect(facts).not_to_contain_text("Small (10–49 staff)")
    assert_accessible(page, "organisation page for a visitor")


# Five organisations in each region, of every kind; two in Bologna work on robots.
SEEDS = {
    Region.MALAGA: [
        "Andalucía Composites",
        "Costa Sol Mecatrónica",
        "Universidad de Málaga",
        "Puerto Tech Hub",
        "Guadalmedina Moldes",
    ],
    Region.ALCALA: [
        "Henares Aeroespacial",
        "Complutum Ingeniería",
        "Universidad de Alcalá",
        "Cervantes Clúster",
        "Alcalá Láser",
    ],
    Region.BOLOGNA: [
        "Officine Meccaniche Reno",
        "Ceramica Tecnica Emiliana",
        "Alma Robotics Lab",
        "Emilia Packaging Cluster",
        "Felsina Robotica",
    ],
    Region.CORK: [
        "Lee Valley Precision",
        "Munster Medtech",
        "University College Cork",
        "Rebel Ventures",
        "Blarney Fluid Systems",
    ],
    Region.ISTANBUL: [
        "Boğaziçi Otomasyon",
        "Marmara Döküm",
        "Istanbul Technical University",
        "Galata Teknopark",
        "Haliç Hidrolik",
    ],
    Region.PARIS: [
        "Seine Usinage",
        "Île Capteurs",
        "Université Paris-Saclay",
        "Lutèce Conseil",
        "Montmartre Optique",
    ],
}
KINDS = [Organisation.Kind.SME, Organisation.Kind.SME, Organisation.Kind.HEI, Organisation.Kind.INTERMEDIARY]


def seed_directory():
    for region, names in SEEDS.items():
        latitude, longitude = (Decimal(str(degrees)) for degrees in CITY[region][2:])
        for index, name in enumerate(names):
            # Near each other around the city: at the closest zoom some markers still cluster.
            spread = Decimal("0.01") * index
            OrganisationFactory(
                name=name,
                kind=KINDS[index % len(KINDS)],
                region=region,
                latitude=latitude + spread,
                longitude=longitude + spread,
            )


def test_directory_filters_without_reloading_and_map_shows_markers_without_tiles(site, settings):
    page = site
    seed_directory()
    # Tiles come from another host, which the tests must not depend on: refuse them, as offline.
    tile_host = re.escape(settings.MAP_TILE_URL.split("/")[2].replace("{s}", "*")).replace(r"\*", "[^/]+")
    refused_tiles = []

    def refuse_tile(route):
        refused_tiles.append(route.request.url)
        route.abort("internetdisconnected")

    page.route(re.compile(rf"^https?://{tile_host}/"), refuse_tile)

    page.goto("/organisations/")
    results = page.locator("#results")
    results_heading = results.get_by_role("heading", level=2)
    expect(results_heading).to_have_text("30 organisations")
    assert_accessible(page, "directory")

    # Set on this document: a full page load would lose it.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    field(page, "Region").select_option(label="Bologna")
    expect(page).to_have_url(re.compile(r"/organisations/\?region=bologna$"))
    expect(results_heading).to_have_text("5 organisations")
    expect(results.get_by_role("heading", level=3)).to_have_count(5)
    expect(results).to_contain_text("Ceramica Tecnica Emiliana")
    expect(results).not_to_contain_text("Seine Usinage")
    expect(page.get_by_role("status")).to_have_text("5 organisations found")
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
    assert_accessible(page, "directory filtered by region")

    field(page, "Search").press_sequentially("robot")
    expect(page).to_have_url(re.compile(r"/organisations/\?(?=.*region=bologna)(?=.*q=robot)"))
    expect(results_heading).to_have_text("2 organisations")
    expect(results.get_by_role("heading", level=3)).to_have_text(["Alma Robotics Lab", "Felsina Robotica"])
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page was reloaded"
    assert_accessible(page, "directory filtered by region and search")

    # The map of the same filtered set, without any tile: the markers are there all the same.
    page.get_by_role("link", name="Show on a map").click()
    expect(page).to_have_url(re.compile(r"/organisations/map/\?(?=.*region=bologna)(?=.*q=robot)"))
    the_map = page.get_by_role("region", name="Map of organisations")
    expect(page.locator("#map-status")).to_have_text("2 organisations on the map")
    expect(the_map).to_have_attribute("data-markers", "2")
    expect(the_map.locator(".leaflet-marker-icon").first).to_be_visible()
    assert refused_tiles, "the map did not even ask for tiles"
    assert_accessible(page, "map filtered by region and search")

    # Clearing the search on the map shows the five of Bologna, close together so some clustered.
    field(page, "Search").fill("")
    expect(page.locator("#map-status")).to_have_text("5 organisations on the map")
    expect(page).to_have_url(re.compile(r"/organisations/map/\?region=bologna$"))
    expect(the_map.locator(".marker-cluster").first).to_be_visible()
    assert markers_shown(the_map) == 5
    assert_accessible(page, "map of Bologna")


def markers_shown(the_map):
    """How many organisations the map's markers stand for: one per marker, a cluster its count."""
    icons = the_map.locator(".leaflet-marker-icon")
    return sum(
        int(icon.inner_text()) if "marker-cluster" in (icon.get_attribute("class") or "") else 1
        for icon in icons.all()
    )
