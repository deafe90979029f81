"""Sign-up with email verification and the privacy notice, log in and out, email change, and the
login rate limit — all through the HTTP views, with emails read from the outbox."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import User
from notifications.models import OutboundEmail
from tests.factories.accounts import PASSWORD, UserFactory, link_in_email, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "no_static_scan")]

NEW_PASSWORD = "lantern-orchard-42-quietly"


def signup_data(**overrides):
    return {
        "email": "nina@example.org",
        "full_name": "Nina Newcomer",
        "accept_privacy": "on",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_signup_verify_login_logout_journey(client, django_capture_on_commit_callbacks):
    assert client.get("/accounts/signup/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", signup_data())

    # Mandatory verification: the new account is not signed in, it is told to check its inbox.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert signed_in_user_id(client) is None
    user = User.objects.get(email="nina@example.org")
    assert user.full_name == "Nina Newcomer"
    assert user.check_password(NEW_PASSWORD)
    assert timezone.now() - timedelta(minutes=1) < user.privacy_accepted_at <= timezone.now()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("nina@example.org", True, False)
    page = client.get(response["Location"]).content.decode()
    assert "Confirmation email sent to nina@example.org" in page

    # The verification email went through the outbox and the Celery task.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.org"]
    assert "Confirm" in message.subject
    assert "Hello from SME Cluster Growth!" in message.body  # the site is named, not "Hello from !"
    assert OutboundEmail.objects.get(to="nina@example.org").status == OutboundEmail.Status.SENT

    # Follow the link: a page with a confirm button, then the address is verified.
    link = link_in_email(message)
    assert link.startswith("/accounts/confirm-email/")
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified
    assert signed_in_user_id(client) is None  # verifying does not sign in

    response = login(client, "nina@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert signed_in_user_id(client) == str(user.pk)
    profile = client.get("/accounts/profile/")
    assert profile.status_code == 200
    assert "Signed in as nina@example.org" in profile.content.decode()

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signup_without_accepting_the_privacy_notice_is_refused(client, django_capture_on_commit_callbacks):
    data = signup_data()
    del data["accept_privacy"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", data)

    assert response.status_code == 200
    assert "You must accept the privacy notice to create an account." in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()
    assert mail.outbox == []


def test_signup_without_a_name_is_refused(client):
    response = client.post("/accounts/signup/", signup_data(full_name=""))

    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]
    assert not User.objects.filter(email="nina@example.org").exists()


def test_signup_with_an_address_already_taken_creates_no_second_account(
    client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", signup_data(email="BOB@example.org"))

    # allauth does not reveal that the address is taken (no enumeration): same page as a success.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="bob@example.org").count() == 1
    assert signed_in_user_id(client) is None
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_signup_starts_the_account_in_the_language_of_the_page(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"

    client.post("/accounts/signup/", signup_data())

    assert User.objects.get(email="nina@example.org").language == "it"


def test_unverified_user_cannot_log_in(client, django_capture_on_commit_callbacks):
    UserFactory(email="unverified@example.org", verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, "unverified@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert signed_in_user_id(client) is None
    assert client.get("/accounts/profile/").status_code == 302
    # A fresh verification link is sent, so the person can still get in.
    assert [message.to for message in mail.outbox] == [["unverified@example.org"]]


def test_login_with_a_wrong_password_is_refused(client, member):
    response = login(client, member.email, "not-the-password")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_login_is_case_insensitive_on_the_email(client, member):
    response = login(client, "Bob@Example.ORG")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(member.pk)


def test_login_redirects_to_a_local_next_url_only(client, member):
    response = login(client, member.email, next="https://evil.example/steal")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"


def test_repeated_failed_logins_for_one_account_are_blocked(client, member, outsider):
    # LOGIN_RATE_LIMIT's default: 5 failures per account in 300 s.
    for _ in range(5):
        response = login(client, member.email, "wrong-password")
        assert "not correct" in response.content.decode()

    response = login(client, member.email)  # even the right password

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert signed_in_user_id(client) is None
    # The limit is per account: someone else can still sign in from the same place.
    response = login(client, outsider.email)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(outsider.pk)


def test_successful_logins_do_not_count_towards_the_limit(client, member):
    for _ in range(6):
        assert login(client, member.email).status_code == 302
        client.post("/accounts/logout/")

    assert login(client, member.email).status_code == 302


def test_login_rate_limit_is_kept_in_the_configured_cache(client, member, isolated_cache):
    # The limit must hold across web processes: a shared cache, Redis with REDIS_URL, else the database.
    expected = (
        "django.core.cache.backends.redis.RedisCache"
        if settings.REDIS_URL
        else "django.core.cache.backends.db.DatabaseCache"
    )
    assert settings.CACHES["default"]["BACKEND"] == expected
    key_prefix = "allauth:rl:allauth.account:login_failed"

    login(client, member.email, "wrong-password")

    if settings.REDIS_URL:
        redis = isolated_cache._cache.get_client()
        assert list(redis.scan_iter(match=f"*{key_prefix}*"))
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM cache_entries WHERE cache_key LIKE %s", [f"%{key_prefix}%"])
            assert cursor.fetchall()


def test_email_change_add_verify_then_it_is_the_login(client, member, django_capture_on_commit_callbacks):
    login(client, member.email)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/email/", {"action_add": "", "email": "bob.new@example.org"})

    assert response.status_code == 302
    new_address = EmailAddress.objects.get(user=member, email="bob.new@example.org")
    assert not new_address.verified
    member.refresh_from_db()
    assert member.email == "bob@example.org"  # unchanged until the new address is verified
    assert [message.to for message in mail.outbox] == [["bob.new@example.org"]]

    link = link_in_email(mail.outbox[0])
    assert client.post(link).status_code == 302

    # ACCOUNT_CHANGE_EMAIL: the verified new address replaces the old one as the primary.
    member.refresh_from_db()
    assert member.email == "bob.new@example.org"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", "primary", "verified")) == [
        ("bob.new@example.org", True, True)
    ]
    client.post("/accounts/logout/")
    assert login(client, "bob@example.org").status_code == 200
    assert signed_in_user_id(client) is None
    assert login(client, "bob.new@example.org").status_code == 302
    assert signed_in_user_id(client) == str(member.pk)


def test_email_change_to_another_users_address_never_takes_it_over(
    client, member, outsider, django_capture_on_commit_callbacks
):
    login(client, member.email)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": outsider.email})
    # allauth keeps unverified claims (it does not reveal who owns an address); even if the link
    # sent to that address is followed, the address stays with its verified owner.
    for message in mail.outbox:
        client.post(link_in_email(message))

    member.refresh_from_db()
    assert member.email == "bob@example.org"
    assert not EmailAddress.objects.filter(user=member, email=outsider.email, verified=True).exists()
    assert EmailAddress.objects.get(email=outsider.email, verified=True).user == outsider
    client.post("/accounts/logout/")
    assert login(client, outsider.email).status_code == 302
    assert signed_in_user_id(client) == str(outsider.pk)
