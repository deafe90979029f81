"""Council membership services: requests and their answers, invitations of organisations and
people, roles and the last-coordinator rule, and who is told what."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from councils.models import CouncilOrganisation, CouncilPerson
from councils.permissions import council_roles, forget_council_roles
from councils.services import membership as services
from notifications.models import Notification, OutboundEmail
from organisations.models import Membership

from ..factories.accounts import UserFactory
from ..factories.councils import CouncilPersonFactory
from ..factories.organisations import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

Status = CouncilOrganisation.Status
Role = CouncilPerson.Role


@pytest.fixture
def newco_admin(db):
    return UserFactory(email="nora@example.org", full_name="Nora Newco")


@pytest.fixture
def newco(newco_admin):
    organisation = OrganisationFactory(name="Newco Robotics", slug="newco")
    MembershipFactory(organisation=organisation, user=newco_admin, role=Membership.Role.ADMIN)
    return organisation


def _notified(user, kind):
    return Notification.objects.filter(user=user, kind=kind).count()


# --- requests -----------------------------------------------------------------------------------


def test_a_request_notifies_the_coordinators_and_approval_makes_the_organisation_a_member(
    malaga, coordinator, newco, newco_admin
):
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin, message="Hi")

    assert link.status == Status.REQUESTED
    assert link.message == "Hi"
    assert _notified(coordinator, "council.join_requested") == 1
    assert malaga.pk not in council_roles(newco_admin)

    services.council_request_decide(link=link, approve=True, actor=coordinator)

    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    assert link.joined_at is not None and link.decided_by == coordinator
    assert _notified(newco_admin, "council.request_approved") == 1
    forget_council_roles(newco_admin)
    assert council_roles(newco_admin) == {malaga.pk: "member"}


def test_refusal_tells_the_organisation_the_reason(malaga, coordinator, newco, newco_admin):
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)

    services.council_request_decide(link=link, approve=False, actor=coordinator, reason="Outside our region")

    link.refresh_from_db()
    assert link.status == Status.REFUSED
    notification = Notification.objects.get(user=newco_admin, kind="council.request_refused")
    assert notification.params["reason"] == "Outside our region"
    assert "Outside our region" in notification.text


def test_answering_an_answered_request_again_is_refused(malaga, coordinator, newco, newco_admin):
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    services.council_request_decide(link=link, approve=True, actor=coordinator)

    with pytest.raises(ValidationError):
        services.council_request_decide(link=link, approve=False, actor=coordinator)
    link.refresh_from_db()
    assert link.status == Status.ACTIVE


def test_asking_twice_or_as_a_member_is_refused(malaga, newco, newco_admin, acme, council_member):
    services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    with pytest.raises(ValidationError, match="already asked"):
        services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    with pytest.raises(ValidationError, match="already a member"):
        services.council_join_request(council=malaga, organisation=acme, actor=council_member)


def test_only_an_admin_of_the_organisation_asks(malaga, newco, outsider):
    plain = MembershipFactory(organisation=newco, role=Membership.Role.MEMBER).user
    for actor in (outsider, plain):
        with pytest.raises(PermissionDenied):
            services.council_join_request(council=malaga, organisation=newco, actor=actor)
    assert not CouncilOrganisation.objects.filter(organisation=newco).exists()


def test_only_coordinators_of_the_council_and_staff_decide(
    malaga, bologna, coordinator, newco, newco_admin, council_member, staff
):
    other_coordinator = CouncilPersonFactory(council=bologna).user
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    for actor in (council_member, other_coordinator, newco_admin):
        with pytest.raises(PermissionDenied):
            services.council_request_decide(link=link, approve=True, actor=actor)

    services.council_request_decide(link=link, approve=True, actor=staff)
    link.refresh_from_db()
    assert link.status == Status.ACTIVE


def test_a_refused_or_departed_organisation_may_ask_again(malaga, coordinator, newco, newco_admin):
    link = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    services.council_request_decide(link=link, approve=False, actor=coordinator)

    again = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)

    assert again.pk == link.pk and again.status == Status.REQUESTED and again.decided_by is None


# --- organisation invitations -------------------------------------------------------------------


def test_an_invited_organisation_accepts_and_the_coordinators_hear_of_it(
    malaga, coordinator, newco, newco_admin
):
    link = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)

    assert link.status == Status.INVITED
    notification = Notification.objects.get(user=newco_admin, kind="council.organisation_invited")
    assert notification.url == f"/councils/malaga/respond/organisation/{link.pk}/"

    services.council_invitation_respond(link=link, accept=True, actor=newco_admin)
    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    assert _notified(coordinator, "council.invitation_accepted") == 1

    # accepting twice changes nothing and tells nobody again
    services.council_invitation_respond(link=link, accept=True, actor=newco_admin)
    assert _notified(coordinator, "council.invitation_accepted") == 1


def test_a_declined_invitation_cannot_be_accepted_later(malaga, coordinator, newco, newco_admin):
    link = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    services.council_invitation_respond(link=link, accept=False, actor=newco_admin)
    assert _notified(coordinator, "council.invitation_declined") == 1

    with pytest.raises(ValidationError):
        services.council_invitation_respond(link=link, accept=True, actor=newco_admin)


def test_only_the_organisation_admins_answer_its_invitation(malaga, coordinator, newco, outsider):
    link = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    with pytest.raises(PermissionDenied):
        services.council_invitation_respond(link=link, accept=True, actor=outsider)
    with pytest.raises(PermissionDenied):
        services.council_invitation_respond(link=link, accept=True, actor=coordinator)


def test_inviting_a_member_is_refused_and_inviting_twice_changes_nothing(malaga, coordinator, acme, newco):
    with pytest.raises(ValidationError, match="already a member"):
        services.council_invite_organisation(council=malaga, organisation=acme, actor=coordinator)

    first = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    second = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    assert first.pk == second.pk
    assert Notification.objects.filter(kind="council.organisation_invited").count() == 1


def test_inviting_an_organisation_that_asked_approves_it_and_asking_when_invited_accepts(
    malaga, coordinator, newco, newco_admin
):
    asked = services.council_join_request(council=malaga, organisation=newco, actor=newco_admin)
    assert services.council_invite_organisation(
        council=malaga, organisation=newco, actor=coordinator
    ).status == (Status.ACTIVE)

    other = OrganisationFactory()
    MembershipFactory(organisation=other, user=newco_admin, role=Membership.Role.ADMIN)
    services.council_invite_organisation(council=malaga, organisation=other, actor=coordinator)
    assert services.council_join_request(council=malaga, organisation=other, actor=newco_admin).status == (
        Status.ACTIVE
    )
    assert asked.pk


def test_a_withdrawn_invitation_cannot_be_answered(malaga, coordinator, newco, newco_admin):
    link = services.council_invite_organisation(council=malaga, organisation=newco, actor=coordinator)
    services.council_organisation_remove(link=link, actor=coordinator)

    assert not CouncilOrganisation.objects.filter(pk=link.pk).exists()
    with pytest.raises(ValidationError):
        services.council_invitation_respond(link=link, accept=True, actor=newco_admin)


def test_removal_and_leaving(malaga, coordinator, acme, council_member, uni, uni_member):
    acme_link = CouncilOrganisation.objects.get(council=malaga, organisation=acme)
    services.council_organisation_remove(link=acme_link, actor=coordinator)
    acme_link.refresh_from_db()
    assert acme_link.status == Status.LEFT
    assert _notified(council_member, "council.organisation_removed") == 1
    with pytest.raises(ValidationError):
        services.council_organisation_remove(link=acme_link, actor=coordinator)

    # an admin takes their organisation out: the coordinators are told
    Membership.objects.filter(user=uni_member).update(role=Membership.Role.ADMIN)
    uni_link = CouncilOrganisation.objects.get(council=malaga, organisation=uni)
    services.council_organisation_remove(link=uni_link, actor=uni_member)
    uni_link.refresh_from_db()
    assert uni_link.status == Status.LEFT
    assert _notified(coordinator, "council.organisation_left") == 1


def test_a_plain_member_of_an_organisation_cannot_take_it_out(malaga, acme, uni, uni_member):
    with pytest.raises(PermissionDenied):
        services.council_organisation_remove(
            link=CouncilOrganisation.objects.get(council=malaga, organisation=uni), actor=uni_member
        )


# --- person invitations -------------------------------------------------------------------------


def test_a_person_with_an_account_is_notified_and_accepts(malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email=" Charlie@Example.org ", role=Role.MEMBER, actor=coordinator
    )

    assert person.status == CouncilPerson.Status.INVITED and person.user is None
    assert person.email == "charlie@example.org"
    notification = Notification.objects.get(user=outsider, kind="council.person_invited")
    assert notification.url == f"/councils/malaga/respond/person/{person.pk}/"
    assert not OutboundEmail.objects.filter(to="charlie@example.org").exists()

    council_roles(outsider)  # cached before the change …
    services.council_person_invitation_respond(person=person, accept=True, user=outsider)
    person.refresh_from_db()
    assert person.user == outsider and person.status == CouncilPerson.Status.ACTIVE
    assert council_roles(outsider) == {malaga.pk: "member"}  # … and forgotten
    assert _notified(coordinator, "council.person_accepted") == 1

    # double accept: nothing changes
    services.council_person_invitation_respond(person=person, accept=True, user=outsider)
    assert CouncilPerson.objects.filter(council=malaga, user=outsider).count() == 1
    assert _notified(coordinator, "council.person_accepted") == 1


def test_an_unknown_address_gets_an_email_with_a_link(malaga, coordinator):
    person = services.council_invite_person(
        council=malaga, email="new.expert@example.org", role=Role.COORDINATOR, actor=coordinator
    )

    email = OutboundEmail.objects.get(to="new.expert@example.org")
    token = re.search(r"/councils/invitation/([^/\s]+)/", email.body_text).group(1)
    assert f"/councils/invitation/{token}/" in email.body_html
    assert "Málaga" in email.subject
    assert services.person_invitation_from_token(token) == person


def test_the_invitation_belongs_to_its_address(malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email="someone.else@example.org", role=Role.MEMBER, actor=coordinator
    )
    with pytest.raises(PermissionDenied):
        services.council_person_invitation_respond(person=person, accept=True, user=outsider)
    person.refresh_from_db()
    assert person.status == CouncilPerson.Status.INVITED


def test_a_revoked_person_invitation_cannot_be_answered(malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email=outsider.email, role=Role.MEMBER, actor=coordinator
    )
    token = services.person_invitation_token(person)
    services.council_person_remove(person=person, actor=coordinator)

    with pytest.raises(ValidationError):
        services.council_person_invitation_respond(person=person, accept=True, user=outsider)
    with pytest.raises(ValidationError):
        services.person_invitation_from_token(token)
    assert malaga.pk not in council_roles(outsider)


def test_forged_tokens_are_refused(malaga):
    for token in ["nonsense", "", "eyJwIjoxfQ:forged:sig"]:
        with pytest.raises(ValidationError):
            services.person_invitation_from_token(token)


def test_declining_removes_the_invitation(malaga, coordinator, outsider):
    person = services.council_invite_person(
        council=malaga, email=outsider.email, role=Role.MEMBER, actor=coordinator
    )
    services.council_person_invitation_respond(person=person, accept=False, user=outsider)

    assert not CouncilPerson.objects.filter(pk=person.pk).exists()
    assert _notified(coordinator, "council.person_declined") == 1


def test_bad_person_invitations(malaga, coordinator, bologna):
    with pytest.raises(ValidationError, match="valid email"):
        services.council_invite_person(
            council=malaga, email="not-an-address", role=Role.MEMBER, actor=coordinator
        )
    with pytest.raises(ValidationError, match="Unknown role"):
        services.council_invite_person(council=malaga, email="a@example.org", role="boss", actor=coordinator)
    with pytest.raises(ValidationError, match="already has a role"):
        services.council_invite_person(
            council=malaga, email=coordinator.email, role=Role.MEMBER, actor=coordinator
        )
    # a coordinator of another council invites nobody here
    with pytest.raises(PermissionDenied):
        services.council_invite_person(
            council=bologna, email="a@example.org", role=Role.COORDINATOR, actor=coordinator
        )


def test_inviting_the_same_address_again_keeps_one_invitation(malaga, coordinator):
    first = services.council_invite_person(
        council=malaga, email="x@example.org", role=Role.MEMBER, actor=coordinator
    )
    second = services.council_invite_person(
        council=malaga, email="X@example.org", role=Role.COORDINATOR, actor=coordinator
    )

    assert first.pk == second.pk and second.role == Role.COORDINATOR
    assert OutboundEmail.objects.filter(to="x@example.org").count() == 1


def test_accepting_a_coordinator_invitation_when_already_a_member_promotes(malaga, coordinator, outsider):
    CouncilPersonFactory(council=malaga, user=outsider, role=Role.MEMBER)
    # invited (before they held the role) to coordinate
    person = CouncilPerson.objects.create(
        council=malaga, email=outsider.email, role=Role.COORDINATOR, status=CouncilPerson.Status.INVITED
    )

    kept = services.council_person_invitation_respond(person=person, accept=True, user=outsider)

    assert CouncilPerson.objects.filter(council=malaga, user=outsider).get().role == Role.COORDINATOR
    assert kept.user == outsider
    assert not CouncilPerson.objects.filter(pk=person.pk).exists()


# --- roles and the last coordinator -------------------------------------------------------------


def test_the_last_coordinator_cannot_be_demoted_or_removed_by_a_coordinator(malaga, coordinator, staff):
    person = CouncilPerson.objects.get(council=malaga, user=coordinator)

    with pytest.raises(ValidationError, match="at least one coordinator"):
        services.council_person_set_role(person=person, role=Role.MEMBER, actor=coordinator)
    with pytest.raises(ValidationError, match="at least one coordinator"):
        services.council_person_remove(person=person, actor=coordinator)

    # staff may remove the last one
    services.council_person_remove(person=person, actor=staff)
    assert not CouncilPerson.objects.filter(pk=person.pk).exists()


def test_with_two_coordinators_one_can_step_down(malaga, coordinator, outsider):
    second = CouncilPersonFactory(council=malaga, user=outsider, role=Role.MEMBER)
    services.council_person_set_role(person=second, role=Role.COORDINATOR, actor=coordinator)
    assert council_roles(outsider) == {malaga.pk: "coordinator"}

    mine = CouncilPerson.objects.get(council=malaga, user=coordinator)
    council_roles(coordinator)
    services.council_person_set_role(person=mine, role=Role.MEMBER, actor=coordinator)

    assert council_roles(coordinator) == {malaga.pk: "member"}  # forgotten within the request
    with pytest.raises(ValidationError):
        services.council_person_set_role(person=second, role=Role.MEMBER, actor=outsider)


def test_coordinators_of_other_councils_cannot_appoint_here(malaga, bologna, outsider):
    bologna_coordinator = CouncilPersonFactory(council=bologna).user
    person = CouncilPersonFactory(council=malaga, user=outsider, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.council_person_set_role(person=person, role=Role.COORDINATOR, actor=bologna_coordinator)
    with pytest.raises(PermissionDenied):
        services.council_person_remove(person=person, actor=bologna_coordinator)


def test_an_invitation_has_no_role_to_change(malaga, coordinator):
    person = services.council_invite_person(
        council=malaga, email="y@example.org", role=Role.MEMBER, actor=coordinator
    )
    with pytest.raises(ValidationError):
        services.council_person_set_role(person=person, role=Role.COORDINATOR, actor=coordinator)


def test_staff_appoint_the_first_coordinator_through_an_invitation(malaga, staff, outsider):
    person = services.council_invite_person(
        council=malaga, email=outsider.email, role=Role.COORDINATOR, actor=staff
    )
    services.council_person_invitation_respond(person=person, accept=True, user=outsider)

    assert council_roles(outsider) == {malaga.pk: "coordinator"}
