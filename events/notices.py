"""What people hear about their registrations: an email (with the .ics) and the bell.

The registration email is transactional: it is always sent, whatever the person's notification
preferences (they asked for the seat, or a coordinator gave it to them, and the email carries the
calendar entry and the online link). The in-app notification goes through ``notify()`` under the
event kind's area when the person did not act themselves — promoted from the waiting list, or
registered by a coordinator — so that they see it even without reading their email. Both are queued
when the transaction commits (``email_queue`` and ``notify`` write rows in the caller's transaction;
the outbox sends after commit).
"""

import zoneinfo

from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from notifications.emails import email_render
from notifications.services import email_queue, notify

from .ical import absolute_url, event_ics, ics_filename
from .models import Registration
from .registry import event_url, kind_of

TEMPLATES = {
    "confirmed": "events/emails/registration_confirmed",
    "waitlisted": "events/emails/registration_waitlisted",
    "promoted": "events/emails/registration_promoted",
}


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo("UTC")


def email_context(event, user):
    """What the events' emails show: the times in the event's and the person's zones, the links."""
    event_zone, user_zone = _zone(event.time_zone), _zone(getattr(user, "time_zone", "") or event.time_zone)
    return {
        "event": event,
        "user": user,
        "event_url": absolute_url(event_url(event)),
        "start": event.start.astimezone(event_zone),
        "end": event.end.astimezone(event_zone),
        "user_start": event.start.astimezone(user_zone),
        "user_end": event.end.astimezone(user_zone),
        "user_zone": getattr(user_zone, "key", ""),
        "same_zone": getattr(user_zone, "key", "") == event.time_zone,
    }


def registration_notice(registration, *, promoted):
    """Tell the person their registration is confirmed, waitlisted or promoted."""
    event, user = registration.event, registration.user
    if registration.status == Registration.Status.CONFIRMED:
        which = "promoted" if promoted else "confirmed"
    elif registration.status == Registration.Status.WAITLISTED:
        which = "waitlisted"
    else:
        return
    confirmed = which != "waitlisted"
    context = {
        **email_context(event, user),
        "registration": registration,
        "confirmed": confirmed,
        "language": getattr(user, "language", None),
    }
    subject, text, html = email_render(
        template_prefix=TEMPLATES[which], context=context, language=getattr(user, "language", None)
    )
    attachments = []
    if confirmed:
        with translation.override(getattr(user, "language", None)):
            ics = event_ics(event, url=event_url(event), with_online_link=True, method="PUBLISH")
        attachments.append((ics_filename(event), ics, "text/calendar"))
    stamp = int((registration.confirmed_at or registration.queued_at or timezone.now()).timestamp() * 1000)
    email_queue(
        to=user.email,
        subject=subject,
        body_text=text,
        body_html=html,
        user=user,
        attachments=attachments,
        key=f"event-registration:{registration.pk}:{which}:{stamp}",
    )
    if promoted or registration.registered_by_id:
        notify(
            users=[user],
            kind=f"event.registration_{which}",
            area=kind_of(event).area,
            message=MESSAGES[which],
            params={"title": event.title},
            url=event_url(event),
            target=registration,
            email=False,  # the registration email above says it, with the calendar file
        )


MESSAGES = {
    "confirmed": gettext_noop("You are registered for %(title)s."),
    "waitlisted": gettext_noop("You are on the waiting list for %(title)s."),
    "promoted": gettext_noop("A seat became free: you are now registered for %(title)s."),
}


def reminder_notice(event, users):
    """Remind ``users`` (confirmed) that ``event`` starts soon, with the link to its .ics."""
    from django.urls import reverse

    start = event.start.astimezone(_zone(event.time_zone))
    notify(
        users=users,
        kind="event.reminder",
        area=kind_of(event).area,
        message=gettext_noop(
            "Reminder: %(title)s starts on %(when)s (%(zone)s). Add it to your calendar: %(ics)s"
        ),
        params={
            "title": event.title,
            "when": start.strftime("%Y-%m-%d %H:%M"),
            "zone": event.time_zone,
            "ics": absolute_url(reverse("events:ics", args=[event.uid])),
        },
        url=event_url(event),
        target=event,
    )


def event_cancelled_notice(event, users):
    """Tell the people registered for ``event`` (or waiting) that it is called off."""
    notify(
        users=users,
        kind="event.cancelled",
        area=kind_of(event).area,
        message=gettext_noop("%(title)s on %(when)s (%(zone)s) has been cancelled."),
        params={
            "title": event.title,
            "when": event.start.astimezone(_zone(event.time_zone)).strftime("%Y-%m-%d %H:%M"),
            "zone": event.time_zone,
        },
        url=event_url(event),
        target=event,
    )
