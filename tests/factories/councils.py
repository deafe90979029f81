import datetime

import factory
from django.utils import timezone

from councils.models import (
    ActionItem,
    AgendaItem,
    Council,
    CouncilOrganisation,
    CouncilPerson,
    Meeting,
)
from councils.services.meetings import MEETING_KIND

from .accounts import UserFactory
from .events import EventFactory
from .organisations import OrganisationFactory


def council(slug):
    """One of the six seeded councils: malaga, alcala, bologna, cork, istanbul, paris."""
    return Council.objects.get(slug=slug)


class CouncilOrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation that is an active member of a council (Málaga unless given)."""

    class Meta:
        model = CouncilOrganisation

    council = factory.LazyFunction(lambda: council("malaga"))
    organisation = factory.SubFactory(OrganisationFactory)
    status = CouncilOrganisation.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class CouncilPersonFactory(factory.django.DjangoModelFactory):
    """A person with a role in a council: a coordinator of Málaga unless given."""

    class Meta:
        model = CouncilPerson

    council = factory.LazyFunction(lambda: council("malaga"))
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    role = CouncilPerson.Role.COORDINATOR
    status = CouncilPerson.Status.ACTIVE
    accepted_at = factory.LazyFunction(timezone.now)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting of Málaga a week ahead (its event in the council's time zone)."""

    class Meta:
        model = Meeting

    council = factory.LazyFunction(lambda: council("malaga"))
    event = factory.SubFactory(
        EventFactory,
        kind=MEETING_KIND,
        title=factory.Sequence(lambda n: f"Council meeting {n}"),
        time_zone=factory.LazyAttribute(lambda o: o.factory_parent.council.time_zone),
    )
    created_by = factory.LazyAttribute(lambda o: o.event.organiser)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    presenter = "Marta López"
    duration_minutes = 20


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


def past_meeting(council_slug="malaga", *, days_ago=1, **event_fields):
    """A meeting of the council that ended ``days_ago`` days ago (two hours long)."""
    from .events import in_days

    start = in_days(-days_ago, hour=8)
    return MeetingFactory(
        council=council(council_slug),
        event__start=start,
        event__end=start + datetime.timedelta(hours=2),
        **{f"event__{name}": value for name, value in event_fields.items()},
    )


def attend(meeting, *users):
    """Confirmed registrations of ``users`` at the meeting, checked in (its attendance)."""
    from .events import RegistrationFactory

    now = timezone.now()
    return [
        RegistrationFactory(
            event=meeting.event, user=user, checked_in_at=now, checked_in_by=meeting.created_by
        )
        for user in users
    ]
