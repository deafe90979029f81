"""`manage.py seed_demo`: the councils' demo data (councils/demo.py)."""

import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from councils import demo
from councils.models import (
    ActionItem,
    AgendaItem,
    Challenge,
    Council,
    CouncilInteraction,
    CouncilOrganisation,
    CouncilPerson,
    Decision,
    ImpactRecord,
    Indicator,
    IndicatorValue,
    Meeting,
)
from councils.permissions import council_roles
from councils.services.meetings import LEDGER_SOURCE
from events.models import Event, Registration
from organisations.models import Interaction, Membership, Organisation

pytestmark = pytest.mark.django_db

SIZE = 150  # organisations: a small set keeps the test fast


def seed_demo(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Membership,
            CouncilOrganisation,
            CouncilPerson,
            Event,
            Meeting,
            AgendaItem,
            Registration,
            Decision,
            ActionItem,
            Interaction,
            CouncilInteraction,
            Challenge,
            Indicator,
            IndicatorValue,
            ImpactRecord,
        )
    }


def quarters(dates):
    return {(day.year, (day.month - 1) // 3) for day in dates}


def snapshot():
    """The councils' demo data by natural keys (no ids, no creation times)."""
    meetings = []
    for meeting in Meeting.objects.select_related("council", "event").order_by(
        "council__slug", "event__start"
    ):
        meetings.append(
            (
                meeting.council.slug,
                meeting.event.title,
                meeting.event.start,
                meeting.event.capacity,
                meeting.minutes,
                list(meeting.agenda_items.values_list("position", "title", "presenter", "duration_minutes")),
                sorted(meeting.event.registrations.values_list("user__email", "status", "checked_in_at")),
                list(meeting.decisions.values_list("text", flat=True)),
                sorted(meeting.action_items.values_list("title", "owner__email", "due_date", "status")),
            )
        )
    interactions = sorted(
        (
            "" if i.source == LEDGER_SOURCE else i.source_ref,  # a meeting's id there
            i.kind,
            i.date,
            i.description,
            tuple(sorted(o.slug for o in i.organisations.all())),
        )
        for i in Interaction.objects.prefetch_related("organisations")
    )
    return {
        "memberships": sorted(
            CouncilOrganisation.objects.values_list("council__slug", "organisation__slug", "status")
        ),
        "coordinators": sorted(CouncilPerson.objects.values_list("council__slug", "user__email", "role")),
        "meetings": meetings,
        "interactions": interactions,
        "indicators": sorted(
            IndicatorValue.objects.values_list(
                "indicator__success_factor__challenge__council__slug", "indicator__name", "date", "value"
            )
        ),
        "impact": sorted(
            ImpactRecord.objects.values_list(
                "council__slug", "kind", "date", "country", "quantity", "description"
            )
        ),
    }


def test_seed_demo_grows_with_the_councils(client):
    """One test: seeding takes a while, so the same data is checked, seeded again (adds nothing), then
    seeded afresh with the same seed (the same data)."""
    output = seed_demo(seed=7, organisations=SIZE)
    today = timezone.localdate()
    now = timezone.now()
    for email, _ in demo.ACCOUNTS:
        assert email in output

    # the six coordinators: verified, can sign in, coordinate their council, work at an intermediary
    for slug, (email, full_name, language, time_zone, _) in demo.COORDINATORS.items():
        council = Council.objects.get(slug=slug)
        user = User.objects.get(email=email)
        assert (user.full_name, user.language, user.time_zone) == (full_name, language, time_zone)
        assert EmailAddress.objects.filter(email=email, verified=True, primary=True).exists()
        assert council_roles(user)[council.pk] == CouncilPerson.Role.COORDINATOR
        assert user.memberships.get().organisation.kind == Organisation.Kind.INTERMEDIARY
        assert client.login(email=email, password=DEMO_PASSWORD)
        client.logout()
    assert {user.language for user in User.objects.filter(email__startswith="coordinator.")} == {
        "es",
        "it",
        "en",
        "tr",
        "fr",
    }

    # the demo accounts are in member organisations: they see council content
    for email, slug in [
        ("sme@example.org", "malaga"),
        ("member@example.org", "malaga"),
        ("hei@example.org", "bologna"),
    ]:
        user = User.objects.get(email=email)
        assert council_roles(user).get(Council.objects.get(slug=slug).pk) == CouncilPerson.Role.MEMBER, email
    demo_actions = ActionItem.objects.filter(owner__email__in=["sme@example.org", "hei@example.org"])
    assert demo_actions.filter(status=ActionItem.Status.OPEN, due_date__lt=today).exists()

    links = CouncilOrganisation.objects.all()
    cross = links.filter(status="active").exclude(organisation__region=F("council__region"))
    assert cross.exists()
    for council in Council.objects.all():
        statuses = dict(council.organisation_links.values_list("status").annotate(n=Count("id")))
        assert statuses["active"] >= 10 and statuses["requested"] >= 1 and statuses["invited"] >= 1

        # past meetings with an agenda, registrations, check-ins, minutes, decisions and actions
        past = council.meetings.filter(event__end__lt=now)
        assert past.count() == demo.PAST_MEETINGS
        for meeting in past.select_related("event"):
            assert 3 <= meeting.agenda_items.count() <= 5
            registrations = meeting.event.registrations
            confirmed = registrations.filter(status=Registration.Status.CONFIRMED)
            checked_in = confirmed.filter(checked_in_at__isnull=False)
            assert checked_in.count() >= 0.7 * confirmed.count() >= 5
            assert not registrations.filter(checked_in_at__gt=meeting.event.end).exists()
            assert meeting.minutes_published_at and meeting.minutes_published_at > meeting.event.end
            assert meeting.decisions.exists() and meeting.action_items.exists()
            assert Interaction.objects.filter(source=LEDGER_SOURCE, source_ref=str(meeting.pk)).exists()
        actions = ActionItem.objects.filter(meeting__council=council)
        assert actions.filter(status=ActionItem.Status.DONE).exists()
        assert actions.filter(status=ActionItem.Status.OPEN, due_date__lt=today).exists()  # overdue
        assert actions.filter(status__in=["open", "in_progress"], due_date__gte=today).exists()
        dates = [meeting.event.start.date() for meeting in past]
        assert min(dates) >= today - datetime.timedelta(days=731) and len(quarters(dates)) >= 7

        # two upcoming meetings, the next full with a waiting list
        upcoming = list(council.meetings.filter(event__start__gt=now).order_by("event__start"))
        assert len(upcoming) == 2
        first = upcoming[0].event
        assert first.registrations.filter(status="confirmed").count() == first.capacity
        assert first.registrations.filter(status="waitlisted").exists()

        # interactions over two years, rising
        interactions = Interaction.objects.filter(councils=council)
        days = list(interactions.values_list("date", flat=True))
        assert len(quarters(days)) >= 8
        assert min(days) >= today - datetime.timedelta(days=731) and max(days) <= today
        year_ago = today - datetime.timedelta(days=365)
        assert sum(day >= year_ago for day in days) > 1.3 * sum(day < year_ago for day in days)

        # success factor 3: challenges → factors → indicators with quarterly values towards the target
        indicators = Indicator.objects.filter(success_factor__challenge__council=council)
        assert 2 <= council.challenges.count() <= 3 and indicators.count() >= 3
        for indicator in indicators:
            values = list(indicator.values.order_by("date").values_list("value", flat=True))
            assert len(values) >= 7
            direction = 1 if indicator.target > indicator.baseline else -1
            assert direction * (values[-1] - indicator.baseline) > 0
            assert direction * (indicator.target - values[-1]) > 0

        # success factor 4: impact records of every kind, with organisations
        records = council.impact_records.all()
        assert 15 <= records.count() <= 30
        assert set(records.values_list("kind", flat=True)) == set(ImpactRecord.Kind.values)
        assert not records.filter(organisations=None).exists()

    interactions = Interaction.objects.filter(source=demo.SOURCE, source_ref__startswith="councils-")
    assert interactions.count() == 2 * SIZE
    assert 0.25 <= interactions.filter(is_sme_hei=True).count() / interactions.count() <= 0.7
    assert interactions.filter(is_cross_cluster=True).exists()
    assert interactions.filter(is_cross_border=True).exists()
    assert len(set(interactions.values_list("kind", flat=True))) == 6

    # Running it again adds nothing.
    before = counts()
    assert "0 meetings" in seed_demo(seed=7, organisations=SIZE)
    assert counts() == before

    # The same seed gives the same data.
    first = snapshot()

    # all of it (meetings, registrations, agendas, minutes and actions go with their events)
    for model in (Event, Interaction, Challenge, ImpactRecord, Organisation, User):
        model.objects.all().delete()
    seed_demo(seed=7, organisations=SIZE)
    assert snapshot() == first
