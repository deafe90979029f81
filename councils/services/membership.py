"""Council membership: organisations ask to join or are invited, people are invited by email and
hold a role (coordinator or member).

Every function is keyword-only and transactional; the rows two coordinators could change at the same
moment are locked first. They raise ValidationError for a change that does not fit the current state
and PermissionDenied for an actor who may not make it; views, the admin and commands all call them.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.emails import email_render
from notifications.models import Area
from notifications.services import email_queue, notify
from organisations.models import Membership

from ..models import Council, CouncilOrganisation, CouncilPerson
from ..permissions import forget_council_roles

OrgStatus = CouncilOrganisation.Status
Role = CouncilPerson.Role
PersonStatus = CouncilPerson.Status

INVITATION_SALT = "councils.person_invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 30  # the emailed link works for 30 days


# --- who is who ---------------------------------------------------------------------------------


def _org_admins(organisation):
    return [
        membership.user
        for membership in Membership.objects.filter(
            organisation=organisation, role=Membership.Role.ADMIN
        ).select_related("user")
    ]


def _is_org_admin(user, organisation):
    return (
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(
            user=user, organisation=organisation, role=Membership.Role.ADMIN
        ).exists()
    )


def council_coordinators(council):
    """The active coordinators of ``council`` (users)."""
    return [
        person.user
        for person in CouncilPerson.objects.filter(
            council=council, role=Role.COORDINATOR, status=PersonStatus.ACTIVE
        ).select_related("user")
    ]


def _ensure_can_manage(actor, council):
    if actor is None or not actor.has_perm("councils.manage_council", council):
        raise PermissionDenied(_("Only the council's coordinators can do this."))


def _members_path(council):
    # A path, not a full URL: the notification list links to it, and emails put SITE_URL in front.
    return reverse("councils:members", args=[council.slug])


def _lock_council(council):
    """Serialise changes to one council's members (two coordinators answering at the same moment)."""
    return Council.objects.select_for_update().get(pk=council.pk)


def _forget(*users):
    for user in users:
        if user is not None:
            forget_council_roles(user)


# --- organisations ------------------------------------------------------------------------------


def _lock_link(link):
    return (
        CouncilOrganisation.objects.select_for_update(of=("self",))
        .select_related("council", "organisation")
        .get(pk=link.pk)
    )


def _activate(link, *, actor):
    link.status = OrgStatus.ACTIVE
    link.decided_by = actor
    link.decided_at = link.joined_at = timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at", "joined_at"])
    _forget(actor)


@transaction.atomic
def council_join_request(*, council, organisation, actor, message=""):
    """An organisation's admin asks for it to join ``council``; the coordinators are notified.

    If the council had invited the organisation, asking to join accepts the invitation. Raises
    ValidationError when the organisation is a member or has already asked, PermissionDenied when
    the actor is not one of its admins.
    """
    if not _is_org_admin(actor, organisation):
        raise PermissionDenied(_("Only an administrator of the organisation can ask for it to join."))
    _lock_council(council)
    link = (
        CouncilOrganisation.objects.select_for_update(of=("self",))
        .filter(council=council, organisation=organisation)
        .first()
    )
    if link is not None and link.status == OrgStatus.ACTIVE:
        raise ValidationError(
            _("%(organisation)s is already a member of %(council)s."),
            params={"organisation": organisation.name, "council": council.name},
            code="member",
        )
    if link is not None and link.status == OrgStatus.REQUESTED:
        raise ValidationError(
            _("%(organisation)s has already asked to join; the coordinators will answer soon."),
            params={"organisation": organisation.name},
            code="pending",
        )
    if link is not None and link.status == OrgStatus.INVITED:
        return council_invitation_respond(link=link, accept=True, actor=actor)
    if link is None:
        link = CouncilOrganisation(council=council, organisation=organisation)
    link.status = OrgStatus.REQUESTED
    link.message = (message or "")[:2000]
    link.requested_by = actor
    link.decided_by = link.decided_at = link.joined_at = None
    link.created_at = timezone.now()
    link.save()
    notify(
        users=council_coordinators(council),
        kind="council.join_requested",
        area=Area.COUNCILS,
        message=gettext_noop("%(organisation)s asks to join the %(council)s council"),
        params={"organisation": organisation.name, "council": council.name},
        url=_members_path(council),
        target=link,
    )
    return link


