"""Writes of the accounts app: profile, language, GDPR export and erasure."""

import logging
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import gdpr

logger = logging.getLogger(__name__)


def user_update_profile(*, user, full_name, language, time_zone):
    """Save a user's name, language and time zone (validated against the model's choices)."""
    user.full_name = full_name
    user.language = language
    user.time_zone = time_zone
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["full_name", "language", "time_zone"])
    return user


def user_set_language(*, user, language):
    """Remember a signed-in user's chosen language for emails and future visits."""
    user.language = language
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["language"])
    return user


def user_export_data(*, user):
    """Everything the portal holds about ``user``, as a JSON-serialisable dict (GDPR art. 15, 20)."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "privacy_accepted_at": user.privacy_accepted_at.isoformat() if user.privacy_accepted_at else None,
            "is_staff": user.is_staff,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor": [
            {"type": auth.type, "created_at": auth.created_at.isoformat()}
            for auth in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }
    for name, export in gdpr.exporters().items():
        data[name] = export(user)
    return data


def _sessions_delete(user):
    """End every session of ``user`` and delete what they hold (allauth keeps the email address in
    them). Sessions are not indexed by user, so each one is decoded; erasures are rare."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    for session in Session.objects.iterator(chunk_size=1000):
        data = session.get_decoded()
        pending_login = data.get("account_login") or {}
        if user_id in (data.get("_auth_user_id"), pending_login.get("user_pk")):
            store(session_key=session.session_key).delete()  # the cache copy too, with cached_db


@transaction.atomic
def user_erase(*, user):
    """Erase a user's personal data (GDPR art. 17).

    The user row stays, anonymised and unusable, so that records shared with others (meetings
    attended, interactions, bookings) keep their integrity without naming the person. Every app's
    registered eraser runs in the same transaction: either all of it is erased or nothing is. Every
    session of the user ends, on all devices.
    """
    if user.erased_at:
        raise ValidationError("This account has already been erased.")
    for erase in gdpr.erasers().values():
        erase(user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    # The admin's history names the account it changed; keep the entries, without the name.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).update(object_repr=f"Former member {user.pk}")
    _sessions_delete(user)
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = ""
    user.set_unusable_password()  # also invalidates every session of this user
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.privacy_accepted_at = None
    user.erased_at = timezone.now()
    user.save()
    logger.info("user %s erased", user.pk)
    return user
