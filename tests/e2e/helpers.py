"""What several browser tests do: find a form field, log in, use the language switcher."""

import re

from playwright.sync_api import expect

from .axe import assert_accessible


def field(page, label):
    """The input labelled exactly ``label``; required fields carry a visual "*" after the text."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page, email, password):
    """Log in through the login page (checked with axe) and land on the profile."""
    page.goto("/accounts/login/")
    assert_accessible(page, "login page")
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))


def switch_language(page, name):
    """Choose a language by its name in the header's switcher and submit it.

    Found by role rather than by text, because the switcher's own label and button are translated.
    """
    switcher = page.get_by_role("banner").locator("form.language-switcher")
    switcher.get_by_role("combobox").select_option(label=name)
    with page.expect_navigation():
        switcher.get_by_role("button").click()
