"""Who may see, join and run an event is up to the app that owns it.

Events are shared by several apps (council meetings, learning workshops). Each app registers an
:class:`EventKind` for the ``Event.kind`` it creates, from its ``AppConfig.ready``; the events app's
views, services and feeds ask it, so the events app never imports an area app.
"""

from collections.abc import Callable
from dataclasses import dataclass


def _nobody(user, event):
    return False


@dataclass(frozen=True)
class EventKind:
    name: str
    # The notifications area people's messages about these events go under (their preferences).
    area: str = "councils"
    # (user, event) -> bool
    can_view: Callable = _nobody
    can_register: Callable = _nobody
    can_manage: Callable = _nobody
    # event -> the page of the event in its app
    url: Callable = None
    # (event, registration) -> None: called after a person's attendance changed (checked in, or the
    # check-in undone: ``registration.checked_in_at`` tells which), in the same transaction, for the
    # owning app to record what it means (e.g. ledger interactions).
    on_attendance: Callable = None


_kinds: dict[str, EventKind] = {}


def register_kind(kind):
    _kinds[kind.name] = kind
    return kind


def kind_of(event):
    """The policy of ``event``'s kind; an unknown kind lets nobody in (staff aside, in the callers)."""
    return _kinds.get(event.kind) or EventKind(name=event.kind)


def event_url(event):
    kind = kind_of(event)
    if kind.url:
        return kind.url(event)
    from django.urls import reverse

    return reverse("events:detail", args=[event.uid])


# Calendar feeds other apps offer a person (e.g. their councils' feeds), listed on the Calendar page.
_feed_providers: list[Callable] = []


def register_feed_provider(provider):
    """``provider(user) -> [(label, url), ...]``; registered from an app's ``ready()``."""
    if provider not in _feed_providers:
        _feed_providers.append(provider)
    return provider


def feed_providers():
    return list(_feed_providers)
