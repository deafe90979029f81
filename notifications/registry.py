"""What each app contributes to the digest emails.

An app's ``digest.py`` registers a function ``contribute(user, since, until) -> iterable of
DigestItem``; it must run a fixed number of queries whatever the user (the digest of 100,000 people
is built from these). Apps register in their ``AppConfig.ready``.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DigestItem:
    area: str
    title: str
    url: str
    when: datetime
    detail: str = ""


_contributors = {}


def register_digest(name, contribute):
    _contributors[name] = contribute


def digest_contributors():
    return dict(_contributors)
