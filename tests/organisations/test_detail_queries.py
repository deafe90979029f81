import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Sector, Topic

from ..factories.organisations import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("as_member", [False, True])
def test_organisation_page_query_count_does_not_grow(client, member, as_member):
    counts = []
    for size in (2, 30):
        organisation = OrganisationFactory(
            topics_offered=list(Topic.objects.all()[:size]),
            topics_needed=list(Topic.objects.all()[:size]),
            sectors=list(Sector.objects.all()[:size]),
        )
        for _ in range(size):
            MembershipFactory(organisation=organisation)
        if as_member:
            MembershipFactory(organisation=organisation, user=member)
            client.force_login(member)
        OrganisationFactory.create_batch(size)  # more data elsewhere changes nothing either
        counts.append(_queries(client, organisation.get_absolute_url()))
        if as_member:
            organisation.memberships.filter(user=member).delete()
    assert counts[0] == counts[1], counts
