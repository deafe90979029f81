"""Benchmark of the digest emails at 100,000 people on PostgreSQL, Redis and one Celery worker.

Seeds its own database (``cg_bench_digests`` on the server of ``DATABASE_URL``): people in the six
regions' time zones with a mix of preferences, organisations with topics, memberships, and a week of
activity. Then it starts one real worker (prefork, concurrency 2) whose emails go to a local sink
(Django's dummy backend, or with ``--sink smtp`` an aiosmtpd server that discards them), runs the
planning of the weekly digest for Monday morning, waits until every planned digest is recorded and
every email sent, and prints a table. Queries per digest are
counted in this process, on samples of two sizes, inside a transaction that is rolled back.

    DATABASE_URL=postgres://cg:cg@127.0.0.1:5432/cluster_growth REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/digests.py

See bench/README.md.
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

TARGET_DIGESTS_PER_SECOND = 200
TARGET_TOTAL_SECONDS = 600
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday: 10:00 in Dublin, 13:00 in Istanbul
PERIOD = "weekly"
QUEUE = "bench-digests"
REDIS_DB = 13  # a Redis database of the benchmark's own: it purges its queue there
EMAIL_WINDOW = 30  # seconds the outbox is watched after the digests, without --drain-emails

# region -> (time zone, languages people there read, with weights)
REGIONS = {
    "malaga": ("Europe/Madrid", {"es": 8, "en": 2}),
    "alcala": ("Europe/Madrid", {"es": 8, "en": 2}),
    "bologna": ("Europe/Rome", {"it": 8, "en": 2}),
    "cork": ("Europe/Dublin", {"en": 10}),
    "istanbul": ("Europe/Istanbul", {"tr": 7, "en": 3}),
    "paris": ("Europe/Paris", {"fr": 8, "en": 2}),
}
# A few people live far from their region: New York is still asleep at NOW (not due yet).
FAR_AWAY = ["America/New_York", "Asia/Tokyo", "Atlantic/Canary"]
FIRST = [
    "Ana",
    "Luca",
    "Marco",
    "Giulia",
    "Sean",
    "Aoife",
    "Emre",
    "Elif",
    "Camille",
    "Louis",
    "Lucía",
    "Javier",
    "Chiara",
    "Ciara",
    "Zeynep",
    "Hugo",
]
LAST = [
    "García",
    "Rossi",
    "Murphy",
    "Yılmaz",
    "Martin",
    "López",
    "Bianchi",
    "Kelly",
    "Demir",
    "Bernard",
    "Ruiz",
    "Ferrari",
    "Byrne",
    "Kaya",
]
COUNTRY = {"cork": "IE", "istanbul": "TR", "paris": "FR", "bologna": "IT", "malaga": "ES", "alcala": "ES"}
TRADES = ["Robotics", "Composites", "Photonics", "Labs"]
MESSAGES = [
    ("%(name)s asks to join %(organisation)s", "directory"),
    ("%(name)s accepted the invitation and joined %(organisation)s", "directory"),
    ("%(name)s asks to join %(organisation)s", "councils"),
    ("%(name)s asks to join %(organisation)s", "learning"),
    ("%(name)s asks to join %(organisation)s", "mapping"),
    ("%(name)s asks to join %(organisation)s", "consultancy"),
    ("%(name)s asks to join %(organisation)s", "facilities"),
]


def _parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000, help="how many people (default 100,000)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "cg_bench_digests"))
    parser.add_argument("--reseed", action="store_true", help="seed again even if the count is right")
    parser.add_argument(
        "--samples", default="50,500", help="people per in-process sample for queries per digest"
    )
    parser.add_argument(
        "--drain-emails",
        action="store_true",
        help=f"wait until every email is sent (by default the outbox is watched for {EMAIL_WINDOW} s)",
    )
    parser.add_argument(
        "--sink",
        choices=["dummy", "smtp"],
        default="dummy",
        help="where the worker sends the emails: Django's dummy backend (default), or a local aiosmtpd "
        "server that discards them (real SMTP: slower, and not what this benchmark measures)",
    )
    return parser.parse_args()


def _prepare_environment(database, sink, sink_port):
    """Point Django (here and in the worker) at the bench database, created if missing, at a Redis
    database of the benchmark's own and at the SMTP sink, before Django starts."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/digests.py needs DATABASE_URL to PostgreSQL (it creates its own database there).")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith("redis://"):
        sys.exit("bench/digests.py needs REDIS_URL (the worker's broker).")
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        dbname=config.get("NAME") or "postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        conn.close()
    os.environ["DATABASE_URL"] = f"{url.rsplit('/', 1)[0]}/{database}"
    os.environ["REDIS_URL"] = urlsplit(redis_url)._replace(path=f"/{REDIS_DB}", query="").geturl()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{sink_port}" if sink == "smtp" else "dummymail://"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
    os.environ["DEBUG"] = "false"  # production settings: cached templates, no query log
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ.setdefault("VAR_DIR", str(BASE_DIR / "var" / "bench"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cluster_growth.settings"
    for key in list(os.environ):
        if key.startswith("CELERY_") and key != "CELERY_TASK_DEFAULT_QUEUE":
            del os.environ[key]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- seeding ------------------------------------------------------------------------------------


def seed(users, rng):
    """Bulk-create ``users`` people, their organisations, memberships, preferences and a week of
    activity before NOW. About a minute for 100,000 people."""
    from django.db import connection, transaction

    from accounts.models import User
    from notifications.models import Area, Frequency, Notification, NotificationPreference
    from organisations.models import Membership, Organisation, Topic, default_visibility

    start = time.perf_counter()
    topics = list(Topic.objects.values_list("pk", flat=True))
    areas = Area.values
    week = 7 * 24 * 3600
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE accounts_user, organisations_organisation, notifications_outboundemail "
                "RESTART IDENTITY CASCADE"
            )
        # Organisations: one per five people, 1 % of them new this week.
        organisations = []
        for i in range(users // 5):
            region = rng.choice(list(REGIONS))
            visibility = default_visibility()
            if rng.random() < 0.15:
                hidden = rng.choice(["topics_offered", "topics_needed"])
                visibility[hidden] = rng.choice(["members", "council"])
            kind = rng.choices(["sme", "hei", "intermediary"], weights=[75, 10, 15])[0]
            organisations.append(
                Organisation(
                    kind=kind,
                    subtype="cluster" if kind == "intermediary" else "",
                    name=f"{rng.choice(LAST)} {rng.choice(TRADES)} {i}",
                    slug=f"bench-{i}",
                    country=COUNTRY[region],
                    region=region,
                    city=region.title(),
                    visibility=visibility,
                    created_at=NOW - timedelta(seconds=rng.randrange(week))
                    if rng.random() < 0.01
                    else NOW - timedelta(days=rng.randint(8, 900)),
                )
            )
        Organisation.objects.bulk_create(organisations, batch_size=5000)
        offered, needed = Organisation.topics_offered.through, Organisation.topics_needed.through
        offered.objects.bulk_create(
            (offered(organisation_id=o.pk, topic_id=t) for o in organisations for t in rng.sample(topics, 3)),
            batch_size=10_000,
        )
        needed.objects.bulk_create(
            (needed(organisation_id=o.pk, topic_id=t) for o in organisations for t in rng.sample(topics, 2)),
            batch_size=10_000,
        )
        by_region = {}
        for organisation in organisations:
            by_region.setdefault(organisation.region, []).append(organisation.pk)

        people, regions = [], []
        for i in range(users):
            region = rng.choice(list(REGIONS))
            zone, languages = REGIONS[region]
            if rng.random() < 0.04:
                zone = rng.choice(FAR_AWAY)
            people.append(
                User(
                    email=f"person{i}@bench.example",
                    full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    password="!",  # unusable: nobody signs in here
                    language=rng.choices(list(languages), weights=list(languages.values()))[0],
                    time_zone=zone,
                    is_active=rng.random() > 0.01,
                    date_joined=NOW - timedelta(days=400),
                )
            )
            regions.append(region)
        User.objects.bulk_create(people, batch_size=5000)

        # Nine in ten people belong to an organisation of their region; 3 % joined this week.
        Membership.objects.bulk_create(
            (
                Membership(
                    user_id=person.pk,
                    organisation_id=rng.choice(by_region[region]),
                    created_at=NOW - timedelta(seconds=rng.randrange(week))
                    if rng.random() < 0.03
                    else NOW - timedelta(days=rng.randint(8, 700)),
                )
                for person, region in zip(people, regions, strict=True)
                if rng.random() < 0.9
            ),
            batch_size=10_000,
        )

        # Preferences: most keep the default (all weekly); some choose daily, at once, or nothing.
        preferences = []
        for person in people:
            roll = rng.random()
            if roll < 0.55:
                continue
            if roll < 0.70:  # some areas daily, the rest weekly
                choices = dict.fromkeys(rng.sample(areas, rng.randint(1, 3)), Frequency.DAILY)
            elif roll < 0.80:  # no emails at all
                choices = dict.fromkeys(areas, Frequency.OFF)
            elif roll < 0.90:  # some areas at once, the rest weekly
                choices = dict.fromkeys(rng.sample(areas, rng.randint(1, 3)), Frequency.IMMEDIATE)
            else:  # daily or nothing: never weekly
                choices = {area: rng.choice([Frequency.DAILY, Frequency.OFF]) for area in areas}
            preferences += [
                NotificationPreference(user_id=person.pk, area=area, frequency=frequency)
                for area, frequency in choices.items()
            ]
        NotificationPreference.objects.bulk_create(preferences, batch_size=10_000)

        # A week of notifications: four in ten people got some, a fifth of them read already.
        notifications = []
        for person in people:
            if rng.random() >= 0.4:
                continue
            for _ in range(rng.randint(1, 8)):
                message, area = rng.choice(MESSAGES)
                notifications.append(
                    Notification(
                        user_id=person.pk,
                        area=area,
                        kind="bench",
                        message=message,
                        params={"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "organisation": "Acme"},
                        url=f"/organisations/bench-{rng.randrange(len(organisations))}/",
                        created_at=NOW - timedelta(seconds=rng.randrange(week)),
                        read_at=NOW if rng.random() < 0.2 else None,
                    )
                )
        Notification.objects.bulk_create(notifications, batch_size=10_000)
    with connection.cursor() as cursor:
        for table in (
            "accounts_user",
            "organisations_organisation",
            "organisations_membership",
            "notifications_notification",
            "notifications_notificationpreference",
            offered._meta.db_table,
            needed._meta.db_table,
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"seeded {users:,} people, {len(organisations):,} organisations, {len(preferences):,} preferences, "
        f"{len(notifications):,} notifications in {time.perf_counter() - start:.0f} s"
    )


def reset_deliveries():
    """Forget the digests and emails of an earlier run (the seed stays)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_digestdelivery, notifications_outboundemail RESTART IDENTITY")
        cursor.execute("VACUUM ANALYZE notifications_digestdelivery")


# --- queries per digest, in this process --------------------------------------------------------


def sample_queries(size, rng):
    """Build the digests of ``size`` planned people in this process, as a worker's batch does
    (``DigestBatch.send``, step by step), inside a transaction rolled back at the end: nothing is
    recorded or sent. Returns (people, digests with news, queries for the whole batch — loading it,
    recording those with nothing new, claiming the others —, min and max queries per digest with
    news, queries marking them queued (one per CHUNK), digests per second). Savepoints are left out:
    they stand for the transactions of the worker."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from notifications import digests

    def count(queries):
        return sum(
            1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET"))
        )

    due = digests.due_zones(now=NOW, periods=(PERIOD,))
    ids = []
    for (period, key), zones in due.items():
        ids += list(digests.recipients_due(period=period, period_key=key, zones=zones, now=NOW))
    chosen = sorted(rng.sample(ids, size))
    per_digest = []
    with transaction.atomic():
        start_time = time.perf_counter()
        with CaptureQueriesContext(connection) as batch_queries:
            users = list(User.objects.filter(pk__in=chosen).order_by("pk"))
            batch = digests.DigestBatch(users=users, period=PERIOD, period_key="bench-sample", now=NOW)
            news, nothing_new = [], []
            for user in users:
                with digests._reading(user):
                    sections = batch.sections(user)
                if sections:
                    news.append((user, sections))
                else:
                    nothing_new.append(user)
            batch.record_nothing_new(nothing_new)
            claims = batch.claim([user for user, _ in news])
        recording = 0
        for start in range(0, len(news), digests.CHUNK):
            queued = []
            for user, sections in news[start : start + digests.CHUNK]:
                with CaptureQueriesContext(connection) as queries:
                    queued.append(batch.deliver(user, sections, claims[user.pk]))
                per_digest.append(count(queries))
            with CaptureQueriesContext(connection) as queries:
                batch.record_queued(queued)
            recording += count(queries)
        elapsed = time.perf_counter() - start_time
        transaction.set_rollback(True)
    batch_count = count(batch_queries)
    return (
        len(users),
        len(news),
        batch_count,
        min(per_digest),
        max(per_digest),
        recording,
        len(users) / elapsed,
    )


# --- the run ------------------------------------------------------------------------------------


class Process:
    """A child process whose output goes to a file, ended with its whole process group."""

    def __init__(self, args, env, name):
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self):
        return self.process.poll() is None

    def output(self):
        return Path(self.log.name).read_text(errors="replace")

    def stop(self):
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def start_sink(port):
    """aiosmtpd with its Sink handler: a real SMTP conversation, the message discarded."""
    sink = Process(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        os.environ.copy(),
        "smtp-sink",
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return sink
        time.sleep(0.1)
    sys.exit(f"the SMTP sink did not start:\n{sink.output()}")


def start_worker(celery_app):
    args = [str(BASE_DIR / ".venv" / "bin" / "celery"), "-A", "cluster_growth", "worker"]
    args += ["--pool", "prefork", "--concurrency", "2", "-Q", QUEUE, "--hostname", "bench-digests@%h"]
    args += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = Process(args, os.environ.copy(), "worker")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not worker.alive():
            sys.exit(f"the worker exited:\n{worker.output()}")
        if celery_app.control.ping(timeout=0.5):
            return worker
    sys.exit(f"the worker did not answer:\n{worker.output()}")


def purge_queue():
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(QUEUE, "unacked", "unacked_index")
    client.close()


def main():
    args = _parse_args()
    sink_port = _free_port()
    _prepare_environment(args.database, args.sink, sink_port)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from accounts.models import User
    from cluster_growth.celery import app as celery_app
    from notifications.digests import digests_plan
    from notifications.models import DigestDelivery, OutboundEmail

    call_command("migrate", verbosity=0)
    if args.reseed or User.objects.count() != args.users:
        seed(args.users, random.Random(2026))
    reset_deliveries()

    rng = random.Random(7)
    samples = [sample_queries(int(size), rng) for size in args.samples.split(",")]

    purge_queue()
    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    sink = start_sink(sink_port) if args.sink == "smtp" else None
    worker = start_worker(celery_app)
    try:
        start = time.perf_counter()
        planned = digests_plan(now=NOW, periods=(PERIOD,), pass_now=True)[PERIOD]
        plan_seconds = time.perf_counter() - start
        connection.close()

        def done():
            return DigestDelivery.objects.filter(
                period=PERIOD, status__in=[DigestDelivery.Status.QUEUED, DigestDelivery.Status.EMPTY]
            ).count()

        while (finished := done()) < planned:
            if not worker.alive():
                sys.exit(f"the worker died:\n{worker.output()}")
            if time.perf_counter() - start > 3 * TARGET_TOTAL_SECONDS:
                sys.exit(f"gave up: {finished:,} of {planned:,} digests after {3 * TARGET_TOTAL_SECONDS} s")
            time.sleep(0.5)
        built_seconds = time.perf_counter() - start
        # The emails: the worker sends them after the digests (its queue is first in, first out).
        # Measured for EMAIL_WINDOW seconds, or until the last is sent with --drain-emails.
        queued = DigestDelivery.objects.filter(period=PERIOD, status=DigestDelivery.Status.QUEUED).count()
        emails_start = time.perf_counter()
        window = 3 * TARGET_TOTAL_SECONDS if args.drain_emails else EMAIL_WINDOW
        while (sent := OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count()) < queued:
            if not worker.alive():
                sys.exit(f"the worker died:\n{worker.output()}")
            if OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).exists():
                sys.exit("some emails failed: " + str(OutboundEmail.objects.exclude(last_error="")[:1]))
            if time.perf_counter() - emails_start > window:
                break
            time.sleep(0.5)
        email_seconds = time.perf_counter() - emails_start
    finally:
        worker.stop()
        if sink:
            sink.stop()
        purge_queue()

    statuses = dict(
        DigestDelivery.objects.filter(period=PERIOD).values_list("status").annotate(n=Count("pk")).order_by()
    )
    empty = statuses.get(DigestDelivery.Status.EMPTY, 0)
    items = DigestDelivery.objects.filter(period=PERIOD, status="queued").values_list("item_count", flat=True)
    mean_items = sum(items) / len(items) if items else 0
    rate = planned / built_seconds
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = [
        ("people", f"{User.objects.count():,}"),
        (f"planned ({PERIOD} digest, Monday {NOW:%H:%M} UTC)", f"{planned:,}"),
        ("digests sent (queued to the outbox)", f"{queued:,} (mean {mean_items:.1f} items)"),
        ("empty: nothing new, not sent", f"{empty:,}"),
        ("plan time", f"{plan_seconds:.1f} s"),
        ("total time: plan → every digest recorded", f"{built_seconds:.1f} s"),
        ("digests/s (built and recorded by the worker)", f"{rate:.0f}"),
        (
            "then emails sent by the worker",
            f"{sent:,} of {queued:,} in {email_seconds:.0f} s ({sent / email_seconds:.0f}/s)",
        ),
    ]
    for people, built, loading, low, high, recording, per_second in samples:
        per_digest = low if low == high else f"{low}–{high}"
        rows.append(
            (
                f"queries, batch of {people} people (in-process)",
                f"{loading} + {per_digest} per digest with news ({built}) + {recording} to mark them "
                f"queued = {(loading + high * built + recording) / people:.2f} per person; "
                f"{per_second:.0f} digests/s in one process",
            )
        )
    width = max(len(label) for label, _ in rows)
    sink_name = (
        "a local aiosmtpd server that discards them" if args.sink == "smtp" else "Django's dummy backend"
    )
    print(f"\none worker (prefork, concurrency 2), emails sent to {sink_name}")
    print(f"load average before the run {load_before}, after {load} (other work on the machine counts)\n")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    failures = []
    if rate < TARGET_DIGESTS_PER_SECOND:
        failures.append(f"{rate:.0f} digests/s (target ≥ {TARGET_DIGESTS_PER_SECOND})")
    if built_seconds > TARGET_TOTAL_SECONDS:
        failures.append(f"whole run {built_seconds:.0f} s (target < {TARGET_TOTAL_SECONDS} s)")
    if len({sample[4] for sample in samples}) != 1 or len({sample[2] for sample in samples}) != 1:
        failures.append("the most queries a digest runs differ between the samples")
    print(
        f"\ntargets: ≥ {TARGET_DIGESTS_PER_SECOND} digests/s, the run under {TARGET_TOTAL_SECONDS // 60} "
        "minutes, queries per digest independent of the number of people"
    )
    if failures:
        print("MISSED:\n  " + "\n  ".join(failures))
        return 1
    print("all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
