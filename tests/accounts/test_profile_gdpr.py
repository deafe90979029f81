"""The profile page (name, language, time zone), the GDPR export and erasure, and who may use which
accounts view."""

import json
from datetime import UTC, datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import connection, models
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import path

from accounts.models import User
from cluster_growth.urls import urlpatterns as portal_urlpatterns
from notifications.models import OutboundEmail
from tests.factories.accounts import PASSWORD, link_in_email, login, totp_enable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "no_static_scan")]

PROFILE_URL = "/accounts/profile/"
EXPORT_URL = "/accounts/profile/data/"
DELETE_URL = "/accounts/profile/delete/"
LANGUAGE_URL = "/language/"


def profile_data(**overrides):
    return {"full_name": "Robert Member", "language": "es", "time_zone": "Asia/Tokyo", **overrides}


# --- profile ------------------------------------------------------------------------------------


def test_profile_edit_saves_name_language_and_time_zone(client, member):
    client.force_login(member)

    response = client.post(PROFILE_URL, profile_data())

    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    member.refresh_from_db()
    assert (member.full_name, member.language, member.time_zone) == ("Robert Member", "es", "Asia/Tokyo")
    # The language also goes into the cookie, so the choice holds on this device.
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es"
    assert cookie["httponly"]
    page = client.get(PROFILE_URL).content.decode()
    assert '<html lang="es">' in page
    assert 'value="Robert Member"' in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", ""),
        ("language", "de"),
    ],
)
def test_profile_edit_refuses_invalid_values(client, member, field, value):
    client.force_login(member)

    response = client.post(PROFILE_URL, profile_data(**{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="invalid-feedback' in response.content.decode()  # the message is shown by the field
    member.refresh_from_db()
    assert (member.full_name, member.language, member.time_zone) == ("Bob Member", "en", "Europe/Madrid")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def tz_probe(request):
    """Renders one fixed UTC instant through the template engine, as any page would show a time."""
    template = engines["django"].from_string("{{ when|date:'Y-m-d H:i e' }}")
    return HttpResponse(template.render({"when": datetime(2026, 1, 15, 12, 0, tzinfo=UTC)}, request))


urlpatterns = [path("tz-probe/", tz_probe), *portal_urlpatterns]


@pytest.mark.urls(__name__)
def test_pages_show_times_in_the_users_time_zone(client, member):
    assert client.get("/tz-probe/").content.decode() == "2026-01-15 12:00 UTC"  # visitors: UTC

    client.force_login(member)
    assert client.get("/tz-probe/").content.decode() == "2026-01-15 13:00 CET"  # Europe/Madrid

    client.post(PROFILE_URL, profile_data(time_zone="America/New_York"))
    assert client.get("/tz-probe/").content.decode() == "2026-01-15 07:00 EST"


def test_pages_use_the_preferred_language_until_the_switcher_picks_another(client, member):
    member.language = "fr"
    member.save()
    client.force_login(member)

    assert '<html lang="fr">' in client.get(PROFILE_URL).content.decode()

    client.post(LANGUAGE_URL, {"language": "tr", "next": PROFILE_URL})
    assert '<html lang="tr">' in client.get(PROFILE_URL).content.decode()
    member.refresh_from_db()
    assert member.language == "tr"  # the switcher also remembers it for a signed-in user


def test_language_switch_for_a_visitor_sets_the_cookie_and_returns_to_the_page(client, db):
    response = client.post(LANGUAGE_URL, {"language": "it", "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert '<html lang="it">' in client.get("/privacy/").content.decode()


def test_language_switch_never_redirects_off_site(client, db):
    response = client.post(LANGUAGE_URL, {"language": "it", "next": "https://evil.example/"})

    assert response["Location"] == "/"


# --- GDPR export --------------------------------------------------------------------------------


def test_data_export_is_a_json_attachment_with_all_of_the_users_data_and_nothing_else(
    client, member, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": outsider.email})  # an email to someone else
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "bob.work@example.org"})
    # Made directly: allauth refuses to enrol while an address is unverified, but data is data.
    totp_enable(member)
    RecoveryCodes.activate(member)
    totp_enable(outsider)

    response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cluster-growth-my-data-')
    assert response["Content-Disposition"].endswith('.json"')
    data = json.loads(response.content)
    assert data["account"]["email"] == "bob@example.org"
    assert data["account"]["full_name"] == "Bob Member"
    assert data["account"]["time_zone"] == "Europe/Madrid"
    assert data["account"]["privacy_accepted_at"]
    assert {(a["email"], a["verified"]) for a in data["email_addresses"]} == {
        ("bob@example.org", True),
        ("bob.work@example.org", False),
    }
    assert sorted(entry["type"] for entry in data["two_factor"]) == ["recovery_codes", "totp"]
    assert [email["subject"] for email in data["notifications"]["emails"]] == [
        "[SME Cluster Growth] Please Confirm Your Email Address"
    ]
    raw = response.content.decode()
    assert "charlie" not in raw.lower()
    assert "Charlie Outsider" not in raw
    assert "Password Reset" not in raw  # the outsider's email
    assert "secret" not in raw  # no 2FA secrets or recovery seeds


def test_data_export_of_the_outsider_holds_nothing_of_the_member(client, member, outsider):
    client.force_login(outsider)

    raw = client.get(EXPORT_URL).content.decode()

    assert "charlie@example.org" in raw
    assert "bob" not in raw.lower()


# --- GDPR erasure -------------------------------------------------------------------------------


def text_columns():
    """Every text-holding column of every installed model: (model, field name, needs a cast)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                yield model, field.name, False
            elif isinstance(field, models.JSONField):
                yield model, field.name, True


def rows_mentioning(needle):
    """Where ``needle`` appears anywhere in the database's text columns, as readable strings."""
    found = []
    for model, name, cast in text_columns():
        queryset = model._default_manager.all()
        if cast:
            queryset = queryset.annotate(_as_text=Cast(name, models.TextField()))
            lookup = "_as_text__icontains"
        else:
            lookup = f"{name}__icontains"
        for pk in queryset.filter(**{lookup: needle}).values_list("pk", flat=True):
            found.append(f"{model._meta.label}.{name} (pk={pk})")
    # Sessions are signed and compressed: decode them to look inside.
    for session in Session.objects.all():
        if needle.lower() in json.dumps(session.get_decoded()).lower():
            found.append(f"session {session.session_key}")
    # The cache holds copies of sessions (cached_db) and whatever else allauth keeps there.
    for key, value in cache_entries():
        if needle.lower() in repr(value).lower():
            found.append(f"cache {key}")
    return found


def cache_entries():
    """(key, value) of everything in this test's cache namespace (see ``isolated_cache``)."""
    prefix = f"{cache.key_prefix}:"
    if settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        raw_keys = [key.decode() for key in cache._cache.get_client().scan_iter(match=f"{prefix}*")]
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM cache_entries WHERE cache_key LIKE %s", [f"{prefix}%"])
            raw_keys = [row[0] for row in cursor.fetchall()]
    for raw_key in raw_keys:
        key = raw_key.removeprefix(prefix).split(":", 1)[1]  # drop the version too
        yield key, cache.get(key)


def test_account_delete_with_a_wrong_password_erases_nothing(client, member):
    login(client, member.email)

    response = client.post(DELETE_URL, {"password": "not-my-password"})

    assert response.status_code == 200
    assert "This password is not correct." in response.content.decode()
    member.refresh_from_db()
    assert member.erased_at is None
    assert member.email == "bob@example.org"
    assert member.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(member.pk)


def test_account_delete_leaves_no_personal_data(
    client, member, outsider, staff, django_capture_on_commit_callbacks
):
    # Everything a real account gathers: emails sent to it, a pending extra address, a second
    # signed-in device, an admin log entry about it and 2FA.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email})
        client.post("/accounts/password/reset/", {"email": outsider.email})
    totp_enable(outsider)
    other_device = signed_in_client(member)
    LogEntry.objects.log_actions(
        user_id=staff.pk, queryset=[member], action_flag=CHANGE, change_message="Changed full name."
    )
    login(client, member.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "bob.work@example.org"})
    totp_enable(member)
    RecoveryCodes.activate(member)
    assert len(mail.outbox) == 3
    for needle in ("bob@example.org", "bob.work@example.org", "Bob Member"):
        assert rows_mentioning(needle), f"the test set-up should have stored {needle!r}"

    response = client.post(DELETE_URL, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    for needle in ("bob@example.org", "bob.work@example.org", "Bob Member"):
        assert rows_mentioning(needle) == [], f"{needle!r} is still stored"
    member.refresh_from_db()
    assert member.erased_at is not None
    assert not member.is_active
    assert not member.has_usable_password()
    assert str(member) == "Former member"
    # This session is over, and so is the one on the other device.
    assert "_auth_user_id" not in client.session
    assert client.get(PROFILE_URL).status_code == 302
    assert other_device.get(PROFILE_URL).status_code == 302
    # Nobody can sign in with the old credentials any more.
    assert login(client, "bob@example.org").status_code == 200
    assert "_auth_user_id" not in client.session
    # Others keep all of theirs.
    staff.refresh_from_db()
    assert staff.email == "alice@example.org"
    assert OutboundEmail.objects.filter(to=outsider.email).count() == 1
    assert Authenticator.objects.filter(user=outsider).exists()
    assert login(Client(), outsider.email).status_code == 302


def test_account_delete_covers_emails_sent_to_an_earlier_address(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "bob@example.org"})
    login(client, member.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "robert@example.org"})
    client.post(link_in_email(mail.outbox[-1]))
    member.refresh_from_db()
    assert member.email == "robert@example.org"
    assert "Password Reset" in json.dumps(
        client.get(EXPORT_URL).json()["notifications"]["emails"]
    )  # still his

    client.post(DELETE_URL, {"password": PASSWORD})

    assert rows_mentioning("bob@example.org") == []
    assert rows_mentioning("robert@example.org") == []


def signed_in_client(user):
    other = Client()
    login(other, user.email)
    assert other.session["_auth_user_id"] == str(user.pk)
    return other


# --- who may use which accounts view ------------------------------------------------------------

ROLES = ["member", "outsider", "staff"]


def test_visitors_are_sent_to_log_in(client, db):
    for method, url in [
        ("get", PROFILE_URL),
        ("post", PROFILE_URL),
        ("get", EXPORT_URL),
        ("get", DELETE_URL),
        ("post", DELETE_URL),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/accounts/login/?next={url}", url


def test_visitors_may_switch_language_without_any_account_change(client, member):
    response = client.post(LANGUAGE_URL, {"language": "es"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "en"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_and_exports_only_their_own_account(client, member, outsider, staff, role):
    users = {"member": member, "outsider": outsider, "staff": staff}
    me = users[role]
    others = [user for name, user in users.items() if name != role]
    client.force_login(me)

    profile = client.get(PROFILE_URL).content.decode()
    export = client.get(EXPORT_URL).content.decode()
    delete = client.get(DELETE_URL)

    assert f"Signed in as {me.email}" in profile
    assert json.loads(export)["account"]["email"] == me.email
    assert delete.status_code == 200
    for other in others:
        for page in (profile, export, delete.content.decode()):
            assert other.email not in page
            assert other.full_name not in page


@pytest.mark.parametrize("role", ROLES)
def test_each_role_changes_only_their_own_profile_and_language(client, member, outsider, staff, role):
    users = {"member": member, "outsider": outsider, "staff": staff}
    me = users[role]
    client.force_login(me)

    client.post(PROFILE_URL, profile_data(full_name="Changed Name", language="it"))
    client.post(LANGUAGE_URL, {"language": "fr"})

    for user in users.values():
        user.refresh_from_db()
    assert (me.full_name, me.language) == ("Changed Name", "fr")
    for name, user in users.items():
        if name != role:
            assert user.full_name != "Changed Name"
            assert user.language == "en"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_deletes_only_their_own_account(client, member, outsider, staff, role):
    users = {"member": member, "outsider": outsider, "staff": staff}
    client.force_login(users[role])

    client.post(DELETE_URL, {"password": PASSWORD})

    for name, user in users.items():
        user.refresh_from_db()
        assert (user.erased_at is not None) == (name == role)


def test_erased_accounts_cannot_use_the_accounts_views(client, member):
    client.force_login(member)
    client.post(DELETE_URL, {"password": PASSWORD})
    erased = User.objects.get(pk=member.pk)

    client.force_login(erased)  # even with a session forced on it

    assert client.get(PROFILE_URL).status_code in (302, 403)
    assert client.get(EXPORT_URL).status_code in (302, 403)


def test_erasure_removes_notifications_and_the_name_from_others_notifications(db, member, outsider):
    from accounts.services import user_erase
    from notifications.models import Notification, NotificationPreference
    from notifications.services import notify, preference_set

    preference_set(user=member, area="directory", frequency="daily")
    notify(users=[member], kind="test", area="directory", message="Welcome")
    notify(
        users=[outsider],
        kind="join_request.created",
        area="directory",
        message="%(name)s asks to join %(organisation)s",
        params={"name": member.display_name, "organisation": "Acme"},
    )
    user_erase(user=member)
    assert not Notification.objects.filter(user=member).exists()
    assert not NotificationPreference.objects.filter(user=member).exists()
    remaining = Notification.objects.get(user=outsider)
    assert "Bob Member" not in remaining.text
    assert remaining.text == "Former member asks to join Acme"
