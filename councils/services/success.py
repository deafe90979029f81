"""Writes of success factors 3 and 4: a council's challenges → adapted success factors →
indicators with dated values, and its impact records.

Every function is keyword-only and transactional, checks that ``actor`` may manage the council's
success factors (``councils.manage_success_factors``: its coordinators and staff; PermissionDenied
otherwise) and raises ValidationError, per field where it can, for bad input.
"""

import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Challenge, ImpactRecord, Indicator, IndicatorValue, SuccessFactor

CHALLENGE_FIELDS = {"title", "description", "position"}
FACTOR_FIELDS = {"title", "description", "position"}
INDICATOR_FIELDS = {"name", "unit", "baseline", "baseline_date", "target", "target_date"}
IMPACT_FIELDS = {"kind", "date", "country", "quantity", "description"}


def _require(actor, council):
    if not actor.has_perm("councils.manage_success_factors", council):
        raise PermissionDenied


def _set(instance, fields, allowed):
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


# --- challenges ---------------------------------------------------------------------------------


@transaction.atomic
def challenge_create(*, council, actor, **fields):
    """Add a challenge to ``council`` (``title``, ``description``, ``position``)."""
    _require(actor, council)
    challenge = Challenge(council=council)
    _set(challenge, fields, CHALLENGE_FIELDS)
    challenge.full_clean()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_update(*, challenge, actor, **fields):
    _require(actor, challenge.council)
    _set(challenge, fields, CHALLENGE_FIELDS)
    challenge.full_clean()
    challenge.save()
    return challenge


@transaction.atomic
def challenge_delete(*, challenge, actor):
    """Delete a challenge with its success factors, indicators and their values."""
    _require(actor, challenge.council)
    challenge.delete()


# --- adapted success factors --------------------------------------------------------------------


@transaction.atomic
def success_factor_create(*, challenge, actor, **fields):
    """Add a success factor adapted to ``challenge`` (``title``, ``description``, ``position``)."""
    _require(actor, challenge.council)
    factor = SuccessFactor(challenge=challenge)
    _set(factor, fields, FACTOR_FIELDS)
    factor.full_clean()
    factor.save()
    return factor


@transaction.atomic
def success_factor_update(*, success_factor, actor, **fields):
    _require(actor, success_factor.challenge.council)
    _set(success_factor, fields, FACTOR_FIELDS)
    success_factor.full_clean()
    success_factor.save()
    return success_factor


@transaction.atomic
def success_factor_delete(*, success_factor, actor):
    """Delete a success factor with its indicators and their values."""
    _require(actor, success_factor.challenge.council)
    success_factor.delete()


# --- indicators ---------------------------------------------------------------------------------


def _validate_indicator(indicator):
    """Clear messages for what the check constraints would refuse, and values that the new baseline
    date would leave before it; then the model's own validation."""
    errors = {}
    if (
        indicator.baseline is not None
        and indicator.target is not None
        and indicator.baseline == indicator.target
    ):
        errors["target"] = _("The target must differ from the baseline.")
    if (
        indicator.baseline_date is not None
        and indicator.target_date is not None
        and indicator.target_date <= indicator.baseline_date
    ):
        errors["target_date"] = _("The target date must be after the baseline date.")
    if indicator.pk and indicator.baseline_date is not None:
        earliest = (
            IndicatorValue.objects.filter(indicator=indicator, date__lt=indicator.baseline_date)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )
        if earliest is not None:
            errors["baseline_date"] = _(
                "A value was recorded on %(date)s, before this baseline date. Delete it first or choose "
                "an earlier baseline date."
            ) % {"date": earliest.isoformat()}
    if errors:
        raise ValidationError(errors)
    indicator.full_clean(validate_constraints=False)


@transaction.atomic
def indicator_create(*, success_factor, actor, **fields):
    """Add an indicator to ``success_factor``: ``name``, ``unit``, ``baseline`` and ``baseline_date``,
    ``target`` (not the baseline) and ``target_date`` (after the baseline date)."""
    _require(actor, success_factor.challenge.council)
    indicator = Indicator(success_factor=success_factor)
    _set(indicator, fields, INDICATOR_FIELDS)
    _validate_indicator(indicator)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, indicator, actor, **fields):
    """Change an indicator; the baseline date cannot move past a recorded value."""
    _require(actor, indicator.success_factor.challenge.council)
    _set(indicator, fields, INDICATOR_FIELDS)
    _validate_indicator(indicator)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, indicator, actor):
    """Delete an indicator with its values."""
    _require(actor, indicator.success_factor.challenge.council)
    indicator.delete()


@transaction.atomic
def indicator_value_record(*, indicator, actor, date, value, note=""):
    """Record ``indicator``'s ``value`` on ``date``. One value per indicator and date: recording a
    date again replaces that date's value and note. Returns ``(value, created)``.

    Raises ValidationError for a date before the baseline date or in the future (the council's
    own today), or a value the field cannot hold.
    """
    council = indicator.success_factor.challenge.council
    _require(actor, council)
    if date is None:
        raise ValidationError({"date": _("Give the date of the value.")})
    if date < indicator.baseline_date:
        raise ValidationError(
            {
                "date": _("The date cannot be before the baseline date (%(date)s).")
                % {"date": indicator.baseline_date.isoformat()}
            }
        )
    if date > today_for(council):
        raise ValidationError({"date": _("The date cannot be in the future.")})
    # Lock the indicator: two people recording the same date at once update one row.
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    row = IndicatorValue.objects.filter(indicator=indicator, date=date).first()
    created = row is None
    if created:
        row = IndicatorValue(indicator=indicator, date=date)
    row.value = value
    row.note = note or ""
    row.recorded_by = actor
    row.full_clean(exclude=["recorded_by"], validate_unique=False, validate_constraints=False)
    row.save()
    return row, created


@transaction.atomic
def indicator_value_delete(*, value, actor):
    _require(actor, value.indicator.success_factor.challenge.council)
    value.delete()


def today_for(council):
    """Today where the council is, or where the server is, whichever is later: a value of "today"
    is never refused because of the time zone."""
    here = timezone.localdate()
    try:
        there = timezone.localdate(timezone=zoneinfo.ZoneInfo(council.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        there = here
    return max(here, there, timezone.now().date())


# --- impact records -----------------------------------------------------------------------------


def _save_impact(record, *, organisations):
    errors = {}
    if record.quantity is not None and record.quantity < 0:
        errors["quantity"] = _("The quantity cannot be negative.")
    if record.date is not None and record.date > today_for(record.council):
        errors["date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    record.full_clean(exclude=["recorded_by"], validate_constraints=False)
    record.save()
    if organisations is not None:
        record.organisations.set(organisations)
    return record


@transaction.atomic
def impact_record_create(*, council, actor, organisations=(), **fields):
    """Record an impact of ``council``: ``kind``, ``date`` (not in the future), ``country``,
    ``quantity`` (≥ 0: euros for funding, people for jobs and training, otherwise a count),
    ``description``, and the ``organisations`` involved (optional)."""
    _require(actor, council)
    record = ImpactRecord(council=council, recorded_by=actor)
    _set(record, fields, IMPACT_FIELDS)
    return _save_impact(record, organisations=list(organisations))


@transaction.atomic
def impact_record_update(*, record, actor, organisations=None, **fields):
    """Change an impact record; ``organisations`` replaces its organisations when given."""
    _require(actor, record.council)
    _set(record, fields, IMPACT_FIELDS)
    return _save_impact(record, organisations=None if organisations is None else list(organisations))


@transaction.atomic
def impact_record_delete(*, record, actor):
    _require(actor, record.council)
    record.delete()
