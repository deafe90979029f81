"""Parallel registrations for the last seat: exactly one wins, never more confirmed than capacity.

PostgreSQL only (row locks; SQLite serialises whole-database writes and cannot run these in
parallel): skipped on SQLite, required in CI.
"""

import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from events.models import Registration
from events.services import registration_cancel, registration_create
from tests.conftest import require_service
from tests.factories.accounts import UserFactory
from tests.factories.events import EventFactory, RegistrationFactory

CONFIRMED, WAITLISTED = Registration.Status.CONFIRMED, Registration.Status.WAITLISTED
PARALLEL = 10
CSRF = "a" * 32


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL")


def _run_together(functions):
    """Start every function at the same moment, each in its own thread (its own DB connection)."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            function()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_last_seat_parallel_http_requests(live_server, transactional_db):
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(2, event=event)  # one seat left
    people = [UserFactory(email=f"person{i}@example.org") for i in range(PARALLEL)]
    cookies = [_session_cookie(person) for person in people]
    url = f"{live_server.url}/events/{event.uid}/register/"
    statuses = []

    def post(session):
        def call():
            request = urllib.request.Request(
                url,
                data=b"",
                method="POST",
                headers={
                    "Cookie": f"sessionid={session}; csrftoken={CSRF}",
                    "X-CSRFToken": CSRF,
                    "HX-Request": "true",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)

        return call

    errors = _run_together([post(cookie) for cookie in cookies])
    assert not errors
    assert statuses == [200] * PARALLEL
    mine = Registration.objects.filter(event=event, user__in=people)
    assert mine.filter(status=CONFIRMED).count() == 1
    assert mine.filter(status=WAITLISTED).count() == PARALLEL - 1
    assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 3


def test_parallel_registrations_and_cancellations_keep_the_invariant(transactional_db):
    capacity = 4
    event = EventFactory(capacity=capacity)
    holders = [UserFactory(email=f"person{i}@example.org") for i in range(capacity)]
    held = [registration_create(event=event, user=holder) for holder in holders]
    newcomers = [UserFactory(email=f"person{50 + i}@example.org") for i in range(PARALLEL)]
    calls = [lambda u=u: registration_create(event=event, user=u) for u in newcomers]
    calls += [lambda r=r: registration_cancel(registration=r, actor=r.user) for r in held[:2]]
    errors = _run_together(calls)
    assert not errors
    confirmed = Registration.objects.filter(event=event, status=CONFIRMED)
    waiting = Registration.objects.filter(event=event, status=WAITLISTED)
    assert confirmed.count() == capacity  # the two freed seats were given to people waiting (or new)
    assert waiting.count() == PARALLEL - 2
    # First come, first served: everyone confirmed among the newcomers joined before anyone waiting.
    latest_confirmed = max(r.queued_at for r in confirmed.filter(user__in=newcomers))
    assert all(r.queued_at >= latest_confirmed for r in waiting)


def test_many_rounds_never_exceed_capacity(transactional_db):
    event = EventFactory(capacity=2)
    people = [UserFactory(email=f"person{i}@example.org") for i in range(PARALLEL)]
    for _ in range(3):
        errors = _run_together([lambda u=u: registration_create(event=event, user=u) for u in people])
        assert not errors
        assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 2
        registrations = list(Registration.objects.filter(event=event, status=CONFIRMED))
        errors = _run_together(
            [lambda r=r: registration_cancel(registration=r, actor=r.user) for r in registrations]
        )
        assert not errors
        assert Registration.objects.filter(event=event, status=CONFIRMED).count() == 2
        Registration.objects.filter(event=event).delete()


def test_reminders_run_concurrently_remind_once(transactional_db):
    import datetime

    from django.utils import timezone

    from events.services import reminders_send
    from notifications.models import Notification

    start = timezone.now() + datetime.timedelta(hours=2)
    event = EventFactory(start=start, end=start + datetime.timedelta(hours=1), capacity=None)
    RegistrationFactory.create_batch(30, event=event)
    sent = []
    errors = _run_together([lambda: sent.append(reminders_send()) for _ in range(4)])
    assert not errors
    assert sum(sent) == 30
    assert Notification.objects.filter(kind="event.reminder").count() == 30
    assert Notification.objects.filter(kind="event.reminder").values("user").distinct().count() == 30
