"""Council meetings: the list and archive, the meeting page (agenda, documents, registration, minutes,
decisions, action items), the coordinators' editing pages, exports, and "my actions".

Meetings are the business of the council's members: for anyone else a meeting (or the meeting list)
does not exist (404); members who may not manage get 403 on the coordinators' pages.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events.selectors import registration_box
from reports.exports import CONTENT_TYPES

from .. import exports
from ..forms.meetings import (
    ActionItemForm,
    ActionStatusForm,
    AgendaDocumentForm,
    AgendaItemForm,
    MeetingForm,
    MinutesForm,
)
from ..models import ActionItem, AgendaDocument, AgendaItem
from ..selectors import meetings as selectors
from ..services import meetings as services


def _messages_of(error):
    return " ".join(error.messages)


def _meeting(request, slug, pk, *, manage=False):
    """The meeting (404 unless the viewer may see it; 403 for managing pages without the right)."""
    council = selectors.council_for_viewer(slug=slug, user=request.user, perm="councils.view_council")
    meeting = selectors.meeting_for_viewer(council=council, pk=pk, user=request.user)
    if manage and not request.user.has_perm("councils.manage_meeting", meeting):
        raise PermissionDenied
    return meeting


def _partial(request):
    return request.htmx and not request.htmx.history_restore_request


# --- the list and archive -----------------------------------------------------------------------


@login_required
@require_safe
def meetings(request, slug):
    council = selectors.council_for_viewer(slug=slug, user=request.user)
    archive = request.GET.get("archive") == "1"
    queryset = selectors.meetings_for_council(council=council, user=request.user, archive=archive)
    context = {
        "council": council,
        "archive": archive,
        "page": selectors.meetings_page(queryset, request.GET.get("page")),
        "can_manage": request.user.has_perm("councils.manage_meetings", council),
    }
    template = "councils/meetings/list.html"
    response = render(request, f"{template}#results" if _partial(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the meeting page ---------------------------------------------------------------------------


def _detail_context(request, meeting, **forms):
    user = request.user
    event = meeting.event
    can_manage = user.has_perm("councils.manage_meeting", meeting)
    agenda = selectors.meeting_agenda(meeting)
    published = meeting.minutes_published_at is not None
    context = {
        "meeting": meeting,
        "event": event,
        "council": meeting.council,
        "can_manage": can_manage,
        "agenda": agenda,
        "agenda_minutes": selectors.agenda_total_minutes(agenda),
        "agenda_open": not event.is_past,
        "registration_box": registration_box(event=event, user=user),
        "show_minutes": published or can_manage,
        "minutes_published": published,
        "decisions": list(meeting.decisions.order_by("position", "id")) if published or can_manage else [],
        "actions": selectors.meeting_actions(meeting),
        "attendance_count": meeting.event.registrations.filter(checked_in_at__isnull=False).count(),
        "can_download_record": published or can_manage,
        "action_statuses": ActionItem.Status.choices,
    }
    if can_manage:
        owners = list(selectors.council_member_users(meeting.council))
        context.update(
            owners=owners,
            agenda_form=forms.get("agenda_form") or AgendaItemForm(prefix="agenda"),
            document_form=forms.get("document_form") or AgendaDocumentForm(),
            document_item=forms.get("document_item"),
            action_form=forms.get("action_form") or ActionItemForm(owners=_owner_queryset(meeting)),
        )
    return context


def _owner_queryset(meeting):
    return selectors.council_member_users(meeting.council)


def _detail_page(request, meeting, *, status=200, **forms):
    return render(
        request, "councils/meetings/detail.html", _detail_context(request, meeting, **forms), status=status
    )


@login_required
@require_safe
def meeting(request, slug, pk):
    return _detail_page(request, _meeting(request, slug, pk))


# --- creating, copying and editing --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, slug):
    council = selectors.council_for_viewer(slug=slug, user=request.user)
    if not request.user.has_perm("councils.manage_meetings", council):
        raise PermissionDenied
    source = None
    copy_id = request.POST.get("copy") or request.GET.get("copy")
    if copy_id:
        try:
            source = selectors.meeting_for_viewer(council=council, pk=int(copy_id), user=request.user)
        except (TypeError, ValueError):
            raise Http404 from None
    initial = {}
    if source is not None:
        initial = services.meeting_copy_fields(source) | {"copy": source.pk}
    form = MeetingForm(request.POST or None, initial=initial, initial_time_zone=council.time_zone)
    if request.method == "POST" and form.is_valid():
        fields = form.event_fields()
        try:
            if source is not None:
                start, end = fields.pop("start"), fields.pop("end")
                created = services.meeting_copy(
                    source=source, actor=request.user, start=start, end=end, **fields
                )
            else:
                created = services.meeting_create(council=council, actor=request.user, **fields)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The meeting has been created."))
            return redirect(created.get_absolute_url())
    context = {"council": council, "form": form, "source": source}
    status = 400 if request.method == "POST" else 200
    return render(request, "councils/meetings/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, slug, pk):
    meeting = _meeting(request, slug, pk, manage=True)
    form = MeetingForm(request.POST or None, instance=meeting.event)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.event_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The meeting has been saved."))
            return redirect(meeting.get_absolute_url())
    context = {"council": meeting.council, "form": form, "meeting": meeting}
    status = 400 if request.method == "POST" else 200
    return render(request, "councils/meetings/form.html", context, status=status)


# --- the agenda (htmx: each change answers with the agenda section) ------------------------------


def _agenda_response(request, meeting, *, status=200, error=None, **forms):
    if _partial(request):
        context = _detail_context(request, meeting, **forms)
        context["agenda_error"] = error
        # htmx swaps only 2xx answers: errors come back as 200 with the messages in the section.
        return render(request, "councils/meetings/detail.html#agenda", context)
    if error:
        messages.error(request, error)
    if status != 200:
        return _detail_page(request, meeting, status=status, **forms)
    return redirect(f"{meeting.get_absolute_url()}#agenda")


def _item(meeting, item_id):
    return get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)


@login_required
@require_POST
def agenda_add(request, slug, pk):
    meeting = _meeting(request, slug, pk, manage=True)
    form = AgendaItemForm(request.POST, prefix="agenda")
    if not form.is_valid():
        return _agenda_response(request, meeting, status=400, agenda_form=form)
    try:
        services.agenda_item_add(meeting=meeting, actor=request.user, **form.item_fields())
    except ValidationError as error:
        return _agenda_response(request, meeting, status=400, error=_messages_of(error), agenda_form=form)
    return _agenda_response(request, meeting)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_edit(request, slug, pk, item_id):
    meeting = _meeting(request, slug, pk, manage=True)
    item = _item(meeting, item_id)
    form = AgendaItemForm(request.POST or None, instance=item)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.agenda_item_update(item=item, actor=request.user, **form.item_fields())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The agenda item has been saved."))
                return redirect(f"{meeting.get_absolute_url()}#agenda")
    context = {"council": meeting.council, "meeting": meeting, "item": item, "form": form}
    return render(request, "councils/meetings/agenda_item_form.html", context, status=status)


@login_required
@require_POST
def agenda_delete(request, slug, pk, item_id):
    meeting = _meeting(request, slug, pk, manage=True)
    item = _item(meeting, item_id)
    try:
        services.agenda_item_delete(item=item, actor=request.user)
    except ValidationError as error:
        return _agenda_response(request, meeting, status=400, error=_messages_of(error))
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_reorder(request, slug, pk):
    """The new order as ``item`` values (every item once), or one item moved: ``move`` (its id) and
    ``direction`` (up or down) — what the buttons beside each item send."""
    meeting = _meeting(request, slug, pk, manage=True)
    item_ids = request.POST.getlist("item")
    if not item_ids and request.POST.get("move"):
        item_ids = [str(item.pk) for item in meeting.agenda_items.order_by("position", "id")]
        moved = request.POST["move"]
        if moved not in item_ids or request.POST.get("direction") not in ("up", "down"):
            return _agenda_response(
                request, meeting, status=400, error=_("The new order of the agenda is not valid.")
            )
        index = item_ids.index(moved)
        other = index - 1 if request.POST["direction"] == "up" else index + 1
        if 0 <= other < len(item_ids):
            item_ids[index], item_ids[other] = item_ids[other], item_ids[index]
    try:
        services.agenda_reorder(meeting=meeting, actor=request.user, item_ids=item_ids)
    except ValidationError as error:
        return _agenda_response(request, meeting, status=400, error=_messages_of(error))
    return _agenda_response(request, meeting)


@login_required
@require_POST
def document_add(request, slug, pk, item_id):
    meeting = _meeting(request, slug, pk, manage=True)
    item = _item(meeting, item_id)
    form = AgendaDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _agenda_response(request, meeting, status=400, document_form=form, document_item=item.pk)
    try:
        services.agenda_document_add(
            item=item, actor=request.user, file=form.cleaned_data["file"], name=form.cleaned_data["name"]
        )
    except ValidationError as error:
        form.add_error("file", error)
        return _agenda_response(request, meeting, status=400, document_form=form, document_item=item.pk)
    return _agenda_response(request, meeting)


def _document(meeting, document_id):
    return get_object_or_404(
        AgendaDocument.objects.select_related("item"), pk=document_id, item__meeting=meeting
    )


@login_required
@require_safe
def document_download(request, slug, pk, document_id):
    """An agenda document, for the council's members (and staff) only: never a public media URL."""
    meeting = _meeting(request, slug, pk)
    document = _document(meeting, document_id)
    try:
        file = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = PurePosixPath(document.file.name).suffix.lower()
    filename = document.name if document.name.lower().endswith(extension) else f"{document.name}{extension}"
    response = FileResponse(
        file, as_attachment=True, filename=filename, content_type=services.document_content_type(document)
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request, slug, pk, document_id):
    meeting = _meeting(request, slug, pk, manage=True)
    document = _document(meeting, document_id)
    try:
        services.agenda_document_delete(document=document, actor=request.user)
    except ValidationError as error:
        return _agenda_response(request, meeting, status=400, error=_messages_of(error))
    return _agenda_response(request, meeting)


