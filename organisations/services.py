"""Writes of the organisations app: organisations, people, invitations, join requests, interactions.

Every function is keyword-only, transactional and validated; views, the admin, imports, commands
and other apps' services all call these.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.emails import email_render
from notifications.models import Area
from notifications.services import email_queue, notify

from .models import Interaction, Invitation, JoinRequest, Membership, Organisation, Visibility
from .selectors import fold

INVITATION_DAYS = 14
INVITATION_SALT = "organisations.invitation"

# Fields that feed the full-text search when (and only when) the organisation shows them to everyone,
# so that searching never reveals a field its owner hid.
_SEARCHABLE_WHEN_PUBLIC = ["short_name", "description"]


# --- organisations ------------------------------------------------------------------------------


# Words the directory's own URLs use (/organisations/map/ …) can't be an organisation's slug.
RESERVED_SLUGS = {"new", "mine", "map", "export", "invitations", "import", "search"}


def _unique_slug(name, *, exclude_pk=None):
    base = slugify(fold(name))[:200] or "organisation"  # fold: Turkish ı becomes i, not nothing
    slug, n = base, 2
    taken = Organisation.objects.exclude(pk=exclude_pk)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def organisation_search_text(organisation, *, topic_names=None):
    """The text the directory search matches: always name and city; the rest only when public."""
    parts = [organisation.name, organisation.city, organisation.get_region_display()]
    visibility = organisation.visibility or {}
    for field in _SEARCHABLE_WHEN_PUBLIC:
        if visibility.get(field, Visibility.PUBLIC) == Visibility.PUBLIC:
            parts.append(getattr(organisation, field) or "")
    if visibility.get("topics_offered", Visibility.PUBLIC) == Visibility.PUBLIC:
        if topic_names is None:
            topic_names = list(organisation.topics_offered.values_list("name", flat=True))
        parts.extend(topic_names)
    return fold("\n".join(p for p in parts if p))


def _save_organisation(organisation, *, m2m):
    organisation.full_clean(exclude=["slug", "search_text"])
    organisation.save()
    for field, values in (m2m or {}).items():
        getattr(organisation, field).set(values)
    organisation.search_text = organisation_search_text(organisation)
    Organisation.objects.filter(pk=organisation.pk).update(search_text=organisation.search_text)
    return organisation


@transaction.atomic
def organisation_create(*, creator, m2m=None, **fields):
    """Create an organisation; its creator (if any) becomes its first admin.

    ``m2m`` maps ``sectors``/``topics_offered``/``topics_needed`` to objects or ids.
    Raises ValidationError for invalid fields.
    """
    organisation = Organisation(**fields)
    organisation.slug = fields.get("slug") or _unique_slug(organisation.name)
    _save_organisation(organisation, m2m=m2m)
    if creator is not None:
        Membership.objects.create(user=creator, organisation=organisation, role=Membership.Role.ADMIN)
    return organisation


@transaction.atomic
def organisation_update(*, organisation, actor, m2m=None, **fields):
    """Change an organisation's profile (and its field visibility). Raises ValidationError."""
    for name, value in fields.items():
        setattr(organisation, name, value)
    return _save_organisation(organisation, m2m=m2m)


@transaction.atomic
def organisation_verify(*, organisation, actor, verified=True):
    """Mark an organisation as verified by staff (or, later, a council coordinator)."""
    organisation.is_verified = verified
    organisation.verified_at = timezone.now() if verified else None
    organisation.verified_by = actor if verified else None
    organisation.save(update_fields=["is_verified", "verified_at", "verified_by", "updated_at"])
    return organisation


# --- people -------------------------------------------------------------------------------------


def _lock_admins(organisation):
    # Locks the organisation's admin rows so that two admins demoting each other at the same moment
    # cannot leave it with none.
    return list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )


