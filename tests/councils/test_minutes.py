"""Minutes and decisions, their publication into the interaction ledger (success factors 1 and 2),
and the nudge to coordinators when the minutes are late."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from councils.models import CouncilInteraction, Decision, LedgerDay
from councils.services.meetings import meeting_local_date, minutes_nudge, minutes_publish, minutes_save
from councils.tasks import nudge_minutes
from events.models import Registration
from events.services import registration_check_in
from notifications.models import Notification
from organisations.models import Interaction, Organisation, Region

from ..factories.councils import CouncilOrganisationFactory, MeetingFactory, attend, past_meeting
from ..factories.events import RegistrationFactory, in_days
from ..factories.organisations import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_minutes_save_keeps_a_draft_with_ordered_decisions(coordinator):
    meeting = past_meeting()
    minutes_save(meeting=meeting, actor=coordinator, minutes="We met.", decisions=["First", " ", "Second "])
    meeting.refresh_from_db()
    assert meeting.minutes == "We met." and meeting.minutes_published_at is None
    assert list(meeting.decisions.values_list("position", "text")) == [(0, "First"), (1, "Second")]
    minutes_save(meeting=meeting, actor=coordinator, minutes="We met again.", decisions=["Only"])
    assert list(Decision.objects.values_list("text", flat=True)) == ["Only"]
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("who", ["council_member", "outsider", "other_council_member"])
def test_minutes_refused_for_non_coordinators(who, request):
    meeting = past_meeting()
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        minutes_save(meeting=meeting, actor=actor, minutes="x", decisions=[])
    with pytest.raises(PermissionDenied):
        minutes_publish(meeting=meeting, actor=actor, minutes="x")


def test_minutes_too_long(coordinator):
    meeting = past_meeting()
    with pytest.raises(ValidationError):
        minutes_save(meeting=meeting, actor=coordinator, minutes="x" * 50001, decisions=[])
    with pytest.raises(ValidationError):
        minutes_save(meeting=meeting, actor=coordinator, minutes="ok", decisions=["x" * 2001])


def test_minutes_publish_before_the_meeting_is_refused(coordinator):
    meeting = MeetingFactory()  # a week ahead
    with pytest.raises(ValidationError, match="started"):
        minutes_publish(meeting=meeting, actor=coordinator, minutes="Too early")
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is None


def test_minutes_publish_needs_minutes(coordinator):
    meeting = past_meeting()
    with pytest.raises(ValidationError) as error:
        minutes_publish(meeting=meeting, actor=coordinator)
    assert "minutes" in error.value.message_dict


def test_minutes_publish_records_one_interaction_of_the_attendees(
    malaga, coordinator, acme, council_member, uni, uni_member, other_council_member, outsider
):
    meeting = past_meeting(days_ago=2, title="Winter council")
    attend(meeting, council_member, uni_member, other_council_member)
    # registered but not checked in: not in the attendance
    absent_org = OrganisationFactory(name="Absent Ltd")
    absent = MembershipFactory(organisation=absent_org).user
    RegistrationFactory(event=meeting.event, user=absent)
    published = minutes_publish(meeting=meeting, actor=coordinator, minutes="We met.", decisions=["Go"])
    assert published.minutes_published_at is not None and published.minutes_published_by == coordinator
    interaction = Interaction.objects.get()
    assert interaction.kind == Interaction.Kind.MEETING
    assert interaction.source == "councils.meeting" and interaction.source_ref == str(meeting.pk)
    assert interaction.description == "Winter council"
    assert interaction.recorded_by == coordinator
    assert interaction.date == timezone.localtime(meeting.event.start, ZoneInfo("Europe/Madrid")).date()
    meccanica = Organisation.objects.get(slug="meccanica")
    assert set(interaction.organisations.all()) == {acme, uni, meccanica}
    assert interaction.is_sme_hei and interaction.is_cross_cluster
    # linked to the meeting's council (and, through the ledger hook, to Bologna, Meccanica's council)
    linked = set(
        CouncilInteraction.objects.filter(interaction=interaction).values_list("council__slug", flat=True)
    )
    assert {"malaga", "bologna"} <= linked


def test_minutes_publish_is_idempotent(coordinator, council_member, uni_member):
    meeting = past_meeting()
    attend(meeting, council_member, uni_member)
    minutes_publish(meeting=meeting, actor=coordinator, minutes="First version")
    first = meeting.__class__.objects.get(pk=meeting.pk).minutes_published_at
    notified = Notification.objects.count()
    minutes_publish(meeting=meeting, actor=coordinator, minutes="Corrected", decisions=["A"])
    meeting.refresh_from_db()
    assert meeting.minutes == "Corrected" and meeting.minutes_published_at == first
    assert Interaction.objects.count() == 1
    assert Notification.objects.count() == notified  # nobody is told twice


def test_minutes_publish_with_one_organisation_records_nothing(coordinator, council_member, outsider):
    meeting = past_meeting()
    attend(meeting, council_member, outsider)  # Acme, and someone of no organisation
    minutes_publish(meeting=meeting, actor=coordinator, minutes="Small meeting")
    assert not Interaction.objects.exists()


def _day(meeting, council):
    """The meeting day's roll-up counts of ``council`` (None: the alliance): (total, SME–HEI)."""
    row = LedgerDay.objects.filter(council=council, date=meeting_local_date(meeting)).first()
    return (row.total, row.sme_hei) if row else (0, 0)


