"""The directory page: filters, search, visibility, pagination, htmx, bad input and who may see it."""

import re

import pytest
from django.urls import reverse

from organisations.models import Membership, Organisation, Region, Visibility

from ..factories.organisations import MembershipFactory, OrganisationFactory, sector, topic

pytestmark = pytest.mark.django_db

URL = "/organisations/"


@pytest.fixture
def ecosystem(db):
    """A small directory: one organisation of each interesting kind, each with its own facts."""
    return {
        "costa": OrganisationFactory(
            name="Costa Mecatrónica",
            slug="costa",
            region=Region.MALAGA,
            size_band=Organisation.SizeBand.MICRO,
            sectors=[sector("C28")],
            topics_offered=[topic("automation-robotics")],
            topics_needed=[topic("hydrogen")],
            is_verified=True,
        ),
        "unibo": OrganisationFactory(
            name="Alma Engineering Lab",
            slug="unibo",
            kind=Organisation.Kind.HEI,
            region=Region.BOLOGNA,
            size_band=Organisation.SizeBand.LARGE,
            sectors=[sector("P85.4")],
            topics_offered=[topic("ai-machine-learning")],
            description="Research on learning machines.",
        ),
        "capital": OrganisationFactory(
            name="Seine Deeptech Capital",
            slug="capital",
            kind=Organisation.Kind.INTERMEDIARY,
            subtype=Organisation.Subtype.INVESTOR,
            region=Region.PARIS,
            size_band=Organisation.SizeBand.SMALL,
            topics_offered=[topic("finance-funding")],
        ),
        "cork": OrganisationFactory(
            name="Lee Marine Works",
            slug="cork",
            region=Region.CORK,
            size_band=Organisation.SizeBand.MEDIUM,
            topics_needed=[topic("maritime")],
        ),
    }


@pytest.fixture
def portal_member(ecosystem, member):
    """Bob belongs to an organisation of his own, which makes him a portal member."""
    MembershipFactory(user=member, organisation=OrganisationFactory(name="Bob Tooling", slug="bob-tooling"))
    return member


def slugs(response):
    """The organisations listed on a directory page, by slug."""
    return set(
        re.findall(r'<h3 class="h5 card-title[^"]*"><a href="/organisations/([\w-]+)/"', response.text)
    )


def results(client, **params):
    """Only the result list (what htmx swaps in), without the filter form and its options."""
    response = client.get(URL, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


def listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return slugs(response)


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,expected",
    [
        ({}, {"costa", "unibo", "capital", "cork"}),
        ({"kind": "hei"}, {"unibo"}),
        ({"kind": "intermediary", "subtype": "investor"}, {"capital"}),
        ({"subtype": "cluster"}, set()),
        ({"country": "IT"}, {"unibo"}),
        ({"country": "ES"}, {"costa"}),
        ({"region": "cork"}, {"cork"}),
        ({"region": "paris", "kind": "sme"}, set()),
        ({"sector": "C28"}, {"costa"}),
        ({"size_band": "large"}, {"unibo"}),
        ({"topic_offered": "finance-funding"}, {"capital"}),
        ({"verified": "on"}, {"costa"}),
        ({"verified": ""}, {"costa", "unibo", "capital", "cork"}),
    ],
)
def test_directory_filter_gives_the_right_organisations(client, ecosystem, params, expected):
    assert listed(client, **params) == expected


def test_directory_topic_needed_is_members_only_by_default(client, ecosystem, portal_member):
    # Visitors cannot see what an organisation needs, so they cannot find it by that either.
    assert listed(client, topic_needed="hydrogen") == set()
    client.force_login(portal_member)
    assert listed(client, topic_needed="hydrogen") == {"costa"}
    assert listed(client, topic_needed="maritime") == {"cork"}


