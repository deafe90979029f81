"""The councils cast (on top of tests/conftest.py's bob `member`, charlie `outsider`, alice `staff`):

- ``malaga``: the Málaga council; ``bologna``: another council.
- ``coordinator``: Carmen, coordinator of Málaga.
- ``acme``: an SME, active member of Málaga; ``council_member``: Bob, a member of Acme.
- ``uni``: the University of Málaga (HEI), also a member of Málaga, with ``uni_member`` Ulises.
- ``other_council_member``: Olga, in an organisation of the Bologna council only.
- ``outsider``: Charlie, signed in, in no organisation and no council.
"""

import pytest

from organisations.models import Membership, Organisation, Region

from ..factories.councils import CouncilOrganisationFactory, CouncilPersonFactory, council
from ..factories.organisations import MembershipFactory, OrganisationFactory


@pytest.fixture
def malaga(db):
    return council("malaga")


@pytest.fixture
def bologna(db):
    return council("bologna")


@pytest.fixture
def coordinator(malaga):
    return CouncilPersonFactory(
        council=malaga, user__email="carmen@example.org", user__full_name="Carmen Coordinator"
    ).user


@pytest.fixture
def acme(malaga):
    organisation = OrganisationFactory(name="Acme Mecanizados", slug="acme", kind=Organisation.Kind.SME)
    CouncilOrganisationFactory(council=malaga, organisation=organisation)
    return organisation


@pytest.fixture
def council_member(acme, member):
    MembershipFactory(organisation=acme, user=member, role=Membership.Role.ADMIN)
    return member


@pytest.fixture
def uni(malaga):
    organisation = OrganisationFactory(
        name="Universidad de Málaga", slug="uma", kind=Organisation.Kind.HEI, size_band=""
    )
    CouncilOrganisationFactory(council=malaga, organisation=organisation)
    return organisation


@pytest.fixture
def uni_member(uni):
    return MembershipFactory(
        organisation=uni, user__email="ulises@example.org", user__full_name="Ulises Uni"
    ).user


@pytest.fixture
def other_council_member(bologna):
    organisation = OrganisationFactory(name="Meccanica Bolognese", slug="meccanica", region=Region.BOLOGNA)
    CouncilOrganisationFactory(council=bologna, organisation=organisation)
    return MembershipFactory(
        organisation=organisation, user__email="olga@example.org", user__full_name="Olga Other"
    ).user
