"""Council meetings in a real browser: a coordinator creates a meeting with an agenda, a member
registers, the next one is waitlisted and promoted when the first cancels, the coordinator checks
people in and publishes the minutes, and the council's dashboard counts the new SME–HEI interaction.
A second test visits every other council page a coordinator has (lists, success factors, dashboards,
the forms), a third the membership pages. Every page passes axe-core and the Content Security Policy
(the ``site`` fixture)."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from councils.models import (
    Challenge,
    CouncilPerson,
    ImpactRecord,
    Indicator,
    IndicatorValue,
    Meeting,
    SuccessFactor,
)
from events.models import Event, Registration
from organisations.models import Interaction, Membership, Organisation
from organisations.services import interaction_record
from tests.factories.accounts import PASSWORD
from tests.factories.councils import (
    ActionItemFactory,
    AgendaItemFactory,
    CouncilPersonFactory,
    MeetingFactory,
    attend,
    past_meeting,
)
from tests.factories.organisations import MembershipFactory, OrganisationFactory

from .axe import assert_accessible
from .councils_helpers import councils_cast, in_minutes, log_in_fresh, visit, wall_clock
from .helpers import field

TITLE = "Composites for the port: Q4 council meeting"
ONLINE_LINK = "https://meet.example.org/malaga-council-q4"
MEETING_URL = re.compile(r"/councils/malaga/meetings/(\d+)/$")


def at(path):
    """The URL of ``path`` on the live server, with or without a #fragment."""
    return re.compile(re.escape(path) + r"(#[\w-]*)?$")


