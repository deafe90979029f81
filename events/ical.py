"""iCalendar (RFC 5545) for events: one event, a person's feed, a council's feed.

Every VEVENT carries its UID (stable: ``<event uid>@<host>``), DTSTAMP in UTC, DTSTART/DTEND in
the event's own time zone with the matching VTIMEZONE, and SEQUENCE (raised on every change) so
calendar clients update their copy. The online link is only written for people whose registration
is confirmed (or who manage the event): callers say so per event.
"""

import datetime
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar
from icalendar import Event as VEvent

PRODID = "-//SME Cluster Growth//Portal//EN"


def _host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def new_calendar(*, method=None, name=None):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _location(event):
    return ", ".join(part for part in (event.venue, event.address) if part)


def vevent(event, *, url, with_online_link=False, now=None, status=None):
    """The VEVENT of ``event``; ``url`` is the event's page (path or absolute)."""
    zone = zoneinfo.ZoneInfo(event.time_zone)
    link = url if url.startswith("http") else absolute_url(url)
    entry = VEvent()
    entry.add("uid", f"{event.uid}@{_host()}")
    entry.add("dtstamp", (now or timezone.now()).astimezone(zoneinfo.ZoneInfo("UTC")))
    entry.add("dtstart", event.start.astimezone(zone))
    entry.add("dtend", event.end.astimezone(zone))
    entry.add("sequence", event.sequence)
    entry.add("summary", event.title)
    description = [event.description.strip()] if event.description.strip() else []
    if with_online_link and event.online_url:
        description.append(gettext("Online link: %(url)s") % {"url": event.online_url})
    description.append(link)
    entry.add("description", "\n\n".join(description))
    location = _location(event)
    if with_online_link and event.online_url:
        location = ", ".join(part for part in (location, event.online_url) if part)
    if location:
        entry.add("location", location)
    entry.add("url", link)
    if event.cancelled_at:
        entry.add("status", "CANCELLED")
    else:
        entry.add("status", status or "CONFIRMED")
    entry.add("last-modified", event.updated_at.astimezone(zoneinfo.ZoneInfo("UTC")))
    return entry


def calendar_bytes(entries, *, method=None, name=None):
    """A VCALENDAR of ``entries`` (VEVENTs) with the VTIMEZONEs they use."""
    cal = new_calendar(method=method, name=name)
    starts, ends = [], []
    for entry in entries:
        cal.add_component(entry)
        starts.append(entry["DTSTART"].dt.date())
        ends.append(entry["DTEND"].dt.date())
    if starts:
        # VTIMEZONEs covering the events (a year either side, so both observances are described),
        # rather than icalendar's default 1970–2038: smaller feeds, and events after 2038 covered.
        cal.add_missing_timezones(
            first_date=min(starts) - datetime.timedelta(days=366),
            last_date=max(ends) + datetime.timedelta(days=366),
        )
    return cal.to_ical()


def event_ics(event, *, url, with_online_link=False, method="PUBLISH"):
    """The .ics of one event (downloaded, or attached to a registration email)."""
    return calendar_bytes([vevent(event, url=url, with_online_link=with_online_link)], method=method)


def ics_filename(event):
    from django.utils.text import slugify

    return f"{slugify(event.title)[:60] or 'event'}.ics"


def registrations_feed(registrations, *, name=None):
    """A person's feed: one VEVENT per registration (``select_related("event")``), the online link
    for confirmed ones, waitlisted ones marked TENTATIVE. No query per event: the link back is the
    generic event URL, which redirects to the owning app's page."""
    from django.urls import reverse

    from .models import Registration

    now = timezone.now()
    entries = []
    for registration in registrations:
        event = registration.event
        confirmed = registration.status == Registration.Status.CONFIRMED
        entries.append(
            vevent(
                event,
                url=reverse("events:detail", args=[event.uid]),
                with_online_link=confirmed,
                now=now,
                status=None if confirmed else "TENTATIVE",
            )
        )
    return calendar_bytes(entries, name=name)


def events_feed(events, *, name=None, url_of=None, with_online_link=False):
    """A feed of ``events`` (e.g. a council's meetings); ``url_of(event)`` gives each page (by default
    the generic event URL, which sends people on to the owning app's page: no query per event).
    ``with_online_link`` is a bool or ``event -> bool`` (e.g. the person's confirmed events)."""
    from django.urls import reverse

    now = timezone.now()
    url_of = url_of or (lambda event: reverse("events:detail", args=[event.uid]))
    link_for = with_online_link if callable(with_online_link) else (lambda event: with_online_link)
    entries = [
        vevent(event, url=url_of(event), with_online_link=link_for(event), now=now) for event in events
    ]
    return calendar_bytes(entries, name=name)