@transaction.atomic
def council_request_decide(*, link, approve, actor, reason=""):
    """Approve (the organisation becomes a member) or refuse a pending request; the organisation's
    admins are notified, with the reason when one is given. Raises ValidationError if the request
    was already answered."""
    _ensure_can_manage(actor, link.council)
    _lock_council(link.council)
    link = _lock_link(link)
    if link.status != OrgStatus.REQUESTED:
        raise ValidationError(_("This request has already been answered."), code="answered")
    if approve:
        _activate(link, actor=actor)
    else:
        link.status = OrgStatus.REFUSED
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.save(update_fields=["status", "decided_by", "decided_at"])
    params = {"organisation": link.organisation.name, "council": link.council.name}
    if approve:
        message = gettext_noop("%(organisation)s is now a member of the %(council)s council.")
    elif reason:
        message = gettext_noop(
            "The %(council)s council did not accept the request of %(organisation)s: %(reason)s"
        )
        params["reason"] = reason[:200]
    else:
        message = gettext_noop("The %(council)s council did not accept the request of %(organisation)s.")
    notify(
        users=_org_admins(link.organisation),
        kind="council.request_approved" if approve else "council.request_refused",
        area=Area.COUNCILS,
        message=message,
        params=params,
        url=link.council.get_absolute_url(),
        target=link,
    )
    return link


@transaction.atomic
def council_invite_organisation(*, council, organisation, actor):
    """Invite an organisation; its admins are notified and can accept or decline. Inviting it again
    while the invitation is open changes nothing; inviting an organisation that asked to join
    approves its request. Raises ValidationError when it is already a member."""
    _ensure_can_manage(actor, council)
    _lock_council(council)
    link = (
        CouncilOrganisation.objects.select_for_update(of=("self",))
        .filter(council=council, organisation=organisation)
        .first()
    )
    if link is not None and link.status == OrgStatus.ACTIVE:
        raise ValidationError(
            _("%(organisation)s is already a member of %(council)s."),
            params={"organisation": organisation.name, "council": council.name},
            code="member",
        )
    if link is not None and link.status == OrgStatus.INVITED:
        return link
    if link is not None and link.status == OrgStatus.REQUESTED:
        return council_request_decide(link=link, approve=True, actor=actor)
    if link is None:
        link = CouncilOrganisation(council=council, organisation=organisation)
    link.status = OrgStatus.INVITED
    link.message = ""
    link.requested_by = actor
    link.decided_by = link.decided_at = link.joined_at = None
    link.created_at = timezone.now()
    link.save()
    notify(
        users=_org_admins(organisation),
        kind="council.organisation_invited",
        area=Area.COUNCILS,
        message=gettext_noop("The %(council)s council invites %(organisation)s to join it"),
        params={"organisation": organisation.name, "council": council.name},
        url=reverse("councils:respond", args=[council.slug, "organisation", link.pk]),
        target=link,
    )
    return link


@transaction.atomic
def council_invitation_respond(*, link, accept, actor):
    """An admin of the invited organisation accepts or declines; the coordinators are notified.
    Accepting twice changes nothing. Raises ValidationError when the invitation is no longer open."""
    if not (_is_org_admin(actor, link.organisation) or (actor is not None and actor.is_staff)):
        raise PermissionDenied(_("Only an administrator of the organisation can answer this invitation."))
    _lock_council(link.council)
    try:
        link = _lock_link(link)
    except CouncilOrganisation.DoesNotExist as exc:
        raise ValidationError(_("This invitation has been withdrawn."), code="withdrawn") from exc
    if accept and link.status == OrgStatus.ACTIVE:
        return link
    if link.status != OrgStatus.INVITED:
        raise ValidationError(_("This invitation is no longer open."), code="closed")
    if accept:
        _activate(link, actor=actor)
    else:
        link.status = OrgStatus.DECLINED
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.save(update_fields=["status", "decided_by", "decided_at"])
    notify(
        users=council_coordinators(link.council),
        kind="council.invitation_accepted" if accept else "council.invitation_declined",
        area=Area.COUNCILS,
        message=(
            gettext_noop("%(organisation)s accepted the invitation to the %(council)s council")
            if accept
            else gettext_noop("%(organisation)s declined the invitation to the %(council)s council")
        ),
        params={"organisation": link.organisation.name, "council": link.council.name},
        url=_members_path(link.council),
        target=link,
    )
    return link


