"""Two-factor authentication (allauth MFA): TOTP enrolment with recovery codes, the login stage that
asks for a code, and the rule that staff reach the admin only with TOTP, signed in through allauth."""

import time
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.factories.accounts import PASSWORD, login, totp_code, totp_enable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "no_static_scan")]

ACTIVATE_URL = "/accounts/2fa/totp/activate/"
AUTHENTICATE_URL = "/accounts/2fa/authenticate/"


@pytest.fixture
def now(monkeypatch):
    """A fixed clock for allauth's TOTP checks, so a code never straddles a 30-second boundary."""
    from allauth.mfa.totp.internal import auth

    instant = (int(time.time()) // 30) * 30 + 10
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: instant))
    return instant


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def login_with_code(client, user, code):
    response = login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE_URL
    return client.post(AUTHENTICATE_URL, {"code": code})


def activate_totp(client, *, now, next_url=ACTIVATE_URL):
    """Go through allauth's enrolment: confirm the password, read the secret, answer with a code."""
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(ACTIVATE_URL)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert f'value="{secret}"' in page.content.decode()  # shown for people who type it in
    return secret, client.post(ACTIVATE_URL, {"code": totp_code(secret, at=now)})


def test_totp_enrolment_gives_recovery_codes_and_then_login_asks_for_a_code(client, member, now):
    login(client, member.email)

    secret, response = activate_totp(client, now=now)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert set(Authenticator.objects.filter(user=member).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }
    codes = RecoveryCodes(Authenticator.objects.get(user=member, type=Authenticator.Type.RECOVERY_CODES))
    unused = codes.get_unused_codes()
    assert len(unused) == 10
    page = client.get(response["Location"]).content.decode()
    assert all(code in page for code in unused)

    client.post("/accounts/logout/")
    response = login_with_code(client, member, totp_code(secret, at=now))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_user_id(client) == str(member.pk)


def test_totp_enrolment_refuses_a_wrong_code(client, member, now):
    login(client, member.email)
    activate_totp(client, now=now)  # reauthenticates; enrols one authenticator we remove again
    Authenticator.objects.filter(user=member).delete()
    client.get(ACTIVATE_URL)
    secret = client.session["mfa.totp.secret"]
    wrong = totp_code(secret, at=now - 3600)

    response = client.post(ACTIVATE_URL, {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not Authenticator.objects.filter(user=member).exists()


def test_totp_enrolment_needs_the_password_again(client, member, now):
    login(client, member.email)
    client.get(ACTIVATE_URL)

    response = client.post("/accounts/reauthenticate/", {"password": "not-my-password", "next": ACTIVATE_URL})

    assert response.status_code == 200
    assert client.get(ACTIVATE_URL)["Location"].startswith("/accounts/reauthenticate/")
    assert not Authenticator.objects.filter(user=member).exists()


def test_login_with_totp_needs_the_right_code(client, member, now):
    secret = totp_enable(member)

    response = login(client, member.email)

    assert response["Location"] == AUTHENTICATE_URL
    assert signed_in_user_id(client) is None  # the password alone is not enough
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")

    response = client.post(AUTHENTICATE_URL, {"code": totp_code(secret, at=now - 60)})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert signed_in_user_id(client) is None

    response = client.post(AUTHENTICATE_URL, {"code": totp_code(secret, at=now)})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(member.pk)


def test_a_totp_code_cannot_be_used_twice(client, member, now):
    secret = totp_enable(member)
    code = totp_code(secret, at=now)
    login_with_code(client, member, code)
    client.post("/accounts/logout/")

    response = login_with_code(client, member, code)

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_login_with_a_recovery_code_works_once(client, member, now):
    totp_enable(member)
    recovery = RecoveryCodes.activate(member)
    code = recovery.get_unused_codes()[0]

    response = login_with_code(client, member, code)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(member.pk)
    recovery.instance.refresh_from_db()
    assert code not in RecoveryCodes(recovery.instance).get_unused_codes()
    client.post("/accounts/logout/")
    assert login_with_code(client, member, code).status_code == 200
    assert signed_in_user_id(client) is None


# --- staff and the admin ------------------------------------------------------------------------


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_admin_login_form_cannot_bypass_allauth(client, staff):
    totp_enable(staff)

    response = client.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/"])
def test_staff_without_2fa_are_sent_to_totp_activation_before_the_admin(client, staff, path):
    login(client, staff.email)
    assert signed_in_user_id(client) == str(staff.pk)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{ACTIVATE_URL}?next={path}"
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Staff accounts need two-factor authentication." in page


def test_staff_who_enrol_then_reach_the_admin(client, staff, now):
    login(client, staff.email)
    assert client.get("/admin/")["Location"].startswith(ACTIVATE_URL)

    activate_totp(client, now=now)

    response = client.get("/admin/")
    assert response.status_code == 200
    assert "SME Cluster Growth administration" in response.content.decode()


def test_staff_with_totp_sign_in_with_a_code_and_reach_the_admin(client, staff, now):
    secret = totp_enable(staff)
    login_with_code(client, staff, totp_code(secret, at=now))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "SME Cluster Growth administration" in response.content.decode()


def test_members_are_refused_the_admin(client, member):
    login(client, member.email)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert response.redirect_chain[0][0].startswith("/admin/login/")
