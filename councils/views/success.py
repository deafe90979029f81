"""A council's success-factor pages, for its members (and staff):

- the interactions of the ledger linked to the council (success factors 1 and 2), which its
  coordinators add to by hand;
- challenges → adapted success factors → indicators with dated values and progress to target
  (success factor 3);
- impact records with totals by kind and country (success factor 4).

The council itself is public, these pages are members' business: anyone else gets a 404 (a
visitor is asked to log in first). Members who may not manage get a 403 on the managing pages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_countries import countries

from ..forms.success import (
    ChallengeForm,
    ImpactRecordForm,
    IndicatorForm,
    IndicatorValueForm,
    InteractionForm,
    SuccessFactorForm,
)
from ..models import Challenge, Council, ImpactRecord, Indicator, IndicatorValue, SuccessFactor
from ..selectors import success as selectors
from ..services import success as services
from ..services.ledger import council_interaction_record

VIEW = "councils.view_dashboard"
MANAGE = "councils.manage_success_factors"
RECORD = "councils.record_interactions"
PAGE_SIZE = 25

# What an impact record's quantity counts, by kind.
IMPACT_UNITS = {
    ImpactRecord.Kind.FUNDING: gettext_lazy("euros"),
    ImpactRecord.Kind.JOBS: gettext_lazy("people"),
    ImpactRecord.Kind.TRAINING: gettext_lazy("people"),
}
DEFAULT_UNIT = gettext_lazy("count")
IMPACT_INTRO = gettext_lazy(
    "Quantities: euros for funding obtained, people for jobs and training delivered, a count otherwise."
)


def impact_unit(kind):
    return IMPACT_UNITS.get(kind, DEFAULT_UNIT)


def _council(slug, user, manage=None):
    """The council of ``slug`` if ``user`` may see its success factors (404 otherwise: the pages of
    a council one is not in are not theirs to know), and may ``manage`` (a permission: 403)."""
    council = get_object_or_404(Council, slug=slug)
    if not user.has_perm(VIEW, council):
        raise Http404
    if manage and not user.has_perm(manage, council):
        raise PermissionDenied
    return council


def _errors_to_form(form, error):
    """A service's ValidationError onto the form: per field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(request, council, form, *, title, cancel_url, submit, status=200, intro=""):
    return render(
        request,
        "councils/success/form.html",
        {
            "council": council,
            "form": form,
            "title": title,
            "intro": intro,
            "cancel_url": cancel_url,
            "submit": submit,
        },
        status=status,
    )


def _confirm_page(request, council, *, title, message, cancel_url):
    return render(
        request,
        "councils/success/confirm_delete.html",
        {"council": council, "title": title, "message": message, "cancel_url": cancel_url},
    )


def _edit(request, council, form, save, *, title, submit, cancel_url, success, intro=""):
    """GET: the form; POST: validate, call ``save(form)`` (a service), redirect to ``cancel_url`` —
    or show the form again with its errors (status 400)."""
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, success)
                return redirect(cancel_url)
        return _form_page(
            request, council, form, title=title, cancel_url=cancel_url, submit=submit, status=400, intro=intro
        )
    return _form_page(request, council, form, title=title, cancel_url=cancel_url, submit=submit, intro=intro)


def _delete(request, council, delete, *, title, message, cancel_url, done_url, success):
    if request.method == "POST":
        delete()
        messages.success(request, success)
        return redirect(done_url)
    return _confirm_page(request, council, title=title, message=message, cancel_url=cancel_url)


# --- interactions (success factors 1 and 2) -----------------------------------------------------


