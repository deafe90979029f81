"""Site pages that belong to no support area: landing, privacy notice, imprint, health, errors."""

import logging
import os

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .celery import app as celery_app
from .context_processors import site

logger = logging.getLogger(__name__)

COUNCILS = [
    # (slug, city, country) of the six Cluster Growth Councils, in the alliance's order.
    ("malaga", pgettext_lazy("city", "Málaga"), _("Spain")),
    ("alcala", pgettext_lazy("city", "Alcalá de Henares"), _("Spain")),
    ("bologna", pgettext_lazy("city", "Bologna"), _("Italy")),
    ("cork", pgettext_lazy("city", "Cork"), _("Ireland")),
    ("istanbul", pgettext_lazy("city", "Istanbul"), _("Türkiye")),
    ("paris", pgettext_lazy("city", "Paris"), _("France")),
]


@require_safe
def home(request):
    return render(request, "pages/home.html", {"councils": COUNCILS})


@require_safe
def privacy(request):
    return render(request, "pages/privacy.html")


@require_safe
def imprint(request):
    return render(request, "pages/imprint.html")


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value it was given")


def _check_broker():
    with celery_app.connection_for_write() as conn:
        # One quick retry, no back-off pause: a probe must answer within its own timeout.
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        if conn.transport.driver_type == "filesystem":
            # "Connecting" to the filesystem broker touches no file: check its folders instead.
            channel = conn.default_channel
            for folder in {channel.data_folder_in, channel.data_folder_out}:
                if not (os.path.isdir(folder) and os.access(folder, os.R_OK | os.W_OK | os.X_OK)):
                    raise OSError(f"broker folder {folder} is missing or not writable")


@never_cache
@require_safe
def healthz(request):
    """Database, cache and broker status as JSON: 200 when all answer, 503 otherwise."""
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            check()
        except Exception as exc:  # any failure of a dependency is a status to report, not a crash
            logger.warning("healthz: %s check failed: %s", name, exc)
            checks[name] = "error"
        else:
            checks[name] = "ok"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Render without context processors that touch the database: it may be what failed.
    try:
        context = {"request": request, **site(request)}  # the layout's links and languages: no query
        return HttpResponseServerError(loader.render_to_string("errors/500.html", context))
    except Exception:
        logger.exception("rendering the 500 page failed")
        return HttpResponseServerError("<h1>Server error</h1>", content_type="text/html")
