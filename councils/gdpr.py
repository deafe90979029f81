"""What the councils app holds about a person: their roles in councils and invitations to them.

On erasure the person's roles stay (a council's history of who coordinated it keeps its shape) but
no longer carry the address an invitation went to, and open invitations to any of their addresses
go. The user row itself is anonymised by accounts.services.user_erase.
"""

from allauth.account.models import EmailAddress
from django.db.models import Q

from .models import CouncilPerson


def _addresses(user):
    return {
        user.email.lower(),
        *(e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)),
    }


def export(user):
    invitations = Q(status=CouncilPerson.Status.INVITED, user__isnull=True)
    addresses = Q()
    for address in _addresses(user):
        addresses |= Q(email__iexact=address)
    return {
        "roles": [
            {
                "council": person.council.name,
                "role": person.role,
                "status": person.status,
                "email": person.email,
                "since": (person.accepted_at or person.created_at).isoformat(),
            }
            for person in CouncilPerson.objects.filter(user=user)
            .select_related("council")
            .order_by("created_at")
        ],
        "invitations_received": [
            {"council": person.council.name, "role": person.role, "created_at": person.created_at.isoformat()}
            for person in CouncilPerson.objects.filter(invitations & addresses)
            .select_related("council")
            .order_by("created_at")
        ],
    }


def erase(user):
    addresses = Q()
    for address in _addresses(user):
        addresses |= Q(email__iexact=address)
    CouncilPerson.objects.filter(
        Q(status=CouncilPerson.Status.INVITED, user__isnull=True) & addresses
    ).delete()
    CouncilPerson.objects.filter(user=user).update(email="")
