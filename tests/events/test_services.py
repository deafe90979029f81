"""Registration rules: capacity, the waiting list and its order, promotion, the registration window,
managers registering others, check-in; and event validation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import Event, Registration
from events.services import (
    confirmed_count,
    event_create,
    event_update,
    registration_cancel,
    registration_check_in,
    registration_create,
    registration_is_open,
)
from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

CONFIRMED, WAITLISTED, CANCELLED = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.CANCELLED,
)


def people(n):
    return [UserFactory(email=f"person{i}@example.org") for i in range(n)]


def test_capacity_then_waitlist_in_order(event):
    a, b, c, d = people(4)
    statuses = [registration_create(event=event, user=u).status for u in (a, b, c, d)]
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert confirmed_count(event) == 2
    waiting = list(event.registrations.filter(status=WAITLISTED).values_list("user", flat=True))
    assert waiting == [c.pk, d.pk]


def test_registering_twice_changes_nothing(event, attendee):
    first = registration_create(event=event, user=attendee)
    again = registration_create(event=event, user=attendee)
    assert again.pk == first.pk and again.status == CONFIRMED
    assert event.registrations.count() == 1


def test_cancel_promotes_first_waiting(event, django_capture_on_commit_callbacks):
    a, b, c, d = people(4)
    regs = [registration_create(event=event, user=u) for u in (a, b, c, d)]
    registration_cancel(registration=regs[0], actor=a)
    regs = [Registration.objects.get(pk=r.pk) for r in regs]
    assert [r.status for r in regs] == [CANCELLED, CONFIRMED, CONFIRMED, WAITLISTED]
    assert regs[2].confirmed_at is not None


def test_cancel_is_idempotent(event, attendee):
    registration = registration_create(event=event, user=attendee)
    registration_cancel(registration=registration, actor=attendee)
    again = registration_cancel(registration=registration, actor=attendee)
    assert again.status == CANCELLED


def test_cancel_by_someone_else_is_denied(event, attendee, attendee2, manager):
    registration = registration_create(event=event, user=attendee)
    with pytest.raises(PermissionDenied):
        registration_cancel(registration=registration, actor=attendee2)
    registration_cancel(registration=registration, actor=manager)
    assert Registration.objects.get(pk=registration.pk).status == CANCELLED


def test_re_register_after_cancel_goes_to_the_back(event):
    a, b, c, d = people(4)
    regs = [registration_create(event=event, user=u) for u in (a, b, c)]
    registration_cancel(registration=regs[0], actor=a)  # c promoted
    registration_create(event=event, user=d)  # d waits
    again = registration_create(event=event, user=a)
    assert again.pk == regs[0].pk and again.status == WAITLISTED
    waiting = list(event.registrations.filter(status=WAITLISTED).order_by("queued_at", "id"))
    assert [r.user_id for r in waiting] == [d.pk, a.pk]


def test_capacity_raise_promotes_in_order(event, manager):
    a, b, c, d, e = people(5)
    for u in (a, b, c, d, e):
        registration_create(event=event, user=u)
    event_update(event=event, actor=manager, capacity=4)
    statuses = dict(event.registrations.values_list("user", "status"))
    assert [statuses[u.pk] for u in (a, b, c, d, e)] == [CONFIRMED] * 4 + [WAITLISTED]
    event_update(event=event, actor=manager, capacity=None)
    assert confirmed_count(event) == 5


def test_capacity_below_confirmed_is_refused(event, manager):
    for u in people(2):
        registration_create(event=event, user=u)
    with pytest.raises(ValidationError) as error:
        event_update(event=event, actor=manager, capacity=1)
    assert "capacity" in error.value.message_dict


def test_update_raises_sequence(event, manager):
    updated = event_update(event=event, actor=manager, title="New title")
    assert updated.sequence == event.sequence + 1


@pytest.mark.parametrize("capacity", [0, -1])
def test_capacity_zero_or_negative_is_refused(capacity):
    with pytest.raises(ValidationError) as error:
        event_create(
            kind="test",
            organiser=None,
            title="x",
            start=in_days(3),
            end=in_days(3, 12),
            capacity=capacity,
            venue="Room",
        )
    assert "capacity" in error.value.message_dict


def test_end_before_start_is_refused():
    with pytest.raises(ValidationError) as error:
        event_create(
            kind="test", organiser=None, title="x", start=in_days(3, 12), end=in_days(3, 10), venue="R"
        )
    assert "end" in error.value.message_dict


def test_closing_before_opening_is_refused():
    with pytest.raises(ValidationError) as error:
        event_create(
            kind="test",
            organiser=None,
            title="x",
            start=in_days(5),
            end=in_days(5, 12),
            venue="R",
            registration_opens_at=in_days(2),
            registration_closes_at=in_days(1),
        )
    assert "registration_closes_at" in error.value.message_dict


def test_online_event_needs_its_link():
    with pytest.raises(ValidationError) as error:
        event_create(
            kind="test",
            organiser=None,
            title="x",
            start=in_days(5),
            end=in_days(5, 12),
            format=Event.Format.ONLINE,
        )
    assert "online_url" in error.value.message_dict


def test_registration_before_opening_and_after_closing(attendee):
    early = EventFactory(registration_opens_at=in_days(2))
    late = EventFactory(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    for event, message in ((early, "not opened"), (late, "closed")):
        assert not registration_is_open(event)
        with pytest.raises(ValidationError, match=message):
            registration_create(event=event, user=attendee)
    assert not Registration.objects.exists()


def test_manager_registers_someone_after_closing(attendee, manager):
    event = EventFactory(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    registration = registration_create(event=event, user=attendee, registered_by=manager)
    assert registration.status == CONFIRMED and registration.registered_by == manager


def test_non_manager_cannot_register_others(event, attendee, attendee2):
    with pytest.raises(PermissionDenied):
        registration_create(event=event, user=attendee, registered_by=attendee2)


def test_people_who_may_not_register_are_refused(event, viewer, outsider):
    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            registration_create(event=event, user=user)


def test_no_registration_for_past_or_cancelled_events(attendee, manager):
    past = EventFactory(start=in_days(-2), end=in_days(-2, 12))
    cancelled = EventFactory(cancelled_at=timezone.now())
    for event in (past, cancelled):
        with pytest.raises(ValidationError):
            registration_create(event=event, user=attendee, registered_by=manager)


def test_check_in_only_confirmed_and_idempotent(manager, attendee, attendee2):
    event = EventFactory(start=timezone.now() - datetime.timedelta(minutes=30), capacity=1)
    confirmed = RegistrationFactory(event=event, user=attendee)
    waiting = RegistrationFactory(event=event, user=attendee2, status=WAITLISTED, confirmed_at=None)
    with pytest.raises(ValidationError):
        registration_check_in(registration=waiting, actor=manager)
    first = registration_check_in(registration=confirmed, actor=manager)
    stamp = first.checked_in_at
    again = registration_check_in(registration=confirmed, actor=manager)
    assert stamp is not None and again.checked_in_at == stamp and again.checked_in_by == manager
    undone = registration_check_in(registration=confirmed, actor=manager, present=False)
    assert undone.checked_in_at is None


def test_the_kind_hears_of_each_change_of_attendance_once(manager, attendee, test_kind):
    import dataclasses

    from events.registry import register_kind

    calls = []
    register_kind(
        dataclasses.replace(
            test_kind, on_attendance=lambda event, reg: calls.append((reg.pk, reg.checked_in_at is not None))
        )
    )
    event = EventFactory(start=timezone.now() - datetime.timedelta(minutes=5))
    registration = RegistrationFactory(event=event, user=attendee)
    registration_check_in(registration=registration, actor=manager)
    registration_check_in(registration=registration, actor=manager)
    registration_check_in(registration=registration, actor=manager, present=False)
    registration_check_in(registration=registration, actor=manager, present=False)
    assert calls == [(registration.pk, True), (registration.pk, False)]


def test_check_in_needs_manager_and_time(event, attendee, attendee2):
    registration = RegistrationFactory(event=event, user=attendee)
    with pytest.raises(PermissionDenied):
        registration_check_in(registration=registration, actor=attendee2)
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError, match="hour before"):
        registration_check_in(registration=registration, actor=staff)


def test_event_cancel_tells_people_and_stops_registration(event, manager, attendee, attendee2):
    from events.services import event_cancel
    from notifications.models import Notification

    RegistrationFactory(event=event, user=attendee)
    RegistrationFactory(event=event, user=attendee2, status=WAITLISTED, confirmed_at=None)
    with pytest.raises(PermissionDenied):
        event_cancel(event=event, actor=attendee)
    cancelled = event_cancel(event=event, actor=manager)
    assert cancelled.cancelled_at and cancelled.sequence == 1
    assert set(Notification.objects.filter(kind="event.cancelled").values_list("user", flat=True)) == {
        attendee.pk,
        attendee2.pk,
    }
    assert event_cancel(event=event, actor=manager).sequence == 1  # idempotent
    with pytest.raises(ValidationError, match="cancelled"):
        registration_create(event=cancelled, user=UserFactory(email="person1@example.org"))
