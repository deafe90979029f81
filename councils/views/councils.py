"""The councils' own pages: the list, a council's page, joining and leaving, the members page
(requests, invitations, roles) and the answers to invitations."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..forms.membership import (
    InviteOrganisationForm,
    InvitePersonForm,
    JoinForm,
    LeaveForm,
    RequestDecisionForm,
    RespondForm,
    RoleForm,
)
from ..models import Council, CouncilOrganisation, CouncilPerson
from ..permissions import council_roles
from ..selectors import councils as selectors
from ..services import membership as services

OrgStatus = CouncilOrganisation.Status


def _council(slug, user=None, perm=None):
    council = get_object_or_404(Council, slug=slug)
    if perm and not user.has_perm(perm, council):
        raise PermissionDenied
    return council


def _errors(error):
    return " ".join(error.messages)


def _is_member(user, council):
    return user.is_authenticated and (user.is_staff or council.pk in council_roles(user))


# --- public pages --------------------------------------------------------------------------------


@require_safe
def council_list(request):
    councils = list(selectors.councils_for_list())
    roles = council_roles(request.user)
    for council in councils:
        council.viewer_is_member = request.user.is_staff or council.pk in roles
    return render(request, "councils/list.html", {"councils": councils})


@require_safe
def detail(request, slug):
    council = _council(slug)
    user = request.user
    is_member = _is_member(user, council)
    context = {
        "council": council,
        "coordinators": selectors.council_coordinators(council),
        "organisations": selectors.council_member_organisations(council),
        "is_member": is_member,
        "can_manage": user.has_perm("councils.manage_council", council),
        "role": council_roles(user).get(council.pk),
    }
    if is_member:
        context["meetings"] = selectors.upcoming_meetings(council)
    if not user.is_authenticated:
        join_path = reverse("councils:join", args=[council.slug])
        context["login_url"] = f"{reverse('account_login')}?{urlencode({'next': join_path})}"
    if user.is_authenticated:
        context["can_join"] = selectors.organisations_to_join(user=user, council=council)
        context["can_leave"] = selectors.organisations_user_administers_in(user=user, council=council)
        context["pending"] = selectors.organisations_user_administers_in(
            user=user, council=council, statuses=[OrgStatus.REQUESTED]
        )
    return render(request, "councils/detail.html", context)


# --- joining and leaving -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    council = _council(slug)
    organisations = selectors.organisations_to_join(user=request.user, council=council)
    if not organisations:
        messages.info(
            request,
            _(
                "Only an administrator of an organisation can ask for it to join, and your organisations "
                "are already members or have asked."
            ),
        )
        return redirect(council)
    form = JoinForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            link = services.council_join_request(
                council=council,
                organisation=organisation,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            messages.info(request, _errors(error))
        else:
            if link.status == OrgStatus.ACTIVE:
                messages.success(
                    request,
                    _("%(organisation)s is now a member of %(council)s.")
                    % {"organisation": organisation.name, "council": council.name},
                )
            else:
                messages.success(
                    request,
                    _("The request of %(organisation)s has been sent to the coordinators of %(council)s.")
                    % {"organisation": organisation.name, "council": council.name},
                )
        return redirect(council)
    status = 400 if request.method == "POST" else 200
    return render(request, "councils/membership/join.html", {"council": council, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request, slug):
    council = _council(slug)
    links = selectors.organisations_user_administers_in(user=request.user, council=council)
    if not links:
        raise PermissionDenied
    form = LeaveForm(request.POST or None, organisations=[link.organisation for link in links])
    if request.method == "POST" and form.is_valid():
        link = next(link for link in links if link.organisation_id == form.cleaned_data["organisation"].pk)
        try:
            services.council_organisation_remove(link=link, actor=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request,
                _("%(organisation)s has left %(council)s.")
                % {"organisation": link.organisation.name, "council": council.name},
            )
        return redirect(council)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "councils/membership/leave.html",
        {"council": council, "form": form, "links": links},
        status=status,
    )


# --- the members page ----------------------------------------------------------------------------


def _members_page(request, council, *, invite_person_form=None, status=200):
    manage = request.user.has_perm("councils.manage_council", council)
    context = {
        "council": council,
        "can_manage": manage,
        **selectors.council_members_page(council, manage=manage),
    }
    if manage:
        query = request.GET.get("q", "")[:100]
        context.update(
            query=query,
            search_results=selectors.organisations_to_invite(council=council, query=query),
            invite_person_form=invite_person_form or InvitePersonForm(),
            roles=CouncilPerson.Role.choices,
        )
    return render(request, "councils/membership/members.html", context, status=status)


@login_required
@require_safe
def members(request, slug):
    council = _council(slug, request.user, "councils.view_members")
    return _members_page(request, council)


def _back(council):
    return redirect("councils:members", slug=council.slug)


@login_required
@require_POST
def request_decide(request, slug, pk):
    council = _council(slug, request.user, "councils.manage_council")
    link = get_object_or_404(
        CouncilOrganisation.objects.select_related("organisation"), pk=pk, council=council
    )
    form = RequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return _back(council)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.council_request_decide(
            link=link, approve=approve, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.info(request, _errors(error))
    else:
        name = link.organisation.name
        if approve:
            messages.success(request, _("%(organisation)s is now a member.") % {"organisation": name})
        else:
            messages.success(
                request, _("The request of %(organisation)s has been refused.") % {"organisation": name}
            )
    return _back(council)


@login_required
@require_POST
def invite_organisation(request, slug):
    council = _council(slug, request.user, "councils.manage_council")
    form = InviteOrganisationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This organisation does not exist."))
        return _back(council)
    organisation = form.cleaned_data["organisation"]
    try:
        link = services.council_invite_organisation(
            council=council, organisation=organisation, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if link.status == OrgStatus.ACTIVE:
            messages.success(
                request, _("%(organisation)s is now a member.") % {"organisation": organisation.name}
            )
        else:
            messages.success(
                request,
                _("%(organisation)s has been invited; its administrators can accept.")
                % {"organisation": organisation.name},
            )
    return _back(council)


@login_required
@require_POST
def organisation_remove(request, slug, pk):
    council = _council(slug, request.user, "councils.manage_council")
    link = get_object_or_404(
        CouncilOrganisation.objects.select_related("organisation"), pk=pk, council=council
    )
    was_invited = link.status == OrgStatus.INVITED
    try:
        services.council_organisation_remove(link=link, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if was_invited:
            messages.success(
                request,
                _("The invitation of %(organisation)s has been withdrawn.")
                % {"organisation": link.organisation.name},
            )
        else:
            messages.success(
                request, _("%(organisation)s has been removed.") % {"organisation": link.organisation.name}
            )
    return _back(council)


@login_required
@require_POST
def invite_person(request, slug):
    council = _council(slug, request.user, "councils.manage_council")
    form = InvitePersonForm(request.POST)
    if form.is_valid():
        try:
            person = services.council_invite_person(
                council=council,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": person.email})
            return _back(council)
    return _members_page(request, council, invite_person_form=form, status=400)


def _person(council, pk):
    return get_object_or_404(CouncilPerson.objects.select_related("user"), pk=pk, council=council)


@login_required
@require_POST
def person_role(request, slug, pk):
    council = _council(slug, request.user, "councils.manage_council")
    person = _person(council, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return _back(council)
    try:
        person = services.council_person_set_role(
            person=person, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request, _("%(name)s is now %(role)s.") % {"name": person.user, "role": person.get_role_display()}
        )
    if not request.user.has_perm("councils.manage_council", council):
        return redirect(council)  # they made themselves a plain member
    return _back(council)


@login_required
@require_POST
def person_remove(request, slug, pk):
    council = _council(slug, request.user, "councils.manage_council")
    person = _person(council, pk)
    try:
        services.council_person_remove(person=person, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if person.status == CouncilPerson.Status.INVITED:
            messages.success(
                request, _("The invitation to %(email)s has been withdrawn.") % {"email": person.email}
            )
        else:
            messages.success(request, _("%(name)s has been removed.") % {"name": person.user})
    if not request.user.has_perm("councils.manage_council", council):
        return redirect(council)
    return _back(council)


# --- answering invitations -----------------------------------------------------------------------


def _respond_person(request, person, *, context):
    """Accept or decline a person's invitation (from the notification or the emailed link)."""
    if not services.user_has_email(request.user, person.email):
        context["error"] = _(
            "This invitation was sent to %(email)s. Log in with that address to answer it."
        ) % {"email": person.email}
        return render(request, "councils/membership/respond.html", context, status=403)
    form = RespondForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            context["error"] = _("Choose accept or decline.")
            return render(request, "councils/membership/respond.html", context, status=400)
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.council_person_invitation_respond(person=person, accept=accept, user=request.user)
        except PermissionDenied as error:
            context["error"] = str(error)
            return render(request, "councils/membership/respond.html", context, status=403)
        except ValidationError as error:
            context["error"] = _errors(error)
            return render(request, "councils/membership/respond.html", context, status=400)
        if accept:
            messages.success(
                request, _("Welcome to the %(council)s council!") % {"council": person.council.name}
            )
        else:
            messages.info(request, _("You have declined the invitation."))
        return redirect(person.council)
    return render(request, "councils/membership/respond.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def respond(request, slug, kind, pk):
    """The invited organisation's admin, or the invited person, accepts or declines."""
    council = _council(slug)
    if kind == "person":
        person = get_object_or_404(
            CouncilPerson.objects.select_related("council", "invited_by"),
            pk=pk,
            council=council,
            status=CouncilPerson.Status.INVITED,
        )
        return _respond_person(request, person, context={"council": council, "person": person})
    if kind != "organisation":
        raise Http404
    link = get_object_or_404(
        CouncilOrganisation.objects.select_related("organisation", "council", "requested_by"),
        pk=pk,
        council=council,
    )
    if not request.user.has_perm("organisations.manage_people", link.organisation):
        raise Http404
    context = {"council": council, "link": link}
    if link.status != OrgStatus.INVITED:
        context["error"] = _("This invitation is no longer open.")
        return render(
            request,
            "councils/membership/respond.html",
            context,
            status=200 if request.method == "GET" else 400,
        )
    form = RespondForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            context["error"] = _("Choose accept or decline.")
            return render(request, "councils/membership/respond.html", context, status=400)
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.council_invitation_respond(link=link, accept=accept, actor=request.user)
        except ValidationError as error:
            context["error"] = _errors(error)
            return render(request, "councils/membership/respond.html", context, status=400)
        if accept:
            messages.success(
                request,
                _("%(organisation)s is now a member of %(council)s.")
                % {"organisation": link.organisation.name, "council": council.name},
            )
        else:
            messages.info(request, _("You have declined the invitation."))
        return redirect(council)
    return render(request, "councils/membership/respond.html", context)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email. Visitors are offered to sign up (their address counts as
    verified, since they got the email) or to log in; the signed-in owner of the address answers."""
    try:
        person = services.person_invitation_from_token(token)
    except ValidationError as error:
        return render(request, "councils/membership/respond.html", {"error": _errors(error)}, status=400)
    context = {"council": person.council, "person": person, "via_email": True}
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?next={request.path}")
        get_adapter(request).stash_verified_email(request, person.email)
        context["has_account"] = get_user_model().objects.filter(email__iexact=person.email).exists()
        context["next"] = request.path
        return render(request, "councils/membership/respond.html", context)
    return _respond_person(request, person, context=context)


urlpatterns = [
    path("invitation/<str:token>/", invitation, name="invitation"),
    path("", council_list, name="list"),
    path("<slug:slug>/", detail, name="detail"),
    path("<slug:slug>/join/", join, name="join"),
    path("<slug:slug>/leave/", leave, name="leave"),
    path("<slug:slug>/members/", members, name="members"),
    path("<slug:slug>/members/requests/<int:pk>/", request_decide, name="request_decide"),
    path("<slug:slug>/members/organisations/invite/", invite_organisation, name="invite_organisation"),
    path(
        "<slug:slug>/members/organisations/<int:pk>/remove/", organisation_remove, name="organisation_remove"
    ),
    path("<slug:slug>/members/people/invite/", invite_person, name="invite_person"),
    path("<slug:slug>/members/people/<int:pk>/role/", person_role, name="person_role"),
    path("<slug:slug>/members/people/<int:pk>/remove/", person_remove, name="person_remove"),
    path("<slug:slug>/respond/<str:kind>/<int:pk>/", respond, name="respond"),
]
