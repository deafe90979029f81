"""Meeting exports opened and read back: registrations CSV and XLSX, the meeting record PDF."""

import csv
import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from councils import exports
from councils.models import Decision
from events.models import Registration

from ..factories.councils import ActionItemFactory, AgendaItemFactory, MeetingFactory, attend, past_meeting
from ..factories.events import RegistrationFactory
from ..factories.organisations import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(council_member, uni_member, other_council_member):
    meeting = MeetingFactory(event__title="Export meeting")
    RegistrationFactory(event=meeting.event, user=council_member)
    RegistrationFactory(
        event=meeting.event, user=uni_member, status=Registration.Status.WAITLISTED, confirmed_at=None
    )
    # a name that a spreadsheet would run as a formula
    evil = MembershipFactory(user__full_name='=HYPERLINK("http://evil")', organisation__name="+Evil Org").user
    RegistrationFactory(event=meeting.event, user=evil, status=Registration.Status.CANCELLED)
    return meeting


def _get(client, who, meeting, fmt):
    client.force_login(who)
    return client.get(reverse("councils:meeting_registrations", args=["malaga", meeting.pk, fmt]))


def test_registrations_csv(client, coordinator, meeting):
    response = _get(client, coordinator, meeting, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Email", "Organisations", "Status", "Registered at", "Checked in"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["bob@example.org"][0] == "Bob Member"
    assert by_email["bob@example.org"][2] == "Acme Mecanizados"
    assert by_email["bob@example.org"][3] == "Confirmed"
    assert by_email["ulises@example.org"][3] == "On the waiting list"
    assert by_email["ulises@example.org"][2] == "Universidad de Málaga"
    evil = next(row for row in rows[1:] if "HYPERLINK" in row[0])
    assert evil[0].startswith("'=") and evil[2].startswith("'+") and evil[3] == "Cancelled"
    assert len(rows) == 4


def test_registrations_xlsx(client, coordinator, meeting, council_member):
    meeting.event.registrations.filter(user=council_member).update(checked_in_at=timezone.now())
    response = _get(client, coordinator, meeting, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Name", "Email", "Organisations", "Status", "Registered at", "Checked in"]
    bob = next(row for row in rows if row[1] == "bob@example.org")
    assert bob[5] is not None and bob[4] is not None  # dates, as spreadsheet dates
    evil = next(row for row in rows if row[0] and "HYPERLINK" in row[0])
    cell = next(c for c in sheet["A"] if c.value == evil[0])
    assert cell.data_type == "s"  # text, not a formula


def test_registrations_unknown_format_is_404(client, coordinator, meeting):
    assert _get(client, coordinator, meeting, "pdf").status_code == 404
    assert _get(client, coordinator, meeting, "exe").status_code == 404


@pytest.mark.parametrize("who", ["council_member", "outsider", "other_council_member"])
def test_registrations_not_for_others(client, meeting, who, request):
    expected = 403 if who == "council_member" else 404
    assert _get(client, request.getfixturevalue(who), meeting, "csv").status_code == expected


def test_registrations_for_staff(client, staff, meeting):
    assert _get(client, staff, meeting, "xlsx").status_code == 200


@pytest.fixture
def recorded(coordinator, council_member, uni_member):
    meeting = past_meeting(title="Record meeting")
    AgendaItemFactory(meeting=meeting, title="Opening", presenter="Carmen", duration_minutes=10, position=0)
    AgendaItemFactory(
        meeting=meeting, title="Pilot results", presenter="Ulises", duration_minutes=35, position=1
    )
    attend(meeting, council_member, uni_member)
    meeting.minutes = "The pilot went well.\nNext steps agreed."
    meeting.minutes_published_at = timezone.now()
    meeting.save()
    Decision.objects.create(meeting=meeting, position=0, text="Extend the pilot to Cork")
    ActionItemFactory(meeting=meeting, title="Draft the Cork plan", owner=council_member)
    return meeting


def test_record_html_has_every_part(recorded):
    html = render_to_string("councils/meetings/record_pdf.html", exports.record_context(recorded))
    for text in (
        "Record meeting",
        "Opening",
        "Pilot results",
        "Carmen",
        "45",  # total minutes
        "Bob Member",
        "Ulises Uni",
        "Acme Mecanizados",
        "Universidad de Málaga",
        "The pilot went well.",
        "Extend the pilot to Cork",
        "Draft the Cork plan",
        "Attendance (2 people)",
    ):
        assert text in html, text


def test_record_pdf_download(client, council_member, recorded):
    client.force_login(council_member)
    response = client.get(reverse("councils:meeting_record", args=["malaga", recorded.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"%%EOF" in response.content[-1024:]
    assert "record.pdf" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for part in (
        "Pilot results",
        "Bob Member",
        "The pilot went well.",
        "Extend the pilot to Cork",
        "Draft the Cork plan",
    ):
        assert part in text, part  # agenda, attendance, minutes, decisions, actions


def test_record_query_count_constant(recorded, council_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        render_to_string("councils/meetings/record_pdf.html", exports.record_context(recorded))
    for n in range(10):
        AgendaItemFactory(meeting=recorded).documents.create(file="x.pdf", name=f"Doc {n}")
        ActionItemFactory(meeting=recorded, owner=council_member)
    attend(recorded, *[MembershipFactory().user for _ in range(5)])
    with CaptureQueriesContext(connection) as large:
        render_to_string("councils/meetings/record_pdf.html", exports.record_context(recorded))
    assert len(large) == len(small)
