"""Digest emails: one per person and period, in their morning, language and time zone, with what is
new in the areas they chose for that period; nothing when nothing is new; never twice, whatever runs
twice or stops halfway; the directory's items respect visibility; a fixed number of queries each.

Time is frozen by passing ``now`` to the tasks: NOW is Monday 2 March 2026, 10:00 UTC (ISO week
2026-W10; Madrid is at UTC+1, Istanbul at UTC+3, Dublin at UTC+0 then).
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_noop
from django_celery_beat.models import PeriodicTask

from notifications import digests, registry
from notifications.digests import digest_deliver, digests_send
from notifications.models import Area, DigestDelivery, Frequency, Notification, OutboundEmail
from notifications.services import preference_set
from notifications.tasks import digest_plan, digest_send_batch
from notifications.unsubscribe import unsubscribe_read, unsubscribe_url
from organisations.digest import viewers_for
from organisations.models import Membership, Organisation
from organisations.selectors import viewer_for

from ..factories.accounts import UserFactory
from ..factories.organisations import MembershipFactory, OrganisationFactory, topic

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WEEK = "2026-W10"
LONG_AGO = NOW - timedelta(days=400)
# A message whose Spanish translation is in locale/es (the join-request notification).
JOIN = gettext_noop("%(name)s asks to join %(organisation)s")


def note(
    user, *, area=Area.DIRECTORY, at=NOW - timedelta(hours=2), name="Nora Newcomer", url="/x/", **fields
):
    return Notification.objects.create(
        user=user,
        area=area,
        kind="test",
        message=JOIN,
        params={"name": name, "organisation": "Acme Mecanizados"},
        url=url,
        created_at=at,
        **fields,
    )


def plan(capture, *, now=NOW, **kwargs):
    """Run the hourly planning task at ``now``; its batches run at once (Celery is eager here), and
    the emails they queue are sent when the transaction commits."""
    with capture(execute=True):
        return digest_plan.delay(now=now.isoformat(), **kwargs).get()


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def html_of(message):
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def links(text):
    return re.findall(r"https?://\S+", text)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def dana(db):
    """Dana: default preferences (every area weekly), in Madrid, reading English."""
    return UserFactory(email="dana@example.org", full_name="Dana Digest", time_zone="Europe/Madrid")


# --- contents -----------------------------------------------------------------------------------


def test_digest_weekly_groups_by_area_newest_first_with_links(dana, capture):
    note(dana, area=Area.LEARNING, at=NOW - timedelta(days=1), name="Lena Learner", url="/learning/1/")
    note(dana, area=Area.DIRECTORY, at=NOW - timedelta(days=3), name="Old Olga")
    note(dana, area=Area.DIRECTORY, at=NOW - timedelta(hours=1), name="New Nina")
    note(dana, area=Area.DIRECTORY, at=NOW - timedelta(days=8), name="Last Week")  # before the window

    assert plan(capture) == {"daily": 0, "weekly": 1}

    (message,) = emails_to(dana)
    assert message.subject == "[SME Cluster Growth] Your weekly digest: 3 new items"
    text = message.body
    assert text.startswith("Hello Dana Digest,")
    # Areas in the portal's order, each with its items newest first.
    assert text.index("== Directory ==") < text.index("New Nina") < text.index("Old Olga")
    assert text.index("Old Olga") < text.index("== Learning ==") < text.index("Lena Learner")
    assert "Last Week" not in text
    assert "http://testserver/learning/1/" in text or "/learning/1/" in text
    assert all(link.startswith(digests.settings.SITE_URL) for link in links(text))
    html = html_of(message)
    assert "<h2" in html and "Directory</h2>" in html
    assert f'href="{digests.settings.SITE_URL}/learning/1/"' in html
    delivery = DigestDelivery.objects.get(user=dana)
    assert (delivery.period, delivery.period_key, delivery.status) == ("weekly", WEEK, "queued")
    assert delivery.item_count == 3
    assert delivery.covers_until == NOW and delivery.covers_from == NOW - timedelta(days=7)
    assert delivery.email.key == f"digest:{dana.pk}:weekly:{WEEK}"


def test_digest_contents_follow_each_areas_preference(dana, capture):
    preference_set(user=dana, area=Area.DIRECTORY, frequency=Frequency.DAILY)
    preference_set(user=dana, area=Area.COUNCILS, frequency=Frequency.WEEKLY)
    preference_set(user=dana, area=Area.LEARNING, frequency=Frequency.OFF)
    preference_set(user=dana, area=Area.FACILITIES, frequency=Frequency.IMMEDIATE)
    for area, name in [
        (Area.DIRECTORY, "Daily Dora"),
        (Area.COUNCILS, "Weekly Wanda"),
        (Area.LEARNING, "Off Otto"),
        (Area.FACILITIES, "Immediate Ida"),
    ]:
        note(dana, area=area, name=name)
    # Read under the bell already, or emailed at once: not new to Dana.
    note(dana, area=Area.COUNCILS, name="Read Rita", read_at=NOW - timedelta(hours=1))
    note(dana, area=Area.COUNCILS, name="Emailed Emma", emailed_at=NOW - timedelta(hours=1))

    assert plan(capture) == {"daily": 1, "weekly": 1}

    daily, weekly = sorted(emails_to(dana), key=lambda m: "weekly" in m.subject)
    assert daily.subject == "[SME Cluster Growth] Your daily digest: 1 new item"
    assert "Daily Dora" in daily.body and "== Directory ==" in daily.body
    assert "Weekly Wanda" in weekly.body and "== Cluster Growth Councils ==" in weekly.body
    for message in (daily, weekly):
        for absent in ("Off Otto", "Immediate Ida", "Read Rita", "Emailed Emma"):
            assert absent not in message.body and absent not in html_of(message)
    assert "Weekly Wanda" not in daily.body and "Daily Dora" not in weekly.body


def test_digest_everything_off_or_immediate_is_not_planned(dana, capture):
    for area in Area.values:
        preference_set(user=dana, area=area, frequency=Frequency.OFF if area != "councils" else "immediate")
    note(dana)

    assert plan(capture) == {"daily": 0, "weekly": 0}
    assert not DigestDelivery.objects.exists()
    assert mail.outbox == []


def test_digest_inactive_and_erased_accounts_get_none(capture):
    gone = UserFactory(is_active=False)
    erased = UserFactory(erased_at=NOW - timedelta(days=1))
    note(gone)
    note(erased)

    assert plan(capture) == {"daily": 0, "weekly": 0}
    assert mail.outbox == []


def test_digest_is_in_the_readers_language(dana, capture):
    dana.language = "es"
    dana.save(update_fields=["language"])
    note(dana, name="Nora Newcomer")
    note(dana, name="Pablo Pérez", at=NOW - timedelta(hours=3))

    plan(capture)

    (message,) = emails_to(dana)
    assert message.subject == "[SME Cluster Growth] Su resumen semanal: 2 novedades"
    assert message.body.startswith("Hola, Dana Digest:")
    assert "== Directorio ==" in message.body
    assert "Nora Newcomer solicita unirse a Acme Mecanizados" in message.body
    html = html_of(message)
    assert '<html lang="es">' in html
    assert "Su resumen semanal</h1>" in html and "Directorio</h2>" in html


def test_digest_goes_out_in_each_readers_morning(capture):
    istanbul = UserFactory(time_zone="Europe/Istanbul")  # UTC+3
    dublin = UserFactory(time_zone="Europe/Dublin")  # UTC+0 in March
    for user in (istanbul, dublin):
        preference_set(user=user, area=Area.DIRECTORY, frequency=Frequency.DAILY)
        note(user, at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC), name="Late Lara")

    # 05:00 UTC: 08:00 in Istanbul (past 7), 05:00 in Dublin (not yet).
    early = NOW.replace(hour=5)
    assert plan(capture, now=early, periods=["daily"]) == {"daily": 1}
    (message,) = emails_to(istanbul)
    assert emails_to(dublin) == []
    # Times are shown in the reader's zone: 22:30 UTC is 1:30 a.m. the next day in Istanbul.
    assert "March 2, 2026, 1:30 a.m." in message.body
    assert DigestDelivery.objects.get(user=istanbul).period_key == "2026-03-02"

    # 06:59 UTC: Dublin is still asleep; 07:00 UTC: its morning. Istanbul is not sent twice.
    assert plan(capture, now=NOW.replace(hour=6, minute=59), periods=["daily"]) == {"daily": 0}
    assert plan(capture, now=NOW.replace(hour=7), periods=["daily"]) == {"daily": 1}
    (message,) = emails_to(dublin)
    assert "March 1, 2026, 10:30 p.m." in message.body
    assert len(emails_to(istanbul)) == 1


def test_weekly_digest_waits_for_monday_morning_and_catches_up_later_in_the_week(dana, capture):
    note(dana)
    sunday_night = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)  # 23:00 in Madrid, week 2026-W09
    # Sunday evening belongs to week 9, whose digest went out last Monday (recorded here).
    DigestDelivery.objects.create(
        user=dana,
        period="weekly",
        period_key="2026-W09",
        status="empty",
        covers_until=sunday_night - timedelta(6),
    )
    assert plan(capture, now=sunday_night) == {"daily": 0, "weekly": 0}
    monday_dawn = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 06:00 in Madrid
    assert plan(capture, now=monday_dawn) == {"daily": 0, "weekly": 0}
    # Beat missed Monday altogether: Wednesday's first run catches up.
    wednesday = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert plan(capture, now=wednesday) == {"daily": 0, "weekly": 1}
    assert DigestDelivery.objects.get(user=dana, period_key=WEEK).covers_until == wednesday
    assert len(emails_to(dana)) == 1


def test_digest_with_nothing_new_is_not_sent_and_the_next_starts_where_it_ended(dana, capture):
    note(dana, at=NOW - timedelta(days=9))  # too old for this week

    assert plan(capture) == {"daily": 0, "weekly": 1}

    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    empty = DigestDelivery.objects.get(user=dana)
    assert (empty.status, empty.item_count, empty.email) == ("empty", 0, None)
    assert empty.covers_until == NOW

    next_week = NOW + timedelta(days=7)
    note(dana, at=NOW - timedelta(minutes=1), name="Just Before")  # was in last week's window
    note(dana, at=NOW + timedelta(days=1), name="Fresh Fred")
    plan(capture, now=next_week)
    (message,) = emails_to(dana)
    assert "Fresh Fred" in message.body and "Just Before" not in message.body
    assert DigestDelivery.objects.get(user=dana, period_key="2026-W11").covers_from == NOW


def test_digest_shows_ten_items_per_area_and_counts_the_rest(dana, capture):
    for minute in range(13):
        note(dana, at=NOW - timedelta(minutes=minute + 1), name=f"Person {minute:02d}")

    plan(capture)

    (message,) = emails_to(dana)
    assert message.subject == "[SME Cluster Growth] Your weekly digest: 13 new items"
    assert "Person 09" in message.body and "Person 10" not in message.body
    assert "And 3 more: http" in message.body


def test_digest_escapes_html_in_titles(dana, capture):
    note(dana, name="<script>alert(1)</script>")

    plan(capture)

    html = html_of(emails_to(dana)[0])
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- idempotency --------------------------------------------------------------------------------


def test_digest_task_run_twice_sends_one_email(dana, capture):
    note(dana)
    with capture(execute=True):
        for _ in range(2):
            digest_send_batch.delay(user_ids=[dana.pk], period="weekly", period_key=WEEK, now=NOW.isoformat())

    assert len(emails_to(dana)) == 1
    assert OutboundEmail.objects.count() == 1
    assert DigestDelivery.objects.get().status == "queued"


def test_planning_twice_in_the_same_hour_sends_once(dana, capture):
    note(dana)

    assert plan(capture) == {"daily": 0, "weekly": 1}
    assert plan(capture, now=NOW + timedelta(minutes=30)) == {"daily": 0, "weekly": 0}

    assert len(emails_to(dana)) == 1


def test_batches_queued_twice_before_either_ran_send_once(dana, capture, monkeypatch):
    """Two planning runs queued the same batch (the first batch had not run yet): both run."""
    note(dana)
    queued = []
    monkeypatch.setattr(digest_send_batch, "delay", lambda **kwargs: queued.append(kwargs))
    plan(capture)
    plan(capture, now=NOW + timedelta(minutes=5))
    assert len(queued) == 2
    monkeypatch.undo()

    with capture(execute=True):
        for kwargs in queued:
            digest_send_batch.delay(**kwargs)

    assert len(emails_to(dana)) == 1


def test_batch_interrupted_halfway_and_run_again_sends_everyone_exactly_once(capture, monkeypatch):
    users = [UserFactory() for _ in range(5)]
    for user in users:
        note(user)
    victim = users[2]

    def flaky(user, since, until):
        if user == victim:
            raise RuntimeError("the database went away")
        return []

    monkeypatch.setitem(registry._contributors, "flaky", flaky)
    with capture(execute=True):
        outcome = digest_send_batch.delay(
            user_ids=[user.pk for user in users], period="weekly", period_key=WEEK, now=NOW.isoformat()
        ).get()
    assert outcome == {"queued": 4, "empty": 0, "skipped": 0, "failed": 1}
    # The failed person's claim was given back, so the next run does not wait for it to go stale.
    assert not DigestDelivery.objects.filter(user=victim).exists()

    monkeypatch.delitem(registry._contributors, "flaky")
    with capture(execute=True):
        outcome = digest_send_batch.delay(
            user_ids=[user.pk for user in users], period="weekly", period_key=WEEK, now=NOW.isoformat()
        ).get()
    assert outcome == {"queued": 1, "empty": 0, "skipped": 4, "failed": 0}

    for user in users:
        assert len(emails_to(user)) == 1, user
    assert OutboundEmail.objects.count() == 5
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"queued"}


def test_batch_left_behind_by_a_killed_worker_is_finished_once_its_claim_is_stale(capture):
    """A worker killed mid-batch leaves a claimed row and no email. The claim holds off others for
    15 minutes (its worker might be alive); the next hourly planning takes it over."""
    users = [UserFactory() for _ in range(3)]
    for user in users:
        note(user)
    with capture(execute=True):
        digest_deliver(user=users[0], period="weekly", period_key=WEEK, now=NOW)
    DigestDelivery.objects.create(user=users[1], period="weekly", period_key=WEEK, claimed_at=NOW)

    # Redelivered at once (acks_late): the first is done, the second is someone's fresh claim.
    with capture(execute=True):
        outcome = digests_send(
            user_ids=[user.pk for user in users],
            period="weekly",
            period_key=WEEK,
            now=NOW + timedelta(minutes=1),
        )
    assert outcome == {"queued": 1, "empty": 0, "skipped": 2, "failed": 0}
    assert emails_to(users[1]) == []

    # An hour later the claim is stale: planning picks that person up again, and nobody else.
    assert plan(capture, now=NOW + timedelta(hours=1)) == {"daily": 0, "weekly": 1}
    for user in users:
        assert len(emails_to(user)) == 1
    assert DigestDelivery.objects.get(user=users[1]).claimed_at == NOW + timedelta(hours=1)


# --- the directory's contribution ---------------------------------------------------------------


@pytest.fixture
def acme(dana):
    """Dana's SME in Málaga: needs robotics, offers composites. Old news."""
    acme = OrganisationFactory(
        name="Acme Mecanizados",
        slug="acme",
        created_at=LONG_AGO,
        topics_needed=[topic("automation-robotics")],
        topics_offered=[topic("composites")],
    )
    MembershipFactory(user=dana, organisation=acme, created_at=LONG_AGO)
    return acme