# --- minutes and decisions ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def minutes_edit(request, slug, pk, publish=False):
    meeting = _meeting(request, slug, pk, manage=True)
    initial = {
        "minutes": meeting.minutes,
        "decisions": "\n".join(meeting.decisions.order_by("position", "id").values_list("text", flat=True)),
    }
    form = MinutesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        publish = publish or "publish" in request.POST
        if form.is_valid():
            arguments = {
                "meeting": meeting,
                "actor": request.user,
                "minutes": form.cleaned_data["minutes"],
                "decisions": form.decision_list(),
            }
            try:
                if publish:
                    services.minutes_publish(**arguments)
                else:
                    services.minutes_save(**arguments)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                if publish:
                    messages.success(request, _("The minutes are published."))
                else:
                    messages.success(request, _("The minutes have been saved as a draft."))
                return redirect(f"{meeting.get_absolute_url()}#minutes")
    context = {
        "council": meeting.council,
        "meeting": meeting,
        "form": form,
        "can_publish": meeting.event.start <= timezone.now(),
    }
    return render(request, "councils/meetings/minutes_form.html", context, status=status)


@login_required
@require_POST
def minutes_publish(request, slug, pk):
    return minutes_edit(request, slug, pk, publish=True)


# --- action items -------------------------------------------------------------------------------


