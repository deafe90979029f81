import os

import pytest
from django.conf import settings

from cluster_growth.celery import app as celery_app

from .factories.accounts import UserFactory

# Unit tests run Celery tasks in-process; integration tests start a real worker instead.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


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