def new_org(name, *, region="malaga", offers=(), needs=(), visibility=None, at=NOW - timedelta(days=2)):
    organisation = OrganisationFactory(
        name=name,
        region=region,
        created_at=at,
        topics_offered=[topic(slug) for slug in offers],
        topics_needed=[topic(slug) for slug in needs],
    )
    if visibility:
        Organisation.objects.filter(pk=organisation.pk).update(
            visibility=organisation.visibility | visibility
        )
    return organisation


def test_directory_digest_lists_matching_new_organisations_and_new_colleagues(dana, acme, capture):
    new_org("Robo Offers", offers=["automation-robotics", "sensors"])
    new_org("Composite Needs", needs=["composites"])
    new_org("Wrong Region", region="cork", offers=["automation-robotics"])
    new_org("No Match", offers=["hydrogen"], needs=["space"])
    new_org("Too Old", offers=["automation-robotics"], at=NOW - timedelta(days=8))
    MembershipFactory(
        organisation=acme, user__full_name="Colin Colleague", created_at=NOW - timedelta(days=1)
    )
    MembershipFactory(organisation=acme, user__full_name="Ancient Anne", created_at=LONG_AGO)
    MembershipFactory(user__full_name="Stranger Sam", created_at=NOW - timedelta(days=1))  # another org

    plan(capture)

    (message,) = emails_to(dana)
    text = message.body
    assert "New in Málaga: Robo Offers" in text
    assert "Offers what you need: Automation and robotics" in text
    assert "Sensors" not in text  # only the topics that match are named
    assert "New in Málaga: Composite Needs" in text and "Needs what you offer: Composite materials" in text
    assert "Colin Colleague joined Acme Mecanizados" in text
    assert "/organisations/acme/people/" in text
    for absent in (
        "Wrong Region",
        "No Match",
        "Too Old",
        "Ancient Anne",
        "Stranger Sam",
        "Dana Digest joined",
    ):
        assert absent not in text
    assert DigestDelivery.objects.get(user=dana).item_count == 3