def test_directory_filter_on_a_hidden_field_never_matches(client, ecosystem, portal_member, staff):
    costa = ecosystem["costa"]
    costa.visibility = {**costa.visibility, "size_band": Visibility.COUNCIL, "sectors": Visibility.MEMBERS}
    costa.save()
    assert listed(client, size_band="micro") == set()
    assert listed(client, sector="C28") == set()
    client.force_login(portal_member)
    assert listed(client, size_band="micro") == set()
    assert listed(client, sector="C28") == {"costa"}
    # Its own people and staff see everything.
    client.force_login(staff)
    assert listed(client, size_band="micro") == {"costa"}
    own = MembershipFactory(organisation=costa).user
    client.force_login(own)
    assert listed(client, size_band="micro") == {"costa"}


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q,expected",
    [
        ("malaga", {"costa"}),  # the city is "Málaga": accents fold
        ("MÁLAGA", {"costa"}),
        ("mecatronica", {"costa"}),
        ("robot", {"costa"}),  # a prefix of "robotics", in the name of a topic it offers
        ("learning", {"unibo"}),
        ("alma lab", {"unibo"}),  # every word must match
        ("alma paris", set()),
        ("deeptech", {"capital"}),
        ("nothing-like-this", set()),
        ("   ", {"costa", "unibo", "capital", "cork"}),
    ],
)
def test_directory_search(client, ecosystem, q, expected):
    assert listed(client, q=q) == expected


def test_directory_search_combines_with_filters(client, ecosystem):
    assert listed(client, q="engineering", kind="hei") == {"unibo"}


def test_directory_search_does_not_find_hidden_text(client, ecosystem, portal_member):
    from organisations.services import organisation_update

    organisation_update(
        organisation=ecosystem["cork"],
        actor=None,
        description="Secret turbine refits.",
        visibility={**ecosystem["cork"].visibility, "description": Visibility.MEMBERS},
    )
    assert listed(client, q="turbine") == set()
    client.force_login(portal_member)
    assert listed(client, q="turbine") == set()


# --- what each result shows ---------------------------------------------------------------------


def test_directory_result_shows_only_visible_fields(client, ecosystem, portal_member):
    unibo = ecosystem["unibo"]
    unibo.short_name = "ALMA"
    unibo.visibility = {
        **unibo.visibility,
        "description": Visibility.MEMBERS,
        "topics_offered": Visibility.COUNCIL,
        "short_name": Visibility.MEMBERS,
        "size_band": Visibility.COUNCIL,
    }
    unibo.save()
    page = results(client, kind="hei")
    assert "Alma Engineering Lab" in page
    assert "University (HEI)" in page and "Bologna" in page and "Italy" in page
    for hidden in ("Research on learning machines", "Artificial intelligence", "(ALMA)", "Large (250"):
        assert hidden not in page
    client.force_login(portal_member)
    page = results(client, kind="hei")
    assert "Research on learning machines" in page and "(ALMA)" in page
    assert "Artificial intelligence" not in page and "Large (250" not in page


def test_directory_links_each_result_to_its_page(client, ecosystem):
    page = results(client, region="paris")
    assert f'href="{reverse("organisations:detail", args=["capital"])}"' in page
    assert "Investor" in page  # an intermediary shows its type
    assert "Verified" not in page
    assert "Verified" in results(client, region="malaga")


def test_directory_counts_results_and_has_an_empty_state(client, ecosystem):
    assert "4 organisations" in client.get(URL).text
    assert "1 organisation<" in client.get(URL, {"kind": "hei"}).text
    empty = client.get(URL, {"q": "zzzz"}).text
    assert "0 organisations" in empty
    assert "No organisation matches these filters." in empty


def test_directory_form_is_labelled_and_keeps_the_filters(client, ecosystem):
    page = client.get(URL, {"kind": "hei", "q": "alma"}).text
    for name in (
        "q",
        "kind",
        "subtype",
        "country",
        "region",
        "sector",
        "size_band",
        "topic_offered",
        "topic_needed",
    ):
        assert f'<label class="form-label" for="id_{name}">' in page
    assert '<label class="form-check-label" for="id_verified">' in page
    assert '<option value="hei" selected>' in page
    assert 'value="alma"' in page
    assert 'type="submit"' in page  # works without JavaScript


# --- pagination ---------------------------------------------------------------------------------


@pytest.fixture
def fifty(db):
    return OrganisationFactory.create_batch(50, region=Region.CORK)


def test_directory_paginates_by_24(client, fifty):
    first = client.get(URL)
    assert len(slugs(first)) == 24
    assert "Page 1 of 3" in first.text
    third = client.get(URL, {"page": 3})
    assert len(slugs(third)) == 2
    every = set()
    for page in (1, 2, 3):
        every |= slugs(client.get(URL, {"page": page}))
    assert len(every) == 50


def test_directory_pagination_links_keep_the_filters(client, fifty):
    page = client.get(URL, {"region": "cork", "page": 2}).text
    assert 'href="?region=cork&amp;page=3"' in page
    assert 'href="?region=cork&amp;page=1"' in page


