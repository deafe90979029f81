"""One-click unsubscribe: a signed link turns one area's emails off without logging in; forged and
expired links are refused with a clear page, and a link scanner's GET changes nothing."""

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.services import user_erase
from notifications import unsubscribe
from notifications.models import Area, Frequency, NotificationPreference
from notifications.services import frequencies_for, preference_set
from notifications.unsubscribe import unsubscribe_read, unsubscribe_token, unsubscribe_url

pytestmark = pytest.mark.django_db

DAY = 24 * 60 * 60


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


def _url(user, area=Area.DIRECTORY):
    return reverse("notifications:unsubscribe", args=[unsubscribe_token(user=user, area=area)])


def _token_signed_days_ago(monkeypatch, user, days, area=Area.DIRECTORY):
    """A token as an email sent ``days`` ago carried it: signed with that moment's timestamp."""
    signed_at = int(time.time()) - days * DAY
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_at))
        return unsubscribe_token(user=user, area=area)


# --- valid links --------------------------------------------------------------------------------


def test_unsubscribe_get_asks_first_and_changes_nothing(client, member):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    response = client.get(_url(member))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop all emails about Directory?" in page
    assert '<form method="post"' in page and ">Unsubscribe</button>" in page
    assert frequencies_for(member)[Area.DIRECTORY] == Frequency.IMMEDIATE


def test_unsubscribe_post_turns_that_area_off(client, member):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    response = client.post(_url(member))

    assert response.status_code == 200
    assert "You will no longer get emails about Directory." in response.content.decode()
    assert NotificationPreference.objects.get(user=member, area=Area.DIRECTORY).frequency == Frequency.OFF


def test_unsubscribe_with_the_default_preference_creates_an_off_row(client, member):
    client.post(_url(member, Area.COUNCILS))

    assert NotificationPreference.objects.get(user=member, area=Area.COUNCILS).frequency == Frequency.OFF


def test_unsubscribe_touches_only_that_area_and_that_person(client, member, outsider):
    for area in Area.values:
        preference_set(user=member, area=area, frequency=Frequency.DAILY)
    preference_set(user=outsider, area=Area.FACILITIES, frequency=Frequency.IMMEDIATE)

    client.post(_url(member, Area.FACILITIES))

    expected = dict.fromkeys(Area.values, Frequency.DAILY) | {Area.FACILITIES: Frequency.OFF}
    assert frequencies_for(member) == expected
    assert frequencies_for(outsider)[Area.FACILITIES] == Frequency.IMMEDIATE


def test_unsubscribe_twice_is_harmless(client, member):
    client.post(_url(member))
    response = client.post(_url(member))

    assert response.status_code == 200
    assert NotificationPreference.objects.filter(user=member).count() == 1


def test_unsubscribe_needs_no_login_and_no_csrf_token(member, outsider):
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookies and no token.
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        _url(member), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert frequencies_for(member)[Area.DIRECTORY] == Frequency.OFF


def test_unsubscribe_while_signed_in_as_someone_else_acts_on_the_links_owner(client, member, outsider):
    # The link is the proof; whoever is signed in on this browser does not matter.
    client.force_login(outsider)

    client.post(_url(member))

    assert frequencies_for(member)[Area.DIRECTORY] == Frequency.OFF
    assert frequencies_for(outsider)[Area.DIRECTORY] == Frequency.WEEKLY


