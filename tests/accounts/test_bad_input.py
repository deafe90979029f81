"""Bad input to the accounts pages: each case gets a clear message or a 4xx, never a 500, and
changes nothing."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils.http import int_to_base36

from accounts.models import User
from tests.factories.accounts import PASSWORD, UserFactory, link_in_email, login, totp_enable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "no_static_scan")]

LONG = "x" * 10_000
LONG_EMAIL = "a" * 9_988 + "@example.org"
MALFORMED_EMAILS = [
    "not-an-email",
    "bob@",
    "@example.org",
    "bob smith@example.org",
    "bob@@example.org",
    "bob@example..org",
    "<script>alert(1)</script>@example.org",
    "bob\x00@example.org",
]
STRONG = "lantern-orchard-42-quietly"


def signup(client, **overrides):
    data = {
        "email": "nina@example.org",
        "full_name": "Nina Newcomer",
        "accept_privacy": "on",
        "password1": STRONG,
        "password2": STRONG,
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def field_errors(response, field):
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get(field)


# --- malformed and overlong emails, overlong fields, null characters ------------------------------


@pytest.mark.parametrize("email", [*MALFORMED_EMAILS, LONG_EMAIL])
def test_signup_with_a_bad_email_is_refused_with_a_message(client, email):
    response = signup(client, email=email)

    assert field_errors(response, "email")
    assert 'class="invalid-feedback' in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", LONG, "Ensure this value has at most 150 characters"),
        ("full_name", "Nina\x00", "Null characters are not allowed."),
        ("password1", "pass\x00word-long-enough", "Null characters are not allowed."),
    ],
)
def test_signup_with_an_overlong_or_null_field_is_refused(client, field, value, message):
    response = signup(client, **{field: value})

    assert message in str(field_errors(response, field))
    assert not User.objects.exists()


@pytest.mark.parametrize("email", [*MALFORMED_EMAILS, LONG_EMAIL])
def test_login_with_a_bad_email_is_refused_with_a_message(client, member, email):
    response = login(client, email)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("password", [LONG, "pass\x00word"])
def test_login_with_an_overlong_or_null_password_is_refused(client, member, password):
    response = login(client, member.email, password)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", [*MALFORMED_EMAILS, LONG_EMAIL])
def test_password_reset_with_a_bad_email_is_refused_with_a_message(
    client, member, email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": email})

    assert field_errors(response, "email")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", LONG),
        ("full_name", "Bob\x00"),
        ("time_zone", LONG),
        ("time_zone", "Europe/Madrid\x00"),
        ("language", LONG),
    ],
)
def test_profile_with_an_overlong_or_null_field_is_refused(client, member, field, value):
    client.force_login(member)
    data = {"full_name": "Bob Member", "language": "en", "time_zone": "Europe/Madrid", field: value}

    response = client.post("/accounts/profile/", data)

    assert field_errors(response, field)
    member.refresh_from_db()
    assert (member.full_name, member.language, member.time_zone) == ("Bob Member", "en", "Europe/Madrid")


def test_email_add_with_a_bad_address_is_refused(client, member):
    client.force_login(member)

    for email in [*MALFORMED_EMAILS, LONG_EMAIL]:
        response = client.post("/accounts/email/", {"action_add": "", "email": email})
        assert field_errors(response, "email"), email

    assert EmailAddress.objects.filter(user=member).count() == 1


def test_account_delete_with_an_overlong_password_is_refused(client, member):
    client.force_login(member)

    response = client.post("/accounts/profile/delete/", {"password": LONG})

    assert field_errors(response, "password")
    member.refresh_from_db()
    assert member.erased_at is None


def test_two_factor_code_that_is_overlong_or_garbage_is_refused(client, member):
    totp_enable(member)
    login(client, member.email)

    for code in [LONG, "abcdef", "12 34 56", "\x00"]:
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 200, code
        assert response.context["form"].errors, code
    assert "_auth_user_id" not in client.session


def test_two_factor_page_without_a_pending_login_sends_to_login(client, db):
    response = client.get("/accounts/2fa/authenticate/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def assert_form_expired(response):
    assert response.status_code == 403
    page = response.content.decode()
    assert "Form expired" in page
    assert "reload the page and send it again" in page


@pytest.mark.parametrize("token", [None, "wrong" * 13])
def test_forms_without_a_valid_csrf_token_are_refused_and_change_nothing(csrf_client, member, token):
    csrf_client.get("/accounts/login/")  # sets the CSRF cookie, as a browser would have it
    extra = {} if token is None else {"csrfmiddlewaretoken": token}

    assert_form_expired(
        csrf_client.post("/accounts/login/", {"login": member.email, "password": PASSWORD, **extra})
    )
    assert "_auth_user_id" not in csrf_client.session
    assert_form_expired(csrf_client.post("/accounts/signup/", {"email": "nina@example.org", **extra}))
    assert not User.objects.filter(email="nina@example.org").exists()
    assert_form_expired(csrf_client.post("/language/", {"language": "es", **extra}))

    csrf_client.force_login(member)
    assert_form_expired(csrf_client.post("/accounts/profile/", {"full_name": "Forged", **extra}))
    assert_form_expired(csrf_client.post("/accounts/profile/delete/", {"password": PASSWORD, **extra}))
    assert_form_expired(csrf_client.post("/accounts/logout/", extra))
    member.refresh_from_db()
    assert member.full_name == "Bob Member"
    assert member.language == "en"
    assert member.erased_at is None
    assert csrf_client.session["_auth_user_id"] == str(member.pk)


def test_forms_with_the_right_csrf_token_work(csrf_client, member):
    csrf_client.get("/accounts/login/")
    token = csrf_client.cookies[settings.CSRF_COOKIE_NAME].value

    response = csrf_client.post(
        "/accounts/login/", {"login": member.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert csrf_client.session["_auth_user_id"] == str(member.pk)


# --- language codes -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["xx", "de", "EN", "en-us", "", LONG, "es\x00"])
def test_unknown_language_code_is_a_400_with_a_message(client, member, language):
    client.force_login(member)

    response = client.post("/language/", {"language": language, "next": "/"})

    assert response.status_code == 400
    assert response.content.decode() == "Unknown language."
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    member.refresh_from_db()
    assert member.language == "en"


def test_missing_language_code_is_a_400(client, db):
    assert client.post("/language/", {}).status_code == 400


# --- forged keys in emailed links ---------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "garbage",
        "MQ:1abcde:forged-signature",
        "x" * 2_000,
        "%00",
        "Mg:1xWwYa:s4a-5Yav-_NO7KCv00twIv22m01qpvCPcTth",
    ],
)
def test_forged_email_verification_key_gets_a_clear_message(client, db, key):
    user = UserFactory(email="nina@example.org", verified=False)
    url = f"/accounts/confirm-email/{key}/"

    for response in (client.get(url), client.post(url)):
        assert response.status_code < 500
        if response.status_code == 200:
            assert "This email confirmation link expired or is invalid." in response.content.decode()
    assert not EmailAddress.objects.get(user=user).verified


def test_tampered_email_verification_link_does_not_verify(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    link = link_in_email(mail.outbox[0])
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    response = client.get(tampered)
    assert response.status_code == 200
    assert "This email confirmation link expired or is invalid." in response.content.decode()
    assert client.post(tampered).status_code == 404  # allauth: no such confirmation to confirm
    assert not EmailAddress.objects.get(email="nina@example.org").verified


@pytest.mark.parametrize(
    "key",
    [
        "1-garbage",
        "zzzzzzzzzzzzzzzzzzzz-abc",  # a user id far beyond any integer column
        "0-0",
        "x" * 2_000 + "-y",
    ],
)
def test_forged_password_reset_key_gets_a_clear_message(client, member, key):
    url = f"/accounts/password/reset/key/{key}/"

    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "The password reset link was invalid" in response.content.decode()

    response = client.post(url, {"password1": STRONG, "password2": STRONG}, follow=True)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_reset_url_without_a_key_is_our_404(client, db):
    response = client.get("/accounts/password/reset/key/-/")

    assert response.status_code == 404
    assert "SME Cluster Growth" in response.content.decode()


def test_reset_key_of_one_user_cannot_set_another_users_password(
    client, member, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email})
    link = link_in_email(mail.outbox[0])  # /accounts/password/reset/key/<uid36>-<token>/
    token = link.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
    forged = f"/accounts/password/reset/key/{int_to_base36(outsider.pk)}-{token}/"

    response = client.get(forged, follow=True)

    assert "The password reset link was invalid" in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)


# --- wrong methods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/language/"),
        ("put", "/language/"),
        ("post", "/accounts/profile/data/"),
        ("delete", "/accounts/profile/data/"),
        ("put", "/accounts/profile/"),
        ("delete", "/accounts/profile/delete/"),
    ],
)
def test_wrong_http_method_is_a_405(client, member, method, url):
    client.force_login(member)

    response = getattr(client, method)(url)

    assert response.status_code == 405
    member.refresh_from_db()
    assert member.erased_at is None


def test_unknown_accounts_page_is_our_404(client, db):
    response = client.get("/accounts/no-such-page/")

    assert response.status_code == 404
    assert "SME Cluster Growth" in response.content.decode()  # in the portal's layout
