"""EventForm: times entered in the event's own zone, the service's errors on the fields."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from events.forms import EventForm
from events.services import event_create, event_update
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


def data(**changes):
    values = {
        "title": "Council meeting",
        "description": "Agenda to follow.",
        "time_zone": "Europe/Madrid",
        "start": "2030-03-05T10:00",
        "end": "2030-03-05T12:00",
        "format": "hybrid",
        "venue": "TechPark",
        "address": "Calle Severo Ochoa 16",
        "online_url": "https://meet.example.org/x",
        "capacity": "20",
        "registration_opens_at": "",
        "registration_closes_at": "2030-03-04T18:00",
        "reminder_hours": "24",
    }
    values.update(changes)
    return values


def test_times_are_in_the_events_zone_whatever_the_viewer():
    with timezone.override("Asia/Tokyo"):
        form = EventForm(data())
        assert form.is_valid(), form.errors
    fields = form.event_fields()
    assert fields["start"] == datetime.datetime(2030, 3, 5, 10, tzinfo=MADRID)
    assert fields["start"].astimezone(datetime.UTC).hour == 9
    assert fields["registration_closes_at"] == datetime.datetime(2030, 3, 4, 18, tzinfo=MADRID)
    event = event_create(kind="test", organiser=None, **fields)
    assert event.start == datetime.datetime(2030, 3, 5, 9, tzinfo=datetime.UTC)


def test_other_zone_is_respected():
    form = EventForm(data(time_zone="Europe/Istanbul"))
    assert form.is_valid(), form.errors
    assert form.event_fields()["start"].astimezone(datetime.UTC).hour == 7


def test_edit_shows_times_in_the_events_zone():
    event = EventFactory(
        start=datetime.datetime(2030, 3, 5, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2030, 3, 5, 11, tzinfo=datetime.UTC),
    )
    form = EventForm(instance=event)
    html = str(form["start"])
    assert 'value="2030-03-05T10:00"' in html and 'type="datetime-local"' in html


def test_edit_feeds_event_update(manager):
    event = EventFactory(capacity=5)
    form = EventForm(data(capacity="8"), instance=event)
    assert form.is_valid(), form.errors
    updated = event_update(event=event, actor=manager, **form.event_fields())
    assert updated.capacity == 8 and updated.title == "Council meeting"


def test_initial_time_zone():
    form = EventForm(initial_time_zone="Europe/Rome")
    assert 'value="Europe/Rome" selected' in str(form["time_zone"])


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"end": "2030-03-05T09:00"}, "end"),
        ({"end": "2030-03-05T10:00"}, "end"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-1"}, "capacity"),
        ({"registration_opens_at": "2030-03-04T19:00"}, "registration_closes_at"),
        ({"registration_closes_at": "2030-03-06T10:00"}, "registration_closes_at"),
        ({"format": "online", "online_url": ""}, "online_url"),
        ({"venue": ""}, "venue"),
        ({"start": "yesterday"}, "start"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"reminder_hours": "0"}, "reminder_hours"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"start": "2030-03-31T02:30", "end": "2030-03-31T04:00"}, "start"),  # the DST gap in Madrid
    ],
)
def test_bad_input_is_a_field_error(changes, field):
    form = EventForm(data(**changes))
    assert not form.is_valid()
    assert field in form.errors, form.errors


def test_service_errors_map_onto_fields(manager):
    from events.services import registration_create
    from tests.factories.accounts import UserFactory

    event = EventFactory(capacity=3)
    for i in range(2):
        registration_create(event=event, user=UserFactory(email=f"person{i}@example.org"))
    form = EventForm(data(capacity="1"), instance=event)
    assert form.is_valid(), form.errors
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        event_update(event=event, actor=manager, **form.event_fields())
    form.add_service_errors(error.value)
    assert "already confirmed" in form.errors["capacity"][0]


def test_aware_initial_times_are_shown_in_the_events_zone():
    start = datetime.datetime(2030, 3, 5, 9, tzinfo=datetime.UTC)
    form = EventForm(initial={"start": start}, initial_time_zone="Europe/Madrid")
    assert 'value="2030-03-05T10:00"' in str(form["start"])
