"""The councils cast for the browser tests, built with the factories (as tests/councils/conftest.py):
the Málaga council; its coordinator Carmen, of the cluster organisation (an intermediary); two more
member organisations with one person each — an SME (Acme, Bob) and a university (Ulises) — so that
their meeting makes an SME–HEI interaction."""

import datetime
import re
import zoneinfo
from types import SimpleNamespace

from django.utils import timezone
from playwright.sync_api import expect

from organisations.models import Membership, Organisation
from tests.factories.councils import CouncilOrganisationFactory, CouncilPersonFactory, council
from tests.factories.organisations import MembershipFactory, OrganisationFactory

from .axe import assert_accessible
from .helpers import log_in


def councils_cast():
    malaga = council("malaga")
    coordinator = CouncilPersonFactory(
        council=malaga, user__email="carmen@example.org", user__full_name="Carmen Coordinator"
    ).user
    # Carmen works for the cluster organisation, itself a member: in an organisation, she is a portal
    # member, who may see the alliance's dashboard (a coordinator in no organisation may not).
    cluster = OrganisationFactory(
        name="Clúster Marítimo de Andalucía",
        slug="cluster-maritimo",
        kind=Organisation.Kind.INTERMEDIARY,
        subtype=Organisation.Subtype.CLUSTER,
        size_band="",
    )
    CouncilOrganisationFactory(council=malaga, organisation=cluster)
    MembershipFactory(organisation=cluster, user=coordinator, role=Membership.Role.ADMIN)
    acme = OrganisationFactory(name="Acme Mecanizados", slug="acme", kind=Organisation.Kind.SME)
    CouncilOrganisationFactory(council=malaga, organisation=acme)
    bob = MembershipFactory(
        organisation=acme,
        role=Membership.Role.ADMIN,
        user__email="bob@acme.example",
        user__full_name="Bob Acme",
    ).user
    uni = OrganisationFactory(
        name="Universidad de Málaga", slug="uma", kind=Organisation.Kind.HEI, size_band=""
    )
    CouncilOrganisationFactory(council=malaga, organisation=uni)
    ulises = MembershipFactory(
        organisation=uni, user__email="ulises@uma.example", user__full_name="Ulises Uni"
    ).user
    return SimpleNamespace(
        malaga=malaga, coordinator=coordinator, cluster=cluster, acme=acme, bob=bob, uni=uni, ulises=ulises
    )


def wall_clock(moment, zone_name):
    """``moment`` as the value of a datetime-local input in the time zone ``zone_name``."""
    return timezone.localtime(moment, zoneinfo.ZoneInfo(zone_name)).strftime("%Y-%m-%dT%H:%M")


def in_minutes(minutes):
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=minutes)


def log_in_fresh(page, user, password):
    """Log in as ``user`` in a browser with nothing left of the previous person's session."""
    page.context.clear_cookies()
    log_in(page, user.email, password)
    assert_accessible(page, f"profile page of {user.email}")


def visit(page, url, what, *, heading=None):
    """Go to ``url``, expect a level-1 heading (text or pattern) when given, and check it with axe."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{what}: {url} answered {response and response.status}"
    if heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(
            heading if isinstance(heading, re.Pattern) else re.compile(re.escape(heading))
        )
    assert_accessible(page, what)
    return response
