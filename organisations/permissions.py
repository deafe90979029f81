"""Who may do what with organisations, as rules predicates (used by views, templates, selectors)."""

import rules

from .models import Membership


@rules.predicate
def is_staff(user):
    return user.is_authenticated and user.is_staff


@rules.predicate
def is_portal_member(user):
    """Belongs to at least one organisation (DESIGN.md's "member" role)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_portal_member"):
        user._is_portal_member = Membership.objects.filter(user=user).exists()
    return user._is_portal_member


@rules.predicate
def is_org_member(user, organisation):
    if not user.is_authenticated or organisation is None:
        return False
    return Membership.objects.filter(user=user, organisation=organisation).exists()


@rules.predicate
def is_org_admin(user, organisation):
    if not user.is_authenticated or organisation is None:
        return False
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Membership.Role.ADMIN
    ).exists()


is_signed_in = rules.is_authenticated & rules.is_active

rules.add_perm("organisations.view_directory", rules.always_allow)
rules.add_perm("organisations.export_directory", is_portal_member | is_staff)
rules.add_perm("organisations.create_organisation", is_signed_in)
rules.add_perm("organisations.change_organisation", is_org_admin | is_staff)
rules.add_perm("organisations.manage_people", is_org_admin | is_staff)
rules.add_perm("organisations.view_people", is_org_member | is_staff)
rules.add_perm("organisations.request_join", is_signed_in & ~is_org_member)
rules.add_perm("organisations.leave_organisation", is_org_member)
rules.add_perm("organisations.verify_organisation", is_staff)