def test_directory_digest_does_not_leak_hidden_topics(dana, acme, capture):
    # Offers what Acme needs, but shows its offered topics only to its councils.
    new_org("Secret Robotics", offers=["automation-robotics"], visibility={"topics_offered": "council"})
    # Matches through what it needs (visible to members), hides what it offers (which also matches).
    new_org(
        "Half Hidden",
        offers=["automation-robotics"],
        needs=["composites"],
        visibility={"topics_offered": "council", "topics_needed": "members"},
    )

    plan(capture)

    text = emails_to(dana)[0].body
    assert "Secret Robotics" not in text
    assert "Half Hidden" in text
    assert "Needs what you offer: Composite materials" in text
    assert "Offers what you need" not in text


def test_directory_digest_viewers_for_many_people_are_those_of_viewer_for(
    dana, acme, member, outsider, staff
):
    MembershipFactory(user=member, organisation=acme, role=Membership.Role.ADMIN)
    MembershipFactory(user=member, organisation=OrganisationFactory(created_at=LONG_AGO))
    people = [dana, member, outsider, staff]

    viewers = viewers_for(people)

    assert viewers == {user.pk: viewer_for(user) for user in people}


def test_directory_digest_for_someone_without_an_organisation_is_empty(dana, capture):
    new_org("Robo Offers", offers=["automation-robotics"])

    plan(capture)

    assert mail.outbox == []
    assert DigestDelivery.objects.get(user=dana).status == "empty"