@login_required
@require_POST
def action_add(request, slug, pk):
    meeting = _meeting(request, slug, pk, manage=True)
    form = ActionItemForm(request.POST, owners=_owner_queryset(meeting))
    if form.is_valid():
        try:
            services.action_item_create(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(
                "owner" if hasattr(error, "error_dict") and "owner" in error.error_dict else None, error
            )
        else:
            messages.success(request, _("The action item has been added."))
            return redirect(f"{meeting.get_absolute_url()}#actions")
    return _detail_page(request, meeting, status=400, action_form=form)


def _back(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def action_update(request, pk):
    """Owners change the status and the note; coordinators (and staff) any field."""
    action = selectors.action_for_viewer(pk=pk, user=request.user)
    manages = request.user.has_perm("councils.manage_meeting", action.meeting)
    status_form = ActionStatusForm(request.POST)
    changes = {}
    errors = []
    if status_form.is_valid():
        changes.update(status=status_form.cleaned_data["status"], note=status_form.cleaned_data["note"])
    else:
        errors.extend(error for field_errors in status_form.errors.values() for error in field_errors)
    if manages and "title" in request.POST:
        form = ActionItemForm(request.POST, owners=_owner_queryset(action.meeting))
        if form.is_valid():
            changes.update(
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
            )
        else:
            errors.extend(error for field_errors in form.errors.values() for error in field_errors)
    if not errors:
        try:
            services.action_item_update(action=action, actor=request.user, **changes)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        messages.error(request, _("The action item was not saved: %(errors)s") % {"errors": " ".join(errors)})
    else:
        messages.success(request, _("The action item has been saved."))
    return _back(request, reverse("councils:my_actions"))


@login_required
@require_safe
def my_actions(request):
    actions = list(selectors.actions_for_user(request.user))
    context = {"actions": actions, "statuses": ActionItem.Status.choices}
    return render(request, "councils/meetings/my_actions.html", context)


# --- exports ------------------------------------------------------------------------------------


def _attachment(content, *, fmt, filename):
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _file_stem(meeting):
    local_date = services.meeting_local_date(meeting)
    return f"{meeting.council.slug}-{local_date.isoformat()}-{slugify(meeting.event.title)[:50] or 'meeting'}"


@login_required
@require_safe
def meeting_registrations(request, slug, pk, fmt):
    """The registrations as CSV or XLSX, for the council's coordinators and staff."""
    meeting = _meeting(request, slug, pk, manage=True)
    if fmt == "csv":
        content = exports.registrations_csv(meeting)
    elif fmt == "xlsx":
        content = exports.registrations_xlsx(meeting)
    else:
        raise Http404
    return _attachment(content, fmt=fmt, filename=f"{_file_stem(meeting)}-registrations.{fmt}")


@login_required
@require_safe
def meeting_record(request, slug, pk):
    """The meeting record as PDF: for members once the minutes are published, coordinators always."""
    meeting = _meeting(request, slug, pk)
    if meeting.minutes_published_at is None and not request.user.has_perm("councils.manage_meeting", meeting):
        raise PermissionDenied
    return _attachment(exports.record_pdf(meeting), fmt="pdf", filename=f"{_file_stem(meeting)}-record.pdf")


meeting_base = "<slug:slug>/meetings/<int:pk>/"

urlpatterns = [
    path("actions/", my_actions, name="my_actions"),
    path("actions/<int:pk>/", action_update, name="action_update"),
    path("<slug:slug>/meetings/", meetings, name="meetings"),
    path("<slug:slug>/meetings/new/", meeting_create, name="meeting_create"),
    path(meeting_base, meeting, name="meeting"),
    path(f"{meeting_base}edit/", meeting_edit, name="meeting_edit"),
    path(f"{meeting_base}agenda/", agenda_add, name="agenda_add"),
    path(f"{meeting_base}agenda/order/", agenda_reorder, name="agenda_reorder"),
    path(f"{meeting_base}agenda/<int:item_id>/", agenda_edit, name="agenda_edit"),
    path(f"{meeting_base}agenda/<int:item_id>/delete/", agenda_delete, name="agenda_delete"),
    path(f"{meeting_base}agenda/<int:item_id>/documents/", document_add, name="document_add"),
    path(f"{meeting_base}documents/<int:document_id>/", document_download, name="document_download"),
    path(f"{meeting_base}documents/<int:document_id>/delete/", document_delete, name="document_delete"),
    path(f"{meeting_base}minutes/", minutes_edit, name="minutes_edit"),
    path(f"{meeting_base}minutes/publish/", minutes_publish, name="minutes_publish"),
    path(f"{meeting_base}actions/", action_add, name="action_add"),
    path(f"{meeting_base}registrations.<str:fmt>", meeting_registrations, name="meeting_registrations"),
    path(f"{meeting_base}record.pdf", meeting_record, name="meeting_record"),
]
