import copy
import os
import uuid

import pytest
from django.conf import settings

from cluster_growth.celery import app as celery_app

from .factories.accounts import UserFactory

# Unit tests run Celery tasks in-process; integration tests start a real worker instead.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

# The production hasher is slow on purpose (over half a second per hash here); what the tests check
# does not depend on the algorithm. Tests of the hasher setting itself run manage.py in a subprocess.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# WhiteNoise scans STATIC_ROOT whenever a test client builds its middleware (a third of a second per
# test once collectstatic has filled var/static); with autorefresh it looks files up on request.
settings.WHITENOISE_AUTOREFRESH = True


def require_service(what):
    """Skip a test whose service is missing, except in CI (REQUIRE_SERVICES=1), where it fails."""
    if settings.REQUIRE_SERVICES or os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def member(db):
    """Bob: an ordinary verified member."""
    return UserFactory(email="bob@example.org", full_name="Bob Member")


@pytest.fixture
def outsider(db):
    """Charlie: signed in, but belongs to nothing of anyone else's."""
    return UserFactory(email="charlie@example.org", full_name="Charlie Outsider")


@pytest.fixture
def staff(db):
    """Alice: platform staff."""
    return UserFactory(email="alice@example.org", full_name="Alice Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def isolated_cache(settings):
    """A cache namespace of the test's own, emptied afterwards.

    Rate limits, used TOTP codes and cached sessions live in the cache, so tests must not see each
    other's. The database cache (the default) is rolled back with each test's transaction; Redis
    (with REDIS_URL) is shared with other processes on the machine, so rather than flushing it the
    test gets a key prefix of its own and deletes just those keys.
    """
    from django.core.cache import cache

    prefix = f"test-{uuid.uuid4().hex}"
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches  # Django's setting_changed handler rebuilds the cache connections
    yield cache
    if caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


@pytest.fixture
def no_static_scan(settings):
    """Skip WhiteNoise's scan of STATIC_ROOT when a test client builds its middleware (a third of a
    second for each test's client once collectstatic has filled var/static): files are looked up when
    requested instead, which HTTP tests rarely do."""
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a test that activates another language must not leak it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


# Data that migrations put in the database (the shared taxonomies). Transactional tests (the browser
# and worker tests) end with a flush that empties every table, and pytest-playwright's ordering can
# run them before ordinary database tests: put the data back whenever it is missing.
DATA_MIGRATIONS = ["organisations.migrations.0002_taxonomies", "councils.migrations.0002_councils"]


@pytest.fixture(autouse=True)
def _migrated_data(request):
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
        marker = request.node.get_closest_marker("django_db")
        transactional = transactional or bool(marker and marker.kwargs.get("transaction"))
        request.getfixturevalue("transactional_db" if transactional else "db")
        _restore_migrated_data()
    yield
    if uses_db and transactional:
        _restore_migrated_data()


def _restore_migrated_data():
    import importlib

    from django.apps import apps

    from organisations.models import Topic

    if not Topic.objects.exists():
        for module in DATA_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)
