"""Event pages: register, cancel, the attendees page, the generic event page, .ics and feeds.

Who may do what is the event kind's policy (``events.registry``); staff may do everything; a person
who may not see an event gets a 404, as if it did not exist.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import ical, selectors, services
from .forms import RegisterSomeoneForm
from .models import Event, Registration
from .registry import event_url, feed_providers


def _event_or_404(uid, user):
    event = Event.objects.select_related("organiser").filter(uid=uid).first()
    if event is None or not selectors.can_view_event(user, event):
        raise Http404
    return event


def _message_of(error):
    return " ".join(error.messages)


def _box_response(request, event, *, level=messages.INFO, text="", status=200):
    """The registration box (htmx, with ``text`` inside it) or back to the event's page (``text``
    as a message). htmx gets 200 even for a refusal, since it only swaps successful responses, so
    that the message shows in the box; ``status`` is kept in the ``X-Events-Status`` header."""
    if request.htmx:
        box = selectors.registration_box(event=event, user=request.user)
        box["notice"], box["notice_is_error"] = text, level == messages.ERROR
        response = render(request, "events/includes/registration.html", {"box": box, "event": event})
        response["X-Events-Status"] = str(status)
        return response
    if text:
        messages.add_message(request, level, text)
    return redirect(event_url(event))


@login_required
@require_safe
def detail(request, uid):
    """The page of an event whose kind has no page of its own."""
    event = _event_or_404(uid, request.user)
    own_url = event_url(event)
    if own_url != request.path:
        return redirect(own_url)
    box = selectors.registration_box(event=event, user=request.user)
    return render(request, "events/detail.html", {"event": event, "registration_box": box})


@login_required
@require_POST
def register(request, uid):
    event = _event_or_404(uid, request.user)
    try:
        registration = services.registration_create(event=event, user=request.user)
    except PermissionDenied:
        if not request.htmx:
            raise
        text = _("You cannot register for this event.")
        return _box_response(request, event, level=messages.ERROR, text=text, status=403)
    except ValidationError as error:
        return _box_response(request, event, level=messages.ERROR, text=_message_of(error), status=400)
    if registration.status == Registration.Status.CONFIRMED:
        return _box_response(request, event, level=messages.SUCCESS, text=_("You are registered."))
    return _box_response(request, event, text=_("The event is full: you are on the waiting list."))


@login_required
@require_POST
def cancel(request, uid):
    event = _event_or_404(uid, request.user)
    registration = Registration.objects.filter(event=event, user=request.user).first()
    if registration is None:
        text = _("You are not registered for this event.")
        return _box_response(request, event, level=messages.ERROR, text=text, status=400)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except ValidationError as error:
        return _box_response(request, event, level=messages.ERROR, text=_message_of(error), status=400)
    return _box_response(request, event, level=messages.SUCCESS, text=_("Your registration is cancelled."))


def _managed_event_or_404(uid, user):
    event = _event_or_404(uid, user)
    if not selectors.can_manage_event(user, event):
        raise Http404
    return event


def _attendees_page(request, event, *, form=None, status=200):
    context = {
        "event": event,
        "event_page": event_url(event),
        "form": form or RegisterSomeoneForm(),
        **selectors.attendees(event=event),
    }
    return render(request, "events/attendees.html", context, status=status)


@login_required
@require_safe
def attendees(request, uid):
    event = _managed_event_or_404(uid, request.user)
    return _attendees_page(request, event)


@login_required
@require_POST
def register_someone(request, uid):
    event = _managed_event_or_404(uid, request.user)
    form = RegisterSomeoneForm(request.POST)
    if not form.is_valid():
        return _attendees_page(request, event, form=form, status=400)
    person = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
    if person is None:
        form.add_error("email", _("No active portal account has this email address."))
        return _attendees_page(request, event, form=form, status=400)
    if not (selectors.can_register_event(person, event) or selectors.can_view_event(person, event)):
        form.add_error(
            "email", _("This person may not take part in this event (e.g. not a member of the council).")
        )
        return _attendees_page(request, event, form=form, status=400)
    try:
        registration = services.registration_create(event=event, user=person, registered_by=request.user)
    except PermissionDenied:
        form.add_error("email", _("You cannot register people for this event."))
        return _attendees_page(request, event, form=form, status=403)
    except ValidationError as error:
        form.add_error("email", _message_of(error))
        return _attendees_page(request, event, form=form, status=400)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(
            request, _("%(person)s is registered.") % {"person": person.get_full_name() or person}
        )
    else:
        messages.info(
            request,
            _("The event is full: %(person)s is on the waiting list.")
            % {"person": person.get_full_name() or person},
        )
    return redirect("events:attendees", event.uid)


@login_required
@require_POST
def check_in(request, uid, registration_id):
    event = _managed_event_or_404(uid, request.user)
    registration = get_object_or_404(
        Registration.objects.select_related("user", "event"), pk=registration_id, event=event
    )
    present = request.POST.get("present", "1") not in ("0", "false", "")
    error = None
    try:
        registration = services.registration_check_in(
            registration=registration, actor=request.user, present=present
        )
    except ValidationError as exc:
        error = _message_of(exc)
    registration = Registration.objects.select_related("user", "checked_in_by").get(pk=registration.pk)
    if request.htmx:
        return render(
            request,
            "events/includes/check_in.html",
            {"event": event, "registration": registration, "error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("events:attendees", event.uid)


@login_required
@require_POST
def cancel_someone(request, uid, registration_id):
    event = _managed_event_or_404(uid, request.user)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except ValidationError as error:
        messages.error(request, _message_of(error))
    else:
        messages.success(request, _("The registration is cancelled."))
    return redirect("events:attendees", event.uid)


@login_required
@require_POST
def cancel_event(request, uid):
    event = _managed_event_or_404(uid, request.user)
    try:
        services.event_cancel(event=event, actor=request.user)
    except ValidationError as error:
        messages.error(request, _message_of(error))
    else:
        messages.success(request, _("The event is cancelled; the people registered have been told."))
    return redirect("events:attendees", event.uid)


def _ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def event_ics(request, uid):
    event = _event_or_404(uid, request.user)
    confirmed = Registration.objects.filter(
        event=event, user=request.user, status=Registration.Status.CONFIRMED
    ).exists()
    with_link = confirmed or selectors.can_manage_event(request.user, event)
    content = ical.event_ics(event, url=event_url(event), with_online_link=with_link)
    return _ics_response(content, ical.ics_filename(event))


@require_safe
def feed(request, key):
    """A person's calendar: their confirmed registrations and upcoming waitlisted ones (no login:
    the key in the URL is the secret)."""
    user = selectors.calendar_key_user(key)
    if user is None:
        raise Http404
    content = ical.registrations_feed(
        selectors.user_feed_registrations(user), name=_("My events · SME Cluster Growth")
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def calendar(request):
    """The person's calendar links: their own feed and their councils' feeds; and a reset."""
    if request.method == "POST":
        services.calendar_key_reset(user=request.user)
        messages.success(request, _("Your calendar links are new; the old ones no longer work."))
        return redirect("events:calendar")
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    key = services.calendar_key_for(user=request.user)
    feed_url = request.build_absolute_uri(reverse("events:feed", args=[key.key]))
    other_feeds = []
    for provider in feed_providers():
        for label, url in provider(request.user):
            other_feeds.append((label, request.build_absolute_uri(url)))
    return render(
        request,
        "events/calendar.html",
        {
            "feed_url": feed_url,
            "other_feeds": other_feeds,
            "registrations": selectors.user_upcoming_registrations(request.user),
        },
    )
