"""Success factor 3's pages: challenges → success factors → indicators with values (views/success.py).

Council members and staff see them; coordinators and staff manage; everyone else gets a 404 (a
visitor is sent to log in), members who may not manage a 403.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import Challenge, Indicator, IndicatorValue, SuccessFactor

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "outsider", "other_council_member", "council_member", "coordinator", "staff"]
VIEW_STATUS = dict(zip(ROLES, [302, 404, 404, 200, 200, 200], strict=True))
MANAGE_STATUS = dict(zip(ROLES, [302, 404, 404, 403, 200, 200], strict=True))
BASELINE_DATE = datetime.date(2025, 1, 1)


@pytest.fixture
def cast(outsider, other_council_member, council_member, coordinator, staff):
    return {
        "visitor": None,
        "outsider": outsider,
        "other_council_member": other_council_member,
        "council_member": council_member,
        "coordinator": coordinator,
        "staff": staff,
    }


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def indicator(malaga):
    challenge = Challenge.objects.create(council=malaga, title="Slow time-to-market")
    factor = SuccessFactor.objects.create(challenge=challenge, title="Shorter development cycles")
    indicator = Indicator.objects.create(
        success_factor=factor,
        name="Months from idea to product",
        unit="months",
        baseline=Decimal("30"),
        baseline_date=BASELINE_DATE,
        target=Decimal("10"),
        target_date=datetime.date(2027, 12, 31),
    )
    IndicatorValue.objects.create(indicator=indicator, date=datetime.date(2025, 6, 1), value=Decimal("28"))
    IndicatorValue.objects.create(indicator=indicator, date=datetime.date(2026, 1, 1), value=Decimal("25"))
    return indicator


def view_urls(indicator):
    slug = "malaga"
    return [
        reverse("councils:success_factors", args=[slug]),
        reverse("councils:indicator", args=[slug, indicator.pk]),
    ]


def manage_urls(indicator):
    slug, factor, challenge = "malaga", indicator.success_factor, indicator.success_factor.challenge
    return [
        reverse("councils:challenge_create", args=[slug]),
        reverse("councils:challenge_edit", args=[slug, challenge.pk]),
        reverse("councils:challenge_delete", args=[slug, challenge.pk]),
        reverse("councils:success_factor_create", args=[slug, challenge.pk]),
        reverse("councils:success_factor_edit", args=[slug, factor.pk]),
        reverse("councils:success_factor_delete", args=[slug, factor.pk]),
        reverse("councils:indicator_create", args=[slug, factor.pk]),
        reverse("councils:indicator_edit", args=[slug, indicator.pk]),
        reverse("councils:indicator_delete", args=[slug, indicator.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_success_factor_pages_permissions(client, cast, indicator, role):
    login(client, cast[role])
    for url in view_urls(indicator):
        response = client.get(url)
        assert response.status_code == VIEW_STATUS[role], url
        if role == "visitor":
            assert "/accounts/login/" in response["Location"]
    for url in manage_urls(indicator):
        assert client.get(url).status_code == MANAGE_STATUS[role], url


@pytest.mark.parametrize("role", ROLES)
def test_success_factor_writes_permissions(client, cast, indicator, role):
    """POSTs by people who may not manage change nothing (404 / 403 / login)."""
    login(client, cast[role])
    value = indicator.values.first()
    posts = [
        (reverse("councils:challenge_create", args=["malaga"]), {"title": "New", "position": 0}),
        (
            reverse("councils:indicator_value_record", args=["malaga", indicator.pk]),
            {"date": "2025-02-01", "value": "3"},
        ),
        (reverse("councils:indicator_value_delete", args=["malaga", value.pk]), {}),
        (reverse("councils:indicator_delete", args=["malaga", indicator.pk]), {}),
    ]
    if MANAGE_STATUS[role] == 200:
        return  # the flows below test what managers may do
    for url, data in posts:
        assert client.post(url, data).status_code == MANAGE_STATUS[role], url
    assert Challenge.objects.count() == 1 and IndicatorValue.objects.count() == 2


def test_members_see_progress_latest_value_and_trend(client, council_member, indicator):
    response = login(client, council_member).get(reverse("councils:success_factors", args=["malaga"]))

    html = response.content.decode()
    assert "Slow time-to-market" in html and "Shorter development cycles" in html
    assert "Months from idea to product" in html
    # baseline 30 → target 10, latest 25: a quarter of the way
    assert response.context["challenges"][0].success_factors.all()[0].indicators.all()[0].progress == 25.0
    assert 'value="25"' in html and "25 %" in html
    assert "<polyline" in html and "Trend of 2 values: from 28 to 25" in html
    assert "towards the target" in html
    assert "Add a challenge" not in html, "members do not manage"


def test_coordinator_sees_the_management_links(client, coordinator, indicator):
    html = (
        login(client, coordinator).get(reverse("councils:success_factors", args=["malaga"])).content.decode()
    )

    assert "Add a challenge" in html and "Add an indicator" in html


def test_coordinator_builds_challenge_factor_and_indicator(client, coordinator, malaga):
    login(client, coordinator)
    response = client.post(
        reverse("councils:challenge_create", args=["malaga"]),
        {"title": "Few SMEs work with universities", "description": "", "position": 1},
    )
    assert response.status_code == 302
    challenge = Challenge.objects.get(council=malaga)

    client.post(
        reverse("councils:success_factor_create", args=["malaga", challenge.pk]),
        {"title": "Joint R&D projects", "position": 0},
    )
    factor = SuccessFactor.objects.get(challenge=challenge)
    response = client.post(
        reverse("councils:indicator_create", args=["malaga", factor.pk]),
        {
            "name": "Joint projects per year",
            "unit": "projects",
            "baseline": "4",
            "baseline_date": "2025-01-01",
            "target": "12",
            "target_date": "2027-01-01",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(success_factor=factor)
    assert (indicator.baseline, indicator.target) == (Decimal("4"), Decimal("12"))

    client.post(
        reverse("councils:challenge_edit", args=["malaga", challenge.pk]), {"title": "Renamed", "position": 1}
    )
    challenge.refresh_from_db()
    assert challenge.title == "Renamed"


def test_indicator_numbers_in_the_active_language(client, coordinator, indicator):
    """Spanish: a decimal comma."""
    coordinator.language = "es"
    coordinator.save(update_fields=["language"])
    login(client, coordinator)
    response = client.post(
        reverse("councils:indicator_edit", args=["malaga", indicator.pk]),
        {
            "name": indicator.name,
            "unit": "months",
            "baseline": "1230,5",
            "baseline_date": "2025-01-01",
            "target": "10,25",
            "target_date": "2027-12-31",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.baseline == Decimal("1230.5") and indicator.target == Decimal("10.25")
    page = client.get(reverse("councils:indicator_edit", args=["malaga", indicator.pk]))
    assert 'value="1230,50"' in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": "30"}, "target", "The target must differ from the baseline."),
        ({"target_date": "2024-06-01"}, "target_date", "The target date must be after the baseline date."),
        ({"target_date": "2025-01-01"}, "target_date", "The target date must be after the baseline date."),
        ({"baseline": "thirty"}, "baseline", "Enter a number."),
        ({"baseline_date": "2025-13-45"}, "baseline_date", "Enter a valid date."),
        (
            {"baseline_date": "2025-09-01", "target_date": "2027-12-31"},
            "baseline_date",
            "A value was recorded on 2025-06-01",
        ),
    ],
)
def test_bad_indicator_input_is_a_form_error(client, coordinator, indicator, changes, field, message):
    data = {
        "name": indicator.name,
        "unit": "months",
        "baseline": "30",
        "baseline_date": "2025-01-01",
        "target": "10",
        "target_date": "2027-12-31",
        **changes,
    }
    response = login(client, coordinator).post(
        reverse("councils:indicator_edit", args=["malaga", indicator.pk]), data
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    indicator.refresh_from_db()
    assert indicator.baseline == Decimal("30") and indicator.baseline_date == BASELINE_DATE


def test_recording_a_value_and_recording_its_date_again_replaces_it(client, coordinator, indicator):
    login(client, coordinator)
    url = reverse("councils:indicator_value_record", args=["malaga", indicator.pk])

    response = client.post(url, {"date": "2026-03-01", "value": "20", "note": "Q1"}, follow=True)
    assert "The value has been recorded." in response.content.decode()
    response = client.post(url, {"date": "2026-03-01", "value": "18"}, follow=True)

    assert "That date already had a value: it has been replaced." in response.content.decode()
    assert indicator.values.get(date=datetime.date(2026, 3, 1)).value == Decimal("18")
    assert indicator.values.count() == 3
    page = client.get(reverse("councils:indicator", args=["malaga", indicator.pk]))
    assert page.context["indicator"].progress == 60.0  # (18 − 30) / (10 − 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2024-12-31", "value": "5"}, "before the baseline date"),
        ({"date": "tomorrow", "value": "5"}, "Enter a valid date."),
        ({"date": "2025-03-01", "value": "many"}, "Enter a number."),
        ({"date": "2025-03-01", "value": ""}, "This field is required."),
        ({"date": "2025-03-01", "value": "1.234"}, "no more than 2 decimal places"),
    ],
)
def test_bad_values_are_form_errors(client, coordinator, indicator, data, message):
    response = login(client, coordinator).post(
        reverse("councils:indicator_value_record", args=["malaga", indicator.pk]), data
    )

    assert response.status_code == 400
    assert message in str(response.context["form"].errors)
    assert indicator.values.count() == 2


def test_value_in_the_future_is_refused(client, coordinator, indicator):
    future = (timezone.now() + datetime.timedelta(days=3)).date().isoformat()
    response = login(client, coordinator).post(
        reverse("councils:indicator_value_record", args=["malaga", indicator.pk]),
        {"date": future, "value": "5"},
    )

    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()


def test_deleting_a_value_and_a_challenge(client, coordinator, indicator):
    login(client, coordinator)
    value = indicator.values.first()
    client.post(reverse("councils:indicator_value_delete", args=["malaga", value.pk]))
    assert indicator.values.count() == 1

    challenge = indicator.success_factor.challenge
    confirm = client.get(reverse("councils:challenge_delete", args=["malaga", challenge.pk]))
    assert "deleted too" in confirm.content.decode()
    client.post(reverse("councils:challenge_delete", args=["malaga", challenge.pk]))
    assert (
        not Challenge.objects.exists()
        and not Indicator.objects.exists()
        and not IndicatorValue.objects.exists()
    )


def test_objects_of_another_council_are_404_to_its_coordinator(client, coordinator, bologna):
    challenge = Challenge.objects.create(council=bologna, title="Theirs")
    factor = SuccessFactor.objects.create(challenge=challenge, title="Theirs")
    indicator = Indicator.objects.create(
        success_factor=factor,
        name="Theirs",
        baseline=1,
        baseline_date=BASELINE_DATE,
        target=2,
        target_date=datetime.date(2026, 1, 1),
    )
    login(client, coordinator)

    # Through Málaga's URLs (which the coordinator may manage) Bologna's objects are not found …
    assert client.get(reverse("councils:challenge_edit", args=["malaga", challenge.pk])).status_code == 404
    assert client.get(reverse("councils:indicator", args=["malaga", indicator.pk])).status_code == 404
    assert client.post(reverse("councils:indicator_delete", args=["malaga", indicator.pk])).status_code == 404
    # … and through Bologna's, the coordinator is not a member.
    assert client.get(reverse("councils:indicator", args=["bologna", indicator.pk])).status_code == 404
    assert Indicator.objects.filter(pk=indicator.pk).exists()


def test_unknown_council_is_404(client, staff):
    assert login(client, staff).get(reverse("councils:success_factors", args=["atlantis"])).status_code == 404


def _challenges(council, count):
    for n in range(count):
        challenge = Challenge.objects.create(council=council, title=f"Challenge {n}", position=n)
        factor = SuccessFactor.objects.create(challenge=challenge, title=f"Factor {n}")
        for m in range(2):
            indicator = Indicator.objects.create(
                success_factor=factor,
                name=f"Indicator {n}.{m}",
                baseline=0,
                baseline_date=BASELINE_DATE,
                target=100,
                target_date=datetime.date(2027, 1, 1),
            )
            for days in (10, 100, 200):
                IndicatorValue.objects.create(
                    indicator=indicator, date=BASELINE_DATE + datetime.timedelta(days=days), value=days / 4
                )


def test_success_factor_page_queries_do_not_grow(client, council_member, malaga, django_assert_num_queries):
    login(client, council_member)
    url = reverse("councils:success_factors", args=["malaga"])
    _challenges(malaga, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _challenges(malaga, 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_indicator_page_queries_do_not_grow_with_values(client, council_member, indicator):
    login(client, council_member)
    url = reverse("councils:indicator", args=["malaga", indicator.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for days in range(30):
        IndicatorValue.objects.create(
            indicator=indicator,
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=400 + days),
            value=days,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["indicator"].value_rows) == 32
    assert len(many) == len(few)
