"""Keyboard use and small screens: the skip link, and the collapsed navigation on a phone."""

import re

from playwright.sync_api import expect

from .axe import assert_accessible

PHONE = {"width": 390, "height": 844}


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(site):
    page = site
    page.goto("/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 20, f"skip link not shown on focus: {box}"
    assert_accessible(page, "landing page with the skip link shown")

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("#main")).to_be_focused()
    # The next Tab continues inside the main content, past the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_navigation_on_a_phone_opens_from_the_menu_button(site):
    page = site
    page.set_viewport_size(PHONE)
    page.goto("/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "landing page on a phone")

    banner = page.get_by_role("banner")
    menu = banner.get_by_role("button", name="Show navigation")
    log_in_link = banner.get_by_role("link", name="Log in")
    expect(log_in_link).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(log_in_link).to_be_visible()
    expect(banner.get_by_role("combobox")).to_be_visible()
    assert_accessible(page, "landing page on a phone with the menu open")

    log_in_link.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, "login page on a phone")
