"""What the notifications app holds about a person: the emails sent to them."""

from .models import OutboundEmail


def export(user):
    return [
        {"subject": email.subject, "status": email.status, "created_at": email.created_at.isoformat()}
        for email in OutboundEmail.objects.filter(to__iexact=user.email).order_by("created_at")
    ]


def erase(user):
    OutboundEmail.objects.filter(to__iexact=user.email).delete()
