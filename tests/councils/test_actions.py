"""Action items: coordinators assign them to council members, owners update status and notes, and
"my actions" lists them across councils."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from councils.models import ActionItem
from councils.services.meetings import action_item_create, action_item_update
from notifications.models import Notification

from ..factories.councils import ActionItemFactory, MeetingFactory, past_meeting

pytestmark = pytest.mark.django_db


def test_action_item_create_notifies_the_owner(coordinator, council_member):
    meeting = past_meeting(title="March meeting")
    due = datetime.date.today() + datetime.timedelta(days=10)
    action = action_item_create(
        meeting=meeting, actor=coordinator, title="Send the survey", owner=council_member, due_date=due
    )
    assert (action.title, action.owner, action.due_date, action.status) == (
        "Send the survey",
        council_member,
        due,
        ActionItem.Status.OPEN,
    )
    note = Notification.objects.get(kind="councils.action_assigned")
    assert note.user == council_member and note.params["meeting"] == "March meeting"
    assert note.url == reverse("councils:my_actions")


def test_coordinator_may_own_an_action_and_is_not_notified(coordinator):
    action = action_item_create(meeting=past_meeting(), actor=coordinator, title="Mine", owner=coordinator)
    assert action.pk and not Notification.objects.exists()


@pytest.mark.parametrize("owner", ["outsider", "other_council_member", "staff"])
def test_action_owner_must_be_a_council_member(coordinator, owner, request):
    with pytest.raises(ValidationError) as error:
        action_item_create(
            meeting=past_meeting(), actor=coordinator, title="x", owner=request.getfixturevalue(owner)
        )
    assert "owner" in error.value.message_dict
    assert not ActionItem.objects.exists()


def test_action_item_create_blank_title(coordinator, council_member):
    with pytest.raises(ValidationError):
        action_item_create(meeting=past_meeting(), actor=coordinator, title="  ", owner=council_member)


@pytest.mark.parametrize("who", ["council_member", "outsider", "other_council_member"])
def test_action_item_create_refused_for_non_coordinators(who, council_member, request):
    with pytest.raises(PermissionDenied):
        action_item_create(
            meeting=past_meeting(), actor=request.getfixturevalue(who), title="x", owner=council_member
        )


def test_owner_updates_status_and_note(council_member):
    action = ActionItemFactory(owner=council_member)
    action_item_update(action=action, actor=council_member, status=ActionItem.Status.IN_PROGRESS, note="Half")
    action.refresh_from_db()
    assert (action.status, action.note) == (ActionItem.Status.IN_PROGRESS, "Half")


@pytest.mark.parametrize(
    "change", [{"title": "Other"}, {"due_date": datetime.date(2030, 1, 1)}, {"due_date": None}]
)
def test_owner_may_not_change_the_rest(council_member, change):
    action = ActionItemFactory(owner=council_member)
    with pytest.raises(PermissionDenied):
        action_item_update(action=action, actor=council_member, **change)


def test_owner_may_not_hand_the_action_over(council_member, uni_member):
    action = ActionItemFactory(owner=council_member)
    with pytest.raises(PermissionDenied):
        action_item_update(action=action, actor=council_member, owner=uni_member)


@pytest.mark.parametrize("who", ["uni_member", "outsider", "other_council_member"])
def test_others_may_not_update(council_member, who, request):
    action = ActionItemFactory(owner=council_member)
    with pytest.raises(PermissionDenied):
        action_item_update(action=action, actor=request.getfixturevalue(who), status=ActionItem.Status.DONE)


def test_coordinator_changes_everything_and_new_owner_is_told(coordinator, council_member, uni_member):
    action = ActionItemFactory(owner=council_member)
    due = datetime.date(2031, 5, 1)
    action_item_update(
        action=action,
        actor=coordinator,
        title="Renamed",
        owner=uni_member,
        due_date=due,
        status=ActionItem.Status.DONE,
        note="Handed over",
    )
    action.refresh_from_db()
    assert (action.title, action.owner, action.due_date, action.status, action.note) == (
        "Renamed",
        uni_member,
        due,
        ActionItem.Status.DONE,
        "Handed over",
    )
    assert Notification.objects.get(kind="councils.action_assigned").user == uni_member


def test_coordinator_cannot_give_an_action_to_an_outsider(coordinator, council_member, outsider):
    action = ActionItemFactory(owner=council_member)
    with pytest.raises(ValidationError):
        action_item_update(action=action, actor=coordinator, owner=outsider)
    action.refresh_from_db()
    assert action.owner == council_member


def test_bad_status_and_long_note(council_member):
    action = ActionItemFactory(owner=council_member)
    with pytest.raises(ValidationError):
        action_item_update(action=action, actor=council_member, status="finished")
    with pytest.raises(ValidationError):
        action_item_update(action=action, actor=council_member, note="x" * 2001)


# --- my actions (the page) ----------------------------------------------------------------------


MY_ACTIONS = reverse("councils:my_actions")


def test_my_actions_visitor_is_sent_to_login(client):
    response = client.get(MY_ACTIONS)
    assert response.status_code == 302 and "login" in response["Location"]


def test_my_actions_lists_mine_across_councils(client, council_member, other_council_member, bologna):
    mine = ActionItemFactory(owner=council_member, title="Mine in Málaga")
    done = ActionItemFactory(owner=council_member, title="Done already", status=ActionItem.Status.DONE)
    also = ActionItemFactory(
        owner=council_member, title="Mine in Bologna", meeting=MeetingFactory(council=bologna)
    )
    ActionItemFactory(owner=other_council_member, title="Not mine")
    client.force_login(council_member)
    response = client.get(MY_ACTIONS)
    assert response.status_code == 200
    titles = [action.title for action in response.context["actions"]]
    assert set(titles) == {mine.title, also.title, done.title}
    assert titles[-1] == done.title  # finished ones last
    assert "Not mine" not in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "staff", "coordinator"])
def test_my_actions_empty_for_others(client, who, council_member, request):
    ActionItemFactory(owner=council_member)
    client.force_login(request.getfixturevalue(who))
    response = client.get(MY_ACTIONS)
    assert response.status_code == 200 and response.context["actions"] == []


def test_my_actions_queries_constant(client, council_member):
    ActionItemFactory(owner=council_member)
    client.force_login(council_member)
    client.get(MY_ACTIONS)
    for _ in range(15):
        ActionItemFactory(owner=council_member)
    before = _count(client)
    for _ in range(15):
        ActionItemFactory(owner=council_member)
    assert _count(client) == before


def _count(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(MY_ACTIONS).status_code == 200
    return len(queries)


def test_owner_updates_status_from_my_actions(client, council_member):
    action = ActionItemFactory(owner=council_member)
    client.force_login(council_member)
    response = client.post(
        reverse("councils:action_update", args=[action.pk]),
        {"status": "in_progress", "note": "Started", "next": MY_ACTIONS},
    )
    assert response.status_code == 302 and response["Location"] == MY_ACTIONS
    action.refresh_from_db()
    assert (action.status, action.note) == ("in_progress", "Started")


def test_owner_cannot_change_title_through_the_page(client, council_member):
    action = ActionItemFactory(owner=council_member, title="Original")
    client.force_login(council_member)
    client.post(
        reverse("councils:action_update", args=[action.pk]),
        {"status": "done", "note": "", "title": "Hacked", "owner": council_member.pk, "due_date": ""},
    )
    action.refresh_from_db()
    assert action.title == "Original" and action.status == "done"


def test_action_update_bad_status_is_a_message_not_a_500(client, council_member):
    action = ActionItemFactory(owner=council_member)
    client.force_login(council_member)
    response = client.post(
        reverse("councils:action_update", args=[action.pk]), {"status": "bogus"}, follow=True
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.status == "open"


def test_action_update_next_cannot_leave_the_site(client, council_member):
    action = ActionItemFactory(owner=council_member)
    client.force_login(council_member)
    response = client.post(
        reverse("councils:action_update", args=[action.pk]),
        {"status": "done", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == MY_ACTIONS


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("other_council_member", 404),
        ("uni_member", 404),
        ("coordinator", 302),
        ("staff", 302),
    ],
)
def test_action_update_permissions(client, council_member, who, status, request):
    action = ActionItemFactory(owner=council_member)
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("councils:action_update", args=[action.pk]), {"status": "done"})
    assert response.status_code == status
    action.refresh_from_db()
    assert action.status == ("done" if status == 302 else "open")


def test_action_update_visitor(client, council_member):
    action = ActionItemFactory(owner=council_member)
    response = client.post(reverse("councils:action_update", args=[action.pk]), {"status": "done"})
    assert response.status_code == 302 and "login" in response["Location"]
    action.refresh_from_db()
    assert action.status == "open"


def test_coordinator_edits_every_field_through_the_page(client, coordinator, council_member, uni_member):
    action = ActionItemFactory(owner=council_member)
    client.force_login(coordinator)
    client.post(
        reverse("councils:action_update", args=[action.pk]),
        {"status": "open", "note": "", "title": "New", "owner": uni_member.pk, "due_date": "2031-02-03"},
    )
    action.refresh_from_db()
    assert (action.title, action.owner, action.due_date) == ("New", uni_member, datetime.date(2031, 2, 3))


def test_coordinator_clears_the_due_date_through_the_page(client, coordinator, council_member):
    action = ActionItemFactory(owner=council_member, due_date=datetime.date(2031, 2, 3))
    client.force_login(coordinator)
    client.post(
        reverse("councils:action_update", args=[action.pk]),
        {"status": "open", "note": "", "title": action.title, "owner": council_member.pk, "due_date": ""},
    )
    action.refresh_from_db()
    assert action.due_date is None


def test_the_owners_update_keeps_the_due_date(client, council_member):
    action = ActionItemFactory(owner=council_member, due_date=datetime.date(2031, 2, 3))
    client.force_login(council_member)
    client.post(reverse("councils:action_update", args=[action.pk]), {"status": "done", "note": "Sent"})
    action.refresh_from_db()
    assert (action.status, action.due_date) == ("done", datetime.date(2031, 2, 3))