@transaction.atomic
def council_organisation_remove(*, link, actor):
    """Take an organisation out of a council: a coordinator removes it, or one of its admins leaves.
    An open invitation is withdrawn (deleted). Raises ValidationError for anything else."""
    leaving = _is_org_admin(actor, link.organisation)
    if not leaving:
        _ensure_can_manage(actor, link.council)
    _lock_council(link.council)
    try:
        link = _lock_link(link)
    except CouncilOrganisation.DoesNotExist:
        return None  # already withdrawn
    if link.status == OrgStatus.INVITED and not leaving:
        link.delete()
        return None
    if link.status != OrgStatus.ACTIVE:
        raise ValidationError(
            _("%(organisation)s is not a member."), params={"organisation": link.organisation.name}
        )
    link.status = OrgStatus.LEFT
    link.decided_by = actor
    link.decided_at = timezone.now()
    link.save(update_fields=["status", "decided_by", "decided_at"])
    _forget(actor)
    params = {"organisation": link.organisation.name, "council": link.council.name}
    if leaving:
        notify(
            users=council_coordinators(link.council),
            kind="council.organisation_left",
            area=Area.COUNCILS,
            message=gettext_noop("%(organisation)s has left the %(council)s council"),
            params=params,
            url=_members_path(link.council),
            target=link,
        )
    else:
        notify(
            users=_org_admins(link.organisation),
            kind="council.organisation_removed",
            area=Area.COUNCILS,
            message=gettext_noop("%(organisation)s is no longer a member of the %(council)s council"),
            params=params,
            url=link.council.get_absolute_url(),
            target=link,
        )
    return link


# --- people -------------------------------------------------------------------------------------


def person_invitation_token(person):
    return signing.dumps({"p": person.pk, "e": person.email}, salt=INVITATION_SALT)


def person_invitation_url(person):
    return settings.SITE_URL + reverse(
        "councils:invitation", kwargs={"token": person_invitation_token(person)}
    )