@pytest.mark.parametrize(
    "page,shown",
    [
        ("999999", "Page 3 of 3"),
        ("1" + "0" * 30, "Page 3 of 3"),
        ("abc", "Page 1 of 3"),
        ("2.5", "Page 1 of 3"),
        ("", "Page 1 of 3"),
        ("0", "Page 3 of 3"),
        ("-1", "Page 3 of 3"),
        ("2", "Page 2 of 3"),
    ],
)
def test_directory_odd_page_numbers_never_fail(client, fifty, page, shown):
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    assert shown in response.text


# --- htmx ---------------------------------------------------------------------------------------


def test_directory_htmx_request_gets_only_the_results(client, ecosystem):
    response = client.get(URL, {"kind": "hei"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<form" not in response.text
    assert slugs(response) == {"unibo"}
    # The screen-reader status outside the swapped list is updated out of band.
    assert 'id="results-status" hx-swap-oob="innerHTML">1 organisation found<' in response.text
    assert "HX-Request" in response["Vary"]


def test_directory_htmx_history_restore_gets_the_whole_page(client, ecosystem):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.text and "<form" in response.text


def test_directory_form_drives_htmx_without_inline_script(client, ecosystem):
    page = client.get(URL).text
    form = re.search(r'<form id="directory-filters"[^>]*>', page).group(0)
    assert 'hx-get="/organisations/"' in form
    assert 'hx-target="#results"' in form
    assert 'hx-push-url="true"' in form
    assert "delay:" in form  # typing in the search is debounced
    assert 'method="get"' in form
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "/static/js/directory.js" in page


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,label",
    [
        ({"kind": "spaceship"}, "Kind"),
        ({"subtype": "pirate"}, "Type of intermediary"),
        ({"country": "XX"}, "Country"),
        ({"region": "atlantis"}, "Region"),
        ({"sector": "Z99"}, "Sector"),
        ({"size_band": "huge"}, "Size"),
        ({"topic_offered": "no-such-topic"}, "Offers"),
        ({"topic_needed": "<script>"}, "Needs"),
    ],
)
def test_directory_unknown_filter_value_is_explained_and_ignored(client, ecosystem, params, label):
    response = client.get(URL, {**params, "region": params.get("region", "bologna")})
    assert response.status_code == 200
    assert "Some filters were not understood and are ignored" in response.text
    assert f"<li>{label}: Select a valid choice." in response.text
    assert "<script>" not in response.text
    # The other filters still apply; the broken one is ignored.
    expected = {"costa", "unibo", "capital", "cork"} if "region" in params else {"unibo"}
    assert slugs(response) == expected


def test_directory_huge_search_is_refused_clearly(client, ecosystem):
    response = client.get(URL, {"q": "robot " * 2000})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.text
    assert len(slugs(response)) == 4


def test_directory_unknown_parameters_are_ignored(client, ecosystem):
    response = client.get(URL, {"order": "drop table", "kind": ["hei", "sme"]})
    assert response.status_code == 200


# --- who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["visitor", "member", "outsider", "staff"])
def test_directory_is_open_to_every_role(client, ecosystem, portal_member, outsider, staff, role):
    user = {"visitor": None, "member": portal_member, "outsider": outsider, "staff": staff}[role]
    if user:
        client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    can_export = role in ("member", "staff")
    assert ("Export CSV" in response.text) is can_export
    assert ("/organisations/export.xlsx" in response.text) is can_export
    assert "/organisations/map/" in response.text


def test_directory_map_and_export_links_carry_the_filters(client, ecosystem, portal_member):
    client.force_login(portal_member)
    page = client.get(URL, {"kind": "sme", "region": "cork", "page": "1"}).text
    assert 'href="/organisations/map/?kind=sme&amp;region=cork"' in page
    assert 'href="/organisations/export.csv?kind=sme&amp;region=cork"' in page
    assert 'href="/organisations/export.xlsx?kind=sme&amp;region=cork"' in page


def test_directory_org_admin_sees_own_hidden_fields(client, ecosystem):
    cork = ecosystem["cork"]
    cork.visibility = {**cork.visibility, "description": Visibility.COUNCIL}
    cork.description = "Our private note."
    cork.save()
    admin = MembershipFactory(organisation=cork, role=Membership.Role.ADMIN).user
    assert "Our private note." not in results(client, region="cork")
    client.force_login(admin)
    assert "Our private note." in results(client, region="cork")
