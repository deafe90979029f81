"""Council meetings: events of a council with an agenda, minutes, decisions and action items.

Every write is keyword-only and transactional, checks the actor's permission (PermissionDenied) and
raises ValidationError (per field where there is one) for bad input.
"""

import secrets
from datetime import timedelta
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Registration
from events.registry import EventKind, register_kind
from events.services import event_create, event_update
from notifications.models import Area
from notifications.services import notify
from organisations.models import Interaction, Organisation
from organisations.services import interaction_record

from ..models import ActionItem, AgendaDocument, AgendaItem, CouncilPerson, Decision, Meeting
from ..permissions import is_council_coordinator, is_council_member

MEETING_KIND = "meeting"
# The ledger's source of the interactions recorded from meeting attendance (source_ref: meeting id).
LEDGER_SOURCE = "councils.meeting"
# Coordinators are nudged this long after a meeting ended without published minutes …
NUDGE_AFTER = timedelta(days=3)
# … but not about meetings that ended longer ago than this (no flood of nudges about old meetings,
# e.g. records entered after the fact).
NUDGE_WINDOW = timedelta(days=30)
NUDGE_BATCH = 500

MAX_MINUTES = 50000
MAX_DECISION = 2000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Allowed extensions and the first bytes their files start with (None: text, checked as UTF-8).
_ZIP = b"PK\x03\x04"
DOCUMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "docx": (_ZIP,),
    "xlsx": (_ZIP,),
    "pptx": (_ZIP,),
    "odt": (_ZIP,),
    "ods": (_ZIP,),
    "odp": (_ZIP,),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "txt": None,
    "csv": None,
}
DOCUMENT_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


# --- the meeting kind of event ------------------------------------------------------------------


def _meeting_council(event):
    return event.meeting.council


def _can_view(user, event):
    return user.is_authenticated and (user.is_staff or is_council_member(user, _meeting_council(event)))


def _can_register(user, event):
    return user.is_authenticated and is_council_member(user, _meeting_council(event))


def _can_manage(user, event):
    return user.is_authenticated and (user.is_staff or is_council_coordinator(user, _meeting_council(event)))


def _url(event):
    meeting = event.meeting
    return reverse("councils:meeting", args=[meeting.council.slug, meeting.pk])


def register_meeting_kind():
    """Called from the app's ready(): council meetings are events whose council decides access."""
    register_kind(
        EventKind(
            name=MEETING_KIND,
            can_view=_can_view,
            can_register=_can_register,
            can_manage=_can_manage,
            url=_url,
            on_attendance=_attendance_changed,
        )
    )


def _attendance_changed(event, registration):
    """A check-in made or undone: once the minutes are out, the meeting's ledger entry follows it (a
    late check-in adds the person's organisations); before, publishing records the attendance."""
    meeting = Meeting.objects.filter(event=event).first()
    if meeting is not None and meeting.minutes_published_at is not None:
        record_attendance(meeting)


# --- meetings -----------------------------------------------------------------------------------


def _require(actor, perm, obj):
    if not (actor is not None and actor.is_authenticated and actor.has_perm(perm, obj)):
        raise PermissionDenied


def _check_text_lengths(instance, *names):
    """TextField's max_length is not a model validator: enforce it for ``names``."""
    for name in names:
        limit = instance._meta.get_field(name).max_length
        if limit and len(getattr(instance, name) or "") > limit:
            raise ValidationError({name: _("At most %(limit)s characters.") % {"limit": limit}})


def _add_agenda(meeting, agenda):
    items = []
    for position, entry in enumerate(agenda):
        item = AgendaItem(
            meeting=meeting,
            position=position,
            title=entry.get("title", ""),
            presenter=entry.get("presenter", "") or "",
            duration_minutes=entry.get("duration_minutes", 15),
            description=entry.get("description", "") or "",
        )
        item.full_clean(exclude=["meeting"])
        _check_text_lengths(item, "description")
        items.append(item)
    return AgendaItem.objects.bulk_create(items)


