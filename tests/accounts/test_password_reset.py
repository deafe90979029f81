"""Password reset through the emailed link, as a person does it."""

import pytest
from django.core import mail

from tests.factories.accounts import PASSWORD, link_in_email, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_cache", "no_static_scan")]

NEW_PASSWORD = "granite-meadow-77-softly"


def request_reset(client, email, capture):
    with capture(execute=True):
        response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    return response


def open_reset_form(client, link):
    """allauth moves the key from the URL into the session, then shows the form at a key-less URL."""
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("-set-password/")
    return form_url


def test_password_reset_full_flow_then_login_with_the_new_password(
    client, member, django_capture_on_commit_callbacks
):
    request_reset(client, "bob@example.org", django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@example.org"]
    assert "Password Reset" in message.subject
    link = link_in_email(message)
    assert link.startswith("/accounts/password/reset/key/")

    form_url = open_reset_form(client, link)
    assert 'name="password1"' in client.get(form_url).content.decode()
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"

    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert login(client, "bob@example.org", PASSWORD).status_code == 200  # the old one no longer works
    assert "_auth_user_id" not in client.session
    assert login(client, "bob@example.org", NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_password_reset_link_works_only_once(client, member, django_capture_on_commit_callbacks):
    request_reset(client, member.email, django_capture_on_commit_callbacks)
    link = link_in_email(mail.outbox[0])
    form_url = open_reset_form(client, link)
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.get(link)

    assert response.status_code == 200
    assert "The password reset link was invalid" in response.content.decode()
    other = "another-password-entirely-5"
    client.post(link, {"password1": other, "password2": other})
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_reveals_nothing(
    client, db, django_capture_on_commit_callbacks
):
    request_reset(client, "nobody@example.org", django_capture_on_commit_callbacks)

    # Same answer as for a real account; the email to that address carries no reset link.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nobody@example.org"]
    assert "/password/reset/key/" not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("password1", "password2", "error"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "You must type the same password each time."),
        ("short", "short", "at least 10 characters"),
        ("1234567890123", "1234567890123", "entirely numeric"),
    ],
)
def test_password_reset_refuses_a_bad_new_password(
    client, member, django_capture_on_commit_callbacks, password1, password2, error
):
    request_reset(client, member.email, django_capture_on_commit_callbacks)
    form_url = open_reset_form(client, link_in_email(mail.outbox[0]))

    response = client.post(form_url, {"password1": password1, "password2": password2})

    assert response.status_code == 200
    assert error in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_reset_lifts_the_failed_login_block(client, member, django_capture_on_commit_callbacks):
    for _ in range(5):
        login(client, member.email, "wrong-password")
    assert "Too many failed login attempts" in login(client, member.email).content.decode()

    request_reset(client, member.email, django_capture_on_commit_callbacks)
    form_url = open_reset_form(client, link_in_email(mail.outbox[0]))
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert login(client, member.email, NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