def test_a_late_check_in_joins_the_published_meeting_in_the_ledger(
    malaga, coordinator, acme, uni, council_member, uni_member, outsider
):
    meeting = past_meeting()
    second_sme = OrganisationFactory(name="Ferro Tooling", region=Region.MALAGA)
    CouncilOrganisationFactory(council=malaga, organisation=second_sme)
    attend(meeting, council_member, MembershipFactory(organisation=second_sme).user)  # two SMEs
    minutes_publish(meeting=meeting, actor=coordinator, minutes="We met.")
    assert not Interaction.objects.get().is_sme_hei
    assert _day(meeting, malaga) == _day(meeting, None) == (1, 0)

    late = RegistrationFactory(event=meeting.event, user=uni_member)
    registration_check_in(registration=late, actor=coordinator)

    interaction = Interaction.objects.get()  # still one entry for the meeting, now with the university
    assert set(interaction.organisations.all()) == {acme, second_sme, uni}
    assert interaction.is_sme_hei and interaction.recorded_by == coordinator
    assert _day(meeting, malaga) == _day(meeting, None) == (1, 1)  # the roll-up follows

    registration_check_in(registration=late, actor=coordinator, present=False)  # a mistake, undone

    interaction = Interaction.objects.get()
    assert set(interaction.organisations.all()) == {acme, second_sme}
    assert _day(meeting, malaga) == _day(meeting, None) == (1, 0)


def test_an_undone_check_in_can_leave_too_few_organisations_to_record(
    coordinator, council_member, uni_member
):
    meeting = past_meeting()
    attend(meeting, council_member, uni_member)
    minutes_publish(meeting=meeting, actor=coordinator, minutes="We met.")
    registration = Registration.objects.get(event=meeting.event, user=uni_member)

    registration_check_in(registration=registration, actor=coordinator, present=False)

    assert not Interaction.objects.exists()
    assert _day(meeting, None) == (0, 0)


def test_check_ins_before_publication_leave_the_ledger_alone(coordinator, council_member, uni_member):
    meeting = past_meeting()
    registration = RegistrationFactory(event=meeting.event, user=council_member)
    attend(meeting, uni_member)

    registration_check_in(registration=registration, actor=coordinator)

    assert not Interaction.objects.exists()  # publishing the minutes records the attendance


def test_republishing_the_same_attendance_keeps_the_entry(coordinator, council_member, uni_member):
    meeting = past_meeting()
    attend(meeting, council_member, uni_member)
    first = minutes_publish(meeting=meeting, actor=coordinator, minutes="v1") and Interaction.objects.get()
    minutes_publish(meeting=meeting, actor=coordinator, minutes="v2")
    assert Interaction.objects.get().pk == first.pk


