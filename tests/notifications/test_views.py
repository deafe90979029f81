"""The bell, the list, mark read, mark all read and the preferences page: each person sees and changes
only their own notifications; pages stay at a fixed number of queries."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Area, Frequency, Notification, NotificationPreference
from notifications.services import frequencies_for, notify

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def cast(member, outsider, staff):
    return {"visitor": None, "member": member, "outsider": outsider, "staff": staff}


def _notify(user, n=1, text="Meeting {i} of the Bologna council is on Tuesday", area=Area.COUNCILS):
    return [
        notify(users=[user], kind="meeting.scheduled", area=area, message=text.format(i=i), url=f"/m/{i}/")[0]
        for i in range(n)
    ]


def _unread_badge(html):
    match = re.search(r'class="[^"]*bell-count[^"]*">(\d+)', html)
    return int(match.group(1)) if match else 0


def _items(html):
    return len(re.findall(r'<li [^>]*id="notification-\d+"', html))


# --- permission matrix --------------------------------------------------------------------------

GET_PAGES = [
    ("notifications:list", {}),
    ("notifications:bell", {}),
    ("notifications:preferences", {}),
]


@pytest.mark.parametrize("name,kwargs", GET_PAGES)
def test_pages_send_visitors_to_login(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_writes_send_visitors_to_login_and_change_nothing(client, member):
    (notification,) = _notify(member)

    for url in (
        reverse("notifications:mark_read", args=[notification.pk]),
        reverse("notifications:mark_all_read"),
        reverse("notifications:preferences"),
    ):
        response = client.post(url, {"directory": "off"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    notification.refresh_from_db()
    assert notification.read_at is None
    assert not NotificationPreference.objects.exists()


def test_bell_polled_by_htmx_after_the_session_ended_stops_polling(client):
    # Not the login page swapped into the header: an empty answer, and htmx stops polling (286).
    response = client.get(reverse("notifications:bell"), **HTMX)

    assert response.status_code == 286
    assert response.content == b""


def test_mark_read_by_htmx_after_the_session_ended_goes_to_login(client, member):
    (notification,) = _notify(member)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), **HTMX)

    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert "next=/notifications/" in response["HX-Redirect"]
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("role", ["member", "outsider", "staff"])
def test_everyone_sees_only_their_own_notifications(client, cast, role):
    for name, user in cast.items():
        if user is not None:
            _notify(user, text=f"For {name} only")
    client.force_login(cast[role])

    page = client.get(reverse("notifications:list")).content.decode()
    bell = client.get(reverse("notifications:bell")).content.decode()

    assert f"For {role} only" in page
    others = {"member", "outsider", "staff"} - {role}
    assert not any(f"For {other} only" in page for other in others)
    assert _unread_badge(bell) == 1


@pytest.mark.parametrize("role", ["member", "staff"])
def test_someone_elses_notification_cannot_be_marked_read(client, cast, outsider, role):
    # Staff too: the bell is personal; the admin is where staff look at other people's data.
    (notification,) = _notify(outsider)
    client.force_login(cast[role])
    url = reverse("notifications:mark_read", args=[notification.pk])

    assert client.post(url).status_code == 404
    assert client.post(url, **HTMX).status_code == 404

    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_of_an_unknown_notification_is_404(client, member):
    client.force_login(member)

    assert client.post(reverse("notifications:mark_read", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", ["notifications:list", "notifications:bell", "notifications:preferences"])
def test_pages_answer_every_signed_in_role(client, cast, name):
    for role in ("member", "outsider", "staff"):
        client.force_login(cast[role])
        assert client.get(reverse(name)).status_code == 200, role


def test_writes_need_post(client, member):
    (notification,) = _notify(member)
    client.force_login(member)

    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


# --- bell and mark read -------------------------------------------------------------------------


def test_bell_shows_the_unread_count(client, member):
    client.force_login(member)
    assert _unread_badge(client.get(reverse("notifications:bell")).content.decode()) == 0
    assert "none unread" in client.get(reverse("notifications:bell")).content.decode()

    _notify(member, 3)
    Notification.objects.filter(pk=Notification.objects.first().pk).update(read_at=timezone.now())

    bell = client.get(reverse("notifications:bell"), **HTMX).content.decode()
    assert _unread_badge(bell) == 2
    assert "2 unread" in re.sub(r"<[^>]+>", "", bell).replace("\n", " ")
    assert "<html" not in bell, "a fragment for the header, not a page"


def test_mark_read_by_htmx_returns_the_item_and_tells_the_bell(client, member):
    first, second = _notify(member, 2)
    client.force_login(member)

    response = client.post(reverse("notifications:mark_read", args=[first.pk]), **HTMX)

    assert response.status_code == 200
    assert "notificationsChanged" in json.loads(response["HX-Trigger"])
    item = response.content.decode()
    assert item.lstrip().startswith("<li") and f'id="notification-{first.pk}"' in item
    assert "<html" not in item
    assert "Mark as read" not in item and "Unread:" not in item
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    # What the bell then loads.
    assert _unread_badge(client.get(reverse("notifications:bell"), **HTMX).content.decode()) == 1


def test_mark_read_without_htmx_goes_back_to_the_list(client, member):
    (notification,) = _notify(member)
    client.force_login(member)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_twice_keeps_the_first_time(client, member):
    (notification,) = _notify(member)
    client.force_login(member)
    url = reverse("notifications:mark_read", args=[notification.pk])
    client.post(url)
    notification.refresh_from_db()
    first_read = notification.read_at

    assert client.post(url, **HTMX).status_code == 200

    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_mark_all_read_touches_only_mine(client, member, outsider):
    _notify(member, 3)
    _notify(outsider, 2)
    client.force_login(member)

    response = client.post(reverse("notifications:mark_all_read"), follow=True)

    assert "All notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=outsider, read_at__isnull=True).count() == 2


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_newest_first_with_links_and_unread_marks(client, member):
    first, second = _notify(member, 2)
    Notification.objects.filter(pk=first.pk).update(created_at=timezone.now() - timezone.timedelta(hours=1))
    Notification.objects.filter(pk=second.pk).update(read_at=timezone.now())
    client.force_login(member)

    page = client.get(reverse("notifications:list")).content.decode()

    assert page.index("Meeting 1 of") < page.index("Meeting 0 of")
    assert 'href="/m/0/"' in page and 'href="/m/1/"' in page
    assert page.count("Mark as read") == 1
    assert reverse("notifications:mark_read", args=[first.pk]) in page
    assert "Cluster Growth Councils" in page  # the area


def test_list_when_empty_says_so(client, member):
    client.force_login(member)

    page = client.get(reverse("notifications:list")).content.decode()

    assert "Nothing yet." in page


def test_list_escapes_what_others_wrote(client, member):
    notify(
        users=[member],
        kind="join_request.created",
        area=Area.DIRECTORY,
        message="%(name)s asks to join %(organisation)s",
        params={"name": "<script>alert(1)</script>", "organisation": "Smith & Sons"},
    )
    client.force_login(member)

    page = client.get(reverse("notifications:list")).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; asks to join Smith &amp; Sons" in page


def test_list_is_paginated(client, member):
    _notify(member, 30)
    client.force_login(member)

    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()

    assert _items(first) == 25
    assert _items(second) == 5
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


# Not named "page": that is pytest-playwright's fixture, and borrowing it would parametrize the test
# by browser and run it among the browser tests.
@pytest.mark.parametrize("number", ["999999", "abc", "-1", "0", "1.5", ""])
def test_list_with_a_bad_page_number_does_not_fail(client, member, number):
    _notify(member, 30)
    client.force_login(member)

    response = client.get(reverse("notifications:list"), {"page": number})

    assert response.status_code == 200
    assert _items(response.content.decode()) in (25, 5)


def _list_queries(client, user, n):
    Notification.objects.filter(user=user).delete()
    _notify(user, n)
    for area in (Area.DIRECTORY, Area.FACILITIES):
        _notify(user, 1, area=area)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(client, member):
    client.force_login(member)
    client.get(reverse("notifications:list"))  # the session and content types are warm

    small = _list_queries(client, member, 5)
    large = _list_queries(client, member, 50)

    assert small == large, f"the list ran {small} queries for 5 notifications and {large} for 50"


def test_bell_query_count_does_not_grow(client, member):
    client.force_login(member)
    counts = []
    for n in (5, 50):
        _notify(member, n)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("notifications:bell"), **HTMX)
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- preferences --------------------------------------------------------------------------------


def test_preferences_page_shows_the_defaults(client, member):
    client.force_login(member)

    page = client.get(reverse("notifications:preferences")).content.decode()

    for area in Area:
        assert str(area.label).replace("&", "&amp;") in page
    assert page.count('value="weekly" checked') == len(Area)


def test_preferences_are_saved_per_area(client, member, outsider):
    client.force_login(member)
    choices = dict.fromkeys(Area.values, Frequency.WEEKLY) | {
        Area.DIRECTORY: Frequency.IMMEDIATE,
        Area.COUNCILS: Frequency.DAILY,
        Area.FACILITIES: Frequency.OFF,
    }

    response = client.post(reverse("notifications:preferences"), choices, follow=True)

    assert response.redirect_chain[-1][0] == reverse("notifications:preferences")
    page = response.content.decode()
    assert "Your email preferences have been saved." in page
    assert frequencies_for(member) == choices
    assert frequencies_for(outsider) == dict.fromkeys(Area.values, Frequency.WEEKLY)
    # The page shows what was saved.
    assert 'id="id_directory_0" value="immediate" checked' in page
    assert 'id="id_facilities_3" value="off" checked' in page

    # Saving again updates the rows rather than adding more.
    client.post(reverse("notifications:preferences"), choices | {Area.DIRECTORY: Frequency.OFF})
    assert NotificationPreference.objects.filter(user=member).count() == len(Area)
    assert frequencies_for(member)[Area.DIRECTORY] == Frequency.OFF


@pytest.mark.parametrize(
    "bad",
    [
        {Area.DIRECTORY: "hourly"},  # not a frequency
        {Area.DIRECTORY: ""},
        {Area.COUNCILS: None},  # missing altogether
        {Area.DIRECTORY: "x" * 5000},
    ],
)
def test_preferences_with_bad_values_save_nothing(client, member, bad):
    client.force_login(member)
    data = dict.fromkeys(Area.values, Frequency.OFF) | bad
    data = {key: value for key, value in data.items() if value is not None}

    response = client.post(reverse("notifications:preferences"), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the options for each part of the portal." in page
    assert 'aria-invalid="true"' in page
    assert not NotificationPreference.objects.exists(), "nothing saved, not even the valid areas"


def test_preferences_ignore_unknown_areas(client, member):
    client.force_login(member)
    data = dict.fromkeys(Area.values, Frequency.DAILY) | {"gossip": Frequency.IMMEDIATE}

    client.post(reverse("notifications:preferences"), data)

    assert set(NotificationPreference.objects.values_list("area", flat=True)) == set(Area.values)
