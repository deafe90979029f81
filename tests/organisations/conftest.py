import pytest

from organisations.models import Membership, Organisation

from ..factories.organisations import MembershipFactory, OrganisationFactory


@pytest.fixture
def acme(db):
    """An SME in Málaga."""
    return OrganisationFactory(name="Acme Mecanizados", slug="acme", kind=Organisation.Kind.SME)


@pytest.fixture
def org_admin(acme):
    """Alba, the administrator of Acme."""
    return MembershipFactory(
        organisation=acme,
        role=Membership.Role.ADMIN,
        user__email="alba@example.org",
        user__full_name="Alba Admin",
    ).user


@pytest.fixture
def org_member(acme, member):
    """Bob (the shared `member` fixture) is a plain member of Acme."""
    MembershipFactory(organisation=acme, user=member, role=Membership.Role.MEMBER)
    return member


@pytest.fixture
def other_org_member(outsider):
    """Charlie (the shared `outsider`) belongs to another organisation, not to Acme."""
    MembershipFactory(user=outsider, organisation=OrganisationFactory(name="Other Org", slug="other-org"))
    return outsider
