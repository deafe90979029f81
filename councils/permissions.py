"""Who may do what in the councils, as rules predicates (views, templates and selectors use them).

A person's councils are worked out once per request (one query) and kept on the user object:
``council_roles(user)`` maps council id → "coordinator" or "member".
"""

import functools

import rules
from django.db import connection

from organisations.models import Membership
from organisations.permissions import is_portal_member, is_staff

from .models import CouncilOrganisation, CouncilPerson

COORDINATOR = CouncilPerson.Role.COORDINATOR
MEMBER = CouncilPerson.Role.MEMBER


@functools.cache
def _roles_sql():
    quote = connection.ops.quote_name
    links = quote(CouncilOrganisation._meta.db_table)
    memberships = quote(Membership._meta.db_table)
    people = quote(CouncilPerson._meta.db_table)
    return (
        f"SELECT co.council_id, %s FROM {links} co "
        f"JOIN {memberships} m ON m.organisation_id = co.organisation_id "
        "WHERE co.status = %s AND m.user_id = %s "
        f"UNION ALL SELECT council_id, role FROM {people} WHERE user_id = %s AND status = %s"
    )


def council_roles(user):
    """{council id: role} for ``user``: coordinator rows, individual members, and the councils their
    organisations belong to. One query (plain SQL: it runs on every council page), kept on the user
    object for the request."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_council_roles"):
        params = [
            str(MEMBER),
            CouncilOrganisation.Status.ACTIVE.value,
            user.pk,
            user.pk,
            CouncilPerson.Status.ACTIVE.value,
        ]
        roles = {}
        with connection.cursor() as cursor:
            cursor.execute(_roles_sql(), params)
            for council_id, role in cursor.fetchall():
                if role == COORDINATOR or council_id not in roles:
                    roles[council_id] = role
        user._council_roles = roles
    return user._council_roles


def forget_council_roles(user):
    """After a change of the user's councils within one request."""
    if hasattr(user, "_council_roles"):
        del user._council_roles


def coordinated_council_ids(user):
    return {council_id for council_id, role in council_roles(user).items() if role == COORDINATOR}


@rules.predicate
def is_council_member(user, council):
    """Coordinators, individual members and the people of member organisations."""
    return council is not None and council.pk in council_roles(user)


@rules.predicate
def is_council_coordinator(user, council):
    return council is not None and council_roles(user).get(council.pk) == COORDINATOR


@rules.predicate
def is_any_coordinator(user):
    return bool(coordinated_council_ids(user))


@rules.predicate
def is_meeting_council_member(user, meeting):
    return meeting is not None and is_council_member(user, meeting.council)


@rules.predicate
def is_meeting_coordinator(user, meeting):
    return meeting is not None and is_council_coordinator(user, meeting.council)


@rules.predicate
def is_action_owner(user, action):
    return action is not None and user.is_authenticated and action.owner_id == user.pk


@rules.predicate
def is_action_coordinator(user, action):
    return action is not None and is_council_coordinator(user, action.meeting.council)


# Councils and their public description are public; members' business is for members.
rules.add_perm("councils.view_council", rules.always_allow)
rules.add_perm("councils.view_members", is_council_member | is_staff)
rules.add_perm("councils.request_join", is_portal_member & ~is_council_member)
rules.add_perm("councils.manage_council", is_council_coordinator | is_staff)
rules.add_perm("councils.view_meetings", is_council_member | is_staff)
rules.add_perm("councils.manage_meetings", is_council_coordinator | is_staff)
rules.add_perm("councils.view_meeting", is_meeting_council_member | is_staff)
rules.add_perm("councils.manage_meeting", is_meeting_coordinator | is_staff)
rules.add_perm("councils.update_action", is_action_owner | is_action_coordinator | is_staff)
rules.add_perm("councils.view_dashboard", is_council_member | is_staff)
rules.add_perm("councils.manage_success_factors", is_council_coordinator | is_staff)
rules.add_perm("councils.record_interactions", is_council_coordinator | is_staff)
rules.add_perm("councils.view_alliance_dashboard", is_staff | is_portal_member | is_any_coordinator)
rules.add_perm("councils.council_report", is_any_coordinator | is_staff)
