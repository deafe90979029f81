"""Notifications in a real browser: the bell shows the unread count, a notification marked read on the
list page updates the bell without reloading, mark all read empties it, and email preferences save."""

import re

from playwright.sync_api import expect

from notifications.models import Area, Frequency, Notification
from notifications.services import frequencies_for, notify
from tests.factories.accounts import PASSWORD, UserFactory

from .axe import assert_accessible
from .helpers import log_in


def _notifications_for(user):
    notify(
        users=[user],
        kind="join_request.created",
        area=Area.DIRECTORY,
        message="%(name)s asks to join %(organisation)s",
        params={"name": "Bruno Tornitore", "organisation": "Officine Reno"},
        url="/notifications/preferences/",
    )
    notify(
        users=[user],
        kind="meeting.scheduled",
        area=Area.COUNCILS,
        message="The Bologna council meets on Tuesday",
    )
    notify(
        users=[user], kind="booking.approved", area=Area.FACILITIES, message="Your lab booking is confirmed"
    )


def test_bell_counts_unread_and_updates_when_one_is_marked_read(site):
    page = site
    user = UserFactory(email="ada@officine-reno.example", full_name="Ada Reno")
    _notifications_for(user)
    notify(users=[UserFactory()], kind="x", area=Area.DIRECTORY, message="Someone else's news")

    log_in(page, user.email, PASSWORD)
    bell = page.get_by_role("banner").locator("#bell")
    expect(bell.locator(".bell-count")).to_have_text(re.compile(r"^3\s*unread$"))
    assert_accessible(page, "profile page with the bell loaded")

    bell.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    items = page.locator("main .list-group-item")
    expect(items).to_have_count(3)
    expect(page.get_by_text("Bruno Tornitore asks to join Officine Reno")).to_be_visible()
    expect(page.get_by_text("Someone else's news")).to_have_count(0)
    assert_accessible(page, "notification list")

    # Mark the council one read: htmx swaps that item, and the bell follows, with no page load.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    council = items.filter(has_text="The Bologna council meets on Tuesday")
    council.get_by_role("button", name="Mark as read").click()
    expect(council.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(bell.locator(".bell-count")).to_have_text(re.compile(r"^2\s*unread$"))
    assert page.evaluate("() => window.stillTheSamePage === true"), "the page reloaded"
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(2)
    assert_accessible(page, "notification list after marking one read")
    assert Notification.objects.get(kind="meeting.scheduled").read_at is not None
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 2

    # Mark all read: the bell says none unread.
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("All notifications are marked as read.")).to_be_visible()
    expect(bell.locator(".bell-count")).to_have_count(0)
    expect(bell).to_contain_text("none unread")
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(0)
    assert_accessible(page, "notification list all read")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_email_preferences_are_saved(site):
    page = site
    user = UserFactory(email="ada@officine-reno.example", full_name="Ada Reno")

    log_in(page, user.email, PASSWORD)
    assert_accessible(page, "profile page")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Email preferences").click()
    expect(page).to_have_url(re.compile(r"/notifications/preferences/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email preferences")
    directory = page.get_by_role("group", name="Directory")
    expect(directory.get_by_role("radio", name="Weekly digest")).to_be_checked()
    assert_accessible(page, "email preferences")

    directory.get_by_role("radio", name="Email me at once").check()
    page.get_by_role("group", name="Cluster Growth Councils").get_by_role(
        "radio", name="Daily digest"
    ).check()
    page.get_by_role("group", name="Facilities Sharing").get_by_role("radio", name="No emails").check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_text("Your email preferences have been saved.")).to_be_visible()
    expect(
        page.get_by_role("group", name="Directory").get_by_role("radio", name="Email me at once")
    ).to_be_checked()
    assert_accessible(page, "email preferences saved")
    frequencies = frequencies_for(user)
    assert frequencies[Area.DIRECTORY] == Frequency.IMMEDIATE
    assert frequencies[Area.COUNCILS] == Frequency.DAILY
    assert frequencies[Area.FACILITIES] == Frequency.OFF
    assert frequencies[Area.LEARNING] == Frequency.WEEKLY
