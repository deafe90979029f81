"""The meeting pages: who may see and do what (every view), what members and coordinators see, htmx
answers, bad input (never a 500) and constant query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import AgendaItem, Decision, Meeting
from councils.services.meetings import MEETING_KIND, agenda_document_add
from events.models import Event
from organisations.models import Interaction

from ..factories.councils import (
    ActionItemFactory,
    AgendaItemFactory,
    MeetingFactory,
    attend,
    council,
    past_meeting,
)
from ..factories.events import RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ["visitor", "outsider", "other_council_member", "council_member", "coordinator", "staff"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, request, who):
    if who != "visitor":
        client.force_login(request.getfixturevalue(who))


@pytest.fixture
def upcoming(coordinator):
    meeting = MeetingFactory(event__title="Upcoming council", event__organiser=coordinator)
    item = AgendaItemFactory(meeting=meeting, title="Welcome", position=0)
    AgendaItemFactory(meeting=meeting, title="Roadmap", position=1)
    agenda_document_add(
        item=item, actor=coordinator, file=SimpleUploadedFile("slides.pdf", PDF), name="Slides"
    )
    return meeting


def url(name, meeting, *extra):
    return reverse(f"councils:{name}", args=[meeting.council.slug, meeting.pk, *extra])


def event_post(**changes):
    start = (timezone.now() + datetime.timedelta(days=12)).replace(hour=10, minute=0, second=0, microsecond=0)
    data = {
        "title": "Posted meeting",
        "description": "About things.",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "Europe/Madrid",
        "format": "in_person",
        "venue": "TechPark",
        "address": "Calle 1",
        "online_url": "",
        "capacity": "25",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "reminder_hours": "24",
    }
    return data | changes


# --- the permission matrix ----------------------------------------------------------------------

# For members who may see the meeting but not run it: 403; for people who may not know it: 404.
VIEW = {
    "outsider": 404,
    "other_council_member": 404,
    "council_member": "ok",
    "coordinator": "ok",
    "staff": "ok",
}
MANAGE = VIEW | {"council_member": 403}


def _requests(meeting):
    item = meeting.agenda_items.order_by("position").first()
    document = item.documents.get()
    second = meeting.agenda_items.order_by("position").last()
    return {
        "meetings": ("get", reverse("councils:meetings", args=[meeting.council.slug]), None, VIEW),
        "archive": (
            "get",
            reverse("councils:meetings", args=[meeting.council.slug]) + "?archive=1",
            None,
            VIEW,
        ),
        "meeting": ("get", url("meeting", meeting), None, VIEW),
        "create": ("get", reverse("councils:meeting_create", args=[meeting.council.slug]), None, MANAGE),
        "create_post": (
            "post",
            reverse("councils:meeting_create", args=[meeting.council.slug]),
            event_post(),
            MANAGE,
        ),
        "copy": (
            "get",
            reverse("councils:meeting_create", args=[meeting.council.slug]) + f"?copy={meeting.pk}",
            None,
            MANAGE,
        ),
        "edit": ("get", url("meeting_edit", meeting), None, MANAGE),
        "edit_post": ("post", url("meeting_edit", meeting), event_post(title="Edited"), MANAGE),
        "agenda_add": (
            "post",
            url("agenda_add", meeting),
            {"agenda-title": "New item", "agenda-duration_minutes": "10"},
            MANAGE,
        ),
        "agenda_edit": ("get", url("agenda_edit", meeting, item.pk), None, MANAGE),
        "agenda_edit_post": (
            "post",
            url("agenda_edit", meeting, item.pk),
            {"title": "Hello", "duration_minutes": "5"},
            MANAGE,
        ),
        "agenda_delete": ("post", url("agenda_delete", meeting, second.pk), {}, MANAGE),
        "agenda_reorder": ("post", url("agenda_reorder", meeting), {"item": [second.pk, item.pk]}, MANAGE),
        "document_add": (
            "post",
            url("document_add", meeting, item.pk),
            {"file": SimpleUploadedFile("minutes.txt", b"hello"), "name": ""},
            MANAGE,
        ),
        "document_download": ("get", url("document_download", meeting, document.pk), None, VIEW),
        "document_delete": ("post", url("document_delete", meeting, document.pk), {}, MANAGE),
        "minutes_edit": ("get", url("minutes_edit", meeting), None, MANAGE),
        "minutes_save": ("post", url("minutes_edit", meeting), {"minutes": "Draft", "decisions": ""}, MANAGE),
        "action_add": (
            "post",
            url("action_add", meeting),
            {"title": "Do it", "owner": "", "due_date": ""},
            MANAGE,
        ),
        "registrations_csv": ("get", url("meeting_registrations", meeting, "csv"), None, MANAGE),
        "registrations_xlsx": ("get", url("meeting_registrations", meeting, "xlsx"), None, MANAGE),
        "record_pdf": ("get", url("meeting_record", meeting), None, MANAGE),  # before publication
    }


VIEWS = [
    "meetings",
    "archive",
    "meeting",
    "create",
    "create_post",
    "copy",
    "edit",
    "edit_post",
    "agenda_add",
    "agenda_edit",
    "agenda_edit_post",
    "agenda_delete",
    "agenda_reorder",
    "document_add",
    "document_download",
    "document_delete",
    "minutes_edit",
    "minutes_save",
    "action_add",
    "registrations_csv",
    "registrations_xlsx",
    "record_pdf",
]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", ROLES)
def test_permission_matrix(client, request, upcoming, view, who, council_member, other_council_member):
    method, address, data, expected = _requests(upcoming)[view]
    login(client, request, who)
    if view == "action_add":
        data = data | {"owner": council_member.pk}
    response = getattr(client, method)(address, data) if method == "post" else client.get(address)
    if who == "visitor":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        return
    outcome = expected[who]
    if outcome == "ok":
        assert response.status_code in (200, 302), (view, who, response.status_code)
    else:
        assert response.status_code == outcome, (view, who, response.status_code)


@pytest.mark.parametrize("who", ROLES)
def test_permission_matrix_publish(client, request, who):
    meeting = past_meeting()
    login(client, request, who)
    response = client.post(url("minutes_publish", meeting), {"minutes": "We met", "decisions": ""})
    meeting.refresh_from_db()
    expected = {"visitor": 302, "outsider": 404, "other_council_member": 404, "council_member": 403}
    if who in expected:
        assert response.status_code == expected[who]
        assert meeting.minutes_published_at is None
    else:
        assert response.status_code == 302 and meeting.minutes_published_at is not None


@pytest.mark.parametrize(
    ("who", "before", "after"),
    [
        ("outsider", 404, 404),
        ("other_council_member", 404, 404),
        ("council_member", 403, 200),
        ("coordinator", 200, 200),
        ("staff", 200, 200),
    ],
)
def test_record_pdf_for_members_once_published(client, request, coordinator, who, before, after):
    meeting = past_meeting()
    login(client, request, who)
    assert client.get(url("meeting_record", meeting)).status_code == before
    meeting.minutes = "Published"
    meeting.minutes_published_at = timezone.now()
    meeting.save()
    response = client.get(url("meeting_record", meeting))
    assert response.status_code == after
    if after == 200:
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_meeting_of_another_council_by_the_wrong_slug_is_404(client, coordinator, bologna):
    meeting = MeetingFactory(council=bologna)
    client.force_login(coordinator)
    assert client.get(reverse("councils:meeting", args=["malaga", meeting.pk])).status_code == 404
    assert client.get(reverse("councils:meeting", args=["nowhere", meeting.pk])).status_code == 404


def test_coordinator_of_another_council_is_an_outsider_there(client, coordinator, bologna):
    meeting = MeetingFactory(council=bologna)
    client.force_login(coordinator)
    assert client.get(url("meeting", meeting)).status_code == 404
    assert client.get(reverse("councils:meetings", args=["bologna"])).status_code == 404


# --- the list and the archive -------------------------------------------------------------------


def test_list_shows_upcoming_and_archive_past(client, council_member, coordinator):
    MeetingFactory(event__title="Next month")
    past = past_meeting(days_ago=10, title="Last month")
    past.minutes_published_at = timezone.now()
    past.save()
    cancelled = MeetingFactory(event__title="Called off")
    Event.objects.filter(pk=cancelled.event_id).update(cancelled_at=timezone.now())
    client.force_login(council_member)
    page = client.get(reverse("councils:meetings", args=["malaga"])).content.decode()
    assert "Next month" in page and "Last month" not in page and "Called off" not in page
    assert "New meeting" not in page  # members do not create meetings
    archive = client.get(reverse("councils:meetings", args=["malaga"]) + "?archive=1").content.decode()
    assert "Last month" in archive and "Next month" not in archive and "Minutes published" in archive
    client.force_login(coordinator)
    assert "New meeting" in client.get(reverse("councils:meetings", args=["malaga"])).content.decode()


def test_list_shows_my_registration(client, council_member):
    meeting = MeetingFactory()
    RegistrationFactory(event=meeting.event, user=council_member)
    client.force_login(council_member)
    assert "You are registered" in client.get(reverse("councils:meetings", args=["malaga"])).content.decode()


def test_list_htmx_answers_with_the_results_only(client, council_member):
    for day in range(25):
        MeetingFactory(event__start=in_days(day + 1))
    client.force_login(council_member)
    response = client.get(
        reverse("councils:meetings", args=["malaga"]) + "?page=2", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "list-group-item" in body
    assert body.count('class="list-group-item"') == 5


def test_list_bad_page_is_not_a_500(client, council_member):
    client.force_login(council_member)
    assert client.get(reverse("councils:meetings", args=["malaga"]) + "?page=abc").status_code == 200
    assert client.get(reverse("councils:meetings", args=["malaga"]) + "?page=99999").status_code == 200


def _bulk_meetings(count, organiser, *, past):
    malaga = council("malaga")
    now = timezone.now()
    sign = -1 if past else 1
    events = Event.objects.bulk_create(
        Event(
            kind=MEETING_KIND,
            title=f"Bulk meeting {n}",
            organiser=organiser,
            start=now + sign * datetime.timedelta(days=n + 2),
            end=now + sign * datetime.timedelta(days=n + 2) + datetime.timedelta(hours=2),
            time_zone="Europe/Madrid",
            venue="Room",
            capacity=10,
        )
        for n in range(count)
    )
    Meeting.objects.bulk_create(
        Meeting(council=malaga, event=event, created_by=organiser) for event in events
    )


def _queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.parametrize("archive", [False, True])
def test_list_query_count_constant_from_20_to_2000_meetings(client, council_member, coordinator, archive):
    address = reverse("councils:meetings", args=["malaga"]) + ("?archive=1" if archive else "")
    client.force_login(council_member)
    _bulk_meetings(20, coordinator, past=archive)
    for meeting in Meeting.objects.all()[:5]:
        RegistrationFactory(event=meeting.event, user=council_member, checked_in_at=timezone.now())
    small = _queries(client, address)
    _bulk_meetings(1980, coordinator, past=archive)
    assert Meeting.objects.count() == 2000
    assert _queries(client, address) == small
    assert _queries(client, address + ("&" if archive else "?") + "page=50") == small


# --- the meeting page ---------------------------------------------------------------------------


def test_meeting_page_for_a_member(client, council_member, upcoming):
    client.force_login(council_member)
    response = client.get(url("meeting", upcoming))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Upcoming council" in body and "Welcome" in body and "Roadmap" in body
    assert "Marta López" in body and "Total: 40 minutes" in body
    assert (
        url("document_download", upcoming, AgendaItem.objects.get(title="Welcome").documents.get().pk) in body
    )
    assert reverse("events:register", args=[upcoming.event.uid]) in body  # the registration box
    assert "Edit meeting" not in body and reverse("events:attendees", args=[upcoming.event.uid]) not in body
    assert "Add an agenda item" not in body


def test_meeting_page_for_the_coordinator(client, coordinator, upcoming):
    client.force_login(coordinator)
    body = client.get(url("meeting", upcoming)).content.decode()
    assert "Edit meeting" in body and "Add an agenda item" in body and "Add an action item" in body
    assert reverse("events:attendees", args=[upcoming.event.uid]) in body
    assert url("meeting_registrations", upcoming, "csv") in body


def test_minutes_hidden_from_members_until_published(client, council_member, coordinator):
    meeting = past_meeting()
    meeting.minutes = "Secret draft text"
    meeting.save()
    Decision.objects.create(meeting=meeting, text="Draft decision")
    client.force_login(council_member)
    body = client.get(url("meeting", meeting)).content.decode()
    assert "Secret draft text" not in body and "Draft decision" not in body
    assert "not published yet" in body
    client.force_login(coordinator)
    body = client.get(url("meeting", meeting)).content.decode()
    assert "Secret draft text" in body and "Draft decision" in body and "Draft: only coordinators" in body
    meeting.minutes_published_at = timezone.now()
    meeting.save()
    client.force_login(council_member)
    body = client.get(url("meeting", meeting)).content.decode()
    assert "Secret draft text" in body and "Draft decision" in body


def test_meeting_page_shows_attendance_and_no_agenda_controls_once_over(client, coordinator, council_member):
    meeting = past_meeting()
    AgendaItemFactory(meeting=meeting)
    attend(meeting, council_member)
    client.force_login(coordinator)
    body = client.get(url("meeting", meeting)).content.decode()
    assert "1 person checked in." in body and "Add an agenda item" not in body


def test_meeting_page_query_count_constant(client, coordinator, council_member):
    meeting = past_meeting()
    client.force_login(coordinator)

    def grow(n):
        for _ in range(n):
            item = AgendaItemFactory(meeting=meeting)
            item.documents.create(file="councils/agenda/x.pdf", name="Doc")
            ActionItemFactory(meeting=meeting, owner=council_member)
            Decision.objects.create(meeting=meeting, text="Decided")
            RegistrationFactory(event=meeting.event, checked_in_at=timezone.now())

    grow(2)
    small = _queries(client, url("meeting", meeting))
    grow(20)
    assert _queries(client, url("meeting", meeting)) == small
    client.force_login(council_member)
    member = _queries(client, url("meeting", meeting))
    grow(5)
    assert _queries(client, url("meeting", meeting)) == member


# --- creating, copying, editing -----------------------------------------------------------------


def test_create_meeting_through_the_form(client, coordinator, malaga):
    client.force_login(coordinator)
    response = client.post(reverse("councils:meeting_create", args=["malaga"]), event_post())
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.council == malaga and meeting.event.title == "Posted meeting"
    assert meeting.event.start.astimezone(datetime.UTC).hour in (8, 9)  # 10:00 in Madrid


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
        ({"title": ""}, "title"),
        ({"start": "not a date"}, "start"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"format": "online", "online_url": ""}, "online_url"),
    ],
)
def test_create_meeting_bad_input(client, coordinator, changes, field):
    client.force_login(coordinator)
    response = client.post(reverse("councils:meeting_create", args=["malaga"]), event_post(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_create_meeting_end_before_start(client, coordinator):
    client.force_login(coordinator)
    data = event_post()
    data["end"] = data["start"]
    response = client.post(reverse("councils:meeting_create", args=["malaga"]), data)
    assert response.status_code == 400 and "end" in response.context["form"].errors
    assert "The end must be after the start." in response.content.decode()


def test_copy_prefills_and_creates_a_copy(client, coordinator):
    source = past_meeting(days_ago=20, title="Template meeting", capacity=17)
    AgendaItemFactory(meeting=source, title="Standing item")
    client.force_login(coordinator)
    create = reverse("councils:meeting_create", args=["malaga"])
    page = client.get(f"{create}?copy={source.pk}")
    form = page.context["form"]
    assert form.initial["title"] == "Template meeting" and form.initial["capacity"] == 17
    assert form.initial["copy"] == source.pk and "start" not in form.initial
    response = client.post(create, event_post(title="Template meeting", copy=source.pk))
    copy = Meeting.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302
    assert copy.copied_from == source
    assert list(copy.agenda_items.values_list("title", flat=True)) == ["Standing item"]


@pytest.mark.parametrize("copy", ["abc", "999999"])
def test_copy_of_unknown_meeting_is_404(client, coordinator, copy):
    client.force_login(coordinator)
    assert (
        client.get(reverse("councils:meeting_create", args=["malaga"]) + f"?copy={copy}").status_code == 404
    )


def test_copy_of_another_councils_meeting_is_404(client, coordinator, bologna):
    other = MeetingFactory(council=bologna)
    client.force_login(coordinator)
    response = client.get(reverse("councils:meeting_create", args=["malaga"]) + f"?copy={other.pk}")
    assert response.status_code == 404


def test_edit_meeting(client, coordinator, upcoming):
    client.force_login(coordinator)
    page = client.get(url("meeting_edit", upcoming))
    assert page.context["form"].initial["title"] == "Upcoming council"
    response = client.post(url("meeting_edit", upcoming), event_post(title="Renamed", capacity="3"))
    assert response.status_code == 302
    upcoming.event.refresh_from_db()
    assert (upcoming.event.title, upcoming.event.capacity) == ("Renamed", 3)


def test_edit_capacity_below_confirmed_is_a_form_error(client, coordinator, upcoming):
    for _ in range(3):
        RegistrationFactory(event=upcoming.event)
    client.force_login(coordinator)
    response = client.post(url("meeting_edit", upcoming), event_post(capacity="2"))
    assert response.status_code == 400 and "capacity" in response.context["form"].errors


# --- the agenda through the pages ---------------------------------------------------------------


HTMX = {"HX-Request": "true"}


def test_agenda_add_htmx_returns_the_agenda(client, coordinator, upcoming):
    client.force_login(coordinator)
    response = client.post(
        url("agenda_add", upcoming),
        {"agenda-title": "Budget", "agenda-presenter": "Ana", "agenda-duration_minutes": "20"},
        headers=HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and '<section id="agenda"' in body and "<html" not in body
    assert "Budget" in body and "Total: 60 minutes" in body


def test_agenda_add_bad_duration(client, coordinator, upcoming):
    client.force_login(coordinator)
    response = client.post(url("agenda_add", upcoming), {"agenda-title": "X", "agenda-duration_minutes": "0"})
    assert response.status_code == 400
    assert upcoming.agenda_items.count() == 2


def test_agenda_add_to_a_past_meeting_is_refused(client, coordinator):
    meeting = past_meeting()
    client.force_login(coordinator)
    data = {"agenda-title": "Late", "agenda-duration_minutes": "10"}
    response = client.post(url("agenda_add", meeting), data, headers=HTMX)
    assert response.status_code == 200 and "This meeting is over" in response.content.decode()
    response = client.post(url("agenda_add", meeting), data)
    assert response.status_code == 400 and "This meeting is over" in response.content.decode()
    assert not meeting.agenda_items.exists()


def test_agenda_move_up(client, coordinator, upcoming):
    roadmap = upcoming.agenda_items.get(title="Roadmap")
    client.force_login(coordinator)
    response = client.post(
        url("agenda_reorder", upcoming), {"move": roadmap.pk, "direction": "up"}, headers=HTMX
    )
    assert response.status_code == 200
    assert list(upcoming.agenda_items.order_by("position").values_list("title", flat=True)) == [
        "Roadmap",
        "Welcome",
    ]


@pytest.mark.parametrize(
    "data", [{"move": "x", "direction": "up"}, {"move": "1", "direction": "sideways"}, {}]
)
def test_agenda_reorder_bad_input(client, coordinator, upcoming, data):
    client.force_login(coordinator)
    assert client.post(url("agenda_reorder", upcoming), data).status_code == 400


def test_agenda_edit_page(client, coordinator, upcoming):
    item = upcoming.agenda_items.get(title="Welcome")
    client.force_login(coordinator)
    response = client.post(
        url("agenda_edit", upcoming, item.pk),
        {"title": "Hello all", "presenter": "Carmen", "duration_minutes": "7"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.presenter, item.duration_minutes) == ("Hello all", "Carmen", 7)
    bad = client.post(url("agenda_edit", upcoming, item.pk), {"title": "", "duration_minutes": "-1"})
    assert bad.status_code == 400


def test_agenda_item_of_another_meeting_is_404(client, coordinator, upcoming):
    other = AgendaItemFactory()
    client.force_login(coordinator)
    assert client.get(url("agenda_edit", upcoming, other.pk)).status_code == 404
    assert client.post(url("agenda_delete", upcoming, other.pk)).status_code == 404


# --- documents through the pages ----------------------------------------------------------------


def test_document_upload_and_download(client, coordinator, council_member, upcoming):
    item = upcoming.agenda_items.get(title="Roadmap")
    client.force_login(coordinator)
    response = client.post(
        url("document_add", upcoming, item.pk),
        {"file": SimpleUploadedFile("plan.pdf", PDF), "name": "The plan"},
    )
    assert response.status_code == 302
    document = item.documents.get()
    client.force_login(council_member)
    download = client.get(url("document_download", upcoming, document.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"].startswith("attachment")
        and "The plan.pdf" in download["Content-Disposition"]
    )
    assert "no-store" in download["Cache-Control"]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [("evil.exe", b"MZ", "cannot be attached"), ("fake.pdf", b"<script>", "does not match")],
)
def test_document_upload_bad_type(client, coordinator, upcoming, filename, content, message):
    item = upcoming.agenda_items.get(title="Roadmap")
    client.force_login(coordinator)
    response = client.post(
        url("document_add", upcoming, item.pk), {"file": SimpleUploadedFile(filename, content)}
    )
    assert response.status_code == 400 and message in response.content.decode()
    htmx = client.post(
        url("document_add", upcoming, item.pk), {"file": SimpleUploadedFile(filename, content)}, headers=HTMX
    )
    assert htmx.status_code == 200 and message in htmx.content.decode()
    assert not item.documents.exists()


def test_document_upload_too_large(client, coordinator, upcoming, settings):
    item = upcoming.agenda_items.get(title="Roadmap")
    client.force_login(coordinator)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    response = client.post(url("document_add", upcoming, item.pk), {"file": big})
    assert response.status_code == 400 and "the limit is 10 MB" in response.content.decode()


def test_document_upload_without_a_file(client, coordinator, upcoming):
    item = upcoming.agenda_items.get(title="Roadmap")
    client.force_login(coordinator)
    assert client.post(url("document_add", upcoming, item.pk), {}).status_code == 400


def test_missing_document_file_is_404(client, council_member, upcoming):
    document = upcoming.agenda_items.get(title="Welcome").documents.get()
    document.file.storage.delete(document.file.name)
    client.force_login(council_member)
    assert client.get(url("document_download", upcoming, document.pk)).status_code == 404


# --- minutes and actions through the pages ------------------------------------------------------


def test_minutes_save_draft_then_publish(client, coordinator, council_member, uni_member):
    meeting = past_meeting()
    attend(meeting, council_member, uni_member)
    client.force_login(coordinator)
    response = client.post(url("minutes_edit", meeting), {"minutes": "Notes", "decisions": "One\n\nTwo\n"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is None and meeting.decisions.count() == 2
    response = client.post(url("minutes_publish", meeting), {"minutes": "Final notes", "decisions": "One"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Final notes" and meeting.minutes_published_at
    assert Interaction.objects.filter(source_ref=str(meeting.pk)).count() == 1
    assert client.get(url("minutes_edit", meeting)).context["form"].initial["decisions"] == "One"


def test_minutes_publish_before_the_meeting_is_a_form_error(client, coordinator, upcoming):
    client.force_login(coordinator)
    response = client.post(
        url("minutes_edit", upcoming), {"minutes": "Early", "decisions": "", "publish": "1"}
    )
    assert response.status_code == 400 and "once the meeting has started" in response.content.decode()
    upcoming.refresh_from_db()
    assert upcoming.minutes_published_at is None


def test_minutes_publish_empty_is_a_form_error(client, coordinator):
    meeting = past_meeting()
    client.force_login(coordinator)
    response = client.post(url("minutes_publish", meeting), {"minutes": "", "decisions": ""})
    assert response.status_code == 400 and "minutes" in response.context["form"].errors


def test_action_add_through_the_page(client, coordinator, council_member):
    meeting = past_meeting()
    client.force_login(coordinator)
    response = client.post(
        url("action_add", meeting),
        {"title": "Write report", "owner": council_member.pk, "due_date": "2031-01-31"},
    )
    assert response.status_code == 302
    action = meeting.action_items.get()
    assert action.owner == council_member and action.due_date == datetime.date(2031, 1, 31)


@pytest.mark.parametrize("owner", ["outsider", "other_council_member"])
def test_action_add_for_a_non_member_is_a_form_error(client, coordinator, owner, request):
    meeting = past_meeting()
    client.force_login(coordinator)
    person = request.getfixturevalue(owner)
    response = client.post(url("action_add", meeting), {"title": "X", "owner": person.pk, "due_date": ""})
    assert response.status_code == 400 and "owner" in response.context["action_form"].errors
    assert not meeting.action_items.exists()


def test_action_add_bad_date(client, coordinator, council_member):
    meeting = past_meeting()
    client.force_login(coordinator)
    response = client.post(
        url("action_add", meeting), {"title": "X", "owner": council_member.pk, "due_date": "31/31/2031"}
    )
    assert response.status_code == 400
