import datetime
from decimal import Decimal

import factory

from organisations.models import Interaction, Membership, Organisation, Region, Sector, Topic
from organisations.services import organisation_search_text

from .accounts import UserFactory

CITY = {
    Region.MALAGA: ("ES", "Málaga", 36.7213, -4.4214),
    Region.ALCALA: ("ES", "Alcalá de Henares", 40.4818, -3.3643),
    Region.BOLOGNA: ("IT", "Bologna", 44.4949, 11.3426),
    Region.CORK: ("IE", "Cork", 51.8985, -8.4756),
    Region.ISTANBUL: ("TR", "Istanbul", 41.0082, 28.9784),
    Region.PARIS: ("FR", "Paris", 48.8566, 2.3522),
}


def _coordinate(region, index):
    value = CITY.get(region, (None, None, None, None))[index]
    return None if value is None else Decimal(str(value))


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An organisation in one of the six regions, public by default. Pass ``topics_offered=[...]``,
    ``topics_needed=[...]`` or ``sectors=[...]`` to set those; search text is kept like the services do."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = Organisation.Kind.SME
    subtype = factory.LazyAttribute(lambda o: "other" if o.kind == Organisation.Kind.INTERMEDIARY else "")
    name = factory.Sequence(lambda n: f"Organisation {n} Engineering")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    region = Region.MALAGA
    country = factory.LazyAttribute(lambda o: CITY.get(o.region, ("ES",))[0])
    city = factory.LazyAttribute(lambda o: CITY.get(o.region, ("", "Elsewhere"))[1])
    latitude = factory.LazyAttribute(lambda o: _coordinate(o.region, 2))
    longitude = factory.LazyAttribute(lambda o: _coordinate(o.region, 3))
    size_band = Organisation.SizeBand.SMALL
    description = "Precision engineering for demanding customers."

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)

    @factory.post_generation
    def topics_offered(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics_offered.set(extracted)

    @factory.post_generation
    def topics_needed(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics_needed.set(extracted)

    @factory.post_generation
    def search(self, create, extracted, **kwargs):
        if create:
            self.search_text = organisation_search_text(self)
            Organisation.objects.filter(pk=self.pk).update(search_text=self.search_text)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


def topic(slug):
    return Topic.objects.get(slug=slug)


def sector(code):
    return Sector.objects.get(code=code)


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    kind = Interaction.Kind.OTHER
    date = factory.LazyFunction(datetime.date.today)