@transaction.atomic
def meeting_create(*, council, actor, agenda=(), **event_fields):
    """Create a meeting of ``council`` (an event in the council's time zone unless given), with the
    ``agenda`` items in order (dicts of title, presenter, duration_minutes, description).

    Coordinators of the council and staff only (PermissionDenied). A meeting may be entered after
    the fact, with its agenda, for the record. Raises ValidationError (per field) for bad values.
    """
    _require(actor, "councils.manage_meetings", council)
    event_fields.setdefault("time_zone", council.time_zone)
    event = event_create(kind=MEETING_KIND, organiser=actor, **event_fields)
    meeting = Meeting.objects.create(council=council, event=event, created_by=actor)
    _add_agenda(meeting, agenda)
    return meeting


@transaction.atomic
def meeting_update(*, meeting, actor, **event_fields):
    """Change the meeting's event (title, times, place, capacity …). Coordinators and staff only.
    Raises ValidationError for bad values (see ``events.services.event_update``)."""
    _require(actor, "councils.manage_meeting", meeting)
    meeting.event = event_update(event=meeting.event, actor=actor, **event_fields)
    return meeting


COPIED_EVENT_FIELDS = (
    "title",
    "description",
    "time_zone",
    "format",
    "venue",
    "address",
    "online_url",
    "capacity",
    "reminder_hours",
)


def meeting_copy_fields(source):
    """The event fields a copy of ``source`` starts from (times and registration window excluded)."""
    return {name: getattr(source.event, name) for name in COPIED_EVENT_FIELDS}


@transaction.atomic
def meeting_copy(*, source, actor, start, end, **overrides):
    """A new meeting of the same council from ``source``: its title, description, format, place,
    online link, capacity, reminder and agenda items (not their documents: papers belong to the
    meeting they were for and stay there), at ``start``–``end``; ``overrides`` change event fields.
    ``copied_from`` records the source. Coordinators and staff only."""
    _require(actor, "councils.manage_meeting", source)
    fields = meeting_copy_fields(source) | overrides | {"start": start, "end": end}
    meeting = meeting_create(council=source.council, actor=actor, **fields)
    meeting.copied_from = source
    meeting.save(update_fields=["copied_from"])
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            position=item.position,
            title=item.title,
            presenter=item.presenter,
            duration_minutes=item.duration_minutes,
            description=item.description,
        )
        for item in source.agenda_items.order_by("position", "id")
    )
    return meeting


# --- the agenda ---------------------------------------------------------------------------------


def _check_agenda_open(meeting):
    if meeting.event.end <= timezone.now():
        raise ValidationError(_("This meeting is over: its agenda can no longer be changed."))


def _agenda_write(meeting, actor):
    _require(actor, "councils.manage_meeting", meeting)
    _check_agenda_open(meeting)


@transaction.atomic
def agenda_item_add(*, meeting, actor, title, presenter="", duration_minutes=15, description=""):
    """Add an item at the end of the agenda. Coordinators and staff only; not once the meeting is
    over (ValidationError)."""
    _agenda_write(meeting, actor)
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"]
    item = AgendaItem(
        meeting=meeting,
        position=0 if last is None else last + 1,
        title=title,
        presenter=presenter or "",
        duration_minutes=duration_minutes,
        description=description or "",
    )
    item.full_clean()
    _check_text_lengths(item, "description")
    item.save()
    return item


@transaction.atomic
def agenda_item_update(*, item, actor, **fields):
    """Change an item's title, presenter, duration_minutes or description (same rules as adding)."""
    unknown = set(fields) - {"title", "presenter", "duration_minutes", "description"}
    if unknown:
        raise TypeError(f"unknown agenda item fields {sorted(unknown)}")
    _agenda_write(item.meeting, actor)
    for name, value in fields.items():
        setattr(item, name, value if value is not None or name == "duration_minutes" else "")
    item.full_clean()
    _check_text_lengths(item, "description")
    item.save()
    return item


@transaction.atomic
def agenda_item_delete(*, item, actor):
    """Remove an item and its documents (files too, once the transaction commits)."""
    _agenda_write(item.meeting, actor)
    files = [document.file.name for document in item.documents.all()]
    storage = AgendaDocument._meta.get_field("file").storage
    item.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


