from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from . import selectors, services
from .forms import PreferencesForm
from .models import Area, Notification
from .unsubscribe import unsubscribe_read


@login_required
@require_safe
def bell(request):
    """The header's bell: the unread count, refreshed by htmx without reloading the page."""
    return render(request, "notifications/bell.html", {"unread": selectors.unread_count(user=request.user)})


@login_required
@require_safe
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_read(request, notification_id):
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    if request.htmx:
        notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
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
    if request.method == "POST" and form.is_valid():
        for area in Area.values:
            services.preference_set(user=request.user, area=area, frequency=form.cleaned_data[area])
        messages.success(request, _("Your email preferences have been saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # mail clients POST here (RFC 8058) without a session; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One click turns one area's emails off, without logging in. GET shows a confirmation button
    (link scanners that prefetch URLs must not unsubscribe anyone); POST does it."""
    try:
        user_id, area = unsubscribe_read(token)
    except signing.SignatureExpired:
        return render(request, "notifications/unsubscribe.html", {"error": "expired"}, status=400)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe.html", {"error": "invalid"}, status=400)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or area not in Area.values:
        return render(request, "notifications/unsubscribe.html", {"error": "invalid"}, status=400)
    context = {"area_label": Area(area).label}
    if request.method == "POST":
        services.preference_set(user=user, area=area, frequency="off")
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)
