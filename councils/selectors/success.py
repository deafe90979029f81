"""Reads of success factors 1–4 that the council pages and the dashboards share.

- :func:`indicators_with_progress` — success factor 3: each indicator with its latest value and its
  progress to target, computed in SQL.
- :func:`impact_by_country` — success factor 4: impact records counted and summed by country and
  kind, in SQL.
- :func:`council_interactions` and :func:`council_impact_records` — the filtered lists of the
  interactions and impact pages (FilterSets, like the directory's).

Callers check that the viewer may see the council (``councils.view_dashboard``); these do not.
"""

import django_filters
from django import forms
from django.db.models import Count, F, FloatField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Cast, Greatest, Least
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from organisations.models import Interaction, Organisation

from ..models import Challenge, ImpactRecord, Indicator, IndicatorValue, SuccessFactor

# --- success factor 3: indicators ---------------------------------------------------------------


def progress_expression(value, baseline, target):
    """How far ``value`` has come from ``baseline`` towards ``target``, in percent, clamped to 0–100:
    ``(value − baseline) / (target − baseline) × 100``.

    The sign of ``target − baseline`` makes it work both ways: baseline 10 → target 20 with a value
    of 15 is 50 %; baseline 30 → target 10 ("reduce time-to-market") with 25 is 25 %. A value that
    went the wrong way is 0 %, one beyond the target 100 %. Computed in floating point (a percentage
    for display, not money). ``target`` never equals ``baseline`` (a check constraint).
    """
    value, baseline, target = (Cast(expression, FloatField()) for expression in (value, baseline, target))
    raw = (value - baseline) * Value(100.0) / (target - baseline)
    return Least(Greatest(raw, Value(0.0)), Value(100.0), output_field=FloatField())


def progress_percent(value, baseline, target):
    """:func:`progress_expression` in Python, for one value (the trend's points, the value list)."""
    if value is None:
        return None
    raw = float(value - baseline) * 100.0 / float(target - baseline)
    return max(0.0, min(100.0, raw))


def indicator_progress(indicator_qs):
    """``indicator_qs`` annotated, in SQL (one query whatever the number of indicators), with:

    - ``latest_value`` (Decimal) and ``latest_date`` — the value recorded for the latest date, or
      None when the indicator has no value yet;
    - ``progress`` (float, 0–100, None without a value) — :func:`progress_expression` of the latest
      value.

    Each is a correlated subquery on the (indicator, date) unique index.
    """
    latest = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-date")
    return indicator_qs.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_date=Subquery(latest.values("date")[:1]),
        progress=Subquery(
            latest.annotate(
                progress=progress_expression(F("value"), OuterRef("baseline"), OuterRef("target"))
            ).values("progress")[:1],
            output_field=FloatField(),
        ),
    )


def indicators_with_progress(*, council=None):
    """Indicators (of ``council``, or of every council) with ``latest_value``, ``latest_date`` and
    ``progress`` (see :func:`indicator_progress`), their success factor and challenge joined in, in
    the order of the council's challenges and factors. One query."""
    indicators = Indicator.objects.select_related("success_factor__challenge__council")
    if council is not None:
        indicators = indicators.filter(success_factor__challenge__council=council)
    indicators = indicators.order_by(
        "success_factor__challenge__council__name",
        "success_factor__challenge__position",
        "success_factor__challenge_id",
        "success_factor__position",
        "success_factor_id",
        "pk",
    )
    return indicator_progress(indicators)


def council_challenges(*, council):
    """The council's challenges → success factors → indicators (with progress, see
    :func:`indicator_progress`, and their values in date order): four queries in all."""
    indicators = indicator_progress(Indicator.objects.order_by("pk")).prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("date"))
    )
    factors = SuccessFactor.objects.order_by("position", "pk").prefetch_related(
        Prefetch("indicators", queryset=indicators)
    )
    return (
        Challenge.objects.filter(council=council)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("success_factors", queryset=factors))
    )


