"""The language switcher really switches: the page comes back in the chosen language."""

import re

from playwright.sync_api import expect

from tests.factories.accounts import PASSWORD

from .axe import assert_accessible
from .helpers import log_in, switch_language


def test_language_switch_translates_the_landing_page(site):
    page = site
    page.goto("/")
    assert_accessible(page, "landing page")
    html, heading = page.locator("html"), page.get_by_role("heading", level=1)
    expect(html).to_have_attribute("lang", "en")
    english = heading.inner_text()

    switch_language(page, "Español")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(html).to_have_attribute("lang", "es")
    expect(heading).not_to_have_text(english)
    expect(page.get_by_role("banner").get_by_role("combobox")).to_have_value("es")
    assert_accessible(page, "landing page in Spanish")
    spanish = heading.inner_text()

    switch_language(page, "Türkçe")
    expect(html).to_have_attribute("lang", "tr")
    expect(heading).not_to_have_text(english)
    expect(heading).not_to_have_text(spanish)
    assert_accessible(page, "landing page in Turkish")


def test_language_switch_signed_in_is_saved_to_the_profile(site, member):
    page = site
    log_in(page, member.email, PASSWORD)
    assert_accessible(page, "profile page")

    switch_language(page, "Italiano")
    # Back on the page the switch was made from, now in Italian.
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("#id_language")).to_have_value("it")
    assert_accessible(page, "profile page in Italian")
    member.refresh_from_db()
    assert member.language == "it"

    # Without the language cookie (another browser), the portal still follows the profile.
    page.context.clear_cookies()
    log_in(page, member.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "it")
    assert_accessible(page, "profile page in Italian after logging in again")
