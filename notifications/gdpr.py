"""What the notifications app holds about a person: emails, notifications, preferences, digests."""

from allauth.account.models import EmailAddress
from django.db.models import Q

from .models import DigestDelivery, Notification, NotificationPreference, OutboundEmail
from .services import frequencies_for

FORMER_MEMBER = "Former member"


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
    return {
        "emails": [
            {
                "to": email.to,
                "subject": email.subject,
                "status": email.status,
                "created_at": email.created_at.isoformat(),
            }
            for email in _emails_of(user).order_by("created_at")
        ],
        "notifications": [
            {
                "text": notification.text,
                "area": notification.area,
                "created_at": notification.created_at.isoformat(),
                "read": notification.read_at is not None,
            }
            for notification in Notification.objects.filter(user=user).order_by("created_at")
        ],
        "email_preferences": frequencies_for(user),
    }


def erase(user):
    _emails_of(user).delete()
    Notification.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    DigestDelivery.objects.filter(user=user).delete()
    # Other people's notifications that name this person ("X asks to join…") keep their meaning
    # without the name.
    for name in {user.display_name, user.full_name, user.email} - {""}:
        _rename_in_params(name)


def _rename_in_params(name):
    for notification in Notification.objects.filter(params__name=name).only("pk", "params").iterator():
        notification.params = {**notification.params, "name": FORMER_MEMBER}
        notification.save(update_fields=["params"])
