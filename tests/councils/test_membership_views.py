"""The membership pages: who may open and post to each (visitor, outsider, member of another
council, council member, admin of an organisation outside the council, coordinator, staff), the
request → answer flows, invitations of organisations and people, and bad input."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from councils.models import CouncilOrganisation, CouncilPerson
from councils.services import membership as services
from notifications.models import Notification, OutboundEmail
from organisations.models import Membership

from ..factories.accounts import PASSWORD, UserFactory
from ..factories.councils import CouncilPersonFactory
from ..factories.organisations import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

Status = CouncilOrganisation.Status
Role = CouncilPerson.Role

PEOPLE = [
    "visitor",
    "outsider",
    "other_council_member",
    "council_member",
    "newco_admin",
    "coordinator",
    "staff",
]


@pytest.fixture
def newco_admin(db):
    """Nora, admin of Newco, an organisation outside every council."""
    user = UserFactory(email="nora@example.org", full_name="Nora Newco")
    organisation = OrganisationFactory(name="Newco Robotics", slug="newco")
    MembershipFactory(organisation=organisation, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def newco(newco_admin):
    return newco_admin.memberships.get().organisation


@pytest.fixture
def cast(malaga, coordinator, council_member, uni, other_council_member, outsider, newco_admin, staff):
    return {
        "visitor": None,
        "outsider": outsider,
        "other_council_member": other_council_member,
        "council_member": council_member,
        "newco_admin": newco_admin,
        "coordinator": coordinator,
        "staff": staff,
    }


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- the permission matrix ----------------------------------------------------------------------


MEMBERS_PAGE = {
    "visitor": "login",
    "outsider": 403,
    "other_council_member": 403,
    "council_member": 200,
    "newco_admin": 403,
    "coordinator": 200,
    "staff": 200,
}


@pytest.mark.parametrize("who", PEOPLE)
def test_members_page(client, cast, who):
    response = _as(client, cast[who]).get("/councils/malaga/members/")

    expected = MEMBERS_PAGE[who]
    if expected == "login":
        assert _is_login_redirect(response)
        return
    assert response.status_code == expected
    if expected == 200:
        content = response.content.decode()
        assert "Acme Mecanizados" in content
        assert "Carmen Coordinator" in content
        manages = who in ("coordinator", "staff")
        assert ("Invite a person" in content) is manages
        assert ("Open invitations" in content) is manages


@pytest.mark.parametrize("who", PEOPLE)
def test_list_and_detail_are_public(client, cast, who):
    _as(client, cast[who])
    assert client.get("/councils/").status_code == 200
    response = client.get("/councils/malaga/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Acme Mecanizados" in content and "Universidad de Málaga" in content
    assert "Carmen Coordinator" in content
    is_member = who in ("council_member", "coordinator", "staff")
    assert ("Upcoming meetings" in content) is is_member
    assert ("/councils/malaga/members/" in content) is is_member
    assert ('href="/councils/malaga/join/"' in content) is (who == "newco_admin")


def test_unknown_council_is_404(client, staff):
    client.force_login(staff)
    for url in ["/councils/atlantis/", "/councils/atlantis/members/", "/councils/atlantis/join/"]:
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", PEOPLE)
def test_only_coordinators_and_staff_manage(client, cast, newco, who):
    _as(client, cast[who])
    acme_link = CouncilOrganisation.objects.get(organisation__slug="acme")
    posts = [
        ("/councils/malaga/members/people/invite/", {"email": "new@example.org", "role": "member"}),
        ("/councils/malaga/members/organisations/invite/", {"organisation": newco.pk}),
        (f"/councils/malaga/members/organisations/{acme_link.pk}/remove/", {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if who == "visitor":
            assert _is_login_redirect(response)
        elif who in ("coordinator", "staff"):
            assert response.status_code == 302 and response["Location"] == "/councils/malaga/members/", url
        else:
            assert response.status_code == 403, url
    managed = who in ("coordinator", "staff")
    assert CouncilPerson.objects.filter(email="new@example.org").exists() is managed
    assert CouncilOrganisation.objects.filter(organisation=newco, status=Status.INVITED).exists() is managed
    acme_link.refresh_from_db()
    assert (acme_link.status == Status.LEFT) is managed


@pytest.mark.parametrize("who", PEOPLE)
def test_join_page(client, cast, who):
    response = _as(client, cast[who]).get("/councils/malaga/join/")

    if who == "visitor":
        assert _is_login_redirect(response)
    elif who == "newco_admin":
        assert response.status_code == 200
        assert "Newco Robotics" in response.content.decode()
    else:  # nothing of theirs to bring in
        assert response.status_code == 302 and response["Location"] == "/councils/malaga/"


@pytest.mark.parametrize("who", PEOPLE)
def test_leave_page(client, cast, who):
    response = _as(client, cast[who]).get("/councils/malaga/leave/")

    if who == "visitor":
        assert _is_login_redirect(response)
    elif who == "council_member":  # Bob administers Acme, a member
        assert response.status_code == 200
    else:
        assert response.status_code == 403


# --- asking to join and the answer --------------------------------------------------------------


def test_request_then_approve(client, malaga, coordinator, newco_admin, newco):
    client.force_login(newco_admin)
    response = client.post("/councils/malaga/join/", {"organisation": newco.pk, "message": "We make robots."})
    assert response.status_code == 302
    link = CouncilOrganisation.objects.get(organisation=newco)
    assert link.status == Status.REQUESTED and link.message == "We make robots."
    assert Notification.objects.filter(user=coordinator, kind="council.join_requested").exists()

    # the detail page says it is pending; asking again is not offered
    content = client.get("/councils/malaga/").content.decode()
    assert "has asked to join" in content
    assert client.get("/councils/malaga/join/").status_code == 302

    client.force_login(coordinator)
    page = client.get("/councils/malaga/members/").content.decode()
    assert "Requests to join" in page and "We make robots." in page
    response = client.post(f"/councils/malaga/members/requests/{link.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    assert Notification.objects.filter(user=newco_admin, kind="council.request_approved").exists()

    # deciding again: a message, no change, no 500
    response = client.post(
        f"/councils/malaga/members/requests/{link.pk}/", {"decision": "refuse"}, follow=True
    )
    assert response.status_code == 200
    assert "already been answered" in response.content.decode()
    link.refresh_from_db()
    assert link.status == Status.ACTIVE


def test_refuse_with_a_reason(client, malaga, coordinator, newco_admin, newco):
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    client.force_login(coordinator)

    client.post(f"/councils/malaga/members/requests/{link.pk}/", {"decision": "refuse", "reason": "Not yet"})

    link.refresh_from_db()
    assert link.status == Status.REFUSED
    assert (
        Notification.objects.get(user=newco_admin, kind="council.request_refused").params["reason"]
        == "Not yet"
    )


def test_join_bad_input(client, malaga, newco_admin, newco, acme):
    client.force_login(newco_admin)
    # an organisation that is not theirs, or that does not exist
    for value in [acme.pk, 999999, "x"]:
        response = client.post("/councils/malaga/join/", {"organisation": value})
        assert response.status_code == 400
    assert not CouncilOrganisation.objects.filter(organisation=newco).exists()


def test_decide_bad_input(client, malaga, coordinator, bologna, newco_admin, newco):
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    client.force_login(coordinator)

    response = client.post(
        f"/councils/malaga/members/requests/{link.pk}/", {"decision": "maybe"}, follow=True
    )
    assert "Choose approve or refuse" in response.content.decode()
    assert (
        client.post("/councils/malaga/members/requests/999999/", {"decision": "approve"}).status_code == 404
    )
    # a request of another council through this council's address
    other = services.council_join_request(council=bologna, organisation=newco, actor=newco_admin)
    assert (
        client.post(f"/councils/malaga/members/requests/{other.pk}/", {"decision": "approve"}).status_code
        == 404
    )
    link.refresh_from_db()
    assert link.status == Status.REQUESTED


def test_leave(client, malaga, coordinator, council_member, acme):
    client.force_login(council_member)
    response = client.post("/councils/malaga/leave/", {"organisation": acme.pk})

    assert response.status_code == 302
    assert CouncilOrganisation.objects.get(organisation=acme).status == Status.LEFT
    assert Notification.objects.filter(user=coordinator, kind="council.organisation_left").exists()
    assert client.get("/councils/malaga/members/").status_code == 403


# --- organisation invitations -------------------------------------------------------------------


def test_search_and_invite_an_organisation_which_accepts(
    client, malaga, coordinator, newco_admin, newco, acme
):
    client.force_login(coordinator)
    page = client.get("/councils/malaga/members/", {"q": "co"}).content.decode()
    assert f'name="organisation" value="{newco.pk}"' in page
    assert f'name="organisation" value="{acme.pk}"' not in page  # members are not offered

    client.post("/councils/malaga/members/organisations/invite/", {"organisation": newco.pk})
    link = CouncilOrganisation.objects.get(organisation=newco)
    assert link.status == Status.INVITED
    notification = Notification.objects.get(user=newco_admin, kind="council.organisation_invited")

    client.force_login(newco_admin)
    assert client.get(notification.url).status_code == 200
    assert "Ask to join" in client.get("/councils/malaga/").content.decode()  # or ask, which accepts
    response = client.post(notification.url, {"decision": "accept"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    # accepting again (a second tab): a clear message, not a 500
    response = client.post(notification.url, {"decision": "accept"})
    assert response.status_code == 400
    assert "no longer open" in response.content.decode()


def test_only_the_invited_organisations_admins_see_its_invitation(client, malaga, coordinator, newco, cast):
    link = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    url = f"/councils/malaga/respond/organisation/{link.pk}/"
    for who in ["outsider", "council_member", "coordinator", "other_council_member"]:
        client.force_login(cast[who])
        assert client.get(url).status_code == 404, who
        assert client.post(url, {"decision": "accept"}).status_code == 404, who
    client.logout()
    assert _is_login_redirect(client.get(url))
    assert client.get("/councils/malaga/respond/elsewhere/1/").status_code in (302, 404)


def test_invite_organisation_bad_input(client, malaga, coordinator, acme):
    client.force_login(coordinator)
    for data in [{"organisation": 999999}, {"organisation": "abc"}, {}]:
        response = client.post("/councils/malaga/members/organisations/invite/", data, follow=True)
        assert response.status_code == 200
        assert "This organisation does not exist." in response.content.decode()
    response = client.post(
        "/councils/malaga/members/organisations/invite/", {"organisation": acme.pk}, follow=True
    )
    assert "already a member" in response.content.decode()


def test_withdrawn_organisation_invitation(client, malaga, coordinator, newco_admin, newco):
    link = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    client.force_login(coordinator)
    client.post(f"/councils/malaga/members/organisations/{link.pk}/remove/")
    assert not CouncilOrganisation.objects.filter(pk=link.pk).exists()

    client.force_login(newco_admin)
    assert client.get(f"/councils/malaga/respond/organisation/{link.pk}/").status_code == 404


# --- person invitations -------------------------------------------------------------------------


def test_invite_an_existing_account_which_accepts(client, malaga, coordinator, outsider):
    client.force_login(coordinator)
    response = client.post(
        "/councils/malaga/members/people/invite/", {"email": outsider.email, "role": "member"}
    )
    assert response.status_code == 302
    person = CouncilPerson.objects.get(email=outsider.email)
    notification = Notification.objects.get(user=outsider, kind="council.person_invited")
    assert (
        "charlie@example.org" in client.get("/councils/malaga/members/").content.decode()
    )  # open invitation

    client.force_login(outsider)
    assert client.get(notification.url).status_code == 200
    response = client.post(notification.url, {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == "/councils/malaga/"
    person.refresh_from_db()
    assert person.user == outsider
    assert client.get("/councils/malaga/members/").status_code == 200  # now a member
    assert client.get(notification.url).status_code == 404  # no longer an open invitation


def test_an_unknown_address_signs_up_from_the_email_and_accepts(client, malaga, coordinator):
    client.force_login(coordinator)
    client.post(
        "/councils/malaga/members/people/invite/", {"email": "expert@example.org", "role": "coordinator"}
    )
    email = OutboundEmail.objects.get(to="expert@example.org")
    person = CouncilPerson.objects.get(email="expert@example.org")
    path = re.search(r"(/councils/invitation/[^/\s]+/)", email.body_text).group(1)

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()
    assert _is_login_redirect(client.post(path, {"decision": "accept"}))

    expert = UserFactory(email="expert@example.org")
    client.force_login(expert)
    response = client.post(path, {"decision": "accept"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user == expert and person.role == Role.COORDINATOR
    # the link is used up
    assert client.get(path).status_code == 400


def test_a_different_account_cannot_use_the_invitation(client, malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email="expert@example.org", role="member", actor=coordinator
    )
    path = f"/councils/invitation/{services.person_invitation_token(person)}/"
    client.force_login(outsider)

    for url in [path, f"/councils/malaga/respond/person/{person.pk}/"]:
        assert client.get(url).status_code == 403
        response = client.post(url, {"decision": "accept"})
        assert response.status_code == 403
        assert "expert@example.org" in response.content.decode()
    person.refresh_from_db()
    assert person.status == CouncilPerson.Status.INVITED


def test_revoked_and_forged_person_invitations(client, malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email=outsider.email, role="member", actor=coordinator
    )
    path = f"/councils/invitation/{services.person_invitation_token(person)}/"
    client.force_login(coordinator)
    client.post(f"/councils/malaga/members/people/{person.pk}/remove/")
    assert not CouncilPerson.objects.filter(pk=person.pk).exists()

    client.force_login(outsider)
    assert client.post(path, {"decision": "accept"}).status_code == 400
    assert client.get(f"/councils/malaga/respond/person/{person.pk}/").status_code == 404
    assert client.get("/councils/invitation/forged-token/").status_code == 400


def test_person_invitation_bad_input(client, malaga, coordinator):
    client.force_login(coordinator)
    for data in [
        {"email": "not-an-address", "role": "member"},
        {"email": "a@example.org", "role": "emperor"},
        {"email": coordinator.email, "role": "member"},
    ]:
        response = client.post("/councils/malaga/members/people/invite/", data)
        assert response.status_code == 400
    assert not CouncilPerson.objects.filter(status=CouncilPerson.Status.INVITED).exists()


def test_decline_from_the_page(client, malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email=outsider.email, role="member", actor=coordinator
    )
    client.force_login(outsider)

    assert (
        client.post(f"/councils/malaga/respond/person/{person.pk}/", {"decision": "nope"}).status_code == 400
    )
    client.post(f"/councils/malaga/respond/person/{person.pk}/", {"decision": "decline"})

    assert not CouncilPerson.objects.filter(pk=person.pk).exists()


# --- roles --------------------------------------------------------------------------------------


def test_roles_and_the_last_coordinator(client, malaga, coordinator, outsider, staff):
    mine = CouncilPerson.objects.get(user=coordinator)
    client.force_login(coordinator)

    response = client.post(
        f"/councils/malaga/members/people/{mine.pk}/role/", {"role": "member"}, follow=True
    )
    assert "at least one coordinator" in response.content.decode()
    response = client.post(f"/councils/malaga/members/people/{mine.pk}/remove/", follow=True)
    assert "at least one coordinator" in response.content.decode()
    assert CouncilPerson.objects.get(pk=mine.pk).role == Role.COORDINATOR

    other = CouncilPersonFactory(council=malaga, user=outsider, role=Role.MEMBER)
    client.post(f"/councils/malaga/members/people/{other.pk}/role/", {"role": "coordinator"})
    assert CouncilPerson.objects.get(pk=other.pk).role == Role.COORDINATOR

    # now Carmen can step down; she lands on the council page, no longer managing
    response = client.post(f"/councils/malaga/members/people/{mine.pk}/role/", {"role": "member"})
    assert response["Location"] == "/councils/malaga/"
    assert CouncilPerson.objects.get(pk=mine.pk).role == Role.MEMBER
    assert (
        client.post(f"/councils/malaga/members/people/{other.pk}/role/", {"role": "member"}).status_code
        == 403
    )

    # bad input
    client.force_login(outsider)
    response = client.post(f"/councils/malaga/members/people/{mine.pk}/role/", {"role": "king"}, follow=True)
    assert "Choose a valid role" in response.content.decode()
    assert client.post("/councils/malaga/members/people/999999/role/", {"role": "member"}).status_code == 404

    # staff may remove the last coordinator
    client.force_login(staff)
    client.post(f"/councils/malaga/members/people/{mine.pk}/remove/")
    client.post(f"/councils/malaga/members/people/{other.pk}/remove/")
    assert not CouncilPerson.objects.filter(council=malaga).exists()


def test_staff_appoint_the_first_coordinator_from_the_members_page(client, bologna, staff, outsider):
    client.force_login(staff)
    client.post("/councils/bologna/members/people/invite/", {"email": outsider.email, "role": "coordinator"})
    person = CouncilPerson.objects.get(council=bologna)

    client.force_login(outsider)
    client.post(f"/councils/bologna/respond/person/{person.pk}/", {"decision": "accept"})
    assert client.get("/councils/bologna/members/").content.decode().count("Invite a person") == 1


def test_a_coordinator_of_another_council_cannot_manage_this_one(client, malaga, bologna, outsider):
    bologna_coordinator = CouncilPersonFactory(council=bologna).user
    person = CouncilPersonFactory(council=malaga, user=outsider, role=Role.MEMBER)
    client.force_login(bologna_coordinator)

    assert (
        client.post(f"/councils/malaga/members/people/{person.pk}/role/", {"role": "coordinator"}).status_code
        == 403
    )
    # and a Málaga row through Bologna's address is not found
    assert (
        client.post(
            f"/councils/bologna/members/people/{person.pk}/role/", {"role": "coordinator"}
        ).status_code
        == 404
    )
    assert CouncilPerson.objects.get(pk=person.pk).role == Role.MEMBER


def test_signing_up_from_the_emailed_link_needs_no_second_verification(
    client, malaga, coordinator, django_capture_on_commit_callbacks
):
    person = services.council_invite_person(
        council=malaga, email="newcomer@example.org", role="member", actor=coordinator
    )
    path = re.search(r"(/councils/invitation/[^/\s]+/)", OutboundEmail.objects.get().body_text).group(1)
    assert "Create your account" in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup") + f"?next={path}",
            {
                "email": "newcomer@example.org",
                "full_name": "Nora Newcomer",
                "accept_privacy": "on",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": path,
            },
        )
    assert response.status_code == 302 and response["Location"] == path
    user = User.objects.get(email="newcomer@example.org")
    assert EmailAddress.objects.get(user=user).verified

    assert client.post(path, {"decision": "accept"}).status_code == 302
    person.refresh_from_db()
    assert person.user == user and person.status == CouncilPerson.Status.ACTIVE
