import datetime

import factory
from django.utils import timezone

from events.models import Event, Registration

from .accounts import UserFactory


def in_days(days, hour=10):
    """An aware datetime ``days`` from now at ``hour``:00 UTC."""
    day = timezone.now() + datetime.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    """An in-person event a week ahead, two hours long. Pass ``kind="meeting"`` only through
    MeetingFactory (a meeting event needs its Meeting row)."""

    class Meta:
        model = Event

    kind = "test"
    title = factory.Sequence(lambda n: f"Event {n}")
    description = "What we will talk about."
    organiser = factory.SubFactory(UserFactory)
    start = factory.LazyFunction(lambda: in_days(7))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    time_zone = "Europe/Madrid"
    format = Event.Format.IN_PERSON
    venue = "Málaga TechPark, Sala 2"
    address = "Calle Severo Ochoa 16, 29590 Málaga"
    capacity = 20


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