def test_unsubscribe_url_is_absolute_and_reads_back(member, settings):
    settings.SITE_URL = "https://portal.example"

    url = unsubscribe_url(user=member, area=Area.LEARNING)

    assert url.startswith("https://portal.example/notifications/unsubscribe/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe_read(token) == (member.pk, Area.LEARNING)


def test_a_link_from_an_email_sent_89_days_ago_still_works(client, member, monkeypatch):
    token = _token_signed_days_ago(monkeypatch, member, 89)

    response = client.post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 200
    assert frequencies_for(member)[Area.DIRECTORY] == Frequency.OFF


def _several_areas_url(user, areas):
    # As a digest's List-Unsubscribe header carries: every area the digest covered, in one link.
    token = signing.dumps({"u": user.pk, "a": areas}, salt=unsubscribe.SALT, compress=True)
    return reverse("notifications:unsubscribe", args=[token])


def test_a_link_for_several_areas_turns_each_of_them_off(client, member):
    for area in Area.values:
        preference_set(user=member, area=area, frequency=Frequency.DAILY)
    url = _several_areas_url(member, [Area.DIRECTORY, Area.COUNCILS, Area.DIRECTORY])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Stop all emails about Directory, Cluster Growth Councils?" in confirm.content.decode()
    assert frequencies_for(member)[Area.DIRECTORY] == Frequency.DAILY

    client.post(url)

    expected = dict.fromkeys(Area.values, Frequency.DAILY) | {
        Area.DIRECTORY: Frequency.OFF,
        Area.COUNCILS: Frequency.OFF,
    }
    assert frequencies_for(member) == expected


@pytest.mark.parametrize("areas", [[], [Area.DIRECTORY, "gossip"], [Area.DIRECTORY, 7], [[Area.DIRECTORY]]])
def test_a_several_areas_link_with_a_bad_area_changes_nothing(client, member, areas):
    response = client.post(_several_areas_url(member, areas))

    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- refused links ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_link_is_refused_and_says_so(client, member, monkeypatch, method):
    token = _token_signed_days_ago(monkeypatch, member, 91)

    response = getattr(client, method)(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 400
    page = response.content.decode()
    assert "This unsubscribe link has expired." in page
    assert reverse("notifications:preferences") in page
    assert not NotificationPreference.objects.exists()


def test_expiry_follows_max_age(member, monkeypatch):
    token = unsubscribe_token(user=member, area=Area.DIRECTORY)
    monkeypatch.setattr(unsubscribe, "MAX_AGE", -1)

    with pytest.raises(signing.SignatureExpired):
        unsubscribe_read(token)


def _forged_tokens(user):
    good = unsubscribe_token(user=user, area=Area.DIRECTORY)
    payload, timestamp, signature = good.rsplit(":", 2)
    other_payload = signing.dumps({"u": user.pk, "a": Area.COUNCILS}, salt=unsubscribe.SALT, compress=True)
    return {
        "garbage": "garbage",
        "tampered signature": f"{payload}:{timestamp}:{'A' * len(signature)}",
        "swapped payload": f"{other_payload.rsplit(':', 2)[0]}:{timestamp}:{signature}",
        "other salt": signing.dumps({"u": user.pk, "a": Area.DIRECTORY}, salt="organisations.invitation"),
        "other key": signing.dumps({"u": user.pk, "a": Area.DIRECTORY}, key="x" * 50, salt=unsubscribe.SALT),
        "not a dict": signing.dumps([user.pk, Area.DIRECTORY], salt=unsubscribe.SALT),
        "missing area": signing.dumps({"u": user.pk}, salt=unsubscribe.SALT),
        "unknown area": signing.dumps({"u": user.pk, "a": "gossip"}, salt=unsubscribe.SALT),
        "unknown user": signing.dumps({"u": 987654, "a": Area.DIRECTORY}, salt=unsubscribe.SALT),
        "very long": "x" * 5000,
    }


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "tampered signature",
        "swapped payload",
        "other salt",
        "other key",
        "not a dict",
        "missing area",
        "unknown area",
        "unknown user",
        "very long",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_link_is_refused_with_a_clear_message(client, member, kind, method):
    token = _forged_tokens(member)[kind]

    response = getattr(client, method)(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_link_of_an_erased_account_is_refused(client, member):
    url = _url(member)
    user_erase(user=member)

    response = client.post(url)

    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in response.content.decode()


def test_unsubscribe_refuses_other_methods(client, member):
    assert client.put(_url(member)).status_code == 405
    assert not NotificationPreference.objects.exists()
