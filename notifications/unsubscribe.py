"""Signed one-click unsubscribe links: they turn one area's emails off without logging in."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"
MAX_AGE = 60 * 60 * 24 * 90  # a link in a three-month-old email still works


def unsubscribe_token(*, user, area):
    return signing.dumps({"u": user.pk, "a": area}, salt=SALT, compress=True)


def unsubscribe_url(*, user, area):
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user=user, area=area)}
    )


def unsubscribe_read(token):
    """(user_id, area) from a token; raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    if not isinstance(data, dict) or "u" not in data or "a" not in data:
        raise signing.BadSignature("malformed unsubscribe token")
    return data["u"], data["a"]