def _ensure_not_last_admin(membership):
    if membership.role == Membership.Role.ADMIN and _lock_admins(membership.organisation) == [membership.pk]:
        raise ValidationError(
            _("%(organisation)s needs at least one administrator. Make someone else an administrator first."),
            params={"organisation": membership.organisation.name},
            code="last_admin",
        )


@transaction.atomic
def membership_set_role(*, membership, role, actor):
    """Change someone's role; the last admin cannot be made a plain member."""
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if role != Membership.Role.ADMIN:
        _ensure_not_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership, actor):
    """Remove someone from an organisation (or let them leave); never its last admin."""
    _ensure_not_last_admin(membership)
    membership.delete()


def _add_member(*, organisation, user, role):
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if not created and role == Membership.Role.ADMIN and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


# --- invitations --------------------------------------------------------------------------------


def invitation_token(invitation):
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_url(invitation):
    return settings.SITE_URL + reverse(
        "organisations:invitation", kwargs={"token": invitation_token(invitation)}
    )


def invitation_from_token(token):
    """The invitation a token stands for; ValidationError when forged, unknown, used or expired."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("organisation").get(pk=pk)
    except (signing.BadSignature, Invitation.DoesNotExist, TypeError, ValueError) as exc:
        raise ValidationError(_("This invitation link is not valid."), code="invalid") from exc
    if invitation.revoked_at or invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used or withdrawn."), code="used")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation has expired. Ask %(organisation)s for a new one."),
            params={"organisation": invitation.organisation.name},
            code="expired",
        )
    return invitation


@transaction.atomic
def invitation_create(*, organisation, email, role, invited_by):
    """Invite someone by email and send them the link. An open invitation to the same address is
    replaced (its old link stops working). Raises ValidationError if they are already a member."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member."), params={"email": email}, code="member")
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    subject, text, html = email_render(
        template_prefix="organisations/emails/invitation",
        context={
            "invitation": invitation,
            "organisation": organisation,
            "inviter": invited_by,
            "url": invitation_url(invitation),
            "days": INVITATION_DAYS,
        },
    )
    email_queue(to=email, subject=subject, body_text=text, body_html=html)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation, user):
    """Join the organisation through an invitation. The signed-in user's verified email must be the
    invited address (a forwarded link does not let someone else in)."""
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer valid."), code="used")
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership = _add_member(organisation=invitation.organisation, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    JoinRequest.objects.filter(
        organisation=invitation.organisation, user=user, status=JoinRequest.Status.PENDING
    ).update(status=JoinRequest.Status.APPROVED, decided_at=timezone.now())
    notify(
        users=[admin for admin in _admins(invitation.organisation) if admin.pk != user.pk],
        kind="invitation.accepted",
        area=Area.DIRECTORY,
        message=gettext_noop("%(name)s accepted the invitation and joined %(organisation)s"),
        params={"name": user.display_name, "organisation": invitation.organisation.name},
        url=_people_path(invitation.organisation),
        target=invitation,
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation, actor):
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- join requests ------------------------------------------------------------------------------


def _admins(organisation):
    return [
        membership.user
        for membership in Membership.objects.filter(
            organisation=organisation, role=Membership.Role.ADMIN
        ).select_related("user")
    ]


def _people_path(organisation):
    # A path, not a full URL: the notification list links to it, and emails put SITE_URL in front.
    return reverse("organisations:people", kwargs={"slug": organisation.slug})


@transaction.atomic
def join_request_create(*, organisation, user, message=""):
    """Ask to join an organisation; its admins are notified (and emailed if they chose so). One pending
    request per person: asking again raises ValidationError."""
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(
            _("You are already a member of %(organisation)s."), params={"organisation": organisation}
        )
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                organisation=organisation, user=user, message=message[:1000]
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("You have already asked to join; the administrators will answer soon.")
        ) from exc
    notify(
        users=_admins(organisation),
        kind="join_request.created",
        area=Area.DIRECTORY,
        message=gettext_noop("%(name)s asks to join %(organisation)s"),
        params={"name": user.display_name, "organisation": organisation.name},
        url=_people_path(organisation),
        target=join_request,
    )
    return join_request


