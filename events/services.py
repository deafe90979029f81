"""Every write to events: creating and changing them, registration, the waiting list, check-in.

Capacity is guarded by locking the event row (``select_for_update``) for the duration of any write
that can confirm a seat, so two people registering for the last seat at the same moment are
serialised: one is confirmed, the other waitlisted. On SQLite the whole database is locked by the
write transaction, which serialises them as well.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event, Registration
from .registry import kind_of

EVENT_FIELDS = (
    "title",
    "description",
    "start",
    "end",
    "time_zone",
    "format",
    "venue",
    "address",
    "online_url",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "reminder_hours",
)


def event_validate(event):
    """Raise a ValidationError (per field) when ``event``'s values do not make an event."""
    errors = {}
    if event.start and event.end and event.end <= event.start:
        errors["end"] = _("The end must be after the start.")
    if event.capacity is not None and event.capacity < 1:
        errors["capacity"] = _("The capacity must be at least 1, or empty for no limit.")
    if (
        event.registration_opens_at
        and event.registration_closes_at
        and event.registration_closes_at <= event.registration_opens_at
    ):
        errors["registration_closes_at"] = _("Registration must close after it opens.")
    if event.registration_closes_at and event.end and event.registration_closes_at > event.end:
        errors["registration_closes_at"] = _("Registration must close before the event ends.")
    if event.format in (Event.Format.ONLINE, Event.Format.HYBRID) and not event.online_url:
        errors["online_url"] = _("An online or hybrid event needs its online link.")
    if event.format in (Event.Format.IN_PERSON, Event.Format.HYBRID) and not event.venue:
        errors["venue"] = _("An in-person or hybrid event needs its venue.")
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["organiser", "kind"], validate_unique=False, validate_constraints=False)


_validate_event = event_validate


@transaction.atomic
def event_create(*, kind, organiser, **fields):
    """Create an event of ``kind``. Raises ValidationError (per field) for bad values."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields {sorted(unknown)}")
    event = Event(kind=kind, organiser=organiser, **fields)
    _validate_event(event)
    event.save()
    return event


@transaction.atomic
def event_update(*, event, actor, **fields):
    """Change an event; a larger capacity promotes people from the waiting list at once.

    Raises ValidationError for bad values, including a capacity below the confirmed registrations.
    """
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown event fields {sorted(unknown)}")
    event = Event.objects.select_for_update().get(pk=event.pk)
    for name, value in fields.items():
        setattr(event, name, value)
    _validate_event(event)
    confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    if event.capacity is not None and event.capacity < confirmed:
        raise ValidationError(
            {
                "capacity": _("%(confirmed)s people are already confirmed; the capacity cannot be lower.")
                % {"confirmed": confirmed}
            }
        )
    event.sequence += 1
    event.save()
    _promote(event)
    return event


@transaction.atomic
def event_cancel(*, event, actor):
    """Call an event off (managers and staff): registered and waiting people are told, the calendars
    show it cancelled (its SEQUENCE goes up). Idempotent. Raises ValidationError once it is over."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not (actor.is_staff or kind_of(event).can_manage(actor, event)):
        raise PermissionDenied
    if event.cancelled_at:
        return event
    if event.end <= timezone.now():
        raise ValidationError(_("This event is over."))
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    from .notices import event_cancelled_notice

    people = [
        registration.user
        for registration in event.registrations.filter(
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
        ).select_related("user")
    ]
    if people:
        event_cancelled_notice(event, people)
    return event


def confirmed_count(event):
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


def _has_seat(event):
    return event.capacity is None or confirmed_count(event) < event.capacity


def registration_is_open(event, *, now=None):
    now = now or timezone.now()
    if event.cancelled_at or event.start <= now:
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    return not (event.registration_closes_at and now >= event.registration_closes_at)


def _check_open(event, *, by_manager):
    now = timezone.now()
    if event.cancelled_at:
        raise ValidationError(_("This event has been cancelled."))
    if event.end <= now:
        raise ValidationError(_("This event is over."))
    if by_manager:
        return  # coordinators may still add people after registration closed
    if event.registration_opens_at and now < event.registration_opens_at:
        raise ValidationError(_("Registration has not opened yet."))
    if (event.registration_closes_at and now >= event.registration_closes_at) or event.start <= now:
        raise ValidationError(_("Registration has closed."))


