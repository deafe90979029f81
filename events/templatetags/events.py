"""``{% load events %}``: ``{% event_when event %}`` — an event's time in its own and the viewer's zone."""

import zoneinfo

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return timezone.get_current_timezone()


def _span(start, end):
    """ "Tue 3 March 2026, 10:00–12:00" (or with the end's date when it ends another day)."""
    day = date_format(start, "D j F Y")
    if start.date() == end.date():
        return f"{day}, {date_format(start, 'H:i')}–{date_format(end, 'H:i')}"
    return f"{day}, {date_format(start, 'H:i')} – {date_format(end, 'D j F Y')}, {date_format(end, 'H:i')}"


@register.simple_tag
def event_when(event, viewer_zone=None):
    """The start–end of ``event`` in its own time zone and, when different, in the viewer's.

    e.g. "Tue 3 March 2026, 10:00–12:00 (Europe/Madrid) · 09:00–11:00 your time (Europe/Dublin)".
    """
    event_tz = _zone(event.time_zone)
    viewer_tz = _zone(viewer_zone) if viewer_zone else timezone.get_current_timezone()
    start, end = event.start.astimezone(event_tz), event.end.astimezone(event_tz)
    own = format_html(
        '<time datetime="{}">{}</time> ({})',
        start.isoformat(),
        _span(start, end),
        event.time_zone,
    )
    viewer_name = getattr(viewer_tz, "key", str(viewer_tz))
    if viewer_name == event.time_zone:
        return own
    vstart, vend = event.start.astimezone(viewer_tz), event.end.astimezone(viewer_tz)
    if vstart.date() == start.date() and vend.date() == end.date():
        local = f"{date_format(vstart, 'H:i')}–{date_format(vend, 'H:i')}"
    else:
        local = _span(vstart, vend)
    return format_html(
        '{} · <time datetime="{}">{}</time> {} ({})',
        own,
        vstart.isoformat(),
        local,
        _("your time"),
        viewer_name,
    )


@register.filter
def in_event_zone(value, event):
    """A datetime in ``event``'s time zone (for forms and lists)."""
    if value is None:
        return value
    return value.astimezone(_zone(event.time_zone))
