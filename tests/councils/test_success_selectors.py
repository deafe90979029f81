"""Success factor 3's progress maths and success factor 4's aggregates, in SQL (selectors/success.py)."""

import datetime
from decimal import Decimal

import pytest

from councils.models import Challenge, ImpactRecord, Indicator, IndicatorValue, SuccessFactor
from councils.selectors.success import (
    impact_by_country,
    indicators_with_progress,
    progress_percent,
)

pytestmark = pytest.mark.django_db

BASELINE_DATE = datetime.date(2025, 1, 1)


def make_indicator(council, *, baseline, target, values=(), name="Indicator"):
    challenge = Challenge.objects.create(council=council, title="Challenge")
    factor = SuccessFactor.objects.create(challenge=challenge, title="Factor")
    indicator = Indicator.objects.create(
        success_factor=factor,
        name=name,
        baseline=Decimal(baseline),
        baseline_date=BASELINE_DATE,
        target=Decimal(target),
        target_date=datetime.date(2027, 1, 1),
    )
    for days, value in values:
        IndicatorValue.objects.create(
            indicator=indicator, date=BASELINE_DATE + datetime.timedelta(days=days), value=Decimal(value)
        )
    return indicator


def progress_of(indicator):
    return indicators_with_progress().get(pk=indicator.pk)


@pytest.mark.parametrize(
    ("baseline", "target", "values", "latest", "expected"),
    [
        ("10", "20", [(10, "12"), (40, "15")], Decimal("15"), 50.0),  # rising towards the target
        ("30", "10", [(40, "25")], Decimal("25"), 25.0),  # "reduce time-to-market": falling
        ("10", "20", [(10, "25")], Decimal("25"), 100.0),  # beyond the target clamps at 100
        ("30", "10", [(10, "5")], Decimal("5"), 100.0),  # beyond a falling target too
        ("10", "20", [(10, "8")], Decimal("8"), 0.0),  # the wrong way clamps at 0
        (
            "10",
            "20",
            [(40, "15"), (10, "19")],
            Decimal("15"),
            50.0,
        ),  # the latest date counts, not the last row
    ],
)
def test_progress_to_target(malaga, baseline, target, values, latest, expected):
    indicator = make_indicator(malaga, baseline=baseline, target=target, values=values)

    row = progress_of(indicator)

    assert row.latest_value == latest
    assert row.progress == pytest.approx(expected)
    assert progress_percent(latest, Decimal(baseline), Decimal(target)) == pytest.approx(expected)


def test_indicator_without_values_has_no_progress(malaga):
    row = progress_of(make_indicator(malaga, baseline="10", target="20"))

    assert row.latest_value is None and row.latest_date is None and row.progress is None


def test_indicators_with_progress_of_one_council(malaga, bologna):
    ours = make_indicator(malaga, baseline="0", target="4", values=[(5, "1")])
    make_indicator(bologna, baseline="0", target="4", values=[(5, "3")])

    rows = list(indicators_with_progress(council=malaga))

    assert [row.pk for row in rows] == [ours.pk]
    assert rows[0].progress == pytest.approx(25.0)
    assert rows[0].latest_date == BASELINE_DATE + datetime.timedelta(days=5)
    assert len(indicators_with_progress()) == 2


def test_impact_by_country_counts_and_sums_in_sql(malaga, bologna):
    def record(council, kind, country, quantity, date=datetime.date(2026, 3, 1)):
        ImpactRecord.objects.create(council=council, kind=kind, date=date, country=country, quantity=quantity)

    record(malaga, ImpactRecord.Kind.FUNDING, "ES", Decimal("1000.50"))
    record(malaga, ImpactRecord.Kind.FUNDING, "ES", Decimal("2000"))
    record(malaga, ImpactRecord.Kind.JOBS, "ES", 3)
    record(malaga, ImpactRecord.Kind.JOBS, "IT", 2, date=datetime.date(2024, 1, 1))
    record(bologna, ImpactRecord.Kind.JOBS, "IT", 7)

    rows = [
        (row["country"], row["kind"], row["count"], row["quantity"])
        for row in impact_by_country(council=malaga)
    ]
    assert rows == [
        ("ES", "funding", 2, Decimal("3000.50")),
        ("ES", "jobs", 1, Decimal("3")),
        ("IT", "jobs", 1, Decimal("2")),
    ]
    recent = impact_by_country(council=malaga, since=datetime.date(2025, 1, 1))
    assert [(row["country"], row["kind"]) for row in recent] == [("ES", "funding"), ("ES", "jobs")]
    everywhere = {(row["country"], row["kind"]): row["quantity"] for row in impact_by_country()}
    assert everywhere[("IT", "jobs")] == Decimal("9")
