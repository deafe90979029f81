"""The organisations app in the Django admin: every model's pages load for staff with a constant
number of queries, and writes made there go through the services (search text, verification,
interaction flags, the last-admin rule)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organisations.models import (
    Interaction,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    Region,
    default_visibility,
)

from ..factories.accounts import UserFactory, totp_enable
from ..factories.organisations import (
    InteractionFactory,
    MembershipFactory,
    OrganisationFactory,
    sector,
    topic,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache")]

ADMIN = "/admin/organisations"


@pytest.fixture
def staff_client(client, staff):
    """Alice, staff with TOTP, signed in (the admin refuses staff without two-factor)."""
    totp_enable(staff)
    client.force_login(staff)
    return client


# --- every changelist, at two sizes -------------------------------------------------------------


def _organisations(n):
    OrganisationFactory.create_batch(
        n,
        sectors=[sector("C25"), sector("M71")],
        topics_offered=[topic("sensors")],
        topics_needed=[topic("hydrogen")],
    )


def _memberships(n):
    MembershipFactory.create_batch(n)


def _invitations(n):
    inviter = UserFactory()
    for organisation in OrganisationFactory.create_batch(n):
        Invitation.objects.create(
            organisation=organisation,
            email=f"guest-{organisation.slug}@example.org",
            invited_by=inviter,
            expires_at=timezone.now() + datetime.timedelta(days=14),
        )


def _join_requests(n):
    decider = UserFactory()
    for index, organisation in enumerate(OrganisationFactory.create_batch(n)):
        JoinRequest.objects.create(
            organisation=organisation,
            user=UserFactory(),
            status=JoinRequest.Status.REFUSED if index % 2 else JoinRequest.Status.PENDING,
            decided_by=decider if index % 2 else None,
        )


def _interactions(n):
    recorder = UserFactory()
    for _ in range(n):
        interaction = InteractionFactory(recorded_by=recorder)
        interaction.organisations.set(OrganisationFactory.create_batch(2))


CHANGELISTS = {
    "sector": _organisations,  # the taxonomies are seeded; what grows is their use
    "topic": _organisations,
    "organisation": _organisations,
    "membership": _memberships,
    "invitation": _invitations,
    "joinrequest": _join_requests,
    "interaction": _interactions,
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_loads_with_the_same_number_of_queries_at_5_and_50_rows(staff_client, model):
    url = f"{ADMIN}/{model}/"
    CHANGELISTS[model](5)
    staff_client.get(url)  # warm caches (content types, the session)
    few = _queries(staff_client, url)

    CHANGELISTS[model](45)
    many = _queries(staff_client, url)

    assert few == many


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_search_filters_and_add_page_load(staff_client, model):
    CHANGELISTS[model](3)

    assert staff_client.get(f"{ADMIN}/{model}/", {"q": "example"}).status_code == 200
    assert staff_client.get(f"{ADMIN}/{model}/", {"_facets": "1"}).status_code == 200
    add = staff_client.get(f"{ADMIN}/{model}/add/")
    assert add.status_code in (200, 403)  # invitations and join requests are made on the site


def test_change_pages_load(staff_client, staff):
    membership = MembershipFactory(role=Membership.Role.ADMIN)
    organisation = membership.organisation
    _invitations(1)
    _join_requests(1)
    _interactions(1)

    for url in [
        f"{ADMIN}/organisation/{organisation.pk}/change/",
        f"{ADMIN}/membership/{membership.pk}/change/",
        f"{ADMIN}/invitation/{Invitation.objects.get().pk}/change/",
        f"{ADMIN}/joinrequest/{JoinRequest.objects.get().pk}/change/",
        f"{ADMIN}/interaction/{Interaction.objects.get().pk}/change/",
        f"{ADMIN}/sector/{sector('C25').pk}/change/",
        f"{ADMIN}/topic/{topic('sensors').pk}/change/",
    ]:
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_people_who_are_not_staff_cannot_reach_the_admin(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)

    for model in CHANGELISTS:
        response = client.get(f"{ADMIN}/{model}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- organisations ------------------------------------------------------------------------------


def _organisation_form(**changes):
    data = {
        "name": "Ingeniería Óptima",
        "short_name": "",
        "slug": "",
        "kind": "sme",
        "subtype": "",
        "country": "ES",
        "region": Region.ALCALA,
        "city": "Alcalá de Henares",
        "latitude": "40.48180",
        "longitude": "-3.36430",
        "sectors": [sector("C28").pk],
        "topics_offered": [topic("photonics").pk],
        "topics_needed": [],
        "size_band": "micro",
        "founded_year": "2015",
        "website": "optima.example.es",
        "languages": '["es"]',
        "description": "Laser optics.",
        "visibility": json.dumps(default_visibility()),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_organisation_added_in_admin_is_searchable_with_its_taxonomies_and_first_admin(staff_client, member):
    response = staff_client.post(
        f"{ADMIN}/organisation/add/",
        _organisation_form(
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-user": member.pk,
                "memberships-0-role": "admin",
            }
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get()
    assert organisation.slug == "ingenieria-optima"
    assert organisation.website == "https://optima.example.es"
    assert list(organisation.sectors.all()) == [sector("C28")]
    assert list(organisation.topics_offered.all()) == [topic("photonics")]
    assert "ingenieria optima" in organisation.search_text
    assert "photonics and lasers" in organisation.search_text
    assert Membership.objects.get(organisation=organisation).user == member


def test_organisation_changed_in_admin_keeps_search_text_current(staff_client):
    organisation = OrganisationFactory(name="Old Name", slug="old-name")

    response = staff_client.post(
        f"{ADMIN}/organisation/{organisation.pk}/change/",
        _organisation_form(name="Nuevo Nombre", slug="old-name", topics_offered=[topic("hydrogen").pk]),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Nuevo Nombre"
    assert "nuevo nombre" in organisation.search_text
    assert "old name" not in organisation.search_text
    assert "hydrogen technologies" in organisation.search_text


def test_organisation_admin_refuses_subtype_on_an_sme_and_reserved_slugs(staff_client):
    response = staff_client.post(
        f"{ADMIN}/organisation/add/", _organisation_form(subtype="investor", slug="map")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Intermediaries need a type; SMEs and universities have none." in html
    assert "reserved for the portal" in html
    assert not Organisation.objects.exists()


def test_blank_slug_on_change_keeps_the_address(staff_client):
    organisation = OrganisationFactory(name="Acme", slug="acme")

    response = staff_client.post(
        f"{ADMIN}/organisation/{organisation.pk}/change/", _organisation_form(name="Acme")
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.slug == "acme"


def test_search_text_is_read_only_in_the_admin(staff_client):
    organisation = OrganisationFactory(name="Acme", slug="acme")

    staff_client.post(
        f"{ADMIN}/organisation/{organisation.pk}/change/",
        _organisation_form(name="Acme", slug="acme", search_text="injected"),
    )

    organisation.refresh_from_db()
    assert "injected" not in organisation.search_text


def test_mark_verified_action_verifies_through_the_service(staff_client, staff):
    first, second, untouched = OrganisationFactory.create_batch(3)

    response = staff_client.post(
        f"{ADMIN}/organisation/",
        {"action": "mark_verified", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 302
    for organisation in (first, second):
        organisation.refresh_from_db()
        assert organisation.is_verified
        assert organisation.verified_by == staff
        assert organisation.verified_at is not None
    untouched.refresh_from_db()
    assert not untouched.is_verified

    staff_client.post(f"{ADMIN}/organisation/", {"action": "mark_unverified", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert not first.is_verified and first.verified_by is None


# --- memberships and the last-admin rule --------------------------------------------------------


def test_last_admin_cannot_be_demoted_or_deleted_in_the_admin(staff_client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)

    response = staff_client.post(f"{ADMIN}/membership/{membership.pk}/change/", {"role": "member"})
    assert response.status_code == 200
    assert "needs at least one administrator" in response.content.decode()

    response = staff_client.post(f"{ADMIN}/membership/{membership.pk}/delete/", {"post": "yes"}, follow=True)
    assert "needs at least one administrator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_staff_can_delete_an_organisation_or_person_with_administrators(staff_client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)

    page = staff_client.get(f"{ADMIN}/organisation/{membership.organisation.pk}/delete/")
    assert page.status_code == 200 and not page.context["perms_lacking"]
    page = staff_client.get(f"/admin/accounts/user/{membership.user.pk}/delete/")
    assert page.status_code == 200 and not page.context["perms_lacking"]

    staff_client.post(f"{ADMIN}/organisation/{membership.organisation.pk}/delete/", {"post": "yes"})
    assert not Organisation.objects.exists()


def test_admin_can_be_demoted_when_another_remains(staff_client):
    first = MembershipFactory(role=Membership.Role.ADMIN)
    MembershipFactory(organisation=first.organisation, role=Membership.Role.ADMIN)

    response = staff_client.post(f"{ADMIN}/membership/{first.pk}/change/", {"role": "member"})

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.role == Membership.Role.MEMBER
    assert staff_client.post(f"{ADMIN}/membership/{first.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=first.pk).exists()


def test_organisation_inline_cannot_remove_the_last_admin(staff_client):
    membership = MembershipFactory(role=Membership.Role.ADMIN)
    organisation = membership.organisation

    response = staff_client.post(
        f"{ADMIN}/organisation/{organisation.pk}/change/",
        _organisation_form(
            name=organisation.name,
            slug=organisation.slug,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": membership.pk,
                "memberships-0-organisation": organisation.pk,
                "memberships-0-user": membership.user.pk,
                "memberships-0-role": "admin",
                "memberships-0-DELETE": "on",
            },
        ),
    )

    assert response.status_code == 200
    assert "needs at least one administrator" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_organisation_inline_can_hand_over_the_admin_role(staff_client, member):
    old = MembershipFactory(role=Membership.Role.ADMIN)
    new = MembershipFactory(organisation=old.organisation, user=member, role=Membership.Role.MEMBER)
    organisation = old.organisation

    def row(index, membership, role):
        prefix = f"memberships-{index}-"
        return {
            prefix + "id": membership.pk,
            prefix + "organisation": organisation.pk,
            prefix + "user": membership.user.pk,
            prefix + "role": role,
        }

    response = staff_client.post(
        f"{ADMIN}/organisation/{organisation.pk}/change/",
        _organisation_form(
            name=organisation.name,
            slug=organisation.slug,
            **{"memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "2"},
            **row(0, old, "member"),
            **row(1, new, "admin"),
        ),
    )

    assert response.status_code == 302
    assert dict(Membership.objects.filter(organisation=organisation).values_list("user", "role")) == {
        old.user.pk: "member",
        member.pk: "admin",
    }


# --- invitations and join requests --------------------------------------------------------------


def test_join_request_approve_action_makes_a_member(staff_client, member):
    organisation = OrganisationFactory()
    join_request = JoinRequest.objects.create(organisation=organisation, user=member)

    staff_client.post(f"{ADMIN}/joinrequest/", {"action": "approve", "_selected_action": [join_request.pk]})

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert Membership.objects.filter(organisation=organisation, user=member).exists()


def test_invitation_revoke_action_withdraws_it(staff_client):
    _invitations(1)
    invitation = Invitation.objects.get()

    staff_client.post(f"{ADMIN}/invitation/", {"action": "revoke", "_selected_action": [invitation.pk]})

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


# --- the interaction ledger ---------------------------------------------------------------------


def test_interaction_added_by_hand_gets_its_flags_derived(staff_client, staff):
    sme = OrganisationFactory(kind=Organisation.Kind.SME, region=Region.MALAGA)
    hei = OrganisationFactory(kind=Organisation.Kind.HEI, region=Region.BOLOGNA)

    response = staff_client.post(
        f"{ADMIN}/interaction/add/",
        {
            "kind": "visit",
            "date": "2026-03-02",
            "organisations": [sme.pk, hei.pk],
            "description": "Lab visit",
        },
    )

    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.is_sme_hei and interaction.is_cross_border
    assert interaction.source == "manual" and interaction.recorded_by == staff
    assert set(interaction.organisations.all()) == {sme, hei}

    change = staff_client.get(f"{ADMIN}/interaction/{interaction.pk}/change/")
    form = change.context["adminform"].form
    assert "is_sme_hei" not in form.fields and "organisations" not in form.fields


def test_interaction_between_two_smes_in_one_country_has_no_flags(staff_client):
    first, second = OrganisationFactory.create_batch(2, kind=Organisation.Kind.SME, region=Region.MALAGA)

    staff_client.post(
        f"{ADMIN}/interaction/add/",
        {"kind": "joint_project", "date": "2026-03-02", "organisations": [first.pk, second.pk]},
    )

    interaction = Interaction.objects.get()
    assert not interaction.is_sme_hei and not interaction.is_cross_border


def test_interaction_needs_two_organisations(staff_client):
    only = OrganisationFactory()

    response = staff_client.post(
        f"{ADMIN}/interaction/add/", {"kind": "visit", "date": "2026-03-02", "organisations": [only.pk]}
    )

    assert response.status_code == 200
    assert "An interaction needs at least two organisations." in response.content.decode()
    assert not Interaction.objects.exists()
