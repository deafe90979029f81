"""/healthz: database, cache and broker status as JSON, 200 when all answer and 503 otherwise.

The broker and cache under test are whatever the environment configures (the filesystem broker and
the database cache by default; Redis with REDIS_URL); the failure cases point them at a port where
nothing listens, or at a broker folder that does not exist.
"""

import copy
import time

import pytest
from django.urls import reverse

from cluster_growth.celery import app as celery_app

URL = "/healthz"
ALL_OK = {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}}
NOBODY_LISTENS = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(isolated_cache):
    """Change this process's broker configuration for one test; restored afterwards."""
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "broker_transport_options": copy.deepcopy(conf.broker_transport_options),
    }

    def use(url, transport_options=None):
        conf.broker_url = url
        conf.broker_transport_options = transport_options or {}

    yield use
    conf.update(saved)


def assert_reveals_nothing_but_status(response):
    """Only ok/error per check: no host names, ports, paths or exception text."""
    data = response.json()
    assert set(data) == {"status", "checks"}
    assert set(data["checks"]) == {"database", "cache", "broker"}
    assert {data["status"], *data["checks"].values()} <= {"ok", "error"}


def test_healthz_all_services_up_is_200_ok(client, isolated_cache):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == ALL_OK
    assert_reveals_nothing_but_status(response)
    # Probes must see the live state, never a cached answer.
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_is_the_url_healthz(client, isolated_cache):
    assert reverse("healthz") == URL


def test_healthz_needs_no_authentication(client, member, isolated_cache):
    anonymous = client.get(URL)
    client.force_login(member)
    signed_in = client.get(URL)

    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.content == signed_in.content


def test_healthz_head_is_allowed(client, isolated_cache):
    response = client.head(URL)

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_healthz_other_methods_are_405(client, method, isolated_cache):
    response = getattr(client, method)(URL)

    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]


def test_healthz_redis_broker_unreachable_is_503(client, broker):
    broker(NOBODY_LISTENS)

    started = time.monotonic()
    response = client.get(URL)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "ok", "broker": "error"},
    }
    assert_reveals_nothing_but_status(response)
    # A refused connection is known at once; a load balancer's probe (often 1-2 s) gets the 503.
    assert elapsed < 1.5


def test_healthz_filesystem_broker_folder_missing_is_503(client, broker, tmp_path):
    missing = str(tmp_path / "no-such-folder")
    broker("filesystem://", {"data_folder_in": missing, "data_folder_out": missing})

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "error"}
    assert_reveals_nothing_but_status(response)


def test_healthz_filesystem_broker_folder_is_a_file_is_503(client, broker, tmp_path):
    not_a_folder = tmp_path / "queue"
    not_a_folder.write_text("")
    broker("filesystem://", {"data_folder_in": str(not_a_folder), "data_folder_out": str(not_a_folder)})

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "error"


def test_healthz_filesystem_broker_with_usable_folder_is_ok(client, broker, tmp_path):
    broker("filesystem://", {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)})

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == ALL_OK


def test_healthz_redis_cache_unreachable_is_503(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": NOBODY_LISTENS}
    }

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "ok", "cache": "error", "broker": "ok"},
    }
    assert_reveals_nothing_but_status(response)


def test_healthz_cache_that_keeps_nothing_is_503(client, settings):
    # A cache that accepts writes but returns nothing is as broken as one that is down.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "error", "broker": "ok"}
