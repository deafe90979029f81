import datetime

import pytest
from django.core.exceptions import ValidationError

from organisations import services
from organisations.models import Interaction, Membership, Organisation, Region, Visibility

from ..factories.organisations import MembershipFactory, OrganisationFactory, topic

pytestmark = pytest.mark.django_db


def test_organisation_create_makes_creator_admin_and_fills_search_text(member):
    organisation = services.organisation_create(
        creator=member,
        m2m={"topics_offered": [topic("automation-robotics")]},
        name="Robótica Málaga S.L.",
        kind=Organisation.Kind.SME,
        country="ES",
        region=Region.MALAGA,
        city="Málaga",
    )
    assert organisation.slug == "robotica-malaga-sl"
    assert Membership.objects.get(organisation=organisation, user=member).role == Membership.Role.ADMIN
    organisation.refresh_from_db()
    assert "robotica malaga" in organisation.search_text
    assert "automation and robotics" in organisation.search_text


def test_organisation_slug_avoids_reserved_words_and_duplicates(member):
    first = services.organisation_create(
        creator=None, name="Map", kind="sme", country="ES", region="malaga", city="X"
    )
    second = services.organisation_create(
        creator=None, name="Map", kind="sme", country="ES", region="malaga", city="X"
    )
    assert first.slug not in services.RESERVED_SLUGS
    assert first.slug != second.slug


def test_organisation_create_refuses_subtype_on_an_sme():
    with pytest.raises(ValidationError):
        services.organisation_create(
            creator=None, name="Bad", kind="sme", subtype="investor", country="ES", region="malaga", city="X"
        )
    assert not Organisation.objects.filter(name="Bad").exists()


def test_hidden_description_is_not_searchable(acme, org_admin):
    services.organisation_update(
        organisation=acme,
        actor=org_admin,
        description="Secret cryogenic project",
        visibility={**acme.visibility, "description": Visibility.COUNCIL},
    )
    acme.refresh_from_db()
    assert "cryogenic" not in acme.search_text
    services.organisation_update(
        organisation=acme, actor=org_admin, visibility={**acme.visibility, "description": Visibility.PUBLIC}
    )
    acme.refresh_from_db()
    assert "cryogenic" in acme.search_text


def test_interaction_record_derives_flags():
    sme = OrganisationFactory(kind="sme", region="malaga")
    hei = OrganisationFactory(kind="hei", region="malaga")
    italian = OrganisationFactory(kind="sme", region="bologna")
    local = services.interaction_record(
        kind="visit", date=datetime.date(2026, 3, 1), organisations=[sme, hei]
    )
    assert local.is_sme_hei and not local.is_cross_border
    abroad = services.interaction_record(
        kind="joint_project", date=datetime.date(2026, 3, 2), organisations=[sme, italian]
    )
    assert abroad.is_cross_border and not abroad.is_sme_hei
    assert set(abroad.organisations.all()) == {sme, italian}


def test_interaction_record_is_idempotent_with_a_source_ref():
    a, b = OrganisationFactory(), OrganisationFactory()
    kwargs = {"kind": "meeting", "date": datetime.date(2026, 1, 5), "organisations": [a, b]}
    first = services.interaction_record(source="councils.meeting", source_ref="42", **kwargs)
    again = services.interaction_record(source="councils.meeting", source_ref="42", **kwargs)
    assert first.pk == again.pk
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize("count", [0, 1])
def test_interaction_needs_two_organisations(count):
    organisations = [OrganisationFactory() for _ in range(count)]
    with pytest.raises(ValidationError):
        services.interaction_record(kind="visit", date=datetime.date.today(), organisations=organisations)


def test_interaction_with_unknown_kind_is_refused():
    with pytest.raises(ValidationError):
        services.interaction_record(
            kind="party",
            date=datetime.date.today(),
            organisations=[OrganisationFactory(), OrganisationFactory()],
        )


def test_last_admin_cannot_be_demoted_or_removed(acme, org_admin):
    membership = Membership.objects.get(user=org_admin, organisation=acme)
    with pytest.raises(ValidationError, match="at least one administrator"):
        services.membership_set_role(membership=membership, role=Membership.Role.MEMBER, actor=org_admin)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, actor=org_admin)
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(acme, org_admin):
    MembershipFactory(organisation=acme, role=Membership.Role.ADMIN)
    membership = Membership.objects.get(user=org_admin, organisation=acme)
    services.membership_set_role(membership=membership, role=Membership.Role.MEMBER, actor=org_admin)
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.MEMBER
