"""The events pages: who may do what (the kind's policy), what they see, bad input never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import CalendarKey, Event, Registration
from events.registry import _feed_providers, register_feed_provider
from tests.factories.accounts import UserFactory
from tests.factories.councils import MeetingFactory
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED = Registration.Status.CONFIRMED, Registration.Status.WAITLISTED


def url(name, event, *args):
    return reverse(f"events:{name}", args=[event.uid, *args])


# --- permission matrix on a test kind ------------------------------------------------------------

PEOPLE = ["outsider", "viewer", "attendee", "manager", "staff"]
# person -> (detail, ics, attendees, register POST)
EXPECTED = {
    "outsider": (404, 404, 404, 404),
    "viewer": (200, 200, 404, 403),
    "attendee": (200, 200, 404, 302),
    "manager": (200, 200, 200, 302),
    "staff": (200, 200, 200, 403),  # staff see and run everything, but register only if the kind lets them
}


@pytest.mark.parametrize("who", PEOPLE)
def test_permission_matrix(client, request, event, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    detail, ics, attendees, register = EXPECTED[who]
    assert client.get(url("detail", event)).status_code == detail
    assert client.get(url("ics", event)).status_code == ics
    assert client.get(url("attendees", event)).status_code == attendees
    assert client.post(url("register", event)).status_code == register
    assert client.post(url("cancel", event)).status_code in ((404,) if detail == 404 else (200, 302))


def test_visitor_is_sent_to_login(client, event):
    for name in ("detail", "ics", "attendees"):
        response = client.get(url(name, event))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("register", event))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("events:calendar")).status_code == 302
    assert not Registration.objects.exists()


def test_unknown_uid_is_404(client, attendee):
    client.force_login(attendee)
    uid = "00000000-0000-0000-0000-000000000000"
    for name in ("detail", "ics", "attendees"):
        assert client.get(reverse(f"events:{name}", args=[uid])).status_code == 404
    assert client.post(reverse("events:register", args=[uid])).status_code == 404
    assert client.get("/events/not-a-uid/").status_code == 404


# --- register / cancel -----------------------------------------------------------------------------


def test_register_then_waitlist_then_promotion(client, event, attendee, attendee2, manager):
    RegistrationFactory(event=event)
    client.force_login(attendee)
    response = client.post(url("register", event))
    assert response.status_code == 302
    client.force_login(attendee2)
    client.post(url("register", event))
    assert Registration.objects.get(user=attendee2).status == WAITLISTED
    page = client.get(url("detail", event)).content.decode()
    assert "number 1 on the waiting list" in page
    assert "meet.example.org" not in page  # the online link only for confirmed people
    client.force_login(attendee)
    client.post(url("cancel", event))
    assert Registration.objects.get(user=attendee).status == Registration.Status.CANCELLED
    assert Registration.objects.get(user=attendee2).status == CONFIRMED
    client.force_login(attendee2)
    assert "meet.example.org" in client.get(url("detail", event)).content.decode()


def test_register_htmx_returns_the_box(client, event, attendee):
    client.force_login(attendee)
    response = client.post(url("register", event), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="registration-{event.uid}"' in html and "You are registered" in html


def test_register_after_closing_is_a_clear_error(client, attendee):
    event = EventFactory(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(attendee)
    response = client.post(url("register", event), follow=True)
    assert response.status_code == 200
    assert "Registration has closed." in response.content.decode()
    response = client.post(url("register", event), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["X-Events-Status"] == "400"
    assert "Registration has closed." in response.content.decode()  # shown in the swapped box
    assert not Registration.objects.exists()


def test_cancel_without_registration_is_not_an_error(client, event, attendee):
    client.force_login(attendee)
    response = client.post(url("cancel", event), follow=True)
    assert response.status_code == 200
    assert "You are not registered" in response.content.decode()


def test_get_on_post_only_urls_is_405(client, event, attendee):
    client.force_login(attendee)
    assert client.get(url("register", event)).status_code == 405
    assert client.get(url("cancel", event)).status_code == 405


# --- attendees page --------------------------------------------------------------------------------


def test_attendees_page_lists_and_counts(client, event, manager, attendee, attendee2):
    RegistrationFactory(event=event, user=attendee)
    RegistrationFactory(event=event, user=attendee2, status=WAITLISTED, confirmed_at=None)
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED, confirmed_at=None)
    client.force_login(manager)
    html = client.get(url("attendees", event)).content.decode()
    assert "Ana Attendee" in html and "Beto Attendee" in html
    assert "1 confirmed" in html and "1 waiting" in html


def test_register_someone_by_email(client, event, manager, attendee):
    client.force_login(manager)
    response = client.post(url("register_someone", event), {"email": "ANA@example.org"})
    assert response.status_code == 302
    registration = Registration.objects.get(user=attendee)
    assert registration.status == CONFIRMED and registration.registered_by == manager


@pytest.mark.parametrize(
    "email, message",
    [
        ("nobody@example.org", "No active portal account"),
        ("not an email", "Enter a valid email"),
        ("", "required"),
    ],
)
def test_register_someone_errors(client, event, manager, email, message):
    client.force_login(manager)
    response = client.post(url("register_someone", event), {"email": email})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_register_someone_after_the_event_is_a_clear_error(client, manager, attendee):
    event = EventFactory(
        start=timezone.now() - datetime.timedelta(hours=3), end=timezone.now() - datetime.timedelta(hours=1)
    )
    client.force_login(manager)
    response = client.post(url("register_someone", event), {"email": attendee.email})
    assert response.status_code == 400 and "This event is over." in response.content.decode()


def test_register_someone_who_may_not_take_part(client, event, manager, outsider):
    client.force_login(manager)
    response = client.post(url("register_someone", event), {"email": outsider.email})
    assert response.status_code == 400 and "may not take part" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_someone_is_for_managers_only(client, event, attendee, attendee2):
    client.force_login(attendee)
    assert client.post(url("register_someone", event), {"email": attendee2.email}).status_code == 404
    assert not Registration.objects.exists()


def test_check_in_toggle_by_htmx(client, manager, attendee, attendee2):
    event = EventFactory(start=timezone.now() - datetime.timedelta(minutes=10))
    registration = RegistrationFactory(event=event, user=attendee)
    waiting = RegistrationFactory(event=event, user=attendee2, status=WAITLISTED, confirmed_at=None)
    client.force_login(manager)
    response = client.post(
        url("check_in", event, registration.pk), {"present": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Present" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None
    response = client.post(
        url("check_in", event, registration.pk), {"present": "0"}, headers={"HX-Request": "true"}
    )
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None
    response = client.post(
        url("check_in", event, waiting.pk), {"present": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Only confirmed" in response.content.decode()
    other = RegistrationFactory()
    assert client.post(url("check_in", event, other.pk)).status_code == 404


def test_check_in_is_for_managers_only(client, attendee, attendee2):
    event = EventFactory(start=timezone.now() - datetime.timedelta(minutes=10))
    registration = RegistrationFactory(event=event, user=attendee2)
    client.force_login(attendee)
    assert client.post(url("check_in", event, registration.pk)).status_code == 404
    assert Registration.objects.get(pk=registration.pk).checked_in_at is None


def _fill(event, n):
    for _ in range(n):
        RegistrationFactory(event=event, registered_by=UserFactory())
    for _ in range(n):
        RegistrationFactory(event=event, status=WAITLISTED, confirmed_at=None)


def test_attendees_page_query_count_does_not_grow(client, manager, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, large = EventFactory(capacity=None), EventFactory(capacity=None)
    _fill(small, 2)
    _fill(large, 30)
    client.force_login(manager)
    counts = []
    for event in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("attendees", event)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- calendar page and the personal feed -------------------------------------------------------------


def test_calendar_page_shows_feed_and_resets(client, attendee):
    client.force_login(attendee)
    html = client.get(reverse("events:calendar")).content.decode()
    key = CalendarKey.objects.get(user=attendee).key
    assert f"/events/calendar/{key}.ics" in html
    response = client.post(reverse("events:calendar"))
    assert response.status_code == 302
    new_key = CalendarKey.objects.get(user=attendee).key
    assert new_key != key
    assert client.get(reverse("events:feed", args=[key])).status_code == 404
    assert client.get(reverse("events:feed", args=[new_key])).status_code == 200


def test_calendar_page_lists_other_feeds(client, attendee):
    def provider(user):
        return [("Test council meetings", "/councils/x/calendar/k.ics")]

    register_feed_provider(provider)
    try:
        client.force_login(attendee)
        html = client.get(reverse("events:calendar")).content.decode()
    finally:
        _feed_providers.remove(provider)
    assert "Test council meetings" in html and "http://testserver/councils/x/calendar/k.ics" in html


@pytest.mark.parametrize("key", ["forged", "x" * 64, "../../etc/passwd", "%00"])
def test_forged_feed_key_is_404(client, attendee, key):
    CalendarKey.objects.create(user=attendee)
    assert client.get(f"/events/calendar/{key}.ics").status_code == 404


def test_feed_of_an_inactive_account_is_404(client, attendee):
    key = CalendarKey.objects.create(user=attendee)
    attendee.is_active = False
    attendee.save()
    assert client.get(reverse("events:feed", args=[key.key])).status_code == 404


# --- meeting events: the real policy of the councils -------------------------------------------------


@pytest.fixture
def meeting(malaga):
    return MeetingFactory(council=malaga, event__capacity=5)


MEETING_PEOPLE = {
    # who: (ics, attendees, register)
    "outsider": (404, 404, 404),
    "other_council_member": (404, 404, 404),
    "council_member": (200, 404, 302),
    "coordinator": (200, 200, 302),
    "staff": (200, 200, 403),
}


@pytest.mark.parametrize("who", list(MEETING_PEOPLE))
def test_meeting_event_permissions(client, request, meeting, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    ics, attendees, register = MEETING_PEOPLE[who]
    event = meeting.event
    assert client.get(url("ics", event)).status_code == ics
    assert client.get(url("attendees", event)).status_code == attendees
    response = client.post(url("register", event))
    assert response.status_code == register
    if register == 302:
        assert response["Location"] == reverse("councils:meeting", args=["malaga", meeting.pk])
        assert Registration.objects.get(event=event, user=user).status == CONFIRMED


def test_meeting_detail_redirects_to_the_meeting_page(client, meeting, council_member):
    client.force_login(council_member)
    response = client.get(url("detail", meeting.event))
    assert response.status_code == 302
    assert response["Location"] == reverse("councils:meeting", args=["malaga", meeting.pk])


def test_coordinator_registers_a_member_by_email(client, meeting, coordinator, council_member, outsider):
    client.force_login(coordinator)
    assert (
        client.post(url("register_someone", meeting.event), {"email": council_member.email}).status_code
        == 302
    )
    assert Registration.objects.filter(user=council_member, event=meeting.event, status=CONFIRMED).exists()


def test_unknown_kind_is_404_except_for_staff(client, attendee, staff):
    event = EventFactory(kind="nobody-knows")
    client.force_login(attendee)
    assert client.get(url("detail", event)).status_code == 404
    client.force_login(staff)
    assert client.get(url("detail", event)).status_code == 200
    assert Event.objects.count() == 1


def test_cancel_event_page(client, event, manager, attendee):
    client.force_login(attendee)
    assert client.post(url("cancel_event", event)).status_code == 404
    client.force_login(manager)
    response = client.post(url("cancel_event", event), follow=True)
    assert response.status_code == 200 and "has been cancelled" in response.content.decode()
    event.refresh_from_db()
    assert event.cancelled_at is not None
    past = EventFactory(
        start=timezone.now() - datetime.timedelta(hours=3), end=timezone.now() - datetime.timedelta(hours=1)
    )
    response = client.post(url("cancel_event", past), follow=True)
    assert "This event is over." in response.content.decode()