# --- success factor 4: impact -------------------------------------------------------------------


def _impact_records(*, council=None, since=None):
    records = ImpactRecord.objects.all()
    if council is not None:
        records = records.filter(council=council)
    if since is not None:
        records = records.filter(date__gte=since)
    return records


def impact_by_country(*, council=None, since=None, records=None):
    """Impact by country and kind, in SQL: rows ``{"country", "kind", "count", "quantity"}`` ordered
    by country and kind, of ``council`` (or all councils) from the date ``since`` (or always).
    ``records`` — an already filtered queryset of impact records — replaces both."""
    if records is None:
        records = _impact_records(council=council, since=since)
    return (
        records.order_by()
        .values("country", "kind")
        .annotate(count=Count("pk"), quantity=Sum("quantity"))
        .order_by("country", "kind")
    )


def impact_totals_by_kind(records):
    """Rows ``{"kind", "count", "quantity"}`` of ``records`` (an impact record queryset), in SQL."""
    return (
        records.order_by()
        .values("kind")
        .annotate(count=Count("pk"), quantity=Sum("quantity"))
        .order_by("kind")
    )


def impact_totals_by_country(records):
    """Rows ``{"country", "count"}`` of ``records``, in SQL (quantities of different kinds are in
    different units and are not added up across kinds)."""
    return records.order_by().values("country").annotate(count=Count("pk")).order_by("country")


def _year_filter():
    return django_filters.NumberFilter(
        field_name="date",
        lookup_expr="year",
        label=_("Year"),
        widget=forms.NumberInput(attrs={"min": 1990, "max": 2100}),
        min_value=1900,
        max_value=2100,
    )


class ImpactFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ImpactRecord.Kind.choices, label=_("Kind"), empty_label=_("Any")
    )
    country = django_filters.ChoiceFilter(choices=countries, label=_("Country"), empty_label=_("Any"))
    year = _year_filter()

    class Meta:
        model = ImpactRecord
        fields = ["kind", "country", "year"]


_organisation_names = Prefetch(
    "organisations", queryset=Organisation.objects.only("pk", "name", "slug").order_by("name")
)


def council_impact_records(*, council, params=None):
    """The impact page's FilterSet (kind, country, year) over ``council``'s records, newest first,
    their organisations' names prefetched; an invalid filter is shown with its error and ignored."""
    records = (
        ImpactRecord.objects.filter(council=council)
        .select_related("recorded_by")
        .prefetch_related(_organisation_names)
        .order_by("-date", "-pk")
    )
    return ImpactFilter(params or None, queryset=records)


# --- success factors 1 and 2: the council's interactions ----------------------------------------


class _AnyYesNo(forms.NullBooleanSelect):
    """Any / yes / no (Django's NullBooleanSelect says "Unknown" for the first)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class _YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, **kwargs):
        super().__init__(widget=_AnyYesNo, **kwargs)


class InteractionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Interaction.Kind.choices, label=_("Kind"), empty_label=_("Any")
    )
    sme_hei = _YesNoFilter(field_name="is_sme_hei", label=_("SME–HEI"))
    cross_border = _YesNoFilter(field_name="is_cross_border", label=_("Cross-border"))
    cross_cluster = _YesNoFilter(field_name="is_cross_cluster", label=_("Cross-cluster"))
    year = _year_filter()

    class Meta:
        model = Interaction
        fields = ["kind", "sme_hei", "cross_border", "cross_cluster", "year"]


def council_interactions(*, council, params=None):
    """The interactions page's FilterSet over the ledger entries linked to ``council``, newest first,
    the organisations' names prefetched (one query for a page)."""
    interactions = (
        Interaction.objects.filter(council_links__council=council)
        .prefetch_related(_organisation_names)
        .order_by("-date", "-pk")
    )
    return InteractionFilter(params or None, queryset=interactions)
