"""Meeting exports: the registrations (CSV / XLSX) and the meeting record (PDF).

Built with the shared writers of ``reports.exports`` (text that looks like a formula stays text).
"""

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.exports import csv_bytes, pdf_from_template, xlsx_simple

from .selectors.meetings import (
    agenda_total_minutes,
    meeting_actions,
    meeting_agenda,
    meeting_attendance,
    meeting_registrations,
)


def _local(value, zone):
    """A naive local datetime (spreadsheets have no time zones) in the meeting's zone."""
    return timezone.localtime(value, zone).replace(tzinfo=None, microsecond=0) if value else None


def registration_header():
    return [
        _("Name"),
        _("Email"),
        _("Organisations"),
        _("Status"),
        _("Registered at"),
        _("Checked in"),
    ]


def registration_rows(meeting):
    """One row per registration: name, email, organisations, status, when registered and checked in
    (times in the meeting's own time zone)."""
    zone = ZoneInfo(meeting.event.time_zone)
    for registration in meeting_registrations(meeting):
        user = registration.user
        yield [
            user.display_name,
            user.email,
            "; ".join(membership.organisation.name for membership in user.memberships.all()),
            registration.get_status_display(),
            _local(registration.created_at, zone),
            _local(registration.checked_in_at, zone),
        ]


def registrations_csv(meeting):
    return csv_bytes([registration_header(), *registration_rows(meeting)])


def registrations_xlsx(meeting):
    return xlsx_simple(registration_header(), list(registration_rows(meeting)), title=_("Registrations"))


def record_context(meeting):
    agenda = meeting_agenda(meeting)
    event = meeting.event
    zone = ZoneInfo(event.time_zone)
    return {
        "meeting": meeting,
        "event": event,
        "council": meeting.council,
        "start": timezone.localtime(event.start, zone),
        "end": timezone.localtime(event.end, zone),
        "agenda": agenda,
        "agenda_minutes": agenda_total_minutes(agenda),
        "attendance": meeting_attendance(meeting),
        "decisions": list(meeting.decisions.order_by("position", "id")),
        "actions": meeting_actions(meeting),
        "generated_at": timezone.localtime(timezone.now(), zone),
    }


def record_pdf(meeting, *, language=None):
    """The meeting record: agenda, attendance (from check-in), minutes, decisions and action items."""
    return pdf_from_template("councils/meetings/record_pdf.html", record_context(meeting), language=language)
