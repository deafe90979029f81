"""Meeting services: creating, editing and copying meetings; the agenda and its documents; bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from councils.models import AgendaDocument, AgendaItem, Meeting
from councils.services.meetings import (
    agenda_document_add,
    agenda_document_delete,
    agenda_item_add,
    agenda_item_delete,
    agenda_item_update,
    agenda_reorder,
    meeting_copy,
    meeting_create,
    meeting_update,
)
from events.models import Event

from ..factories.councils import AgendaItemFactory, MeetingFactory, past_meeting
from ..factories.events import in_days

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fields(**changes):
    start = in_days(10)
    values = {
        "title": "Spring council meeting",
        "description": "Quarterly meeting.",
        "start": start,
        "end": start + datetime.timedelta(hours=2),
        "format": Event.Format.HYBRID,
        "venue": "Málaga TechPark",
        "address": "Calle Severo Ochoa 16",
        "online_url": "https://meet.example.org/malaga",
        "capacity": 30,
    }
    return values | changes


AGENDA = [
    {"title": "Welcome", "presenter": "Carmen", "duration_minutes": 10},
    {"title": "Digital twins", "presenter": "Ulises", "duration_minutes": 30, "description": "A demo."},
]


# --- create / update ----------------------------------------------------------------------------


def test_meeting_create_by_coordinator_with_agenda(malaga, coordinator):
    meeting = meeting_create(council=malaga, actor=coordinator, agenda=AGENDA, **fields())
    assert meeting.council == malaga and meeting.created_by == coordinator
    assert meeting.event.kind == "meeting"
    assert meeting.event.time_zone == malaga.time_zone
    items = list(meeting.agenda_items.order_by("position"))
    assert [(i.title, i.presenter, i.duration_minutes) for i in items] == [
        ("Welcome", "Carmen", 10),
        ("Digital twins", "Ulises", 30),
    ]
    assert items[1].description == "A demo."


def test_meeting_create_by_staff(malaga, staff):
    assert meeting_create(council=malaga, actor=staff, **fields()).pk


@pytest.mark.parametrize("who", ["council_member", "outsider", "other_council_member"])
def test_meeting_create_refused_for_non_coordinators(malaga, who, request):
    with pytest.raises(PermissionDenied):
        meeting_create(council=malaga, actor=request.getfixturevalue(who), **fields())
    assert not Meeting.objects.exists()


def test_coordinator_of_another_council_cannot_create(bologna, coordinator):
    with pytest.raises(PermissionDenied):
        meeting_create(council=bologna, actor=coordinator, **fields())


def test_meeting_create_end_before_start_is_refused(malaga, coordinator):
    start = in_days(3)
    with pytest.raises(ValidationError) as error:
        meeting_create(council=malaga, actor=coordinator, **fields(start=start, end=start))
    assert "end" in error.value.message_dict
    assert not Event.objects.exists()


@pytest.mark.parametrize("capacity", [0, -5])
def test_meeting_create_capacity_below_one_is_refused(malaga, coordinator, capacity):
    with pytest.raises(ValidationError) as error:
        meeting_create(council=malaga, actor=coordinator, **fields(capacity=capacity))
    assert "capacity" in error.value.message_dict


def test_meeting_create_with_a_bad_agenda_item_creates_nothing(malaga, coordinator):
    with pytest.raises(ValidationError):
        meeting_create(
            council=malaga, actor=coordinator, agenda=[{"title": "", "duration_minutes": 0}], **fields()
        )
    assert not Meeting.objects.exists() and not Event.objects.exists()


def test_meeting_update(coordinator):
    meeting = MeetingFactory(event__organiser=coordinator)
    meeting_update(meeting=meeting, actor=coordinator, title="Renamed", capacity=5)
    meeting.event.refresh_from_db()
    assert meeting.event.title == "Renamed" and meeting.event.capacity == 5


def test_meeting_update_refused_for_members(council_member):
    meeting = MeetingFactory()
    with pytest.raises(PermissionDenied):
        meeting_update(meeting=meeting, actor=council_member, title="Mine now")


def test_meeting_update_end_before_start(coordinator):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError):
        meeting_update(
            meeting=meeting, actor=coordinator, end=meeting.event.start - datetime.timedelta(hours=1)
        )


# --- copy ---------------------------------------------------------------------------------------


def test_meeting_copy_takes_details_and_agenda_not_documents(coordinator):
    source = past_meeting(
        days_ago=30,
        title="Autumn meeting",
        format=Event.Format.HYBRID,
        online_url="https://meet.example.org/x",
        capacity=12,
    )
    first = AgendaItemFactory(meeting=source, position=0, title="Welcome", duration_minutes=5)
    AgendaItemFactory(meeting=source, position=1, title="Projects", presenter="Ana", duration_minutes=40)
    AgendaDocument.objects.create(item=first, file="councils/agenda/x.pdf", name="Slides")
    start = in_days(20)
    copy = meeting_copy(
        source=source, actor=coordinator, start=start, end=start + datetime.timedelta(hours=3)
    )
    assert copy.pk != source.pk and copy.copied_from == source and copy.council == source.council
    event, old = copy.event, source.event
    for name in ("title", "description", "format", "venue", "address", "online_url", "capacity", "time_zone"):
        assert getattr(event, name) == getattr(old, name), name
    assert event.start == start and event.uid != old.uid
    assert [(i.title, i.presenter, i.duration_minutes) for i in copy.agenda_items.order_by("position")] == [
        ("Welcome", "Marta López", 5),
        ("Projects", "Ana", 40),
    ]
    assert not AgendaDocument.objects.filter(item__meeting=copy).exists()
    assert source.agenda_items.count() == 2  # the source is untouched


def test_meeting_copy_refused_for_members(council_member):
    source = past_meeting()
    start = in_days(5)
    with pytest.raises(PermissionDenied):
        meeting_copy(
            source=source, actor=council_member, start=start, end=start + datetime.timedelta(hours=1)
        )


def test_meeting_copy_bad_times(coordinator):
    source = past_meeting()
    start = in_days(5)
    with pytest.raises(ValidationError):
        meeting_copy(source=source, actor=coordinator, start=start, end=start - datetime.timedelta(hours=1))
    assert Meeting.objects.count() == 1


# --- agenda -------------------------------------------------------------------------------------


def test_agenda_item_add_appends(coordinator):
    meeting = MeetingFactory()
    a = agenda_item_add(meeting=meeting, actor=coordinator, title="One")
    b = agenda_item_add(meeting=meeting, actor=coordinator, title="Two", presenter="Bea", duration_minutes=25)
    assert (a.position, b.position) == (0, 1)
    assert b.presenter == "Bea" and b.duration_minutes == 25 and a.duration_minutes == 15


@pytest.mark.parametrize("who", ["council_member", "outsider", "other_council_member"])
def test_agenda_item_add_refused(who, request):
    meeting = MeetingFactory()
    with pytest.raises(PermissionDenied):
        agenda_item_add(meeting=meeting, actor=request.getfixturevalue(who), title="Sneaky")


@pytest.mark.parametrize("bad", [{"title": ""}, {"title": "x" * 201}, {"title": "ok", "duration_minutes": 0}])
def test_agenda_item_add_bad_input(coordinator, bad):
    meeting = MeetingFactory()
    with pytest.raises(ValidationError):
        agenda_item_add(meeting=meeting, actor=coordinator, **bad)
    assert not meeting.agenda_items.exists()


def test_agenda_changes_in_a_past_meeting_are_refused(coordinator):
    meeting = past_meeting()
    item = AgendaItemFactory(meeting=meeting)
    with pytest.raises(ValidationError, match="over"):
        agenda_item_add(meeting=meeting, actor=coordinator, title="Late addition")
    with pytest.raises(ValidationError):
        agenda_item_update(item=item, actor=coordinator, title="Rewritten history")
    with pytest.raises(ValidationError):
        agenda_item_delete(item=item, actor=coordinator)
    with pytest.raises(ValidationError):
        agenda_reorder(meeting=meeting, actor=coordinator, item_ids=[item.pk])
    with pytest.raises(ValidationError):
        agenda_document_add(item=item, actor=coordinator, file=SimpleUploadedFile("a.pdf", PDF))
    item.refresh_from_db()
    assert item.title != "Rewritten history" and meeting.agenda_items.count() == 1


def test_agenda_item_update_and_delete(coordinator):
    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting)
    agenda_item_update(item=item, actor=coordinator, title="New title", duration_minutes=45)
    item.refresh_from_db()
    assert (item.title, item.duration_minutes) == ("New title", 45)
    agenda_item_delete(item=item, actor=coordinator)
    assert not AgendaItem.objects.exists()


def test_agenda_reorder(coordinator):
    meeting = MeetingFactory()
    a, b, c = (AgendaItemFactory(meeting=meeting, position=n) for n in range(3))
    agenda_reorder(meeting=meeting, actor=coordinator, item_ids=[c.pk, a.pk, b.pk])
    assert list(meeting.agenda_items.order_by("position").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


@pytest.mark.parametrize("shape", ["missing", "duplicate", "foreign", "garbage"])
def test_agenda_reorder_must_list_every_item_once(coordinator, shape):
    meeting = MeetingFactory()
    a, b = AgendaItemFactory(meeting=meeting, position=0), AgendaItemFactory(meeting=meeting, position=1)
    other = AgendaItemFactory()
    ids = {"missing": [a.pk], "duplicate": [a.pk, a.pk, b.pk], "foreign": [a.pk, other.pk], "garbage": ["x"]}
    with pytest.raises(ValidationError):
        agenda_reorder(meeting=meeting, actor=coordinator, item_ids=ids[shape])


# --- documents ----------------------------------------------------------------------------------


def test_agenda_document_add(coordinator):
    item = AgendaItemFactory()
    document = agenda_document_add(
        item=item, actor=coordinator, file=SimpleUploadedFile("Budget 2026.pdf", PDF), name=""
    )
    assert document.name == "Budget 2026.pdf" and document.uploaded_by == coordinator
    assert document.file.name.startswith(f"councils/agenda/{item.meeting_id}/")
    assert document.file.name.endswith(".pdf") and "Budget" in document.file.name
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    png = agenda_document_add(
        item=item, actor=coordinator, file=SimpleUploadedFile("chart.PNG", PNG), name="Chart"
    )
    assert png.name == "Chart"
    text = agenda_document_add(
        item=item, actor=coordinator, file=SimpleUploadedFile("notes.csv", b"a,b\n1,2\n")
    )
    assert text.pk


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "cannot be attached"),
        ("page.html", b"<html></html>", "cannot be attached"),
        ("noextension", b"hello", "cannot be attached"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "does not match"),
        ("fake.docx", b"%PDF-1.4 not a zip", "does not match"),
        ("binary.txt", b"abc\x00def", "text file"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_agenda_document_bad_type(coordinator, filename, content, message):
    item = AgendaItemFactory()
    with pytest.raises(ValidationError, match=message):
        agenda_document_add(item=item, actor=coordinator, file=SimpleUploadedFile(filename, content))
    assert not AgendaDocument.objects.exists()


def test_agenda_document_too_large(coordinator):
    item = AgendaItemFactory()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 MB"):
        agenda_document_add(item=item, actor=coordinator, file=big)
    exactly = SimpleUploadedFile("ok.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5))
    assert agenda_document_add(item=item, actor=coordinator, file=exactly).pk


def test_agenda_document_refused_for_members(council_member):
    item = AgendaItemFactory()
    with pytest.raises(PermissionDenied):
        agenda_document_add(item=item, actor=council_member, file=SimpleUploadedFile("a.pdf", PDF))


def test_agenda_document_delete_removes_the_file(coordinator, django_capture_on_commit_callbacks):
    item = AgendaItemFactory()
    document = agenda_document_add(item=item, actor=coordinator, file=SimpleUploadedFile("a.pdf", PDF))
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        agenda_document_delete(document=document, actor=coordinator)
    assert not AgendaDocument.objects.exists() and not storage.exists(name)
