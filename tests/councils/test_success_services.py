"""Success factor 3's services: who may write, what they validate, one value per indicator and date."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from councils.models import Challenge, Indicator, IndicatorValue, SuccessFactor
from councils.services import success as services

pytestmark = pytest.mark.django_db

BASELINE_DATE = datetime.date(2025, 1, 1)


@pytest.fixture
def indicator(malaga, coordinator):
    challenge = services.challenge_create(council=malaga, actor=coordinator, title="Few joint projects")
    factor = services.success_factor_create(challenge=challenge, actor=coordinator, title="Joint R&D")
    return services.indicator_create(
        success_factor=factor,
        actor=coordinator,
        name="Joint projects",
        unit="projects",
        baseline=Decimal("10"),
        baseline_date=BASELINE_DATE,
        target=Decimal("20"),
        target_date=datetime.date(2027, 1, 1),
    )


def test_only_coordinators_and_staff_write(
    malaga, bologna, indicator, council_member, outsider, staff, other_council_member
):
    factor = indicator.success_factor
    challenge = factor.challenge
    for person in (council_member, outsider, other_council_member):
        with pytest.raises(PermissionDenied):
            services.challenge_create(council=malaga, actor=person, title="No")
        with pytest.raises(PermissionDenied):
            services.challenge_update(challenge=challenge, actor=person, title="No")
        with pytest.raises(PermissionDenied):
            services.success_factor_delete(success_factor=factor, actor=person)
        with pytest.raises(PermissionDenied):
            services.indicator_update(indicator=indicator, actor=person, name="No")
        with pytest.raises(PermissionDenied):
            services.indicator_value_record(
                indicator=indicator, actor=person, date=BASELINE_DATE, value=Decimal("1")
            )
    assert services.challenge_create(council=bologna, actor=staff, title="Staff may").council == bologna


def test_coordinator_of_another_council_cannot_write(bologna, coordinator):
    with pytest.raises(PermissionDenied):
        services.challenge_create(council=bologna, actor=coordinator, title="Not mine")


def test_recording_a_date_again_updates_its_value(indicator, coordinator, staff):
    first, created = services.indicator_value_record(
        indicator=indicator, actor=coordinator, date=datetime.date(2025, 6, 1), value=Decimal("12"), note="H1"
    )
    assert created
    again, created = services.indicator_value_record(
        indicator=indicator, actor=staff, date=datetime.date(2025, 6, 1), value=Decimal("14")
    )

    assert not created and again.pk == first.pk
    row = IndicatorValue.objects.get(indicator=indicator)
    assert (row.value, row.note, row.recorded_by) == (Decimal("14"), "", staff)


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (datetime.date(2024, 12, 31), "before the baseline date"),
        ("tomorrow", "The date cannot be in the future."),
        (None, "Give the date of the value."),
    ],
)
def test_value_dates_are_validated(indicator, coordinator, date, message):
    if date == "tomorrow":
        date = timezone.now().date() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.indicator_value_record(indicator=indicator, actor=coordinator, date=date, value=Decimal("1"))
    assert message in " ".join(error.value.message_dict["date"])
    assert not IndicatorValue.objects.exists()


def test_value_of_today_is_accepted(indicator, coordinator):
    _, created = services.indicator_value_record(
        indicator=indicator, actor=coordinator, date=timezone.localdate(), value=Decimal("11")
    )
    assert created


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"target": Decimal("10")}, "target", "The target must differ from the baseline."),
        ({"target_date": BASELINE_DATE}, "target_date", "The target date must be after the baseline date."),
        ({"target_date": datetime.date(2020, 1, 1)}, "target_date", "after the baseline date"),
        ({"name": ""}, "name", "This field cannot be blank."),
        ({"baseline": Decimal("123456789012345")}, "baseline", "no more than 14 digits"),
    ],
)
def test_indicator_validation(indicator, coordinator, fields, field, message):
    with pytest.raises(ValidationError) as error:
        services.indicator_update(indicator=indicator, actor=coordinator, **fields)
    assert message in " ".join(error.value.message_dict[field])
    indicator.refresh_from_db()
    assert indicator.target == Decimal("20") and indicator.target_date == datetime.date(2027, 1, 1)


def test_baseline_date_cannot_move_past_a_recorded_value(indicator, coordinator):
    services.indicator_value_record(
        indicator=indicator, actor=coordinator, date=datetime.date(2025, 3, 1), value=11
    )

    with pytest.raises(ValidationError) as error:
        services.indicator_update(
            indicator=indicator, actor=coordinator, baseline_date=datetime.date(2025, 4, 1)
        )
    assert "2025-03-01" in error.value.message_dict["baseline_date"][0]
    services.indicator_update(indicator=indicator, actor=coordinator, baseline_date=datetime.date(2025, 3, 1))


def test_deleting_cascades(indicator, coordinator):
    services.indicator_value_record(
        indicator=indicator, actor=coordinator, date=datetime.date(2025, 3, 1), value=11
    )
    services.success_factor_delete(success_factor=indicator.success_factor, actor=coordinator)

    assert Challenge.objects.count() == 1
    assert (
        not SuccessFactor.objects.exists()
        and not Indicator.objects.exists()
        and not IndicatorValue.objects.exists()
    )


def test_unknown_fields_are_a_programming_error(malaga, coordinator):
    with pytest.raises(TypeError):
        services.challenge_create(council=malaga, actor=coordinator, title="x", council_id=3)