def test_meeting_agenda_registration_waitlist_check_in_minutes_and_dashboard(site):
    page = site
    cast = councils_cast()
    # Check-in opens an hour before the start: a meeting starting in 50 minutes can take people in
    # now, while registration (which closes at the start) is still open.
    start = in_minutes(50)

    # 1. The coordinator creates a hybrid meeting for one person and gives it an agenda.
    log_in_fresh(page, cast.coordinator, PASSWORD)
    visit(page, "/councils/malaga/", "council page", heading="Málaga Cluster Growth Council")
    page.get_by_role("navigation", name="Council").get_by_role("link", name="Meetings").click()
    expect(page).to_have_url(re.compile(r"/councils/malaga/meetings/$"))
    expect(page.get_by_text("No upcoming meetings.")).to_be_visible()
    assert_accessible(page, "meeting list, empty")
    page.get_by_role("link", name="New meeting").click()
    expect(page).to_have_url(re.compile(r"/councils/malaga/meetings/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("New meeting of"))
    expect(field(page, "Time zone")).to_have_value("Europe/Madrid")  # the council's
    assert_accessible(page, "new meeting form")

    field(page, "Title").fill(TITLE)
    field(page, "Description").fill("Where the port's composites programme stands, and what comes next.")
    field(page, "Start").fill(wall_clock(start, "Europe/Madrid"))
    field(page, "End").fill(wall_clock(start + datetime.timedelta(hours=2), "Europe/Madrid"))
    field(page, "Format").select_option(label="Hybrid")
    field(page, "Venue").fill("Málaga TechPark, Sala 2")
    field(page, "Address").fill("Calle Severo Ochoa 16, 29590 Málaga")
    field(page, "Online link").fill(ONLINE_LINK)
    field(page, "Capacity").fill("1")
    page.get_by_role("button", name="Create meeting").click()

    expect(page).to_have_url(MEETING_URL)
    meeting_url = page.url.removeprefix(page.url.split("/councils/")[0])
    expect(page.get_by_text("The meeting has been created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("region", name="Agenda")).to_contain_text("No agenda yet.")
    assert_accessible(page, "new meeting's page")
    meeting = Meeting.objects.select_related("event").get(event__title=TITLE)
    assert meeting.event.start == start
    assert meeting.event.capacity == 1

    agenda = page.get_by_role("region", name="Agenda")
    for title, presenter, minutes in [
        ("Composite parts for the port's cranes", "Marta López", "30"),
        ("Joint R&D proposal with the university", "Ulises Uni", "45"),
    ]:
        form = agenda.locator("form").filter(has=page.get_by_role("heading", name="Add an agenda item"))
        field(form, "Title").fill(title)
        field(form, "Presenter").fill(presenter)
        field(form, "Duration (minutes)").fill(minutes)
        form.get_by_role("button", name="Add item").click()
        expect(agenda.get_by_role("heading", level=3, name=title)).to_be_visible()
    items = page.get_by_role("region", name="Agenda").get_by_role("listitem")
    expect(items.get_by_role("heading", level=3)).to_have_text(
        ["Composite parts for the port's cranes", "Joint R&D proposal with the university"]
    )
    expect(page.get_by_role("region", name="Agenda")).to_contain_text("Total: 75 minutes")
    assert_accessible(page, "meeting page with its agenda")
    assert list(meeting.agenda_items.order_by("position").values_list("presenter", flat=True)) == [
        "Marta López",
        "Ulises Uni",
    ]

    # 2. Bob (the SME) registers and takes the only seat; now he sees the online link.
    log_in_fresh(page, cast.bob, PASSWORD)
    visit(page, "/councils/malaga/meetings/", "meeting list for a member")
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(at(meeting_url))
    box = page.get_by_role("region", name="Registration")
    expect(box).to_contain_text("0 of 1 seats taken, 1 left.")
    # The venue is for everyone in the council; the online link only for people with a seat.
    expect(page.get_by_text("Hybrid · Málaga TechPark, Sala 2")).to_be_visible()
    expect(page.get_by_role("link", name=ONLINE_LINK)).to_have_count(0)
    assert_accessible(page, "meeting page for a member")
    box.get_by_role("button", name="Register").click()
    expect(box).to_contain_text("You are registered")
    expect(box).to_contain_text("1 of 1 seats taken, 0 left.")
    expect(box.get_by_role("link", name=ONLINE_LINK)).to_be_visible()
    expect(page.get_by_role("region", name="Agenda")).to_contain_text("Composite parts for the port's cranes")
    assert_accessible(page, "meeting page, registered")

    # 3. Ulises (the university) finds it full: he is first on the waiting list, without the link.
    log_in_fresh(page, cast.ulises, PASSWORD)
    visit(page, meeting_url, "meeting page, full", heading=TITLE)
    box = page.get_by_role("region", name="Registration")
    box.get_by_role("button", name="Join the waiting list").click()
    expect(box).to_contain_text("On the waiting list")
    expect(box).to_contain_text("You are number 1 on the waiting list")
    expect(box.get_by_role("link", name=ONLINE_LINK)).to_have_count(0)
    assert_accessible(page, "meeting page, waitlisted")

    # 4. Bob cancels: the seat goes to Ulises, who is told.
    log_in_fresh(page, cast.bob, PASSWORD)
    visit(page, meeting_url, "meeting page before cancelling", heading=TITLE)
    box = page.get_by_role("region", name="Registration")
    box.get_by_role("button", name="Cancel my registration").click()
    expect(box).to_contain_text("Your registration is cancelled.")
    expect(box).to_contain_text("Registration cancelled")
    expect(box.get_by_role("link", name=ONLINE_LINK)).to_have_count(0)
    assert_accessible(page, "meeting page, cancelled")

    log_in_fresh(page, cast.ulises, PASSWORD)
    bell = page.get_by_role("banner").locator("#bell")
    expect(bell.locator(".bell-count")).to_have_text(re.compile(r"^1\s*unread$"))
    bell.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    assert_accessible(page, "notifications of the promoted member")
    page.get_by_role("link", name=f"A seat became free: you are now registered for {TITLE}.").click()
    expect(page).to_have_url(at(meeting_url))
    box = page.get_by_role("region", name="Registration")
    expect(box).to_contain_text("You are registered")
    expect(box.get_by_role("link", name=ONLINE_LINK)).to_be_visible()
    assert_accessible(page, "meeting page, promoted")

    # 5. The coordinator makes room for Bob again, checks both in and publishes the minutes.
    log_in_fresh(page, cast.coordinator, PASSWORD)
    visit(page, meeting_url, "meeting page for the coordinator", heading=TITLE)
    page.get_by_role("link", name="Edit meeting").click()
    expect(field(page, "Capacity")).to_have_value("1")
    assert_accessible(page, "meeting edit form")
    field(page, "Capacity").fill("2")
    page.get_by_role("button", name="Save meeting").click()
    expect(page).to_have_url(at(meeting_url))
    expect(page.get_by_text("The meeting has been saved.")).to_be_visible()
    assert_accessible(page, "meeting page after editing")

    page.get_by_role("link", name="Attendees and check-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendees")
    confirmed = page.get_by_role("region", name="Confirmed")
    expect(confirmed.get_by_role("row", name=re.compile("Ulises Uni"))).to_be_visible()
    # Bob cancelled: he is listed as such, with no check-in for him.
    expect(page.get_by_role("region", name="Cancelled")).to_contain_text("Bob Acme")
    expect(confirmed.get_by_role("button", name=re.compile("Bob Acme"))).to_have_count(0)
    assert_accessible(page, "attendees page")

    field(page.get_by_role("region", name="Register someone"), "Email of the person to register").fill(
        "bob@acme.example"
    )
    page.get_by_role("region", name="Register someone").get_by_role("button", name="Register").click()
    expect(page.get_by_text("Bob Acme is registered.")).to_be_visible()
    expect(page.get_by_role("region", name="Cancelled")).to_contain_text("No cancellations.")
    assert_accessible(page, "attendees page with Bob registered again")

    for person in ("Ulises Uni", "Bob Acme"):
        row = confirmed.get_by_role("row", name=re.compile(person))
        row.get_by_role("button", name=f"Check in {person}").click()
        expect(row).to_contain_text("Present")
    assert_accessible(page, "attendees page after check-in")
    assert Registration.objects.filter(event=meeting.event, checked_in_at__isnull=False).count() == 2, (
        "both check-ins were recorded"
    )

    # Minutes can be published once the meeting has begun: rather than wait 50 minutes, it begins now.
    Event.objects.filter(pk=meeting.event_id).update(start=timezone.now() - datetime.timedelta(minutes=1))

    visit(page, meeting_url, "meeting page, started", heading=TITLE)
    expect(page.get_by_role("region", name="Attendance")).to_contain_text("2 people checked in.")
    page.get_by_role("link", name="Edit minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Minutes of {TITLE}")
    assert_accessible(page, "minutes form")
    field(page, "Minutes").fill("Acme showed the crane parts; the university offered its test bench.")
    field(page, "Decisions").fill(
        "Prepare a joint R&D proposal by January.\nVisit the test bench in December."
    )
    page.get_by_role("button", name="Publish minutes").click()

    expect(page).to_have_url(at(meeting_url))
    expect(page.get_by_text("The minutes are published.")).to_be_visible()
    minutes = page.get_by_role("region", name="Minutes")
    expect(minutes).to_contain_text("the university offered its test bench")
    expect(minutes.get_by_role("listitem")).to_have_text(
        ["Prepare a joint R&D proposal by January.", "Visit the test bench in December."]
    )
    assert_accessible(page, "meeting page with the minutes published")

    interaction = Interaction.objects.get(source_ref=str(meeting.pk))
    assert set(interaction.organisations.values_list("name", flat=True)) == {
        "Acme Mecanizados",
        "Universidad de Málaga",
    }
    assert interaction.is_sme_hei

    # 6. The council's dashboard counts the meeting: one SME–HEI interaction this quarter.
    visit(page, "/councils/malaga/", "council page after the meeting")
    page.get_by_role("navigation", name="Council").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/councils/malaga/dashboard/$"))
    sf1 = page.get_by_role("region", name=re.compile("Success factor 1"))
    sme_hei = sf1.locator(".card").filter(has=page.get_by_role("heading", name="SME–HEI interactions"))
    expect(sme_hei).to_contain_text(re.compile(r"\b1\s+this quarter so far"))
    assert_accessible(page, "council dashboard")

    sf1.get_by_text("Show the numbers as a table").click()
    table = sf1.get_by_role("table", name="SME–HEI interactions and all interactions per quarter")
    expect(table).to_be_visible()
    this_quarter = table.locator("tbody tr").last
    expect(this_quarter.get_by_role("cell")).to_have_text(["1", "1"])
    expect(table.locator("tfoot tr").get_by_role("cell")).to_have_text(["1", "1"])
    assert_accessible(page, "council dashboard with the table open")


def success_data(cast):
    """Something on each success page: an indicator with values, an impact record, interactions."""
    challenge = Challenge.objects.create(council=cast.malaga, title="Slow time-to-market")
    factor = SuccessFactor.objects.create(challenge=challenge, title="Shorter development cycles")
    today = timezone.localdate()
    indicator = Indicator.objects.create(
        success_factor=factor,
        name="Months from idea to product",
        unit="months",
        baseline=30,
        baseline_date=today - datetime.timedelta(days=400),
        target=10,
        target_date=today + datetime.timedelta(days=700),
    )
    IndicatorValue.objects.create(indicator=indicator, date=today - datetime.timedelta(days=200), value=28)
    IndicatorValue.objects.create(indicator=indicator, date=today - datetime.timedelta(days=20), value=25)
    impact = ImpactRecord.objects.create(
        council=cast.malaga, kind=ImpactRecord.Kind.FUNDING, country="ES", quantity=150000, date=today
    )
    impact.organisations.set([cast.acme, cast.uni])
    interaction_record(
        kind=Interaction.Kind.JOINT_PROJECT,
        date=today - datetime.timedelta(days=100),
        organisations=[cast.acme, cast.uni],
        councils=[cast.malaga],
        description="Crane parts in recycled composites",
    )
    return indicator


def test_every_council_page_a_coordinator_sees_is_accessible(site):
    page = site
    cast = councils_cast()
    indicator = success_data(cast)
    # A past meeting with its minutes, attendance and an action for the coordinator; one upcoming.
    past = past_meeting(days_ago=10, title="September council meeting", organiser=cast.coordinator)
    AgendaItemFactory(meeting=past, title="Funding calls")
    attend(past, cast.bob, cast.ulises)
    Meeting.objects.filter(pk=past.pk).update(
        minutes="We reviewed the funding calls.", minutes_published_at=timezone.now()
    )
    ActionItemFactory(meeting=past, title="Send the call to the members", owner=cast.coordinator)
    upcoming = MeetingFactory(event__title="December council meeting", event__organiser=cast.coordinator)

    log_in_fresh(page, cast.coordinator, PASSWORD)
    visit(page, "/councils/", "council list", heading="Cluster Growth Councils")
    expect(page.get_by_role("link", name=re.compile("Málaga"))).not_to_have_count(0)
    visit(page, "/councils/malaga/", "council page", heading="Málaga Cluster Growth Council")
    expect(page.get_by_role("region", name="Upcoming meetings")).to_contain_text("December council meeting")
    visit(page, "/councils/malaga/members/", "members page")
    expect(page.get_by_text("Acme Mecanizados").first).to_be_visible()
    visit(page, "/councils/malaga/meetings/?archive=1", "meeting archive")
    expect(page.get_by_role("link", name="September council meeting")).to_be_visible()
    visit(
        page,
        f"/councils/malaga/meetings/{past.pk}/",
        "past meeting page",
        heading="September council meeting",
    )
    visit(page, "/councils/malaga/success-factors/", "success factors page")
    expect(page.get_by_text("Months from idea to product").first).to_be_visible()
    visit(page, f"/councils/malaga/success-factors/indicators/{indicator.pk}/", "indicator page")
    visit(page, "/councils/malaga/impact/", "impact page")
    visit(page, "/councils/malaga/interactions/", "interactions page")
    expect(page.get_by_text("Crane parts in recycled composites").first).to_be_visible()
    visit(page, "/councils/malaga/dashboard/", "council dashboard")
    visit(page, "/councils/dashboard/", "alliance dashboard")
    visit(page, "/events/calendar/", "calendar page", heading="Calendar")
    expect(page.get_by_text("December council meeting")).to_have_count(0)  # not registered
    visit(page, "/councils/actions/", "my action items", heading="My action items")
    expect(page.get_by_role("cell", name="Send the call to the members", exact=True)).to_be_visible()

    # The coordinators' forms.
    upcoming_item = AgendaItemFactory(meeting=upcoming, title="Budget 2027")
    factor = indicator.success_factor
    for url, what in [
        ("/councils/malaga/meetings/new/", "new meeting form"),
        (f"/councils/malaga/meetings/new/?copy={past.pk}", "meeting copy form"),
        (f"/councils/malaga/meetings/{upcoming.pk}/", "upcoming meeting page for its coordinator"),
        (f"/councils/malaga/meetings/{upcoming.pk}/agenda/{upcoming_item.pk}/", "agenda item form"),
        (f"/councils/malaga/meetings/{past.pk}/minutes/", "minutes form of a past meeting"),
        (f"/events/{upcoming.event.uid}/attendees/", "attendees page, nobody yet"),
        (f"/events/{past.event.uid}/attendees/", "attendees page of a past meeting"),
        ("/councils/malaga/success-factors/challenges/new/", "new challenge form"),
        (f"/councils/malaga/success-factors/challenges/{factor.challenge_id}/edit/", "challenge form"),
        (f"/councils/malaga/success-factors/challenges/{factor.challenge_id}/delete/", "delete a challenge"),
        (f"/councils/malaga/success-factors/factors/{factor.pk}/edit/", "success factor form"),
        (f"/councils/malaga/success-factors/factors/{factor.pk}/indicators/new/", "new indicator form"),
        (f"/councils/malaga/success-factors/indicators/{indicator.pk}/edit/", "indicator form"),
        ("/councils/malaga/impact/new/", "new impact record form"),
        ("/councils/malaga/interactions/new/", "new interaction form"),
    ]:
        visit(page, url, what)


def test_membership_pages_are_accessible(site):
    """Visitors' pages, asking to join, the coordinator's members page with the request, leaving, an
    invitation."""
    page = site
    cast = councils_cast()
    newcomer = OrganisationFactory(name="Puerto Tech Hub", slug="puerto-tech", kind=Organisation.Kind.SME)
    nuria = MembershipFactory(
        organisation=newcomer,
        role=Membership.Role.ADMIN,
        user__email="nuria@puerto-tech.example",
        user__full_name="Nuria Puerto",
    ).user
    invited = CouncilPersonFactory(
        council=cast.malaga,
        role=CouncilPerson.Role.MEMBER,
        status=CouncilPerson.Status.INVITED,
        accepted_at=None,
        invited_by=cast.coordinator,
        user__email="irene@example.org",
        user__full_name="Irene Invited",
    )

    # Visitors see the councils and are offered to log in to ask to join.
    visit(page, "/councils/", "council list for a visitor", heading="Cluster Growth Councils")
    visit(page, "/councils/malaga/", "council page for a visitor")
    expect(page.get_by_role("main").get_by_role("link", name="Log in")).to_be_visible()

    # An administrator of an organisation outside the council asks to join.
    log_in_fresh(page, nuria, PASSWORD)
    visit(page, "/councils/malaga/", "council page for a non-member")
    page.get_by_role("link", name="Ask to join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Ask to join"))
    assert_accessible(page, "join form")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text(re.compile("The request of Puerto Tech Hub has been sent"))).to_be_visible()
    assert_accessible(page, "council page after asking to join")

    # The coordinator sees the request on the members page.
    log_in_fresh(page, cast.coordinator, PASSWORD)
    visit(page, "/councils/malaga/members/", "members page with a request")
    expect(page.get_by_text("Puerto Tech Hub").first).to_be_visible()

    # A member organisation's administrator may leave; an invited person answers the invitation.
    log_in_fresh(page, cast.bob, PASSWORD)
    visit(page, "/councils/malaga/", "council page for a member")
    visit(page, "/councils/malaga/leave/", "leave form")
    visit(page, "/councils/malaga/members/", "members page for a member")
    log_in_fresh(page, invited.user, PASSWORD)
    visit(page, f"/councils/malaga/respond/person/{invited.pk}/", "invitation of a person")
    expect(page.get_by_role("button", name="Accept")).to_be_visible()
