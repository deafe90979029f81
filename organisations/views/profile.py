"""Organisation pages: profile, create, edit, verify, and the user's own organisations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import selectors, services
from ..forms import VISIBILITY_LABELS, OrganisationForm
from ..models import Invitation, JoinRequest, Membership, Organisation


def organisation_or_404(slug, user=None, perm=None):
    """The organisation at ``slug``; with ``perm``, PermissionDenied unless ``user`` has it on it."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if perm and not user.has_perm(perm, organisation):
        raise PermissionDenied
    return organisation


def _apply_service_errors(form, error):
    """Show a service's ValidationError on the form, per field where it names one."""
    errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@require_safe
def organisation_detail(request, slug):
    viewer = selectors.viewer_for(request.user)
    organisation = selectors.organisation_for_viewer(slug=slug, viewer=viewer)
    user = request.user
    context = {
        "organisation": organisation,
        "visible": selectors.visible_profile(organisation, viewer),
        "can_edit": user.has_perm("organisations.change_organisation", organisation),
        "can_manage_people": user.has_perm("organisations.manage_people", organisation),
        "can_view_people": user.has_perm("organisations.view_people", organisation),
        "can_request_join": user.has_perm("organisations.request_join", organisation),
        "can_verify": user.has_perm("organisations.verify_organisation", organisation),
        "is_member": organisation.pk in viewer.own_org_ids,
        "pending_request": user.is_authenticated
        and JoinRequest.objects.filter(
            organisation=organisation, user=user, status=JoinRequest.Status.PENDING
        ).exists(),
    }
    if context["can_view_people"]:
        context["people"] = selectors.organisation_people(organisation=organisation)
    return render(request, "organisations/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    if not request.user.has_perm("organisations.create_organisation"):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields, m2m = form.service_arguments()
        try:
            organisation = services.organisation_create(creator=request.user, m2m=m2m, **fields)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is on the portal. You are its administrator.") % {"name": organisation}
            )
            return redirect(organisation)
    return render(
        request,
        "organisations/form.html",
        {"form": form, "creating": True, "visibility_labels": VISIBILITY_LABELS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = organisation_or_404(slug, request.user, "organisations.change_organisation")
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        fields, m2m = form.service_arguments()
        try:
            services.organisation_update(organisation=organisation, actor=request.user, m2m=m2m, **fields)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect(organisation)
    # The form has applied the rejected values to its instance: the page header shows the saved ones.
    saved = Organisation.objects.get(pk=organisation.pk) if request.method == "POST" else organisation
    return render(
        request,
        "organisations/form.html",
        {"form": form, "organisation": saved, "visibility_labels": VISIBILITY_LABELS},
    )


@login_required
@require_POST
def organisation_verify(request, slug):
    organisation = organisation_or_404(slug, request.user, "organisations.verify_organisation")
    verified = request.POST.get("verified") != "0"
    services.organisation_verify(organisation=organisation, actor=request.user, verified=verified)
    messages.success(request, _("Verified.") if verified else _("No longer marked as verified."))
    return redirect(organisation)


@login_required
@require_safe
def my_organisations(request):
    user = request.user
    context = {
        "memberships": Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name"),
        "join_requests": JoinRequest.objects.filter(
            user=user, status=JoinRequest.Status.PENDING
        ).select_related("organisation"),
        "invitations": [
            invitation
            for invitation in Invitation.objects.filter(
                email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True
            ).select_related("organisation")
            if invitation.is_open
        ],
    }
    return render(request, "organisations/mine.html", context)
