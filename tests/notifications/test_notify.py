"""notify(): one notification per person, shown in the reader's language, emailed at once only to
those who chose that for the area, with one-click unsubscribe headers; a fixed number of queries."""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.services import user_erase
from notifications.models import Area, Frequency, Notification, NotificationPreference, OutboundEmail
from notifications.services import email_queue, notify, preference_set
from notifications.tasks import email_send
from notifications.unsubscribe import unsubscribe_read

from ..factories.accounts import UserFactory
from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Requests activate the signed-in user's language in the test thread and nothing resets it; each
    # test here starts in English and leaves no language behind.
    translation.activate("en")
    yield
    translation.deactivate()


# A message whose Spanish translation is in locale/es (the join-request email's subject).
JOIN = gettext_noop("%(name)s asks to join %(organisation)s")
JOIN_PARAMS = {"name": "Nora Newcomer", "organisation": "Acme Mecanizados"}


def _notify(users, *, area=Area.DIRECTORY, **overrides):
    fields = {
        "users": users,
        "kind": "join_request.created",
        "area": area,
        "message": JOIN,
        "params": JOIN_PARAMS,
        "url": "/organisations/acme/people/",
    }
    return notify(**(fields | overrides))


# --- who is notified ----------------------------------------------------------------------------


def test_notify_creates_one_notification_per_user(member, outsider):
    notifications = _notify([member, outsider])

    assert len(notifications) == 2
    assert {n.user_id for n in Notification.objects.all()} == {member.pk, outsider.pk}
    notification = Notification.objects.get(user=member)
    assert notification.kind == "join_request.created"
    assert notification.area == Area.DIRECTORY
    assert notification.url == "/organisations/acme/people/"
    assert notification.read_at is None and notification.emailed_at is None


def test_notify_same_user_twice_is_notified_once(member):
    # The same person reached twice (e.g. admin of the organisation and its inviter) hears it once.
    _notify([member, member, type(member).objects.get(pk=member.pk)])

    assert Notification.objects.filter(user=member).count() == 1


def test_notify_skips_inactive_and_erased_users(member, outsider):
    inactive = UserFactory(is_active=False)
    user_erase(user=outsider)

    notifications = _notify([member, inactive, outsider])

    assert [n.user_id for n in notifications] == [member.pk]
    assert list(Notification.objects.values_list("user_id", flat=True)) == [member.pk]


def test_notify_nobody_creates_nothing(member):
    assert _notify([]) == []
    assert _notify(type(member).objects.none()) == []
    assert not Notification.objects.exists()


def test_notify_accepts_a_queryset(member, outsider):
    _notify(type(member).objects.filter(pk__in=[member.pk, outsider.pk]))

    assert Notification.objects.count() == 2


def test_notify_unknown_area_is_an_error_and_creates_nothing(member):
    with pytest.raises(ValueError, match="unknown notification area"):
        _notify([member], area="gossip")

    assert not Notification.objects.exists()


def test_notify_records_its_target(member):
    organisation = OrganisationFactory()

    (notification,) = _notify([member], target=organisation)

    notification.refresh_from_db()
    assert notification.target_type == ContentType.objects.get_for_model(organisation)
    assert notification.target_id == str(organisation.pk)


# --- language -----------------------------------------------------------------------------------


def test_notification_is_translated_when_shown_in_the_readers_language(client, member):
    member.language = "es"
    member.save(update_fields=["language"])
    (notification,) = _notify([member])

    # Stored once, in English, with its parameters apart…
    notification.refresh_from_db()
    assert notification.message == "%(name)s asks to join %(organisation)s"
    assert notification.params == JOIN_PARAMS
    # …and shown in whatever language is active when it is read.
    assert notification.text == "Nora Newcomer asks to join Acme Mecanizados"
    with translation.override("es"):
        assert notification.text == "Nora Newcomer solicita unirse a Acme Mecanizados"

    client.force_login(member)
    page = client.get("/notifications/").content.decode()
    assert "Nora Newcomer solicita unirse a Acme Mecanizados" in page


def test_notify_keeps_the_source_text_of_a_lazy_message(member):
    # A caller that marked the message with gettext_lazy, while serving a Spanish page, must still
    # store the English source: otherwise English readers would see Spanish.
    with translation.override("es"):
        _notify([member], message=gettext_lazy("%(name)s asks to join %(organisation)s"))

    notification = Notification.objects.get()
    assert notification.message == "%(name)s asks to join %(organisation)s"
    assert notification.text == "Nora Newcomer asks to join Acme Mecanizados"


def test_notification_text_survives_bad_params(member):
    (notification,) = _notify([member], params={"unexpected": "x"})

    assert notification.text == "%(name)s asks to join %(organisation)s"


# --- email at once, or not ----------------------------------------------------------------------


