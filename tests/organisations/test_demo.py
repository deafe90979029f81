"""`manage.py seed_demo`: the demo organisations, people and interactions (organisations/demo.py)."""

import datetime
import hashlib
import math
import os
import random
import subprocess
import sys
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Exists, OuterRef, Q

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from organisations import demo
from organisations.models import Interaction, Membership, Organisation, Region, Visibility
from organisations.services import organisation_search_text

pytestmark = pytest.mark.django_db


def seed_demo(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts():
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "memberships": Membership.objects.count(),
        "interactions": Interaction.objects.count(),
        "sectors": Organisation.sectors.through.objects.count(),
        "offered": Organisation.topics_offered.through.objects.count(),
        "needed": Organisation.topics_needed.through.objects.count(),
        "interaction links": Interaction.organisations.through.objects.count(),
    }


def without_admin():
    admins = Membership.objects.filter(organisation=OuterRef("pk"), role=Membership.Role.ADMIN)
    return Organisation.objects.filter(~Exists(admins))


def distance_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def assert_valid(organisations):
    """What every demo set must hold, however large."""
    assert not organisations.filter(search_text="").exists()
    assert not without_admin().exists()
    # intermediaries have a type, SMEs and universities none (the model's check constraint, and more)
    assert not organisations.filter(kind=Organisation.Kind.INTERMEDIARY, subtype="").exists()
    assert not organisations.filter(~Q(kind=Organisation.Kind.INTERMEDIARY) & ~Q(subtype="")).exists()
    assert set(organisations.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert set(organisations.values_list("region", flat=True)) == set(Region.values)
    assert set(organisations.exclude(subtype="").values_list("subtype", flat=True)) == set(
        Organisation.Subtype.values
    )
    assert organisations.values("name").distinct().count() == organisations.count()


def test_default_demo_set(client):
    output = seed_demo()
    assert "sme@example.org" in output and "hei@example.org" in output

    organisations = Organisation.objects.all()
    assert organisations.count() == demo.DEFAULT_SIZE
    assert_valid(organisations)
    for region in demo.SIX_REGIONS:
        assert 45 <= organisations.filter(region=region).count() <= 55
    assert 1 <= organisations.filter(region=Region.OTHER).count() <= 10
    sme_share = organisations.filter(kind=Organisation.Kind.SME).count() / organisations.count()
    assert 0.6 <= sme_share <= 0.8
    smes = organisations.filter(kind=Organisation.Kind.SME)
    assert smes.filter(size_band__in=["micro", "small"]).count() > 0.7 * smes.count()
    for name in [
        "Universidad de Málaga",
        "Università di Bologna",
        "University College Cork",
        "Munster Technological University",
        "Istanbul Technical University",
        "Boğaziçi University",
        "Sorbonne Université",
        "Arts et Métiers",
        "Mecanizados Costa del Sol S.L.",
    ]:
        assert organisations.filter(name=name).exists(), name
    assert (
        organisations.filter(is_verified=True).exists() and organisations.filter(is_verified=False).exists()
    )
    assert organisations.filter(visibility__topics_needed=Visibility.COUNCIL).exists()
    assert organisations.filter(visibility__description__in=[Visibility.MEMBERS, Visibility.COUNCIL]).exists()

    for organisation in organisations.prefetch_related("sectors", "topics_offered", "topics_needed"):
        organisation.full_clean()
        assert organisation.website.endswith(".example.org")
        assert 1 <= organisation.sectors.count() <= 4
        assert 1 <= organisation.topics_offered.count() <= 4
        assert 1 <= organisation.topics_needed.count() <= 4
        # near one of the places of its region (a city, or a university's campus)
        places = demo.REGIONS[organisation.region]["cities"] if organisation.region in demo.REGIONS else []
        places = [(c.lat, c.lon) for c in [*places, *demo.ELSEWHERE.values()]]
        places += [(e[3], e[4]) for e in demo.REAL_HEIS.get(organisation.region, [])]
        lat, lon = float(organisation.latitude), float(organisation.longitude)
        assert min(distance_km(lat, lon, *place) for place in places) <= 25, organisation

    # people: a few hundred, verified, in the organisations' countries' languages
    assert 300 <= Membership.objects.count() <= 1000
    assert not User.objects.filter(memberships__isnull=False).exclude(emailaddress__verified=True).exists()
    assert set(User.objects.values_list("language", flat=True)) >= {"es", "it", "fr", "tr", "en"}

    # the demo accounts
    for email, kind in [
        ("sme@example.org", Organisation.Kind.SME),
        ("hei@example.org", Organisation.Kind.HEI),
    ]:
        membership = Membership.objects.select_related("organisation").get(user__email=email)
        assert membership.role == Membership.Role.ADMIN
        assert membership.organisation.kind == kind
        assert EmailAddress.objects.filter(email=email, verified=True, primary=True).exists()
        assert client.login(email=email, password=DEMO_PASSWORD)
        client.logout()
    sme = Membership.objects.get(user__email="sme@example.org").organisation
    assert (sme.name, sme.region, sme.memberships.get(role="admin").user.full_name) == (
        "Mecanizados Costa del Sol S.L.",
        Region.MALAGA,
        "Sofía Martín",
    )
    assert Membership.objects.get(user__email="member@example.org", organisation=sme).role == "member"
    hei = Membership.objects.get(user__email="hei@example.org").organisation
    assert hei.name == "Università di Bologna"
    assert User.objects.get(email="hei@example.org").full_name == "Giulia Romano"

    # interactions over the last two years, many SME–HEI, some across borders (the councils' demo
    # records its own besides, under its own source)
    interactions = Interaction.objects.filter(source=demo.SOURCE)
    assert 200 <= interactions.count() <= 250
    assert interactions.filter(is_sme_hei=True).count() > interactions.count() / 3
    assert interactions.filter(is_cross_border=True).exists()
    assert len(set(interactions.values_list("kind", flat=True))) >= 6
    today = datetime.date.today()
    assert not interactions.filter(date__lt=today - datetime.timedelta(days=731)).exists()
    assert not interactions.filter(date__gt=today).exists()

    # Running it again adds nothing.
    before = counts()
    output = seed_demo()
    assert "0 organisation(s) created" in output
    assert counts() == before


def test_same_seed_same_organisations():
    seed_demo(seed=7, organisations=300)
    first = sorted(Organisation.objects.values_list("name", "slug", "city", "latitude", "longitude"))
    people = sorted(User.objects.values_list("email", "full_name"))
    Organisation.objects.all().delete()

    seed_demo(seed=7, organisations=300)
    assert sorted(Organisation.objects.values_list("name", "slug", "city", "latitude", "longitude")) == first
    assert sorted(User.objects.values_list("email", "full_name")) == people
    Organisation.objects.all().delete()

    seed_demo(seed=8, organisations=300)
    other = set(Organisation.objects.values_list("name", flat=True))
    assert len(other - {name for name, *_ in first}) > 200


def plan_digest(seed):
    plan = demo.build_plan(random.Random(seed), 400)
    return hashlib.sha256(repr(plan).encode()).hexdigest()


def test_the_plan_does_not_depend_on_the_process():
    """Nothing in the plan may come from the order of a set (it changes with PYTHONHASHSEED)."""
    code = "import django; django.setup(); from tests.organisations.test_demo import *; print(plan_digest(7))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "DJANGO_SETTINGS_MODULE": "cluster_growth.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == plan_digest(7)
    assert plan_digest(7) != plan_digest(8)


def test_organisations_option_seeds_that_many_in_bulk():
    output = seed_demo(organisations=2000)
    assert "2000 organisation(s) created" in output

    organisations = Organisation.objects.all()
    assert organisations.count() == 2000
    assert_valid(organisations)
    # the bulk path keeps what the services would: valid rows, the same search text, derived flags
    for organisation in organisations.order_by("?")[:100].prefetch_related("topics_offered"):
        organisation.full_clean()
        assert organisation.search_text == organisation_search_text(organisation)
    for interaction in Interaction.objects.order_by("?")[:100].prefetch_related("organisations"):
        involved = list(interaction.organisations.all())
        assert len(involved) >= 2
        assert interaction.is_sme_hei == ({"sme", "hei"} <= {o.kind for o in involved})
        assert interaction.is_cross_border == (len({str(o.country) for o in involved}) > 1)
    assert Membership.objects.get(user__email="sme@example.org").organisation.kind == Organisation.Kind.SME
    assert Membership.objects.get(user__email="hei@example.org").organisation.kind == Organisation.Kind.HEI

    before = counts()
    seed_demo(organisations=2000)
    assert counts() == before


def test_organisations_option_must_be_positive():
    with pytest.raises(CommandError):
        seed_demo(organisations=0)
