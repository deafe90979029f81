"""The sign-up journey in a real browser: sign up, verify by email, log in, see the profile, log out."""

import re

from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import User

from .axe import assert_accessible
from .helpers import field

PASSWORD = "Tangerine-Lathe-2026"
VERIFY_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>]+")


def test_signup_verify_login_logout_journey(site, live_server, mailoutbox):
    page = site
    page.goto("/")
    assert_accessible(page, "landing page")

    page.get_by_role("banner").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    assert_accessible(page, "sign-up page")

    field(page, "Email").fill("dana@example.org")
    field(page, "Full name").fill("Dana Ingeniera")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    page.get_by_role("checkbox", name="privacy notice").check()
    page.get_by_role("button", name="Sign Up").click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert_accessible(page, "verification sent page")
    user = User.objects.get(email="dana@example.org")
    assert user.full_name == "Dana Ingeniera"
    assert user.privacy_accepted_at is not None
    assert not EmailAddress.objects.get(user=user).verified

    # The verification email was sent (Celery runs eagerly in tests, after the commit).
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dana@example.org"]
    link = VERIFY_LINK.search(message.body).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    assert_accessible(page, "confirm email page")
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    assert EmailAddress.objects.get(user=user).verified
    assert_accessible(page, "login page")

    field(page, "Email").fill("dana@example.org")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(field(page, "Full name")).to_have_value("Dana Ingeniera")
    expect(page.get_by_text("Signed in as dana@example.org.")).to_be_visible()
    assert_accessible(page, "profile page")

    menu = page.get_by_role("banner").get_by_role("button", name="Dana Ingeniera")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/$"))
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Log in")).to_be_visible()
    expect(banner.get_by_role("button", name="Dana Ingeniera")).to_have_count(0)
    assert_accessible(page, "landing page after logging out")
