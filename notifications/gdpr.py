"""What the notifications app holds about a person: the emails sent to them."""

from allauth.account.models import EmailAddress
from django.db.models import Q

from .models import OutboundEmail


def _emails_of(user):
    # Emails sent for the account, plus those sent to any address it has proved it owns. Unverified
    # addresses may belong to someone else: their emails are found through the account link only.
    addresses = {
        user.email,
        *EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True),
    }
    to_address = Q()
    for address in addresses:
        to_address |= Q(to__iexact=address)
    return OutboundEmail.objects.filter(Q(user=user) | to_address)


def export(user):
    return [
        {
            "to": email.to,
            "subject": email.subject,
            "status": email.status,
            "created_at": email.created_at.isoformat(),
        }
        for email in _emails_of(user).order_by("created_at")
    ]


def erase(user):
    _emails_of(user).delete()