@transaction.atomic
def registration_create(*, event, user, registered_by=None):
    """Register ``user`` for ``event``: confirmed while seats are left, otherwise waitlisted.

    ``registered_by`` is a manager registering someone else (allowed after registration closed).
    Registering again while registered changes nothing; after a cancellation it queues the person
    again at the back. Raises PermissionDenied when the person may not register and ValidationError
    when registration is not open. Never confirms more people than the capacity, whatever the
    concurrency (the event row is locked).
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    kind = kind_of(event)
    by_manager = registered_by is not None and registered_by != user
    if by_manager:
        if not (registered_by.is_staff or kind.can_manage(registered_by, event)):
            raise PermissionDenied
        if not user.is_active:
            raise ValidationError(_("This account is not active."))
    elif not (user.is_active and kind.can_register(user, event)):
        raise PermissionDenied
    _check_open(event, by_manager=by_manager)
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration and registration.status != Registration.Status.CANCELLED:
        return registration
    now = timezone.now()
    status = Registration.Status.CONFIRMED if _has_seat(event) else Registration.Status.WAITLISTED
    if registration is None:
        registration = Registration(event=event, user=user)
    registration.status = status
    registration.queued_at = now
    registration.confirmed_at = now if status == Registration.Status.CONFIRMED else None
    registration.cancelled_at = None
    registration.registered_by = registered_by if by_manager else None
    registration.save()
    _after_registration(registration, promoted=False)
    return registration


@transaction.atomic
def registration_cancel(*, registration, actor):
    """Cancel a registration (its person or a manager); the first person waiting takes the seat.

    Idempotent: cancelling a cancelled registration changes nothing. Raises PermissionDenied for
    anyone else and ValidationError once the event has started.
    """
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if actor != registration.user and not (actor.is_staff or kind_of(event).can_manage(actor, event)):
        raise PermissionDenied
    if registration.status == Registration.Status.CANCELLED:
        return registration
    if event.start <= timezone.now():
        raise ValidationError(_("The event has started; the registration can no longer be cancelled."))
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.confirmed_at = None
    registration.save(update_fields=["status", "cancelled_at", "confirmed_at"])
    _promote(event)
    return registration


def _promote(event):
    """Give free seats to the waiting list, first come first served (caller holds the event lock)."""
    if event.start <= timezone.now() or event.cancelled_at:
        return []
    promoted = []
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("queued_at", "id")
    free = None if event.capacity is None else event.capacity - confirmed_count(event)
    for registration in waiting.select_for_update()[: free if free is not None else None]:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.save(update_fields=["status", "confirmed_at"])
        _after_registration(registration, promoted=True)
        promoted.append(registration)
    return promoted


def _after_registration(registration, *, promoted):
    """Tell the person (notification + email with the .ics); filled in by the notifications wiring."""
    from .notices import registration_notice

    registration_notice(registration, promoted=promoted)


@transaction.atomic
def registration_check_in(*, registration, actor, present=True):
    """Record that a confirmed person attended (or undo it). Managers only; idempotent.

    The owning app hears of each change (``EventKind.on_attendance``), e.g. to record interactions.
    Raises PermissionDenied for non-managers and ValidationError for a registration that is not
    confirmed or an event that has not started yet (doors open an hour before).
    """
    event = registration.event
    kind = kind_of(event)
    if not (actor.is_staff or kind.can_manage(actor, event)):
        raise PermissionDenied
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Only confirmed registrations can be checked in."))
    if event.start - timedelta(hours=1) > timezone.now():
        raise ValidationError(_("Check-in opens an hour before the event starts."))
    if present and registration.checked_in_at is None:
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = actor
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
    elif not present and registration.checked_in_at is not None:
        registration.checked_in_at = None
        registration.checked_in_by = None
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
    else:
        return registration  # nothing changed
    if kind.on_attendance:
        kind.on_attendance(event, registration)
    return registration


def calendar_key_for(*, user):
    """The person's calendar key, made on first use."""
    from .models import CalendarKey

    key, _created = CalendarKey.objects.get_or_create(user=user)
    return key


@transaction.atomic
def calendar_key_reset(*, user):
    """A new secret for the person's feed URLs: every old URL stops working."""
    from .models import CalendarKey, new_calendar_key

    key, created = CalendarKey.objects.select_for_update().get_or_create(user=user)
    if not created:
        key.key = new_calendar_key()
        key.created_at = timezone.now()
        key.save(update_fields=["key", "created_at"])
    return key


# --- reminders ------------------------------------------------------------------------------------

REMINDER_BATCH = 500


def _due_events(now):
    """Events not started yet whose reminder time has come (``start - reminder_hours <= now``)."""
    from django.db.models import Max

    upcoming = Event.objects.filter(start__gt=now, cancelled_at__isnull=True)
    longest = upcoming.aggregate(longest=Max("reminder_hours"))["longest"]
    if not longest:
        return {}
    candidates = upcoming.filter(
        start__lte=now + timedelta(hours=longest),
        registrations__status=Registration.Status.CONFIRMED,
        registrations__reminder_sent_at__isnull=True,
    ).distinct()
    return {
        event.pk: event for event in candidates if event.start - timedelta(hours=event.reminder_hours) <= now
    }


def reminders_send(*, now=None):
    """Remind every confirmed person of an event that starts within its ``reminder_hours``, once.

    Each batch claims its registrations with ``UPDATE … WHERE reminder_sent_at IS NULL`` (stamped
    with this run's own claim time) in the same transaction as the notifications, so two runs at
    once — or one run twice — remind nobody twice: the second run's UPDATE waits for the first and
    then finds nothing left to claim. A fixed number of queries per batch and per due event.
    Returns how many people were reminded.
    """
    from .notices import reminder_notice

    now = now or timezone.now()
    due = _due_events(now)
    sent = 0
    while due:
        with transaction.atomic():
            ids = list(
                Registration.objects.filter(
                    event_id__in=list(due),
                    status=Registration.Status.CONFIRMED,
                    reminder_sent_at__isnull=True,
                )
                .order_by("event_id", "id")
                .values_list("pk", flat=True)[:REMINDER_BATCH]
            )
            if not ids:
                break
            stamp = timezone.now()
            claimed = Registration.objects.filter(pk__in=ids, reminder_sent_at__isnull=True).update(
                reminder_sent_at=stamp
            )
            if claimed:
                rows = list(
                    Registration.objects.filter(pk__in=ids, reminder_sent_at=stamp)
                    .select_related("user")
                    .order_by("event_id", "id")
                )
                by_event = {}
                for registration in rows:
                    by_event.setdefault(registration.event_id, []).append(registration.user)
                for event_id, users in by_event.items():
                    reminder_notice(due[event_id], users)
                sent += len(rows)
        Event.objects.filter(pk__in=list(due), reminder_sent_at__isnull=True).update(reminder_sent_at=now)
        if len(ids) < REMINDER_BATCH:
            break
    return sent
