"""No page of the directory runs more queries when there are more organisations (DESIGN.md, Scale).

Each page is measured at 20 and at 500 organisations, for a visitor and for a member; the counts
must be equal. (An export reads organisations in chunks of ``exports.CHUNK_SIZE``, so past that many
it adds three queries per chunk, by design; both sizes here fit in one chunk.)
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation, Region, Visibility, default_visibility
from organisations.services import organisation_search_text

from ..factories.organisations import MembershipFactory, OrganisationFactory, sector, topic

pytestmark = pytest.mark.django_db

REGIONS = [Region.MALAGA, Region.BOLOGNA, Region.CORK, Region.PARIS]


def grow_to(n):
    """Add organisations (with sectors and topics, some with hidden fields) until there are ``n``."""
    offered = [topic("automation-robotics"), topic("sensors"), topic("hydrogen")]
    needed = [topic("maritime"), topic("finance-funding")]
    sectors = [sector("C28"), sector("M71")]
    start = Organisation.objects.count()
    new = []
    for i in range(start, n):
        visibility = default_visibility()
        if i % 3 == 0:
            visibility["location"] = Visibility.MEMBERS
            visibility["description"] = Visibility.COUNCIL
        organisation = Organisation(
            kind=Organisation.Kind.SME,
            name=f"Robotics Works {i}",
            slug=f"robotics-works-{i}",
            region=REGIONS[i % len(REGIONS)],
            country="ES",
            city="Málaga",
            latitude=36.7 + i / 10_000,
            longitude=-4.4,
            size_band=Organisation.SizeBand.SMALL,
            description="Machining and automation.",
            visibility=visibility,
        )
        organisation.search_text = organisation_search_text(
            organisation, topic_names=[t.name for t in offered[: 1 + i % 3]]
        )
        new.append(organisation)
    Organisation.objects.bulk_create(new)
    through = Organisation.topics_offered.through
    through.objects.bulk_create(
        [through(organisation=o, topic=t) for i, o in enumerate(new) for t in offered[: 1 + i % 3]]
    )
    through = Organisation.topics_needed.through
    through.objects.bulk_create([through(organisation=o, topic=t) for o in new for t in needed])
    through = Organisation.sectors.through
    through.objects.bulk_create([through(organisation=o, sector=s) for o in new for s in sectors])
    assert Organisation.objects.count() == n


def queries(client, url):
    client.get(url)  # the first request fills per-process caches (the filters' options)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)


URLS = [
    "/organisations/",
    "/organisations/?region=malaga&kind=sme",
    "/organisations/?q=robotics",
    "/organisations/?topic_offered=sensors&sector=C28&page=2",
    "/organisations/?topic_needed=maritime",
    "/organisations/?kind=spaceship",
    "/organisations/map/",
    "/organisations/map/markers.json",
    "/organisations/map/markers.json?region=cork",
    "/organisations/{slug}/",
]
MEMBER_URLS = [
    "/organisations/export.csv",
    "/organisations/export.csv?q=robotics",
    "/organisations/export.xlsx?region=bologna",
]


@pytest.mark.parametrize("role", ["visitor", "member"])
def test_directory_queries_do_not_grow_with_the_organisations(client, member, role):
    own = OrganisationFactory(name="Bob Tooling", slug="bob-tooling", topics_offered=[topic("sensors")])
    if role == "member":
        MembershipFactory(user=member, organisation=own)
        client.force_login(member)
    urls = [url.format(slug=own.slug) for url in URLS + (MEMBER_URLS if role == "member" else [])]

    grow_to(20)
    small = {url: queries(client, url) for url in urls}
    grow_to(500)
    large = {url: queries(client, url) for url in urls}

    assert large == small
    # And the directory's own counts are small, not merely constant (the profile page is measured
    # above, and bounded by its own tests); a member's include two for their council peers.
    mine = {url: n for url, n in small.items() if url != f"/organisations/{own.slug}/"}
    assert max(mine.values()) <= 12, mine
