"""The events cast: a test EventKind ("test", the factories' default kind) with its own policy.

- ``viewer``: may see test events but not register (Vera).
- ``attendee`` / ``attendee2``: may see and register (Ana, Beto).
- ``manager``: manages test events (Mario).
- ``outsider`` (Charlie): may not see test events; ``staff`` (Alice): everything.
"""

import pytest

from events.models import Event
from events.registry import EventKind, _kinds, register_kind

from ..factories.accounts import UserFactory
from ..factories.events import EventFactory

VIEWERS = "viewer"
REGISTRANTS = "registrant"
MANAGERS = "manager"


def _has(user, roles):
    return user.is_authenticated and getattr(user, "email", "").split("@")[0].split("+")[0] in roles


@pytest.fixture(autouse=True)
def test_kind():
    """Test events: viewers see them, registrants register, managers manage (by email prefix)."""
    see = {"vera", "ana", "beto", "mario"} | {f"person{i}" for i in range(100)}
    reg = {"ana", "beto", "mario"} | {f"person{i}" for i in range(100)}
    kind = EventKind(
        name="test",
        area="councils",
        can_view=lambda user, event: _has(user, see),
        can_register=lambda user, event: _has(user, reg),
        can_manage=lambda user, event: _has(user, {"mario"}),
        url=None,
    )
    previous = _kinds.get("test")
    register_kind(kind)
    yield kind
    if previous is None:
        _kinds.pop("test", None)
    else:
        _kinds["test"] = previous


@pytest.fixture
def viewer(db):
    return UserFactory(email="vera@example.org", full_name="Vera Viewer")


@pytest.fixture
def attendee(db):
    return UserFactory(email="ana@example.org", full_name="Ana Attendee")


@pytest.fixture
def attendee2(db):
    return UserFactory(email="beto@example.org", full_name="Beto Attendee")


@pytest.fixture
def manager(db):
    return UserFactory(email="mario@example.org", full_name="Mario Manager")


@pytest.fixture
def event(db):
    return EventFactory(capacity=2, format=Event.Format.HYBRID, online_url="https://meet.example.org/abc")


# The councils cast, for meeting events (the real policy of the "meeting" kind).
from ..councils.conftest import (  # noqa: E402, F401
    acme,
    bologna,
    coordinator,
    council_member,
    malaga,
    other_council_member,
)
