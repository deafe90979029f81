"""Signed one-click unsubscribe links: they turn one area's emails off without logging in."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"
MAX_AGE = 60 * 60 * 24 * 90  # a link in a three-month-old email still works


def unsubscribe_token(*, user, area):
    """``area`` is one area, or a list of areas for a link that turns several off at once (a
    digest's List-Unsubscribe header: every area the person gets in that digest)."""
    value = str(area) if isinstance(area, str) else [str(a) for a in area]
    return signing.dumps({"u": user.pk, "a": value}, salt=SALT, compress=True)


def unsubscribe_url(*, user, area):
    return settings.SITE_URL + reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user=user, area=area)}
    )


def unsubscribe_read(token):
    """(user_id, area) from a token — ``area`` is a list for a several-area link; raises
    signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    if not isinstance(data, dict) or "u" not in data or "a" not in data:
        raise signing.BadSignature("malformed unsubscribe token")
    return data["u"], data["a"]


def unsubscribe_areas(area):
    """The areas a token's ``area`` stands for, as a list (empty for a malformed value)."""
    if isinstance(area, str):
        return [area]
    if isinstance(area, list) and all(isinstance(a, str) for a in area):
        return area
    return []