def test_notify_immediate_preference_sends_one_email(member, outsider, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True):
        (notification, _) = _notify([member, outsider])

    assert len(mail.outbox) == 1, "only the person who chose 'immediate' is emailed now"
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "[SME Cluster Growth] Nora Newcomer asks to join Acme Mecanizados"
    assert f"{settings.SITE_URL}/organisations/acme/people/" in message.body
    email = OutboundEmail.objects.get()
    assert email.key == f"notification:{notification.pk}"
    assert email.user == member
    assert email.status == OutboundEmail.Status.SENT
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert Notification.objects.get(user=outsider).emailed_at is None


def test_notify_without_email_leaves_it_to_the_caller(member, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[member],
            kind="test",
            area=Area.DIRECTORY,
            message="Something happened",
            email=False,
        )

    assert Notification.objects.get(user=member).emailed_at is None
    assert not mail.outbox and not OutboundEmail.objects.exists()


def test_notification_email_is_idempotent(member, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _notify([member])
    email = OutboundEmail.objects.get()

    # Queueing the same key again, or the sending task running twice, sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = email_queue(
            to=member.email, subject="again", body_text="again", key=f"notification:{notification.pk}"
        )
    email_send.delay(email_id=email.pk)

    assert again.pk == email.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_notification_email_has_one_click_unsubscribe_headers(member, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])

    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and header.endswith(">")
    url = header[1:-1]
    assert url in message.body, "the text part carries the same link"
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert unsubscribe_read(token) == (member.pk, Area.DIRECTORY)
    # Headers survive into the sent message.
    raw = message.message()
    assert raw["List-Unsubscribe"] == header
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_notification_email_is_in_the_recipients_language(member, django_capture_on_commit_callbacks):
    member.language = "es"
    member.save(update_fields=["language"])
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    # Whatever language the person who caused it was using.
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        _notify([member])

    message = mail.outbox[0]
    assert message.subject == "[SME Cluster Growth] Nora Newcomer solicita unirse a Acme Mecanizados"
    assert "Nora Newcomer solicita unirse a Acme Mecanizados" in message.body


def test_notification_email_subject_is_not_html_escaped(member, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True):
        _notify([member], params={"name": "O'Brien", "organisation": "Smith & Sons <Cork>"})

    message = mail.outbox[0]
    assert message.subject == "[SME Cluster Growth] O'Brien asks to join Smith & Sons <Cork>"
    assert "O'Brien asks to join Smith & Sons <Cork>" in message.body
    html = message.alternatives[0][0]
    assert "Smith &amp; Sons &lt;Cork&gt;" in html and "<Cork>" not in html


@pytest.mark.parametrize("frequency", [Frequency.DAILY, Frequency.WEEKLY, Frequency.OFF, None])
def test_notify_without_immediate_preference_sends_no_email_now(
    member, frequency, django_capture_on_commit_callbacks
):
    if frequency is not None:  # None: no preference row, the default (weekly digest)
        preference_set(user=member, area=Area.DIRECTORY, frequency=frequency)

    with django_capture_on_commit_callbacks(execute=True):
        _notify([member])

    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    assert Notification.objects.get(user=member).emailed_at is None


def test_notify_immediate_in_another_area_sends_no_email(member, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.COUNCILS, frequency=Frequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True):
        _notify([member], area=Area.DIRECTORY)

    assert mail.outbox == []


def test_notify_in_a_rolled_back_transaction_leaves_nothing(member, django_capture_on_commit_callbacks):
    preference_set(user=member, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _notify([member])
        raise RuntimeError("the caller's write failed")

    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


# --- scale --------------------------------------------------------------------------------------


def _queries_to_notify(n, **preferences):
    users = UserFactory.create_batch(n)
    for user in users[: preferences.get("immediate", 0)]:
        preference_set(user=user, area=Area.DIRECTORY, frequency=Frequency.IMMEDIATE)
    for user in users[preferences.get("immediate", 0) :][: preferences.get("off", 0)]:
        preference_set(user=user, area=Area.DIRECTORY, frequency=Frequency.OFF)
    organisation = OrganisationFactory()
    with CaptureQueriesContext(connection) as queries:
        _notify(users, target=organisation)
    assert Notification.objects.filter(user__in=users).count() == n
    return len(queries)


def test_notify_query_count_does_not_grow_with_the_number_of_users():
    # Digests and emails are the preferences' business; the notifications themselves are one insert.
    small = _queries_to_notify(5, off=2)
    large = _queries_to_notify(50, off=20)

    assert large == small, f"notify() ran {small} queries for 5 users but {large} for 50"
    assert small <= 6


def test_notify_preferences_are_read_in_one_query(member):
    for area in Area.values:
        NotificationPreference.objects.create(user=member, area=area, frequency=Frequency.OFF)

    with CaptureQueriesContext(connection) as queries:
        _notify([member])

    assert sum("notificationpreference" in q["sql"] for q in queries.captured_queries) == 1