@login_required
@require_safe
def interactions(request, slug):
    council = _council(slug, request.user)
    filterset = selectors.council_interactions(council=council, params=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/success/interactions.html",
        {
            "council": council,
            "filterset": filterset,
            "page": page,
            "can_record": request.user.has_perm(RECORD, council),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def interaction_create(request, slug):
    council = _council(slug, request.user, manage=RECORD)
    form = InteractionForm(request.POST or None, council=council)

    def save(form):
        data = form.cleaned_data
        council_interaction_record(
            council=council,
            actor=request.user,
            kind=data["kind"],
            date=data["date"],
            organisations=list(data["organisations"]),
            description=data["description"],
        )

    return _edit(
        request,
        council,
        form,
        save,
        title=_("Record an interaction"),
        intro=_(
            "Interactions between organisations that met outside the council's meetings: joint projects, "
            "visits, consultancy… Meeting attendance is recorded from check-in."
        ),
        submit=_("Record the interaction"),
        cancel_url=reverse("councils:interactions", args=[council.slug]),
        success=_("The interaction has been recorded."),
    )


# --- success factor 3: challenges → success factors → indicators ---------------------------------


def _success_url(council, anchor=""):
    return reverse("councils:success_factors", args=[council.slug]) + anchor


def sparkline(points, width=120, height=32, pad=3):
    """SVG polyline coordinates for ``points`` (numbers, in date order), scaled to the box; "" with
    fewer than two points."""
    if len(points) < 2:
        return ""
    low, high = min(points), max(points)
    span = (high - low) or 1
    step = (width - 2 * pad) / (len(points) - 1)
    return " ".join(
        f"{pad + i * step:.1f},{height - pad - (float(value - low) / float(span)) * (height - 2 * pad):.1f}"
        for i, value in enumerate(points)
    )


def _decorate(indicator):
    """What the page shows of an indicator beyond its fields: its trend (the sparkline of its
    values, and whether the last value went up or down)."""
    values = list(indicator.values.all())
    indicator.value_rows = values
    indicator.sparkline = sparkline([row.value for row in values])
    indicator.trend = ""
    if len(values) >= 2:
        last, before = values[-1].value, values[-2].value
        indicator.trend = "up" if last > before else "down" if last < before else "flat"
    indicator.toward_target = indicator.trend == ("up" if indicator.target > indicator.baseline else "down")
    return indicator


@login_required
@require_safe
def success_factors(request, slug):
    council = _council(slug, request.user)
    challenges = list(selectors.council_challenges(council=council))
    for challenge in challenges:
        for factor in challenge.success_factors.all():
            for indicator in factor.indicators.all():
                _decorate(indicator)
    return render(
        request,
        "councils/success/success_factors.html",
        {"council": council, "challenges": challenges, "can_manage": request.user.has_perm(MANAGE, council)},
    )


def _challenge(council, pk):
    return get_object_or_404(Challenge, pk=pk, council=council)


def _factor(council, pk):
    return get_object_or_404(
        SuccessFactor.objects.select_related("challenge"), pk=pk, challenge__council=council
    )


def _indicator(council, pk):
    return get_object_or_404(
        Indicator.objects.select_related("success_factor__challenge"),
        pk=pk,
        success_factor__challenge__council=council,
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request, slug):
    council = _council(slug, request.user, manage=MANAGE)
    form = ChallengeForm(request.POST or None)
    return _edit(
        request,
        council,
        form,
        lambda form: services.challenge_create(council=council, actor=request.user, **form.cleaned_data),
        title=_("Add a challenge"),
        submit=_("Add the challenge"),
        cancel_url=_success_url(council),
        success=_("The challenge has been added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    challenge = _challenge(council, pk)
    form = ChallengeForm(request.POST or None, instance=challenge)
    return _edit(
        request,
        council,
        form,
        lambda form: services.challenge_update(challenge=challenge, actor=request.user, **form.cleaned_data),
        title=_("Edit the challenge"),
        submit=_("Save"),
        cancel_url=_success_url(council, f"#challenge-{challenge.pk}"),
        success=_("The challenge has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_delete(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    challenge = _challenge(council, pk)
    return _delete(
        request,
        council,
        lambda: services.challenge_delete(challenge=challenge, actor=request.user),
        title=_("Delete the challenge “%(title)s”?") % {"title": challenge.title},
        message=_("Its success factors, their indicators and all their values are deleted too."),
        cancel_url=_success_url(council, f"#challenge-{challenge.pk}"),
        done_url=_success_url(council),
        success=_("The challenge has been deleted."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def success_factor_create(request, slug, challenge_id):
    council = _council(slug, request.user, manage=MANAGE)
    challenge = _challenge(council, challenge_id)
    form = SuccessFactorForm(request.POST or None)
    return _edit(
        request,
        council,
        form,
        lambda form: services.success_factor_create(
            challenge=challenge, actor=request.user, **form.cleaned_data
        ),
        title=_("Add a success factor to “%(title)s”") % {"title": challenge.title},
        submit=_("Add the success factor"),
        cancel_url=_success_url(council, f"#challenge-{challenge.pk}"),
        success=_("The success factor has been added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def success_factor_edit(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    factor = _factor(council, pk)
    form = SuccessFactorForm(request.POST or None, instance=factor)
    return _edit(
        request,
        council,
        form,
        lambda form: services.success_factor_update(
            success_factor=factor, actor=request.user, **form.cleaned_data
        ),
        title=_("Edit the success factor"),
        submit=_("Save"),
        cancel_url=_success_url(council, f"#factor-{factor.pk}"),
        success=_("The success factor has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def success_factor_delete(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    factor = _factor(council, pk)
    return _delete(
        request,
        council,
        lambda: services.success_factor_delete(success_factor=factor, actor=request.user),
        title=_("Delete the success factor “%(title)s”?") % {"title": factor.title},
        message=_("Its indicators and all their values are deleted too."),
        cancel_url=_success_url(council, f"#factor-{factor.pk}"),
        done_url=_success_url(council, f"#challenge-{factor.challenge_id}"),
        success=_("The success factor has been deleted."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request, slug, factor_id):
    council = _council(slug, request.user, manage=MANAGE)
    factor = _factor(council, factor_id)
    form = IndicatorForm(request.POST or None)
    return _edit(
        request,
        council,
        form,
        lambda form: services.indicator_create(
            success_factor=factor, actor=request.user, **form.cleaned_data
        ),
        title=_("Add an indicator to “%(title)s”") % {"title": factor.title},
        submit=_("Add the indicator"),
        cancel_url=_success_url(council, f"#factor-{factor.pk}"),
        success=_("The indicator has been added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    indicator = _indicator(council, pk)
    form = IndicatorForm(request.POST or None, instance=indicator)
    return _edit(
        request,
        council,
        form,
        lambda form: services.indicator_update(indicator=indicator, actor=request.user, **form.cleaned_data),
        title=_("Edit the indicator"),
        submit=_("Save"),
        cancel_url=reverse("councils:indicator", args=[council.slug, indicator.pk]),
        success=_("The indicator has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_delete(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    indicator = _indicator(council, pk)
    return _delete(
        request,
        council,
        lambda: services.indicator_delete(indicator=indicator, actor=request.user),
        title=_("Delete the indicator “%(name)s”?") % {"name": indicator.name},
        message=_("All its values are deleted too."),
        cancel_url=reverse("councils:indicator", args=[council.slug, indicator.pk]),
        done_url=_success_url(council, f"#factor-{indicator.success_factor_id}"),
        success=_("The indicator has been deleted."),
    )


def _indicator_page(request, council, indicator, *, form=None, status=200):
    indicator = selectors.indicator_progress(Indicator.objects.filter(pk=indicator.pk)).prefetch_related(
        "values"
    )
    indicator = _decorate(indicator.select_related("success_factor__challenge").get())
    for row in indicator.value_rows:
        row.progress = selectors.progress_percent(row.value, indicator.baseline, indicator.target)
    can_manage = request.user.has_perm(MANAGE, council)
    return render(
        request,
        "councils/success/indicator.html",
        {
            "council": council,
            "indicator": indicator,
            "can_manage": can_manage,
            "form": form or (IndicatorValueForm(indicator=indicator) if can_manage else None),
        },
        status=status,
    )


@login_required
@require_safe
def indicator(request, slug, pk):
    council = _council(slug, request.user)
    return _indicator_page(request, council, _indicator(council, pk))


@login_required
@require_POST
def indicator_value_record(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    indicator = _indicator(council, pk)
    form = IndicatorValueForm(request.POST, indicator=indicator)
    if form.is_valid():
        try:
            _value, created = services.indicator_value_record(
                indicator=indicator,
                actor=request.user,
                date=form.cleaned_data["date"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if created:
                messages.success(request, _("The value has been recorded."))
            else:
                messages.success(request, _("That date already had a value: it has been replaced."))
            return redirect("councils:indicator", council.slug, indicator.pk)
    return _indicator_page(request, council, indicator, form=form, status=400)


@login_required
@require_POST
def indicator_value_delete(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    value = get_object_or_404(
        IndicatorValue.objects.select_related("indicator__success_factor__challenge"),
        pk=pk,
        indicator__success_factor__challenge__council=council,
    )
    services.indicator_value_delete(value=value, actor=request.user)
    messages.success(request, _("The value has been deleted."))
    return redirect("councils:indicator", council.slug, value.indicator_id)


# --- success factor 4: impact -------------------------------------------------------------------


def _labelled(rows):
    """Rows of the impact aggregates with what the page shows: the kind's label and unit, the
    country's name (in the active language)."""
    for row in rows:
        if "kind" in row:
            row["unit"] = impact_unit(row["kind"])
            row["kind_label"] = ImpactRecord.Kind(row["kind"]).label
        if "country" in row:
            row["country_name"] = countries.name(row["country"])
    return rows


@login_required
@require_safe
def impact(request, slug):
    council = _council(slug, request.user)
    filterset = selectors.council_impact_records(council=council, params=request.GET)
    records = filterset.qs
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page:
        record.unit = impact_unit(record.kind)
    # Aggregated in SQL; ordered here by the countries' names in the reader's language.
    by_country = sorted(
        _labelled(list(selectors.impact_by_country(records=records))),
        key=lambda row: (row["country_name"], row["kind"]),
    )
    country_totals = sorted(
        _labelled(list(selectors.impact_totals_by_country(records))), key=lambda row: row["country_name"]
    )
    return render(
        request,
        "councils/success/impact.html",
        {
            "council": council,
            "filterset": filterset,
            "page": page,
            "by_kind": _labelled(list(selectors.impact_totals_by_kind(records))),
            "by_country": by_country,
            "country_totals": country_totals,
            "can_manage": request.user.has_perm(MANAGE, council),
        },
    )


def _impact_url(council):
    return reverse("councils:impact", args=[council.slug])


@login_required
@require_http_methods(["GET", "POST"])
def impact_create(request, slug):
    council = _council(slug, request.user, manage=MANAGE)
    form = ImpactRecordForm(request.POST or None, council=council, initial={"country": council.country})

    def save(form):
        organisations, fields = form.service_arguments()
        services.impact_record_create(
            council=council, actor=request.user, organisations=organisations, **fields
        )

    return _edit(
        request,
        council,
        form,
        save,
        title=_("Record an impact"),
        intro=IMPACT_INTRO,
        submit=_("Record the impact"),
        cancel_url=_impact_url(council),
        success=_("The impact has been recorded."),
    )


def _impact_record(council, pk):
    return get_object_or_404(ImpactRecord, pk=pk, council=council)


@login_required
@require_http_methods(["GET", "POST"])
def impact_edit(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    record = _impact_record(council, pk)
    form = ImpactRecordForm(request.POST or None, council=council, instance=record)

    def save(form):
        organisations, fields = form.service_arguments()
        services.impact_record_update(
            record=record, actor=request.user, organisations=organisations, **fields
        )

    return _edit(
        request,
        council,
        form,
        save,
        title=_("Edit the impact record"),
        intro=IMPACT_INTRO,
        submit=_("Save"),
        cancel_url=_impact_url(council),
        success=_("The impact record has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def impact_delete(request, slug, pk):
    council = _council(slug, request.user, manage=MANAGE)
    record = _impact_record(council, pk)
    return _delete(
        request,
        council,
        lambda: services.impact_record_delete(record=record, actor=request.user),
        title=_("Delete this impact record?"),
        message=f"{record.get_kind_display()} · {record.date.isoformat()} · {record.country.name}",
        cancel_url=_impact_url(council),
        done_url=_impact_url(council),
        success=_("The impact record has been deleted."),
    )


SF = "<slug:slug>/success-factors/"

urlpatterns = [
    path("<slug:slug>/interactions/", interactions, name="interactions"),
    path("<slug:slug>/interactions/new/", interaction_create, name="interaction_create"),
    path(SF, success_factors, name="success_factors"),
    path(f"{SF}challenges/new/", challenge_create, name="challenge_create"),
    path(f"{SF}challenges/<int:pk>/edit/", challenge_edit, name="challenge_edit"),
    path(f"{SF}challenges/<int:pk>/delete/", challenge_delete, name="challenge_delete"),
    path(
        f"{SF}challenges/<int:challenge_id>/factors/new/", success_factor_create, name="success_factor_create"
    ),
    path(f"{SF}factors/<int:pk>/edit/", success_factor_edit, name="success_factor_edit"),
    path(f"{SF}factors/<int:pk>/delete/", success_factor_delete, name="success_factor_delete"),
    path(f"{SF}factors/<int:factor_id>/indicators/new/", indicator_create, name="indicator_create"),
    path(f"{SF}indicators/<int:pk>/", indicator, name="indicator"),
    path(f"{SF}indicators/<int:pk>/edit/", indicator_edit, name="indicator_edit"),
    path(f"{SF}indicators/<int:pk>/delete/", indicator_delete, name="indicator_delete"),
    path(f"{SF}indicators/<int:pk>/values/", indicator_value_record, name="indicator_value_record"),
    path(f"{SF}values/<int:pk>/delete/", indicator_value_delete, name="indicator_value_delete"),
    path("<slug:slug>/impact/", impact, name="impact"),
    path("<slug:slug>/impact/new/", impact_create, name="impact_create"),
    path("<slug:slug>/impact/<int:pk>/edit/", impact_edit, name="impact_edit"),
    path("<slug:slug>/impact/<int:pk>/delete/", impact_delete, name="impact_delete"),
]