# --- a fixed number of queries ------------------------------------------------------------------


def _people_with_news(count, *, items):
    """``count`` members of one organisation in Málaga, each with ``items`` notifications, and
    ``items`` matching new organisations and new colleagues around them."""
    home = OrganisationFactory(
        created_at=LONG_AGO, topics_needed=[topic("sensors")], topics_offered=[topic("photonics")]
    )
    people = [UserFactory() for _ in range(count)]
    Membership.objects.bulk_create(
        Membership(user=user, organisation=home, created_at=LONG_AGO) for user in people
    )
    for index in range(items):
        new_org(f"Sensor Maker {index}", offers=["sensors"], needs=["photonics"])
        MembershipFactory(organisation=home, created_at=NOW - timedelta(hours=index + 1))
    Notification.objects.bulk_create(
        Notification(
            user=user,
            area=area,
            kind="test",
            message=JOIN,
            params={"name": f"N{index}", "organisation": "O"},
            url="/x/",
            created_at=NOW - timedelta(minutes=index + 1),
        )
        for user in people
        for index in range(items)
        for area in (Area.DIRECTORY, Area.LEARNING)
    )
    return people


def _queries_for_batch(people, capture):
    with capture(execute=False), CaptureQueriesContext(connection) as queries:
        outcome = digests_send(
            user_ids=[user.pk for user in people], period="weekly", period_key=WEEK, now=NOW
        )
    assert outcome["queued"] == len(people)
    # Savepoints (tests run in a transaction) and the transactions' settings are not queries.
    return sum(
        1
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE", "SET"))
    )


