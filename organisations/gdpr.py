"""What the organisations app holds about a person: memberships, invitations and join requests.

Organisation profiles themselves are not personal data; on erasure the person's memberships go
(the last-admin rule does not stop an erasure: an organisation may be left without an admin, and
staff can appoint one), and interactions they recorded stay without their name.
"""

from .models import Invitation, JoinRequest, Membership


def export(user):
    return {
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role, "since": m.created_at.isoformat()}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "join_requests": [
            {"organisation": r.organisation.name, "status": r.status, "message": r.message}
            for r in JoinRequest.objects.filter(user=user).select_related("organisation")
        ],
        "invitations_received": [
            {"organisation": i.organisation.name, "role": i.role, "created_at": i.created_at.isoformat()}
            for i in Invitation.objects.filter(email__iexact=user.email).select_related("organisation")
        ],
    }


def erase(user):
    Membership.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()
