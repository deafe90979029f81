"""Benchmark of the organisations directory at 50,000 organisations on PostgreSQL.

Seeds its own database (``cg_bench`` on the server of ``DATABASE_URL``), then measures the server
time of the directory (no filter, a filter, a text search) and of an organisation page, each side by
side with a floor: a minimal view that runs the same query and returns the same rows as plain JSON.
Prints a table and checks the targets of issue 3. See bench/README.md.

    DATABASE_URL=postgres://cg:cg@127.0.0.1:5432/cluster_growth .venv/bin/python bench/directory.py
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

from benchdb import use_bench_database

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

TARGET_RATIO = 2.0  # directory and search p95 within 2x the floor's p95
TARGET_SEARCH_P95_MS = 100.0


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=50_000, help="how many to seed (default 50,000)")
    parser.add_argument("--requests", type=int, default=80, help="measured requests per case (default 80)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "cg_bench"))
    parser.add_argument("--reseed", action="store_true", help="seed again even if the count is right")
    return parser.parse_args()


def _prepare_environment(database):
    use_bench_database(database, script="bench/directory.py")


# --- seeding ------------------------------------------------------------------------------------

# Words that make up the organisations' names (split below).
_PREFIX_WORDS = """
Alba Aero Alto Atlas Azul Boreal Cielo Costa Delta Dinamo Ebro Estrella Ferro Fortis Gaia Helio Hidro Iber
Kappa Lumen Magna Mare Medi Mecha Nova Orion Pixel Quantum Rapida Robo Sigma Sol Stella Tecno Terra Titan
Vega Vento Volta Zenit
"""
_MIDDLE_WORDS = """
Robotics Mecanizados Ingeniería Meccanica Engineering Systems Composites Automation Photonics Labs
Technologies Solutions Dynamics Precision Energy Marine Sensors Materials Tooling Mechatronics Fluidics
Electronics Motion Structures Hydraulics Coatings Optics Drives Controls Design
"""
PREFIXES = _PREFIX_WORDS.split()
MIDDLES = _MIDDLE_WORDS.split()
LEGAL = {"ES": "S.L.", "IT": "S.r.l.", "IE": "Ltd", "TR": "A.Ş.", "FR": "SAS", "DE": "GmbH", "PT": "Lda"}
HEI_WORDS = ["University", "Polytechnic", "Institute of Technology", "School of Engineering"]
DEPARTMENTS = [
    "Mechanical Engineering",
    "Electrical Engineering",
    "Materials Science",
    "Industrial Design",
    "Computer Engineering",
    "Civil Engineering",
    "Aerospace Engineering",
    "Chemical Engineering",
]
INTERMEDIARY_WORDS = {
    "public_body": "Regional Development Agency",
    "cluster": "Engineering Cluster",
    "consultancy": "Innovation Consulting",
    "investor": "Ventures",
    "student": "Student Entrepreneurs",
    "other": "Industry Network",
}
CITY = {
    "malaga": ("ES", "Málaga", 36.7213, -4.4214),
    "alcala": ("ES", "Alcalá de Henares", 40.4818, -3.3643),
    "bologna": ("IT", "Bologna", 44.4949, 11.3426),
    "cork": ("IE", "Cork", 51.8985, -8.4756),
    "istanbul": ("TR", "Istanbul", 41.0082, 28.9784),
    "paris": ("FR", "Paris", 48.8566, 2.3522),
}
OTHER_PLACES = [
    ("DE", "Munich", 48.137, 11.575),
    ("PT", "Porto", 41.157, -8.629),
    ("FR", "Lyon", 45.764, 4.835),
    ("IT", "Turin", 45.070, 7.687),
    ("ES", "Valencia", 39.470, -0.376),
]
SENTENCES = [
    "We design and build {a} for customers across Europe.",
    "Specialists in {a} and {b}.",
    "Our team works with universities on {a}.",
    "Family business since {year}, now growing in {b}.",
    "Looking for partners in {b} to scale our {a} products.",
]


def seed(count, rng):
    """Bulk-create ``count`` organisations with sectors, topics, visibility and search text."""
    from django.db import connection, transaction
    from django.utils.text import slugify

    from organisations.models import Organisation, Region, Sector, Topic, default_visibility
    from organisations.services import organisation_search_text
    from organisations.validators import LANGUAGE_CHOICES

    topics = list(Topic.objects.all())
    sectors = list(Sector.objects.all())
    languages = [code for code, _ in LANGUAGE_CHOICES]
    regions = [r for r in Region.values if r != Region.OTHER]
    start = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE organisations_organisation, organisations_membership, organisations_invitation, "
                "organisations_joinrequest, organisations_interaction RESTART IDENTITY CASCADE"
            )
        batch, links = [], []
        offered_through = Organisation.topics_offered.through
        needed_through = Organisation.topics_needed.through
        sectors_through = Organisation.sectors.through
        for i in range(count):
            region = rng.choice(regions) if rng.random() > 0.05 else Region.OTHER
            if region == Region.OTHER:
                country, city, lat, lng = rng.choice(OTHER_PLACES)
            else:
                country, city, lat, lng = CITY[region]
            roll = rng.random()
            if roll < 0.70:
                kind, subtype = Organisation.Kind.SME, ""
                name = f"{rng.choice(PREFIXES)} {rng.choice(MIDDLES)} {LEGAL.get(country, 'Ltd')}"
                size = rng.choices(Organisation.SizeBand.values, weights=[45, 35, 15, 5])[0]
            elif roll < 0.82:
                kind, subtype = Organisation.Kind.HEI, ""
                name = f"{city} {rng.choice(HEI_WORDS)} – {rng.choice(DEPARTMENTS)}"
                size = rng.choice([Organisation.SizeBand.MEDIUM, Organisation.SizeBand.LARGE])
            else:
                kind = Organisation.Kind.INTERMEDIARY
                subtype = rng.choice(Organisation.Subtype.values)
                name = f"{rng.choice(PREFIXES)} {INTERMEDIARY_WORDS[subtype]} {city}"
                size = rng.choice(Organisation.SizeBand.values)
            offered = rng.sample(topics, rng.randint(1, 4))
            needed = rng.sample(topics, rng.randint(0, 3))
            visibility = default_visibility()
            if rng.random() < 0.15:
                visibility[rng.choice(list(visibility))] = rng.choice(["members", "council"])
            if rng.random() < 0.05:
                visibility["location"] = "members"
            a, b = rng.sample(topics, 2)
            description = " ".join(
                s.format(a=a.name.lower(), b=b.name.lower(), year=rng.randint(1950, 2020))
                for s in rng.sample(SENTENCES, 2)
            )
            organisation = Organisation(
                kind=kind,
                subtype=subtype,
                name=name,
                short_name=name.split()[0] if rng.random() < 0.3 else "",
                slug=f"{slugify(name)[:180]}-{i}",
                country=country,
                region=region,
                city=city,
                latitude=round(lat + rng.gauss(0, 0.12), 5),
                longitude=round(lng + rng.gauss(0, 0.15), 5),
                size_band=size,
                founded_year=rng.randint(1900, 2025),
                website=f"https://www.{slugify(name)[:40]}-{i}.example",
                languages=rng.sample(languages, rng.randint(1, 3)),
                description=description,
                visibility=visibility,
                is_verified=rng.random() < 0.2,
            )
            organisation.search_text = organisation_search_text(
                organisation, topic_names=[topic.name for topic in offered]
            )
            batch.append(organisation)
            links.append((offered, needed, rng.sample(sectors, rng.randint(1, 2))))
            if len(batch) == 5000 or i == count - 1:
                Organisation.objects.bulk_create(batch)
                offered_rows, needed_rows, sector_rows = [], [], []
                for org, (off, need, secs) in zip(batch, links, strict=True):
                    offered_rows += [offered_through(organisation_id=org.pk, topic_id=t.pk) for t in off]
                    needed_rows += [needed_through(organisation_id=org.pk, topic_id=t.pk) for t in need]
                    sector_rows += [sectors_through(organisation_id=org.pk, sector_id=s.pk) for s in secs]
                offered_through.objects.bulk_create(offered_rows, batch_size=10_000)
                needed_through.objects.bulk_create(needed_rows, batch_size=10_000)
                sectors_through.objects.bulk_create(sector_rows, batch_size=10_000)
                batch, links = [], []
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE organisations_organisation")
        for table in (offered_through, needed_through, sectors_through):
            cursor.execute(f"ANALYZE {table._meta.db_table}")
    print(f"seeded {count:,} organisations in {time.perf_counter() - start:.1f} s")


# --- the floor: the same queries, the same rows, as plain JSON ----------------------------------


def floor_directory(request):
    """What the directory computes (viewer, filters, count, one page with its topics), minus the page."""
    from django.http import JsonResponse

    from organisations.selectors import organisations_for_directory, viewer_for
    from organisations.views.directory import directory_page

    viewer = viewer_for(request.user)
    queryset = organisations_for_directory(viewer=viewer, params=request.GET).qs
    page = directory_page(queryset, request.GET.get("page"))
    rows = [
        {
            "name": o.name,
            "slug": o.slug,
            "kind": o.kind,
            "city": o.city,
            "region": o.region,
            "country": str(o.country),
            "topics": [t.name for t in o.topics_offered.all()],
        }
        for o in page.object_list
    ]
    return JsonResponse({"count": page.paginator.count, "results": rows})


def floor_organisation(request, slug):
    from django.http import JsonResponse

    from organisations.models import VISIBILITY_FIELDS
    from organisations.selectors import organisation_for_viewer, viewer_for

    viewer = viewer_for(request.user)
    o = organisation_for_viewer(slug=slug, viewer=viewer)
    data = {"name": o.name, "kind": o.kind, "city": o.city, "country": str(o.country)}
    for name in VISIBILITY_FIELDS:
        if not viewer.can_see(o, name) or name in ("logo", "location"):
            continue
        value = getattr(o, name)
        data[name] = [str(x) for x in value.all()] if hasattr(value, "all") else value
    return JsonResponse(data)


def urlconf():
    import types

    from django.urls import include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("floor/organisations/", floor_directory),
        path("floor/organisations/<slug:slug>/", floor_organisation),
        path("", include("cluster_growth.urls")),
    ]
    return module


# --- measuring ----------------------------------------------------------------------------------


def measure(client, url, n):
    from django.db import connection

    for _ in range(5):  # warm up caches, connections, templates
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(url)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, len(queries)


def main():
    args = _parse_args()
    _prepare_environment(args.database)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from organisations.models import Organisation

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        print("collecting static files (once)…")
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.reseed or Organisation.objects.count() != args.organisations:
        seed(args.organisations, random.Random(2026))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organisations_organisation")  # fresh statistics after a migration
    settings.ROOT_URLCONF = urlconf()

    client = Client()
    some = Organisation.objects.filter(kind="sme").order_by("pk")[args.organisations // 2]
    cases = [
        ("directory, no filter", "/organisations/", "/floor/organisations/"),
        (
            "directory, region + kind",
            "/organisations/?region=bologna&kind=sme",
            "/floor/organisations/?region=bologna&kind=sme",
        ),
        (
            "directory, topic (visibility-checked)",
            "/organisations/?topic_offered=hydrogen",
            "/floor/organisations/?topic_offered=hydrogen",
        ),
        ("search 'robot'", "/organisations/?q=robot", "/floor/organisations/?q=robot"),
        (
            "search 'hydrogen malaga'",
            "/organisations/?q=hydrogen+malaga",
            "/floor/organisations/?q=hydrogen+malaga",
        ),
        ("organisation page", f"/organisations/{some.slug}/", f"/floor/organisations/{some.slug}/"),
    ]
    header = (
        f"{'case':38} {'p50 ms':>8} {'p95 ms':>8} {'floor p50':>10} {'floor p95':>10} {'ratio p95':>10} "
        f"{'queries':>8}"
    )
    total = Organisation.objects.count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{total:,} organisations, {args.requests} requests per case, load average {load}\n")
    print(header)
    print("-" * len(header))
    failures = []
    for name, url, floor_url in cases:
        p50, p95, queries = measure(client, url, args.requests)
        f50, f95, _ = measure(client, floor_url, args.requests)
        ratio = p95 / f95
        print(f"{name:38} {p50:8.1f} {p95:8.1f} {f50:10.1f} {f95:10.1f} {ratio:9.2f}x {queries:8}")
        if name.startswith(("directory", "search")) and ratio > TARGET_RATIO:
            failures.append(f"{name}: p95 is {ratio:.2f}x the floor (target ≤ {TARGET_RATIO}x)")
        if name.startswith("search") and p95 > TARGET_SEARCH_P95_MS:
            failures.append(f"{name}: p95 {p95:.1f} ms (target < {TARGET_SEARCH_P95_MS:.0f} ms)")
    print(
        f"\ntargets: directory and search p95 ≤ {TARGET_RATIO:.0f}x the floor's p95; "
        f"search p95 < {TARGET_SEARCH_P95_MS:.0f} ms"
    )
    if failures:
        print("MISSED:\n  " + "\n  ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
