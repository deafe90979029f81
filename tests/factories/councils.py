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
