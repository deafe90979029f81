import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from events.models import Registration
from events.selectors import registration_box
from tests.factories.events import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_registration_box_for_confirmed_person(event, attendee, django_assert_num_queries):
    RegistrationFactory(event=event, user=attendee)
    with django_assert_num_queries(2):
        box = registration_box(event=event, user=attendee)
    assert box["status"] == Registration.Status.CONFIRMED
    assert box["online_url"] == "https://meet.example.org/abc"
    assert box["seats_left"] == 1
    assert box["can_cancel"] and not box["can_register"] and not box["can_manage"]


def test_registration_box_waitlisted_shows_position_and_no_link(event, attendee, attendee2, viewer):
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, user=attendee, status=Registration.Status.WAITLISTED, confirmed_at=None)
    RegistrationFactory(event=event, user=attendee2, status=Registration.Status.WAITLISTED, confirmed_at=None)
    box = registration_box(event=event, user=attendee2)
    assert box["waitlist_position"] == 2
    assert box["online_url"] == ""
    assert box["seats_left"] == 0 and box["is_full"]
    assert not registration_box(event=event, user=viewer)["can_register"]


def test_registration_box_manager_sees_link(event, manager):
    box = registration_box(event=event, user=manager)
    assert box["can_manage"] and box["online_url"] and box["registration"] is None


def test_include_renders(rf, event, attendee):
    request = rf.get("/")
    request.user = attendee
    html = Template('{% include "events/includes/registration.html" with box=box event=event %}').render(
        Context({"box": registration_box(event=event, user=attendee), "event": event, "request": request})
    )
    assert f"/events/{event.uid}/register/" in html
    assert f"/events/{event.uid}/event.ics" in html


def test_event_when_in_both_zones():
    event = EventFactory.build(
        start=datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2026, 3, 3, 11, tzinfo=datetime.UTC),
        time_zone="Europe/Madrid",
    )
    template = Template("{% load events %}{% event_when event %}")
    with timezone.override("Europe/Dublin"):
        html = template.render(Context({"event": event}))
    assert "Tue 3 March 2026, 10:00–12:00" in html and "(Europe/Madrid)" in html
    assert "09:00–11:00</time> your time (Europe/Dublin)" in html
    assert '<time datetime="2026-03-03T10:00:00+01:00">' in html
    with timezone.override("Europe/Madrid"):
        html = template.render(Context({"event": event}))
    assert "your time" not in html
