from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HTMX_STOP_POLLING, HttpResponseClientRedirect, trigger_client_event

from . import selectors, services
from .forms import PreferencesForm
from .models import Area, Frequency, Notification
from .unsubscribe import unsubscribe_areas, unsubscribe_read


@require_safe
def bell(request):
    """The header's bell: the unread count, refreshed by htmx without reloading the page."""
    if not request.user.is_authenticated:
        if request.htmx:
            # The session ended while the page was open (logged out in another tab): rather than the
            # login page swapped into the header, an empty bell, and htmx stops polling (286).
            return HttpResponse(status=HTMX_STOP_POLLING)
        return redirect_to_login(request.get_full_path())
    return render(request, "notifications/bell.html", {"unread": selectors.unread_count(user=request.user)})


@login_required
@require_safe
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def mark_read(request, notification_id):
    """Mark one of the user's notifications read; someone else's is 404, as if it did not exist."""
    if not request.user.is_authenticated:
        if request.htmx:  # a full page, not the login form swapped into the list item
            return HttpResponseClientRedirect(redirect_to_login(reverse("notifications:list"))["Location"])
        return redirect_to_login(reverse("notifications:list"))
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    if request.htmx:
        notification.refresh_from_db(fields=["read_at"])
        response = render(request, "notifications/list.html#notification", {"notification": notification})
        return trigger_client_event(response, "notificationsChanged")
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, frequencies=services.frequencies_for(request.user))
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                for area in Area.values:
                    services.preference_set(user=request.user, area=area, frequency=form.cleaned_data[area])
            messages.success(request, _("Your email preferences have been saved."))
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # mail clients POST here (RFC 8058) without a session; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One click turns one area's emails off (or the several areas of a digest), without logging in.
    GET shows a confirmation button (link scanners that prefetch URLs must not unsubscribe anyone);
    POST does it, and doing it twice is harmless. A forged or expired link is a 400 page that says so."""
    try:
        user_id, area = unsubscribe_read(token)
    except signing.SignatureExpired:
        return render(request, "notifications/unsubscribe.html", {"error": "expired"}, status=400)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"error": "invalid"}, status=400)
    # One area, or several (a digest's List-Unsubscribe link stops every area that digest covered).
    areas = list(dict.fromkeys(unsubscribe_areas(area)))
    valid = bool(areas) and all(a in Area.values for a in areas)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if valid else None
    if user is None:
        return render(request, "notifications/unsubscribe.html", {"error": "invalid"}, status=400)
    context = {"area_label": ", ".join(str(Area(a).label) for a in areas)}
    if request.method == "POST":
        with transaction.atomic():
            for a in areas:
                services.preference_set(user=user, area=a, frequency=Frequency.OFF)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