def test_person_in_two_organisations_counts_for_both(coordinator, council_member, malaga):
    other = OrganisationFactory(name="Bob's second company", region=Region.MALAGA)
    CouncilOrganisationFactory(council=malaga, organisation=other)
    MembershipFactory(organisation=other, user=council_member)
    meeting = past_meeting()
    attend(meeting, council_member)
    minutes_publish(meeting=meeting, actor=coordinator, minutes="Alone but double")
    interaction = Interaction.objects.get()
    assert interaction.organisations.count() == 2


def test_minutes_publish_notifies_registered_members_once(
    coordinator, council_member, uni_member, other_council_member
):
    meeting = past_meeting()
    attend(meeting, council_member)
    RegistrationFactory(event=meeting.event, user=uni_member)  # registered, did not come
    RegistrationFactory(event=meeting.event, user=other_council_member, status=Registration.Status.CANCELLED)
    minutes_publish(meeting=meeting, actor=coordinator, minutes="Done")
    told = Notification.objects.filter(kind="councils.minutes_published")
    assert set(told.values_list("user__email", flat=True)) == {"bob@example.org", "ulises@example.org"}
    assert all(n.url == meeting.get_absolute_url() for n in told)


def test_staff_may_publish(staff):
    meeting = past_meeting()
    minutes_publish(meeting=meeting, actor=staff, minutes="By staff")
    meeting.refresh_from_db()
    assert meeting.minutes_published_at


# --- the nudge ----------------------------------------------------------------------------------


def nudges():
    return Notification.objects.filter(kind="councils.minutes_late")


def test_nudge_after_three_days_once(coordinator, council_member):
    late = past_meeting(days_ago=4)
    past_meeting(days_ago=1)  # not yet late
    assert minutes_nudge() == 1
    notes = list(nudges())
    assert [n.user for n in notes] == [coordinator]  # coordinators only, not members
    assert notes[0].target_id == str(late.pk)
    late.refresh_from_db()
    assert late.minutes_nudged_at is not None
    assert minutes_nudge() == 0
    assert nudges().count() == 1


def test_nudge_not_before_three_days(coordinator):
    meeting = past_meeting(days_ago=1)
    now = meeting.event.end + datetime.timedelta(days=3) - datetime.timedelta(minutes=1)
    assert minutes_nudge(now=now) == 0
    assert minutes_nudge(now=now + datetime.timedelta(minutes=1)) == 1
    assert nudges().count() == 1


def test_no_nudge_when_published(coordinator):
    meeting = past_meeting(days_ago=5)
    minutes_publish(meeting=meeting, actor=coordinator, minutes="On time")
    assert minutes_nudge() == 0 and not nudges().exists()


def test_no_nudge_for_cancelled_or_long_past_meetings(coordinator):
    cancelled = past_meeting(days_ago=5)
    cancelled.event.cancelled_at = timezone.now()
    cancelled.event.save()
    past_meeting(days_ago=90)
    assert minutes_nudge() == 0


def test_nudge_each_council_its_own_coordinators(coordinator, bologna):
    from ..factories.councils import CouncilPersonFactory

    bologna_coordinator = CouncilPersonFactory(council=bologna).user
    past_meeting("malaga", days_ago=4)
    past_meeting("bologna", days_ago=4)
    assert minutes_nudge() == 2
    assert sorted(n.user_id for n in nudges()) == sorted([coordinator.pk, bologna_coordinator.pk])


def test_nudge_queries_do_not_grow_per_council_lookup(coordinator, django_assert_max_num_queries):
    for _ in range(5):
        past_meeting(days_ago=4)
    # per meeting: one notification insert and one preference lookup (notify); the rest is fixed
    with django_assert_max_num_queries(6 + 5 * 4):
        assert minutes_nudge() == 5


def test_nudge_task(coordinator):
    past_meeting(days_ago=4)
    assert nudge_minutes.name == "councils.nudge_minutes"
    assert nudge_minutes.delay().get() == 1
    assert nudge_minutes.delay().get() == 0


def test_upcoming_meeting_is_not_nudged(coordinator):
    MeetingFactory(event__start=in_days(1))
    assert minutes_nudge() == 0
