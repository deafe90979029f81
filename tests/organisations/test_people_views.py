import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Area, Frequency, Notification
from notifications.services import preference_set
from organisations import services
from organisations.models import Invitation, JoinRequest, Membership

from ..factories.accounts import PASSWORD, UserFactory
from ..factories.organisations import MembershipFactory

pytestmark = pytest.mark.django_db


def _login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cast(acme, org_admin, org_member, other_org_member, staff):
    return {
        "visitor": None,
        "member": org_member,
        "org_admin": org_admin,
        "outsider": other_org_member,
        "staff": staff,
    }


# --- permission matrix ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status", [("visitor", 302), ("member", 200), ("org_admin", 200), ("outsider", 403), ("staff", 200)]
)
def test_people_page_permissions(client, cast, acme, role, status):
    response = _login(client, cast[role]).get(reverse("organisations:people", args=[acme.slug]))
    assert response.status_code == status
    if status == 200:
        assert ("Invite someone" in response.content.decode()) == (role in ("org_admin", "staff"))


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_people_writes_are_refused_without_manage_permission(client, cast, acme, org_admin, role):
    _login(client, cast[role])
    admin_membership = Membership.objects.get(user=org_admin)
    slug = acme.slug
    posts = [
        (reverse("organisations:invite", args=[slug]), {"email": "x@example.org", "role": "member"}),
        (reverse("organisations:membership_role", args=[slug, admin_membership.pk]), {"role": "member"}),
        (reverse("organisations:membership_remove", args=[slug, admin_membership.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert not Invitation.objects.exists()
    assert Membership.objects.get(pk=admin_membership.pk).role == "admin"


def test_people_writes_as_visitor_redirect_to_login(client, acme):
    response = client.post(reverse("organisations:invite", args=[acme.slug]), {"email": "x@example.org"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_membership_of_another_organisation_is_404(client, acme, org_admin, other_org_member):
    foreign = Membership.objects.get(user=other_org_member)
    client.force_login(org_admin)
    response = client.post(reverse("organisations:membership_remove", args=[acme.slug, foreign.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


# --- invitations ----------------------------------------------------------------------------


def _invite(client, acme, org_admin, email="newcomer@example.org", role="member", capture=None):
    client.force_login(org_admin)
    with capture(execute=True):
        response = client.post(
            reverse("organisations:invite", args=[acme.slug]), {"email": email, "role": role}
        )
    client.logout()
    assert response.status_code == 302
    link = re.search(r"http://\S+/organisations/invitations/\S+/", mail.outbox[-1].body).group(0)
    return link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else "/" + link.split("/", 3)[3]


def test_invitation_creates_the_account_and_membership(
    client, acme, org_admin, django_capture_on_commit_callbacks
):
    path = _invite(client, acme, org_admin, capture=django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == ["newcomer@example.org"]
    page = client.get(path)
    assert page.status_code == 200 and "Create your account" in page.content.decode()
    # Signing up with the invited address needs no second verification email: the link proved it.
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
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=user, organisation=acme).role == "member"
    assert Invitation.objects.get().accepted_by == user


def test_invitation_attaches_an_existing_account(client, acme, org_admin, django_capture_on_commit_callbacks):
    existing = UserFactory(email="existing@example.org")
    path = _invite(
        client,
        acme,
        org_admin,
        email="existing@example.org",
        role="admin",
        capture=django_capture_on_commit_callbacks,
    )
    assert "Log in as existing@example.org" in client.get(path).content.decode()
    client.force_login(existing)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=existing, organisation=acme).role == "admin"
    # The admins hear of it; the new admin is not told about themselves.
    notification = Notification.objects.get()
    assert notification.user == org_admin
    assert notification.kind == "invitation.accepted"
    assert notification.text == f"{existing.full_name} accepted the invitation and joined Acme Mecanizados"


def test_forwarded_invitation_cannot_be_accepted_by_someone_else(
    client, acme, org_admin, outsider, django_capture_on_commit_callbacks
):
    path = _invite(client, acme, org_admin, capture=django_capture_on_commit_callbacks)
    client.force_login(outsider)
    response = client.post(path)
    assert response.status_code == 403
    assert "newcomer@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=outsider, organisation=acme).exists()


def test_expired_invitation_is_refused(client, acme, org_admin, django_capture_on_commit_callbacks):
    path = _invite(client, acme, org_admin, capture=django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


@pytest.mark.parametrize("token", ["garbage", "1:forged:signature", "MQ:1abcde:" + "x" * 43])
def test_forged_invitation_token_is_refused(client, token):
    response = client.get(reverse("organisations:invitation", args=[token]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_revoked_or_replaced_invitation_stops_working(
    client, acme, org_admin, django_capture_on_commit_callbacks
):
    first = _invite(client, acme, org_admin, capture=django_capture_on_commit_callbacks)
    second = _invite(client, acme, org_admin, capture=django_capture_on_commit_callbacks)
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200
    client.force_login(org_admin)
    invitation = Invitation.objects.get(revoked_at__isnull=True)
    client.post(reverse("organisations:invitation_revoke", args=[acme.slug, invitation.pk]))
    client.logout()
    assert client.get(second).status_code == 400


def test_inviting_an_existing_member_or_a_bad_address_is_refused(client, acme, org_admin, org_member):
    client.force_login(org_admin)
    url = reverse("organisations:invite", args=[acme.slug])
    for data in (
        {"email": org_member.email, "role": "member"},
        {"email": "not-an-email", "role": "member"},
        {"email": "a@example.org", "role": "owner"},
        {"email": "a" * 300 + "@example.org", "role": "member"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400
    assert not Invitation.objects.exists()


# --- join requests --------------------------------------------------------------------------


def test_join_request_flow(client, acme, org_admin, outsider, django_capture_on_commit_callbacks):
    client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:join", args=[acme.slug]), {"message": "I run the CNC shop."})
    # The admins are told under their bell; by email only in their digest (weekly by default).
    assert mail.outbox == []
    notification = Notification.objects.get(user=org_admin)
    assert notification.kind == "join_request.created"
    assert notification.area == Area.DIRECTORY
    assert notification.text == "Charlie Outsider asks to join Acme Mecanizados"
    assert notification.url == reverse("organisations:people", args=[acme.slug])
    # Asking twice does not make a second request, nor a second notification.
    client.post(reverse("organisations:join", args=[acme.slug]), {"message": "again"})
    join_request = JoinRequest.objects.get()
    assert Notification.objects.count() == 1
    client.force_login(org_admin)
    # The notification leads to the people page, where the message is.
    assert "I run the CNC shop." in client.get(notification.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:join_request_decide", args=[acme.slug, join_request.pk]),
            {"decision": "approve"},
        )
    assert response.status_code == 302
    assert Membership.objects.get(user=outsider, organisation=acme).role == "member"
    decided = Notification.objects.get(user=outsider)
    assert decided.kind == "join_request.approved"
    assert decided.text == "Your request to join Acme Mecanizados has been approved. You are now a member."
    assert decided.url == acme.get_absolute_url()
    assert mail.outbox == []
    # Deciding again changes nothing.
    client.post(
        reverse("organisations:join_request_decide", args=[acme.slug, join_request.pk]),
        {"decision": "refuse"},
    )
    assert JoinRequest.objects.get().status == "approved"
    assert Notification.objects.filter(user=outsider).count() == 1


def test_join_request_emails_the_admins_who_chose_immediate(
    client, acme, org_admin, outsider, django_capture_on_commit_callbacks
):
    second_admin = MembershipFactory(organisation=acme, role=Membership.Role.ADMIN, user__language="es").user
    for admin in (org_admin, second_admin):
        preference_set(user=admin, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)
    client.force_login(outsider)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:join", args=[acme.slug]), {"message": "I run the CNC shop."})

    emails = {message.to[0]: message for message in mail.outbox}
    assert set(emails) == {org_admin.email, second_admin.email}
    english, spanish = emails[org_admin.email], emails[second_admin.email]
    assert english.subject == "[SME Cluster Growth] Charlie Outsider asks to join Acme Mecanizados"
    assert spanish.subject == "[SME Cluster Growth] Charlie Outsider solicita unirse a Acme Mecanizados"
    assert settings.SITE_URL + reverse("organisations:people", args=[acme.slug]) in english.body
    assert "List-Unsubscribe" in english.extra_headers


def test_join_request_decision_emails_the_requester_who_chose_immediate(
    client, acme, org_admin, outsider, django_capture_on_commit_callbacks
):
    preference_set(user=outsider, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)
    join_request = services.join_request_create(organisation=acme, user=outsider)
    client.force_login(org_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organisations:join_request_decide", args=[acme.slug, join_request.pk]),
            {"decision": "refuse"},
        )

    assert [message.to for message in mail.outbox] == [[outsider.email]]
    assert "Your request to join Acme Mecanizados has not been accepted." in mail.outbox[0].body
    assert Notification.objects.get(user=outsider).kind == "join_request.refused"


def test_refused_join_request_adds_no_one(client, acme, org_admin, outsider):
    join_request = services.join_request_create(organisation=acme, user=outsider)
    client.force_login(org_admin)
    client.post(
        reverse("organisations:join_request_decide", args=[acme.slug, join_request.pk]),
        {"decision": "refuse"},
    )
    assert JoinRequest.objects.get().status == "refused"
    assert not Membership.objects.filter(user=outsider, organisation=acme).exists()


def test_only_admins_decide_join_requests(client, acme, org_member, outsider):
    join_request = services.join_request_create(organisation=acme, user=outsider)
    client.force_login(org_member)
    url = reverse("organisations:join_request_decide", args=[acme.slug, join_request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert JoinRequest.objects.get().status == "pending"


# --- last admin -----------------------------------------------------------------------------


def test_last_admin_cannot_leave_or_be_removed_through_the_pages(client, acme, org_admin):
    client.force_login(org_admin)
    membership = Membership.objects.get(user=org_admin)
    response = client.post(reverse("organisations:leave", args=[acme.slug]), follow=True)
    assert "at least one administrator" in response.content.decode()
    client.post(reverse("organisations:membership_remove", args=[acme.slug, membership.pk]))
    client.post(reverse("organisations:membership_role", args=[acme.slug, membership.pk]), {"role": "member"})
    assert Membership.objects.get(pk=membership.pk).role == "admin"


def test_member_can_leave(client, acme, org_member):
    client.force_login(org_member)
    assert client.post(reverse("organisations:leave", args=[acme.slug])).status_code == 302
    assert not Membership.objects.filter(user=org_member, organisation=acme).exists()


def test_admin_promotes_and_removes(client, acme, org_admin, org_member):
    client.force_login(org_admin)
    membership = Membership.objects.get(user=org_member)
    client.post(reverse("organisations:membership_role", args=[acme.slug, membership.pk]), {"role": "admin"})
    assert Membership.objects.get(pk=membership.pk).role == "admin"
    other = MembershipFactory(organisation=acme)
    client.post(reverse("organisations:membership_remove", args=[acme.slug, other.pk]))
    assert not Membership.objects.filter(pk=other.pk).exists()