@transaction.atomic
def agenda_reorder(*, meeting, actor, item_ids):
    """Put the agenda in the order of ``item_ids`` (every item of the meeting, each once)."""
    _agenda_write(meeting, actor)
    try:
        item_ids = [int(pk) for pk in item_ids]
    except (TypeError, ValueError):
        raise ValidationError(_("The new order of the agenda is not valid.")) from None
    items = {item.pk: item for item in meeting.agenda_items.select_for_update()}
    if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(items):
        raise ValidationError(_("The new order must list every item of the agenda once."))
    for position, pk in enumerate(item_ids):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])
    return [items[pk] for pk in item_ids]


def _document_extension(name):
    return PurePosixPath(name or "").suffix.lower().lstrip(".")


def validate_document(file):
    """Raise ValidationError unless ``file`` is at most 10 MB and of an allowed type (by its
    extension, confirmed by its first bytes)."""
    allowed = ", ".join(sorted(set(DOCUMENT_TYPES) - {"jpeg"}))
    extension = _document_extension(getattr(file, "name", ""))
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(
            _("Files of this type cannot be attached. Allowed types: %(types)s.") % {"types": allowed},
            code="type",
        )
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is 10 MB.")
            % {"size": f"{file.size / 1024 / 1024:.1f}"},
            code="size",
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    file.seek(0)
    head = file.read(4096)
    file.seek(0)
    magic = DOCUMENT_TYPES[extension]
    if magic is None:
        if b"\x00" in head:
            raise ValidationError(_("This does not look like a text file."), code="content")
    elif not any(head.startswith(start) for start in magic):
        raise ValidationError(
            _("The file's content does not match its type (.%(extension)s).") % {"extension": extension},
            code="content",
        )


@transaction.atomic
def agenda_document_add(*, item, actor, file, name=""):
    """Attach a document to an agenda item (≤ 10 MB; pdf, docx, xlsx, pptx, odt, ods, odp, png,
    jpg, txt, csv). Coordinators and staff only; not once the meeting is over. Stored under an
    unguessable name and served only through the permission-checked download view."""
    _agenda_write(item.meeting, actor)
    validate_document(file)
    original = PurePosixPath(file.name).name
    name = (name or "").strip() or original
    if len(name) > 200:
        raise ValidationError({"name": _("The name may have at most 200 characters.")})
    stem = get_valid_filename(PurePosixPath(original).stem)[:80] or "document"
    file.name = f"{secrets.token_hex(8)}-{stem}.{_document_extension(original)}"
    return AgendaDocument.objects.create(item=item, file=file, name=name, uploaded_by=actor)


@transaction.atomic
def agenda_document_delete(*, document, actor):
    """Remove an attached document and its file. Coordinators and staff; not once the meeting is over."""
    _agenda_write(document.item.meeting, actor)
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


def document_content_type(document):
    return DOCUMENT_CONTENT_TYPES.get(_document_extension(document.file.name), "application/octet-stream")


# --- minutes and decisions ----------------------------------------------------------------------


def _save_minutes(meeting, minutes, decisions):
    # TextField's max_length is not a validator: the limits are checked here.
    if minutes is not None:
        if len(minutes) > MAX_MINUTES:
            raise ValidationError(
                {"minutes": _("The minutes may have at most %(limit)s characters.") % {"limit": MAX_MINUTES}}
            )
        meeting.minutes = minutes
    if decisions is not None:
        rows = []
        for position, text in enumerate(text.strip() for text in decisions if text and text.strip()):
            if len(text) > MAX_DECISION:
                raise ValidationError(
                    {
                        "decisions": _("A decision may have at most %(limit)s characters.")
                        % {"limit": MAX_DECISION}
                    }
                )
            rows.append(Decision(meeting=meeting, position=position, text=text))
        meeting.decisions.all().delete()
        Decision.objects.bulk_create(rows)


@transaction.atomic
def minutes_save(*, meeting, actor, minutes, decisions):
    """Save the minutes and the decisions (a list of texts, in order; blank ones dropped) without
    publishing them (or correct published ones). Coordinators and staff only."""
    _require(actor, "councils.manage_meeting", meeting)
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("event", "council").get(pk=meeting.pk)
    )
    _save_minutes(meeting, minutes, decisions)
    meeting.save(update_fields=["minutes"])
    return meeting


