"""Council meetings: events of a council with an agenda, minutes, decisions and action items."""

from django.db import transaction
from django.urls import reverse

from events.registry import EventKind, register_kind
from events.services import event_create

from ..models import Meeting
from ..permissions import is_council_coordinator, is_council_member

MEETING_KIND = "meeting"


def _meeting_council(event):
    return event.meeting.council


def _can_view(user, event):
    return user.is_authenticated and (user.is_staff or is_council_member(user, _meeting_council(event)))


def _can_register(user, event):
    return user.is_authenticated and is_council_member(user, _meeting_council(event))


def _can_manage(user, event):
    return user.is_authenticated and (user.is_staff or is_council_coordinator(user, _meeting_council(event)))


def _url(event):
    meeting = event.meeting
    return reverse("councils:meeting", args=[meeting.council.slug, meeting.pk])


def register_meeting_kind():
    """Called from the app's ready(): council meetings are events whose council decides access."""
    register_kind(
        EventKind(
            name=MEETING_KIND,
            can_view=_can_view,
            can_register=_can_register,
            can_manage=_can_manage,
            url=_url,
        )
    )


@transaction.atomic
def meeting_create(*, council, actor, **event_fields):
    """Create a meeting of ``council`` (an event in the council's time zone unless given).

    Raises ValidationError (per field) for bad event values.
    """
    event_fields.setdefault("time_zone", council.time_zone)
    event = event_create(kind=MEETING_KIND, organiser=actor, **event_fields)
    return Meeting.objects.create(council=council, event=event, created_by=actor)