def person_invitation_from_token(token):
    """The open invitation a token stands for; ValidationError when forged, expired or used."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
        person = CouncilPerson.objects.select_related("council", "invited_by").get(
            pk=payload["p"], email=payload["e"], status=PersonStatus.INVITED
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This invitation link has expired."), code="expired") from exc
    except (signing.BadSignature, CouncilPerson.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            _("This invitation link is not valid, or the invitation has been used or withdrawn."),
            code="invalid",
        ) from exc
    return person


def _find_user(email):
    """The account whose verified address ``email`` is (an unverified claim does not count: the
    address's owner gets the emailed link instead)."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    return address.user if address is not None and address.user.is_active else None


def user_has_email(user, email):
    """Whether ``email`` is one of the signed-in user's verified addresses."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


@transaction.atomic
def council_invite_person(*, council, email, role, actor):
    """Invite someone by email to a role in ``council``. A person with an account gets a
    notification; an unknown address gets an email with a link to sign up and accept. Inviting the
    same address again while the invitation is open changes nothing (but its role). Only the council's
    coordinators and staff invite, and a coordinator only to their own council."""
    _ensure_can_manage(actor, council)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(_("Enter a valid email address."), code="invalid_email") from exc
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    _lock_council(council)
    user = _find_user(email)
    if user is not None:
        existing = CouncilPerson.objects.filter(
            council=council, user=user, status=PersonStatus.ACTIVE
        ).first()
        if existing is not None:
            raise ValidationError(
                _("%(name)s already has a role in this council; change it in the list of people."),
                params={"name": user.display_name},
                code="has_role",
            )
    person = CouncilPerson.objects.filter(council=council, email=email, status=PersonStatus.INVITED).first()
    if person is not None:
        if person.role != role:
            person.role = role
            person.save(update_fields=["role"])
        return person
    person = CouncilPerson.objects.create(
        council=council, email=email, role=role, status=PersonStatus.INVITED, invited_by=actor
    )
    params = {"council": council.name, "role": str(person.get_role_display())}
    if user is not None:
        notify(
            users=[user],
            kind="council.person_invited",
            area=Area.COUNCILS,
            message=(
                gettext_noop("You are invited to be a coordinator of the %(council)s council")
                if role == Role.COORDINATOR
                else gettext_noop("You are invited to be a member of the %(council)s council")
            ),
            params=params,
            url=reverse("councils:respond", args=[council.slug, "person", person.pk]),
            target=person,
        )
    else:
        subject, text, html = email_render(
            template_prefix="councils/emails/membership_invitation",
            context={
                "council": council,
                "person": person,
                "inviter": actor,
                "url": person_invitation_url(person),
                "days": INVITATION_MAX_AGE // 86400,
            },
        )
        email_queue(to=email, subject=subject, body_text=text, body_html=html)
    return person


@transaction.atomic
def council_person_invitation_respond(*, person, accept, user):
    """The invited person accepts (taking the role) or declines (the invitation goes). The signed-in
    user must own the invited address; accepting twice changes nothing."""
    _lock_council(person.council)
    try:
        person = (
            CouncilPerson.objects.select_for_update(of=("self",)).select_related("council").get(pk=person.pk)
        )
    except CouncilPerson.DoesNotExist as exc:
        raise ValidationError(_("This invitation has been withdrawn."), code="withdrawn") from exc
    if person.status == PersonStatus.ACTIVE:
        if accept and person.user_id == user.pk:
            return person
        raise ValidationError(_("This invitation has already been answered."), code="answered")
    if not user_has_email(user, person.email):
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Log in with that address to answer it.")
            % {"email": person.email}
        )
    council = person.council
    if accept:
        existing = CouncilPerson.objects.select_for_update().filter(council=council, user=user).first()
        if existing is not None:
            # They already hold a role: the invitation can only raise it.
            if person.role == Role.COORDINATOR and existing.role != Role.COORDINATOR:
                existing.role = Role.COORDINATOR
                existing.save(update_fields=["role"])
            person.delete()
            person = existing
        else:
            person.user = user
            person.status = PersonStatus.ACTIVE
            person.accepted_at = timezone.now()
            person.save(update_fields=["user", "status", "accepted_at"])
        _forget(user)
    else:
        person.delete()
    notify(
        users=[u for u in council_coordinators(council) if u.pk != user.pk],
        kind="council.person_accepted" if accept else "council.person_declined",
        area=Area.COUNCILS,
        message=(
            gettext_noop("%(name)s accepted the invitation to the %(council)s council")
            if accept
            else gettext_noop("%(name)s declined the invitation to the %(council)s council")
        ),
        params={"name": user.display_name, "council": council.name},
        url=_members_path(council),
        target=person if accept else None,
    )
    return person


def _lock_coordinators(council):
    return list(
        CouncilPerson.objects.select_for_update()
        .filter(council=council, role=Role.COORDINATOR, status=PersonStatus.ACTIVE)
        .values_list("pk", flat=True)
    )


def _is_last_coordinator(person):
    return (
        person.status == PersonStatus.ACTIVE
        and person.role == Role.COORDINATOR
        and _lock_coordinators(person.council) == [person.pk]
    )


@transaction.atomic
def council_person_set_role(*, person, role, actor):
    """Make someone a coordinator or a member. The last coordinator cannot be demoted."""
    _ensure_can_manage(actor, person.council)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    _lock_council(person.council)
    person = (
        CouncilPerson.objects.select_for_update(of=("self",))
        .select_related("council", "user")
        .get(pk=person.pk)
    )
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError(_("This person has not accepted the invitation yet."), code="invited")
    if person.role == role:
        return person
    if role != Role.COORDINATOR and _is_last_coordinator(person):
        raise ValidationError(
            _("The council needs at least one coordinator. Make someone else a coordinator first."),
            code="last_coordinator",
        )
    person.role = role
    person.save(update_fields=["role"])
    _forget(person.user, actor)
    return person


@transaction.atomic
def council_person_remove(*, person, actor):
    """Remove someone's role in the council, or withdraw an open invitation. The last coordinator
    can only be removed by staff."""
    _ensure_can_manage(actor, person.council)
    _lock_council(person.council)
    try:
        person = (
            CouncilPerson.objects.select_for_update(of=("self",))
            .select_related("council", "user")
            .get(pk=person.pk)
        )
    except CouncilPerson.DoesNotExist:
        return None
    if _is_last_coordinator(person) and not actor.is_staff:
        raise ValidationError(
            _("The council needs at least one coordinator. Make someone else a coordinator first."),
            code="last_coordinator",
        )
    person.delete()
    _forget(person.user, actor)
    return None