@transaction.atomic
def join_request_decide(*, join_request, approve, actor):
    """Approve (the person becomes a member) or refuse a pending join request; the person is notified
    (and emailed if they chose so). Raises ValidationError if it was already answered."""
    join_request = (
        JoinRequest.objects.select_for_update().select_related("organisation", "user").get(pk=join_request.pk)
    )
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REFUSED
    join_request.decided_at = timezone.now()
    join_request.decided_by = actor
    join_request.save(update_fields=["status", "decided_at", "decided_by"])
    if approve:
        _add_member(
            organisation=join_request.organisation, user=join_request.user, role=Membership.Role.MEMBER
        )
    notify(
        users=[join_request.user],
        kind="join_request.approved" if approve else "join_request.refused",
        area=Area.DIRECTORY,
        message=(
            gettext_noop("Your request to join %(organisation)s has been approved. You are now a member.")
            if approve
            else gettext_noop("Your request to join %(organisation)s has not been accepted.")
        ),
        params={"organisation": join_request.organisation.name},
        url=join_request.organisation.get_absolute_url(),
        target=join_request,
    )
    return join_request


# --- the interaction ledger ---------------------------------------------------------------------


# Apps that attach meaning to ledger entries (the councils involved) register a function
# ``hook(*, interaction, organisations, councils)`` here, so this app never imports them.
_interaction_hooks = []


def register_interaction_hook(hook):
    if hook not in _interaction_hooks:
        _interaction_hooks.append(hook)


# Functions ``hook()`` called after ledger entries were written in bulk, without interaction_record
# (the demo data at scale), for the apps that keep something derived from the ledger.
_bulk_hooks = []


def register_interactions_bulk_hook(hook):
    if hook not in _bulk_hooks:
        _bulk_hooks.append(hook)


def interactions_bulk_recorded():
    """Tell the apps that keep figures derived from the ledger that entries were written in bulk."""
    for hook in _bulk_hooks:
        hook()


@transaction.atomic
def interaction_record(
    *,
    kind,
    date,
    organisations,
    description="",
    source="manual",
    source_ref="",
    recorded_by=None,
    councils=(),
):
    """Record an interaction between two or more organisations in the ledger.

    The SME–HEI, cross-border and cross-cluster (organisations of different regions) flags are
    derived here from the organisations' kinds, countries and regions. ``councils`` are handed to
    the registered hooks (the councils app links the entry to them and to the organisations'
    councils). With a ``source_ref`` the call is idempotent: the same (source, source_ref) records
    once and returns the existing entry. Raises ValidationError for fewer than two organisations or
    an unknown kind.
    """
    organisations = list({org.pk: org for org in organisations}.values())
    if len(organisations) < 2:
        raise ValidationError(_("An interaction needs at least two organisations."))
    if kind not in Interaction.Kind.values:
        raise ValidationError(_("Unknown kind of interaction."))
    if source_ref:
        existing = Interaction.objects.filter(source=source, source_ref=source_ref).first()
        if existing:
            return existing
    kinds = {org.kind for org in organisations}
    interaction = Interaction(
        kind=kind,
        date=date,
        description=description,
        source=source,
        source_ref=source_ref,
        recorded_by=recorded_by,
        is_sme_hei={Organisation.Kind.SME, Organisation.Kind.HEI} <= kinds,
        is_cross_border=len({str(org.country) for org in organisations}) > 1,
        is_cross_cluster=len({org.region for org in organisations}) > 1,
    )
    interaction.full_clean(exclude=["recorded_by"])
    interaction.save()
    interaction.organisations.set(organisations)
    for hook in _interaction_hooks:
        hook(interaction=interaction, organisations=organisations, councils=list(councils))
    return interaction
