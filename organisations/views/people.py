"""People of an organisation: members and roles, invitations, join requests."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import selectors, services
from ..forms import DecisionForm, InvitationForm, JoinRequestForm, RoleForm
from ..models import Invitation, JoinRequest, Membership
from .profile import organisation_or_404


def _people_page(request, organisation, *, invite_form=None, status=200):
    can_manage = request.user.has_perm("organisations.manage_people", organisation)
    context = {
        "organisation": organisation,
        "people": selectors.organisation_people(organisation=organisation),
        "can_manage": can_manage,
        "roles": Membership.Role.choices,
    }
    if can_manage:
        context.update(
            invite_form=invite_form or InvitationForm(),
            invitations=organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by")
            .order_by("-created_at"),
            join_requests=organisation.join_requests.filter(status=JoinRequest.Status.PENDING)
            .select_related("user")
            .order_by("created_at"),
        )
    return render(request, "organisations/people.html", context, status=status)


@login_required
@require_safe
def people(request, slug):
    organisation = organisation_or_404(slug, request.user, "organisations.view_people")
    return _people_page(request, organisation)


@login_required
@require_POST
def invite(request, slug):
    organisation = organisation_or_404(slug, request.user, "organisations.manage_people")
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("organisations:people", slug=organisation.slug)
    return _people_page(request, organisation, invite_form=form, status=400)


def _membership(organisation, membership_id):
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=organisation
    )


@login_required
@require_POST
def membership_role(request, slug, membership_id):
    organisation = organisation_or_404(slug, request.user, "organisations.manage_people")
    membership = _membership(organisation, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()},
            )
    return redirect("organisations:people", slug=organisation.slug)


@login_required
@require_POST
def membership_remove(request, slug, membership_id):
    organisation = organisation_or_404(slug, request.user, "organisations.manage_people")
    membership = _membership(organisation, membership_id)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": membership.user})
    return redirect("organisations:people", slug=organisation.slug)


@login_required
@require_POST
def leave(request, slug):
    organisation = organisation_or_404(slug, request.user, "organisations.leave_organisation")
    membership = get_object_or_404(Membership, organisation=organisation, user=request.user)
    try:
        services.membership_remove(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(organisation)
    messages.success(request, _("You have left %(organisation)s.") % {"organisation": organisation})
    return redirect("organisations:mine")


@login_required
@require_POST
def invitation_revoke(request, slug, invitation_id):
    organisation = organisation_or_404(slug, request.user, "organisations.manage_people")
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(
        request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email}
    )
    return redirect("organisations:people", slug=organisation.slug)


@login_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    organisation = organisation_or_404(slug)
    if not request.user.has_perm("organisations.request_join", organisation):
        messages.info(
            request, _("You are already a member of %(organisation)s.") % {"organisation": organisation}
        )
        return redirect(organisation)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                organisation=organisation, user=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Your request has been sent to the administrators of %(organisation)s.")
                % {"organisation": organisation},
            )
        return redirect(organisation)
    return render(request, "organisations/join.html", {"organisation": organisation, "form": form})


@login_required
@require_POST
def join_request_decide(request, slug, request_id):
    organisation = organisation_or_404(slug, request.user, "organisations.manage_people")
    join_request = get_object_or_404(JoinRequest, pk=request_id, organisation=organisation)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("organisations:people", slug=organisation.slug)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.join_request_decide(join_request=join_request, approve=approve, actor=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        if approve:
            messages.success(request, _("%(name)s is now a member.") % {"name": join_request.user})
        else:
            messages.success(
                request, _("The request of %(name)s has been refused.") % {"name": join_request.user}
            )
    return redirect("organisations:people", slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email. Visitors are offered to sign up (their address counts as
    verified, since they got the email) or to log in; signed-in people accept it."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as error:
        return render(
            request, "organisations/invitation.html", {"error": " ".join(error.messages)}, status=400
        )
    context = {"invitation": invitation, "organisation": invitation.organisation}
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?next={request.path}")
        get_adapter(request).stash_verified_email(request, invitation.email)
        context["has_account"] = get_user_model().objects.filter(email__iexact=invitation.email).exists()
        context["next"] = request.path
        return render(request, "organisations/invitation.html", context)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except PermissionDenied as error:
            context["error"] = str(error)
            return render(request, "organisations/invitation.html", context, status=403)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "organisations/invitation.html", context, status=400)
        messages.success(
            request, _("Welcome to %(organisation)s!") % {"organisation": invitation.organisation}
        )
        return redirect(invitation.organisation)
    return render(request, "organisations/invitation.html", context)