def attendee_registrations(meeting):
    """The checked-in registrations of the meeting (its attendance)."""
    return (
        Registration.objects.filter(event_id=meeting.event_id, checked_in_at__isnull=False)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def attending_organisations(meeting):
    """The organisations of the people checked in at the meeting. Someone in several organisations
    is there for each of them (they carry what is said back to all of them)."""
    return list(
        Organisation.objects.filter(
            memberships__user__event_registrations__event_id=meeting.event_id,
            memberships__user__event_registrations__checked_in_at__isnull=False,
        )
        .distinct()
        .order_by("name")
    )


def meeting_local_date(meeting):
    return timezone.localtime(meeting.event.start, ZoneInfo(meeting.event.time_zone)).date()


@transaction.atomic
def record_attendance(meeting, *, actor=None):
    """Record that the attending organisations met: one ledger interaction for the meeting, linked to
    its council, when at least two organisations attended. Idempotent (the ledger's source_ref): the
    same attendance leaves the entry as it is. When the attendance changed since it was recorded (a
    late check-in, or one undone), the entry is recorded again: the old one is deleted — the daily
    roll-up forgets it — and the new one recorded, in one transaction, the meeting's row locked so
    that two check-ins at once take turns. Returns the entry, or None (fewer than two)."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    organisations = attending_organisations(meeting)
    existing = Interaction.objects.filter(source=LEDGER_SOURCE, source_ref=str(meeting.pk)).first()
    if existing is not None:
        if set(existing.organisations.values_list("pk", flat=True)) == {org.pk for org in organisations}:
            return existing
        actor = actor or existing.recorded_by
        existing.delete()
    if len(organisations) < 2:
        return None
    return interaction_record(
        kind=Interaction.Kind.MEETING,
        date=meeting_local_date(meeting),
        organisations=organisations,
        councils=[meeting.council],
        source=LEDGER_SOURCE,
        source_ref=str(meeting.pk),
        recorded_by=actor,
        description=meeting.event.title[:2000],
    )


@transaction.atomic
def minutes_publish(*, meeting, actor, minutes=None, decisions=None):
    """Publish the minutes (saving ``minutes``/``decisions`` first when given) once the meeting has
    started: council members can read them, the attendance goes into the interaction ledger (see
    :func:`record_attendance`) and the people who registered hear of it. Coordinators and staff
    only. Publishing again saves the changes but records and notifies nothing more."""
    _require(actor, "councils.manage_meeting", meeting)
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("event", "council").get(pk=meeting.pk)
    )
    if meeting.event.start > timezone.now():
        raise ValidationError(_("Minutes can be published once the meeting has started."))
    _save_minutes(meeting, minutes, decisions)
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes before publishing them.")})
    first_time = meeting.minutes_published_at is None
    if first_time:
        meeting.minutes_published_at = timezone.now()
        meeting.minutes_published_by = actor
    meeting.save(update_fields=["minutes", "minutes_published_at", "minutes_published_by"])
    record_attendance(meeting, actor=actor)
    if first_time:
        people = get_user_model().objects.filter(
            event_registrations__event_id=meeting.event_id,
            event_registrations__status=Registration.Status.CONFIRMED,
        )
        notify(
            users=[user for user in people if is_council_member(user, meeting.council)],
            kind="councils.minutes_published",
            area=Area.COUNCILS,
            message=gettext_noop("The minutes of “%(meeting)s” are published."),
            params={"meeting": meeting.event.title},
            url=meeting.get_absolute_url(),
            target=meeting,
        )
    return meeting


# --- action items -------------------------------------------------------------------------------


def _check_owner(meeting, owner):
    if owner is None or not owner.is_active or not is_council_member(owner, meeting.council):
        raise ValidationError({"owner": _("The owner must be a member of the council.")})


def _notify_owner(action, actor):
    if action.owner_id and action.owner_id != actor.pk:
        notify(
            users=[action.owner],
            kind="councils.action_assigned",
            area=Area.COUNCILS,
            message=gettext_noop("You own the action “%(action)s” from the meeting “%(meeting)s”."),
            params={"action": action.title, "meeting": action.meeting.event.title},
            url=reverse("councils:my_actions"),
            target=action,
        )


@transaction.atomic
def action_item_create(*, meeting, actor, title, owner, due_date=None):
    """An action item from the meeting, owned by a member of the council (who is told). Coordinators
    and staff only. Raises ValidationError for an owner outside the council or a blank title."""
    _require(actor, "councils.manage_meeting", meeting)
    _check_owner(meeting, owner)
    action = ActionItem(meeting=meeting, title=(title or "").strip(), owner=owner, due_date=due_date)
    action.full_clean(exclude=["meeting"])
    _check_text_lengths(action, "note")
    action.save()
    _notify_owner(action, actor)
    return action


UNCHANGED = object()  # action_item_update's due date when it is not to change (None clears it)


@transaction.atomic
def action_item_update(*, action, actor, status=None, note=None, due_date=UNCHANGED, title=None, owner=None):
    """Update an action item. Its owner may change the status and the progress note; coordinators
    and staff anything (a new owner must be a council member and is told). ``None`` leaves a field
    as it is, but for the due date, which ``None`` clears (``UNCHANGED`` leaves it). Raises
    PermissionDenied and ValidationError."""
    _require(actor, "councils.update_action", action)
    manages = actor.has_perm("councils.manage_meeting", action.meeting)
    if not manages and (due_date is not UNCHANGED or title is not None or owner is not None):
        raise PermissionDenied
    action = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("meeting__event", "meeting__council")
        .get(pk=action.pk)
    )
    if status is not None:
        if status not in ActionItem.Status.values:
            raise ValidationError({"status": _("Choose a valid status.")})
        action.status = status
    if note is not None:
        action.note = note
    if due_date is not UNCHANGED:
        action.due_date = due_date
    if title is not None:
        action.title = title.strip()
    new_owner = owner is not None and owner.pk != action.owner_id
    if new_owner:
        _check_owner(action.meeting, owner)
        action.owner = owner
    action.full_clean(exclude=["meeting"])
    _check_text_lengths(action, "note")
    action.save()
    if new_owner:
        _notify_owner(action, actor)
    return action


# --- the minutes nudge --------------------------------------------------------------------------


def minutes_nudge(*, now=None):
    """Tell the coordinators of each council whose meeting ended 3 days ago or more (within the last
    30 days) without published minutes, once per meeting (``minutes_nudged_at``). Meetings are
    claimed with one UPDATE, so concurrent runs never nudge twice. Returns how many meetings."""
    now = now or timezone.now()
    candidates = Meeting.objects.filter(
        minutes_published_at__isnull=True,
        minutes_nudged_at__isnull=True,
        event__cancelled_at__isnull=True,
        event__end__lte=now - NUDGE_AFTER,
        event__end__gt=now - NUDGE_WINDOW,
    )
    ids = list(candidates.order_by("event__end").values_list("pk", flat=True)[:NUDGE_BATCH])
    if not ids:
        return 0
    with transaction.atomic():
        claimed = list(
            Meeting.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, minutes_nudged_at__isnull=True, minutes_published_at__isnull=True)
            .select_related("event", "council")
        )
        Meeting.objects.filter(pk__in=[m.pk for m in claimed]).update(minutes_nudged_at=now)
        coordinators = {}
        for person in CouncilPerson.objects.filter(
            council_id__in={m.council_id for m in claimed},
            role=CouncilPerson.Role.COORDINATOR,
            status=CouncilPerson.Status.ACTIVE,
            user__isnull=False,
        ).select_related("user"):
            coordinators.setdefault(person.council_id, []).append(person.user)
        for meeting in claimed:
            notify(
                users=coordinators.get(meeting.council_id, []),
                kind="councils.minutes_late",
                area=Area.COUNCILS,
                message=gettext_noop(
                    "The minutes of “%(meeting)s” are not published yet: the meeting ended %(days)s days ago."
                ),
                params={"meeting": meeting.event.title, "days": (now - meeting.event.end).days},
                url=reverse("councils:minutes_edit", args=[meeting.council.slug, meeting.pk]),
                target=meeting,
            )
    return len(claimed)
