"""What the events app holds about a person: their registrations and their calendar key.

On erasure the calendar key goes, and so do their registrations of events still to come (a seat
they held goes to the first person waiting). Registrations of past events stay as attendance
records: they point at the erased, anonymised account, so they name nobody.
"""

from django.db import transaction
from django.utils import timezone

from .models import CalendarKey, Event, Registration


def export(user):
    return {
        "registrations": [
            {
                "event": r.event.title,
                "start": r.event.start.isoformat(),
                "time_zone": r.event.time_zone,
                "status": r.status,
                "registered_at": r.queued_at.isoformat(),
                "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
                "cancelled_at": r.cancelled_at.isoformat() if r.cancelled_at else None,
                "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
            }
            for r in Registration.objects.filter(user=user).select_related("event").order_by("queued_at")
        ],
        "calendar_feed": CalendarKey.objects.filter(user=user).exists(),
    }


def erase(user):
    from .services import _promote

    CalendarKey.objects.filter(user=user).delete()
    future = Registration.objects.filter(user=user, event__start__gt=timezone.now())
    for event_id in sorted(set(future.values_list("event_id", flat=True))):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            Registration.objects.filter(user=user, event=event).delete()
            _promote(event)
