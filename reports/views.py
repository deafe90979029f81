"""The reports page (ask for a report, follow its progress), a job's page and its download."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from . import selectors, services
from .exports import CONTENT_TYPES
from .forms import ReportRequestForm
from .models import ReportJob
from .registry import builders_for

PAGE_SIZE = 20
PARAMS_PREFIX = "params"


def login_required_htmx(view):
    """``login_required``, except that an htmx request (a polled row) from someone no longer signed
    in reloads the whole page, which then goes to the login page, rather than swapping the login
    page into the row."""
    required = login_required(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRefresh()
        return required(request, *args, **kwargs)

    return wrapper


def _chosen_builder(request, builders):
    """The report chosen in the form or the query string, else the first one offered."""
    kind = request.POST.get("kind") or request.GET.get("kind")
    by_name = {builder.name: builder for builder in builders}
    return by_name.get(kind) or (builders[0] if builders else None)


def _initial_params(request):
    """Parameters given in the query string, e.g. a link from the directory with its filters:
    ``?kind=directory&region=cork``, or ``params-kind=sme`` for a parameter named like a field of
    this page."""
    initial = {key: value for key, value in request.GET.items() if key not in ("kind", "page")}
    return {key.removeprefix(f"{PARAMS_PREFIX}-"): value for key, value in initial.items()}


def _add_errors(form, params_form, error):
    """Show a ValidationError from the service on the field it names (or above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        elif params_form is not None and field in params_form.fields:
            params_form.add_error(field, errors)
        else:  # NON_FIELD_ERRORS, or a name neither form has
            form.add_error(None, errors)


@login_required_htmx
@require_http_methods(["GET", "POST"])
def index(request):
    """Ask for a report, and the list of one's reports with their progress."""
    builders = builders_for(request.user)
    builder = _chosen_builder(request, builders)
    status = 200
    if request.method == "POST" and "choose" not in request.POST:
        form = ReportRequestForm(request.POST, user=request.user, builder=builder)
        params_form = builder.form(request.POST, user=request.user, prefix=PARAMS_PREFIX) if builder else None
        if form.is_valid() and params_form is not None and params_form.is_valid():
            try:
                services.report_request(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    params=builder.params_from_form(params_form),
                    fmt=form.cleaned_data["format"],
                    language=get_language(),
                )
            except ValidationError as error:
                _add_errors(form, params_form, error)
            else:
                messages.success(
                    request,
                    _("Your report is queued. Its progress shows below; you will be told when it is ready."),
                )
                return redirect("reports:index")
        status = 400
    else:
        # A first visit, another report chosen (htmx, or the no-JavaScript "Show its options").
        kind_initial = {"kind": builder.name} if builder else {}
        form = ReportRequestForm(initial=kind_initial, user=request.user, builder=builder)
        params_form = (
            builder.form(initial=_initial_params(request), user=request.user, prefix=PARAMS_PREFIX)
            if builder
            else None
        )
    context = {"form": form, "params_form": params_form, "builder": builder, "builders": builders}
    if request.htmx and request.method == "GET" and request.htmx.target == "report-options":
        response = render(request, "reports/index.html#options", context)
    else:
        page = Paginator(selectors.report_jobs_for_user(user=request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context |= {"page": page, "retention_days": services.retention().days}
        response = render(request, "reports/index.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required_htmx
@require_safe
def detail(request, job_id):
    """One report: its page (the link in the notification and the email), or, polled by htmx, its
    row in the list. A finished row stops the polling (it has no hx-trigger) and tells the page."""
    job = selectors.report_job_for_viewer(job_id=job_id, user=request.user)
    if request.htmx and request.GET.get("partial") == "row":
        response = render(request, "reports/index.html#job_row", {"job": job})
        if not job.is_pending:
            message = (
                _('Your report "%(title)s" is ready.')
                if job.status == ReportJob.Status.DONE
                else _('Your report "%(title)s" could not be built.')
            ) % {"title": job.title}
            trigger_client_event(response, "reportFinished", {"message": message})
            trigger_client_event(response, "notificationsChanged")
    else:
        response = render(request, "reports/detail.html", {"job": job})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def download(request, job_id):
    """The report's file, as an attachment: for its requester and staff (404 for anyone else),
    410 Gone once its file has been removed."""
    job = selectors.report_job_for_viewer(job_id=job_id, user=request.user)
    if job.is_expired:
        return _gone(request, job)
    if job.status != ReportJob.Status.DONE or not job.result:
        raise Http404
    try:
        file = job.result.open("rb")
    except FileNotFoundError:
        return _gone(request, job)
    response = FileResponse(
        file, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES.get(job.format)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _gone(request, job):
    context = {"job": job, "retention_days": services.retention().days}
    return render(request, "reports/expired.html", context, status=410)