def test_digest_queries_do_not_grow_with_items(capture):
    few = _queries_for_batch(_people_with_news(1, items=10), capture)
    DigestDelivery.objects.all().delete()
    OutboundEmail.objects.all().delete()
    many = _queries_for_batch(_people_with_news(1, items=100), capture)

    assert many == few


def test_digest_queries_per_person_do_not_grow_with_people(capture):
    ten = _queries_for_batch(_people_with_news(10, items=3), capture)
    hundred = _queries_for_batch(_people_with_news(100, items=3), capture)

    per_person = (hundred - ten) / 90
    assert per_person == int(per_person), "every digest runs the same queries"
    assert hundred == ten + 90 * per_person
    assert per_person == 2  # the email (its get_or_create: select, insert); the rest is per batch


# --- unsubscribe --------------------------------------------------------------------------------


def test_digest_unsubscribe_header_turns_off_every_area_of_this_digest(dana, client, capture):
    preference_set(user=dana, area=Area.LEARNING, frequency=Frequency.DAILY)
    preference_set(user=dana, area=Area.FACILITIES, frequency=Frequency.IMMEDIATE)
    note(dana)

    plan(capture, periods=["weekly"])

    (message,) = emails_to(dana)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{digests.settings.SITE_URL}/notifications/unsubscribe/") and header.endswith(
        ">"
    )
    url = header[1:-1]
    assert url in message.body and url in html_of(message), "the body carries the same link"
    raw = message.message()
    assert raw["List-Unsubscribe"] == header

    # A mail client's one-click POST (RFC 8058), without a session or CSRF token.
    path = url.removeprefix(digests.settings.SITE_URL)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200

    frequencies = digests._frequencies(user_ids=[dana.pk])[dana.pk]
    weekly_areas = set(Area.values) - {Area.LEARNING, Area.FACILITIES}
    assert {area for area, frequency in frequencies.items() if frequency == "off"} == weekly_areas
    assert frequencies[Area.LEARNING] == "daily" and frequencies[Area.FACILITIES] == "immediate"


