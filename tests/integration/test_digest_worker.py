"""A real Celery worker on Redis plans the digests, builds one in its own process and sends it over
SMTP to a local aiosmtpd server; the test reads the message as a mail client would.

Needs PostgreSQL and Redis (``DATABASE_URL``, ``REDIS_URL``): skipped without them, failed under
``REQUIRE_SERVICES=1``. See the ``celery_worker`` fixture in conftest.py.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils.translation import gettext_noop

from notifications.models import Area, DigestDelivery, Notification, OutboundEmail
from notifications.tasks import digest_plan
from notifications.unsubscribe import unsubscribe_read

from ..factories.accounts import UserFactory
from ..factories.organisations import MembershipFactory, OrganisationFactory, topic
from .conftest import body, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30  # seconds: only reached on failure
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday morning in Europe: weekly digests are due


def test_worker_plans_builds_and_sends_a_digest_over_smtp(celery_worker, smtp_server):
    erin = UserFactory(email="erin@example.org", full_name="Erin Engineer", time_zone="Europe/Paris")
    home = OrganisationFactory(
        name="Erin Photonics", slug="erin-photonics", created_at=NOW - timedelta(days=400)
    )
    home.topics_needed.set([topic("sensors")])
    MembershipFactory(user=erin, organisation=home, created_at=NOW - timedelta(days=400))
    OrganisationFactory(
        name="Sensor Works",
        slug="sensor-works",
        topics_offered=[topic("sensors")],
        created_at=NOW - timedelta(1),
    )
    Notification.objects.create(
        user=erin,
        area=Area.DIRECTORY,
        kind="test",
        message=gettext_noop("%(name)s asks to join %(organisation)s"),
        params={"name": "Nora Newcomer", "organisation": "Erin Photonics"},
        url="/organisations/erin-photonics/people/",
        created_at=NOW - timedelta(hours=3),
    )
    # Committed already (transactional test): the worker, another process, sees all of it.

    digest_plan.delay(now=NOW.isoformat())

    (message,) = wait_for(
        lambda: smtp_server.messages_to("erin@example.org"), timeout=TIMEOUT, message="the digest email"
    )
    assert message["Subject"] == "[SME Cluster Growth] Your weekly digest: 2 new items"
    text = body(message, "plain")
    assert text.startswith("Hello Erin Engineer,")
    assert "Nora Newcomer asks to join Erin Photonics" in text
    assert "New in Málaga: Sensor Works" in text
    assert f"{settings.SITE_URL}/organisations/sensor-works/" in text
    html = body(message, "html")
    assert "Directory</h2>" in html and f'href="{settings.SITE_URL}/organisations/sensor-works/"' in html

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(message["List-Unsubscribe"]).strip()  # long: folded onto the next line
    assert header.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/") and header.endswith(">")
    user_id, areas = unsubscribe_read(header[1:-1].rstrip("/").rsplit("/", 1)[-1])
    assert user_id == erin.pk and set(areas) == set(Area.values)

    def delivered():
        return OutboundEmail.objects.filter(to="erin@example.org", status=OutboundEmail.Status.SENT).exists()

    wait_for(delivered, timeout=TIMEOUT, message="the outbox row to be sent")
    delivery = DigestDelivery.objects.get(user=erin)
    assert (delivery.period_key, delivery.status, delivery.item_count) == ("2026-W10", "queued", 2)
    output = celery_worker.output()
    # The worker did all of it: planning, the batch, and sending.
    for task in (
        "notifications.digest_plan[",
        "notifications.digest_send_batch[",
        "notifications.email_send[",
    ):
        assert task in output
