import pytest
from django.urls import reverse

from organisations.models import Organisation, Visibility

from ..factories.accounts import UserFactory
from ..factories.organisations import topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(acme, org_admin, org_member, other_org_member, staff):
    """Every role of the permission matrix, as a user (None for the visitor)."""
    return {
        "visitor": None,
        "member": org_member,
        "org_admin": org_admin,
        "outsider": other_org_member,
        "staff": staff,
    }


def _client_as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    "role,status",
    [("visitor", 200), ("member", 200), ("org_admin", 200), ("outsider", 200), ("staff", 200)],
)
def test_detail_is_public(client, cast, acme, role, status):
    assert (
        _client_as(client, cast[role]).get(reverse("organisations:detail", args=[acme.slug])).status_code
        == status
    )


def test_detail_of_unknown_organisation_is_404(client):
    assert client.get("/organisations/no-such-org/").status_code == 404


def test_detail_shows_each_field_only_to_whom_it_may(client, cast, acme):
    acme.topics_needed.set([topic("hydrogen")])
    acme.description = "We machine turbine parts."
    acme.visibility = {
        **acme.visibility,
        "topics_needed": Visibility.MEMBERS,
        "description": Visibility.COUNCIL,
    }
    acme.save()
    url = reverse("organisations:detail", args=[acme.slug])
    seen = {}
    for role, user in cast.items():
        client.logout()
        page = _client_as(client, user).get(url).content.decode()
        seen[role] = ("Hydrogen technologies" in page, "turbine parts" in page)
    assert seen["visitor"] == (False, False)
    assert seen["outsider"] == (True, False)  # a portal member: members-level, not council-level
    assert seen["member"] == (True, True)
    assert seen["org_admin"] == (True, True)
    assert seen["staff"] == (True, True)


def test_signed_in_user_without_organisation_sees_only_public_fields(client, acme):
    acme.topics_needed.set([topic("hydrogen")])
    client.force_login(UserFactory())
    assert "Hydrogen technologies" not in client.get(acme.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "role,status", [("member", 403), ("org_admin", 200), ("outsider", 403), ("staff", 200)]
)
def test_edit_permission(client, cast, acme, role, status):
    response = _client_as(client, cast[role]).get(reverse("organisations:edit", args=[acme.slug]))
    assert response.status_code == status


def test_edit_as_visitor_redirects_to_login(client, acme):
    response = client.get(reverse("organisations:edit", args=[acme.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _profile_data(organisation, **changes):
    data = {
        "name": organisation.name,
        "short_name": "",
        "kind": organisation.kind,
        "subtype": organisation.subtype,
        "country": str(organisation.country),
        "region": organisation.region,
        "city": organisation.city,
        "latitude": "36.72130",
        "longitude": "-4.42140",
        "size_band": "small",
        "founded_year": "1999",
        "website": "https://acme.example.org",
        "languages": ["es", "en"],
        "sectors": [],
        "topics_offered": [topic("composites").pk],
        "topics_needed": [],
        "description": "Composite parts for aerospace.",
    }
    data.update({f"visibility_{name}": level for name, level in organisation.visibility.items()})
    data.update(changes)
    return data


def test_org_admin_edits_profile_and_visibility(client, acme, org_admin):
    client.force_login(org_admin)
    response = client.post(
        reverse("organisations:edit", args=[acme.slug]),
        _profile_data(acme, name="Acme Composites", visibility_website=Visibility.COUNCIL),
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Composites"
    assert acme.languages == ["es", "en"]
    assert acme.visibility["website"] == Visibility.COUNCIL
    assert list(acme.topics_offered.values_list("slug", flat=True)) == ["composites"]
    assert "composite materials" in acme.search_text


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"kind": "sme", "subtype": "investor"}, "subtype"),
        ({"kind": "intermediary", "subtype": ""}, "subtype"),
        ({"latitude": "95"}, "latitude"),
        ({"latitude": "", "longitude": "3.1"}, "longitude"),
        ({"website": "not a url"}, "website"),
        ({"languages": ["xx"]}, "languages"),
        ({"name": "x" * 300}, "name"),
        ({"founded_year": "3000"}, "founded_year"),
        ({"visibility_website": "everyone-and-their-dog"}, "visibility_website"),
    ],
)
def test_edit_with_bad_input_shows_errors_and_saves_nothing(client, acme, org_admin, changes, field):
    client.force_login(org_admin)
    before = Organisation.objects.values().get(pk=acme.pk)
    response = client.post(reverse("organisations:edit", args=[acme.slug]), _profile_data(acme, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Organisation.objects.values().get(pk=acme.pk) == before


def test_logo_must_be_an_image(client, acme, org_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(org_admin)
    fake = SimpleUploadedFile("logo.png", b"this is not an image", content_type="image/png")
    response = client.post(
        reverse("organisations:edit", args=[acme.slug]), {**_profile_data(acme), "logo": fake}
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors


def test_create_organisation_makes_the_creator_admin(client, member):
    client.force_login(member)
    response = client.post(
        reverse("organisations:create"),
        {
            **_profile_data(
                Organisation(kind="hei", country="IE", region="cork", city="Cork", visibility={})
            ),
            "name": "Cork Institute of Engineering",
            **{f"visibility_{name}": "public" for name in ("short_name", "description", "website", "logo")},
            **{f"visibility_{name}": "public" for name in ("sectors", "topics_offered", "topics_needed")},
            **{
                f"visibility_{name}": "public"
                for name in ("size_band", "founded_year", "languages", "location")
            },
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Cork Institute of Engineering")
    assert organisation.memberships.get().user == member
    assert organisation.memberships.get().role == "admin"


def test_create_requires_login(client):
    assert client.get(reverse("organisations:create")).status_code == 302


@pytest.mark.parametrize(
    "role,status", [("member", 403), ("org_admin", 403), ("outsider", 403), ("staff", 302)]
)
def test_verify_is_for_staff(client, cast, acme, role, status):
    response = _client_as(client, cast[role]).post(reverse("organisations:verify", args=[acme.slug]))
    assert response.status_code == status
    acme.refresh_from_db()
    assert acme.is_verified == (role == "staff")


def test_my_organisations_lists_only_mine(client, acme, org_member, other_org_member):
    client.force_login(org_member)
    page = client.get(reverse("organisations:mine")).content.decode()
    assert "Acme Mecanizados" in page and "Other Org" not in page