def test_digest_per_area_unsubscribe_link_turns_that_area_off(dana, client, capture):
    note(dana, area=Area.DIRECTORY)
    note(dana, area=Area.LEARNING)

    plan(capture)

    text = emails_to(dana)[0].body
    line = next(line for line in text.splitlines() if line.startswith("Stop emails about Learning: "))
    url = line.split(": ", 1)[1]
    assert url != emails_to(dana)[0].extra_headers["List-Unsubscribe"][1:-1]
    _, area = unsubscribe_read(url.rstrip("/").rsplit("/", 1)[-1])
    assert area == Area.LEARNING
    path = url.removeprefix(digests.settings.SITE_URL)

    response = client.get(path)  # a link scanner's GET changes nothing
    assert response.status_code == 200
    assert digests._frequencies(user_ids=[dana.pk])[dana.pk][Area.LEARNING] == "weekly"
    response = client.post(path)
    assert response.status_code == 200

    frequencies = digests._frequencies(user_ids=[dana.pk])[dana.pk]
    assert frequencies[Area.LEARNING] == "off"
    assert frequencies[Area.DIRECTORY] == "weekly"
    # Next week's digest leaves Learning out.
    note(dana, area=Area.LEARNING, at=NOW + timedelta(days=2), name="Learning Again")
    note(dana, area=Area.DIRECTORY, at=NOW + timedelta(days=2), name="Directory Again")
    plan(capture, now=NOW + timedelta(days=7))
    latest = emails_to(dana)[-1].body
    assert "Directory Again" in latest and "Learning Again" not in latest


def test_digest_unsubscribe_link_forged_or_expired_is_refused(dana, client, monkeypatch):
    url = unsubscribe_url(user=dana, area=[Area.DIRECTORY, Area.LEARNING])
    path = url.removeprefix(digests.settings.SITE_URL)

    forged = path.rstrip("/")[:-3] + "abc/"
    assert client.post(forged).status_code == 400
    monkeypatch.setattr("notifications.unsubscribe.MAX_AGE", -1)
    assert client.post(path).status_code == 400
    assert not dana.notification_preferences.exists()


# --- the schedule -------------------------------------------------------------------------------


def test_setup_periodic_tasks_plans_digests_hourly_on_the_hour():
    call_command("setup_periodic_tasks", verbosity=0)
    call_command("setup_periodic_tasks", verbosity=0)

    task = PeriodicTask.objects.get(task="notifications.digest_plan")
    assert task.crontab is not None and task.interval is None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "*", "*")
    assert PeriodicTask.objects.filter(task="notifications.digest_plan").count() == 1
