"""The ecosystem directory: the filtered list, its map and its export.

All three take the same filters (``DirectoryFilter``, from the query string) and show each viewer
only what the organisations let them see. A filter that does not validate is shown with its error
and ignored (django-filter drops invalid fields), so a stale or hand-edited URL never fails.
"""

import functools
import time

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from .. import exports
from ..models import Organisation, Region
from ..selectors import organisations_for_directory, organisations_for_map, viewer_for

PAGE_SIZE = 24
TOPICS_SHOWN = 6


class _FilterSelect(forms.Select):
    """A filter's <select>, rendered in Python with its options cached per language.

    Django renders each <option> through a template of its own, which for the few hundred options
    of the filters (countries, sectors, topics) took longer than the whole rest of the page. The
    options only change with the taxonomies (data migrations, the admin), so each process keeps
    them for a few minutes; the HTML is the same as Django's.
    """

    TTL = 300
    _cache = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (name, get_language())
        expires, options = self._cache.get(key, (0, ""))
        if expires < time.monotonic():
            options = format_html_join("", '<option value="{}">{}</option>', self.choices)
            self._cache[key] = (time.monotonic() + self.TTL, options)
        for chosen in self.format_value(value):
            option = format_html('<option value="{}">', chosen)
            options = options.replace(option, f"{option[:-1]} selected>", 1)
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(options))


def _directory(request):
    viewer = viewer_for(request.user)
    filterset = organisations_for_directory(viewer=viewer, params=request.GET)
    for field in filterset.form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget = _FilterSelect(attrs=field.widget.attrs, choices=field.choices)
    return viewer, filterset


# What a result shows. Loading only these keeps the rows that a search ranks and sorts narrow.
RESULT_FIELDS = [
    "name",
    "short_name",
    "slug",
    "kind",
    "subtype",
    "country",
    "region",
    "city",
    "size_band",
    "description",
    "is_verified",
    "visibility",
]


def directory_page(queryset, number):
    """One page of the directory (``Paginator.get_page``: a page "number" that is not a number gives
    the first page, one out of range the last, never an error)."""
    # Names are not unique: the primary key keeps the order (and so the pages) stable.
    queryset = queryset.only(*RESULT_FIELDS).order_by(*queryset.query.order_by, "pk")
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def _labels(choices):
    return {value: str(label) for value, label in choices}


def _results(organisations, viewer):
    """What each result shows, already cut to what ``viewer`` may see: a hidden value never reaches
    the template. Built here rather than in the template, which did the same several times slower
    (choice labels, links, topics), and which matters on a page of 24."""
    kinds, subtypes = _labels(Organisation.Kind.choices), _labels(Organisation.Subtype.choices)
    regions, sizes = _labels(Region.choices), _labels(Organisation.SizeBand.choices)
    prefix = reverse("organisations:directory")  # profiles live at <directory>/<slug>/ (urls.py)
    results = []
    for organisation in organisations:
        can_see = functools.partial(viewer.can_see, organisation)
        topics = [t.name for t in organisation.topics_offered.all()] if can_see("topics_offered") else []
        results.append(
            {
                "name": organisation.name,
                "url": f"{prefix}{organisation.slug}/",
                "short_name": organisation.short_name if can_see("short_name") else "",
                "kind": subtypes.get(organisation.subtype) or kinds.get(organisation.kind, ""),
                "verified": organisation.is_verified,
                "size": sizes.get(organisation.size_band, "") if can_see("size_band") else "",
                "city": organisation.city,
                "region": regions.get(organisation.region, ""),
                "country": organisation.country.name,
                "description": (
                    Truncator(organisation.description).words(30) if can_see("description") else ""
                ),
                "topics": topics[:TOPICS_SHOWN],
                "more_topics": max(len(topics) - TOPICS_SHOWN, 0),
            }
        )
    return results


@require_safe
def directory(request):
    viewer, filterset = _directory(request)
    page = directory_page(filterset.qs, request.GET.get("page"))
    results = _results(page.object_list, viewer)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "results": results,
        "can_export": request.user.has_perm("organisations.export_directory"),
    }
    # An htmx request (a filter changed) gets only the result list; a history restore gets the page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "organisations/directory.html#results" if partial else "organisations/directory.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def map_page(request):
    viewer, filterset = _directory(request)
    context = {
        "form": filterset.form,
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_ATTRIBUTION,
    }
    return render(request, "organisations/map.html", context)


@require_safe
def map_markers(request):
    """The map's markers as JSON: the filtered organisations that show their location to the viewer."""
    viewer, filterset = _directory(request)
    prefix = reverse("organisations:directory")
    kinds = dict(Organisation.Kind.choices)
    markers = [
        {
            "name": row["name"],
            "kind": str(kinds.get(row["kind"], "")),
            "city": row["city"],
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
            # The profile URL is "<directory>/<slug>/" (urls.py); built here rather than with
            # reverse() per marker, which is noticeably slow for thousands of them.
            "url": f"{prefix}{row['slug']}/",
        }
        for row in organisations_for_map(filterset=filterset, viewer=viewer).iterator(chunk_size=2000)
    ]
    return JsonResponse(markers, safe=False)


@login_required
@require_safe
def export(request, fmt):
    """The filtered directory as CSV (streamed) or XLSX, each cell blank unless the viewer may see it."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not request.user.has_perm("organisations.export_directory"):
        raise PermissionDenied
    viewer, filterset = _directory(request)
    rows = exports.directory_rows(
        filterset.qs,
        viewer=viewer,
        profile_url=request.build_absolute_uri(reverse("organisations:directory")),
    )
    filename = f"organisations-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        exports.xlsx_file(rows, title="Organisations", widths=exports.DIRECTORY_WIDTHS),
        as_attachment=True,
        filename=filename,
        content_type=exports.XLSX_CONTENT_TYPE,
    )
