"""Reads of events, always for one viewer: what they may see of an event and their registration."""

from django.db.models import Count, Q

from .models import Event, Registration
from .registry import kind_of
from .services import registration_is_open


def can_view_event(user, event):
    return user.is_authenticated and (user.is_staff or kind_of(event).can_view(user, event))


def can_manage_event(user, event):
    return user.is_authenticated and (user.is_staff or kind_of(event).can_manage(user, event))


def can_register_event(user, event):
    return user.is_authenticated and user.is_active and kind_of(event).can_register(user, event)


def registration_box(*, event, user):
    """Everything the registration box of ``event`` shows to ``user``, in a fixed number of queries.

    ``online_url`` is only filled for people with a confirmed registration and for managers.
    """
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )
    registration = None
    position = None
    if user.is_authenticated:
        registration = Registration.objects.filter(event=event, user=user).first()
        if registration and registration.status == Registration.Status.WAITLISTED:
            position = (
                Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
                .filter(
                    Q(queued_at__lt=registration.queued_at)
                    | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
                )
                .count()
                + 1
            )
    confirmed = counts["confirmed"]
    capacity = event.capacity
    seats_left = None if capacity is None else max(capacity - confirmed, 0)
    status = registration.status if registration else None
    active = status in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
    can_manage = can_manage_event(user, event)
    is_open = registration_is_open(event)
    is_confirmed = status == Registration.Status.CONFIRMED
    return {
        "event": event,
        "registration": registration,
        "status": status,
        "is_confirmed": is_confirmed,
        "is_waitlisted": status == Registration.Status.WAITLISTED,
        "waitlist_position": position,
        "confirmed_count": confirmed,
        "waitlist_count": counts["waitlisted"],
        "capacity": capacity,
        "seats_left": seats_left,
        "is_full": seats_left == 0,
        "is_open": is_open,
        "is_cancelled": event.cancelled_at is not None,
        "is_past": event.is_past,
        "can_register": is_open and not active and can_register_event(user, event),
        "can_cancel": active and not event.is_past and event.start > _now(),
        "can_manage": can_manage,
        "online_url": event.online_url if (is_confirmed or can_manage) else "",
    }


def _now():
    from django.utils import timezone

    return timezone.now()


def events_for_feed(events):
    """Events with what their iCalendar entries need (no per-event query)."""
    return events.select_related("organiser")


def user_feed_registrations(user, *, now=None):
    """The person's confirmed registrations, and waitlisted ones of events still to come."""
    now = now or _now()
    return (
        Registration.objects.filter(user=user)
        .filter(
            Q(status=Registration.Status.CONFIRMED)
            | Q(status=Registration.Status.WAITLISTED, event__end__gt=now)
        )
        .select_related("event")
        .order_by("event__start", "event_id")
    )


def event_by_uid(uid):
    return Event.objects.filter(uid=uid).first()


def user_upcoming_registrations(user, *, now=None):
    now = now or _now()
    return (
        Registration.objects.filter(
            user=user,
            event__end__gt=now,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        )
        .select_related("event")
        .order_by("event__start", "event_id")[:50]
    )


def attendees(*, event):
    """The attendees page of ``event``: confirmed, waiting (in order) and cancelled, with counts."""
    rows = list(
        Registration.objects.filter(event=event)
        .select_related("user", "registered_by", "checked_in_by")
        .order_by("queued_at", "id")
    )
    confirmed = [r for r in rows if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in rows if r.status == Registration.Status.WAITLISTED]
    cancelled = [r for r in rows if r.status == Registration.Status.CANCELLED]
    return {
        "confirmed": confirmed,
        "waiting": waiting,
        "cancelled": cancelled,
        "checked_in_count": sum(1 for r in confirmed if r.checked_in_at),
        "seats_left": None if event.capacity is None else max(event.capacity - len(confirmed), 0),
    }


_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def calendar_key_user(key):
    """The active person whose calendar key is ``key``, or None (also for malformed keys)."""
    from .models import CalendarKey

    if not key or len(key) > 64 or not set(key) <= _KEY_CHARS:
        return None
    calendar_key = CalendarKey.objects.select_related("user").filter(key=key).first()
    if calendar_key is None or not calendar_key.user.is_active:
        return None
    return calendar_key.user
