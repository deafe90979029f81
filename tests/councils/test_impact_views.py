"""Success factor 4: the council's impact records, totals by kind and country, and their management."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import ImpactRecord
from councils.services.success import impact_record_create, impact_record_delete, impact_record_update

from ..factories.organisations import OrganisationFactory

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "outsider", "other_council_member", "council_member", "coordinator", "staff"]
VIEW_STATUS = dict(zip(ROLES, [302, 404, 404, 200, 200, 200], strict=True))
MANAGE_STATUS = dict(zip(ROLES, [302, 404, 404, 403, 200, 200], strict=True))
LIST = reverse("councils:impact", args=["malaga"])
NEW = reverse("councils:impact_create", args=["malaga"])


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


def record(council, kind, country, quantity, date=datetime.date(2026, 3, 1), organisations=()):
    impact = ImpactRecord.objects.create(
        council=council, kind=kind, country=country, quantity=Decimal(quantity), date=date
    )
    impact.organisations.set(organisations)
    return impact


@pytest.fixture
def records(malaga, bologna, acme, uni):
    """Málaga: funding 1,500.50 + 2,000 € in Spain, 3 jobs in Spain, a partnership in Italy (2025);
    Bologna: 7 jobs in Italy."""
    return [
        record(malaga, "funding", "ES", "1500.50", organisations=[acme]),
        record(malaga, "funding", "ES", "2000", date=datetime.date(2026, 1, 10)),
        record(malaga, "jobs", "ES", "3", organisations=[acme, uni]),
        record(malaga, "partnership", "IT", "1", date=datetime.date(2025, 6, 1)),
        record(bologna, "jobs", "IT", "7"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_impact_pages_permissions(client, cast, records, role):
    login(client, cast[role])
    mine = records[0]
    response = client.get(LIST)
    assert response.status_code == VIEW_STATUS[role]
    if role == "visitor":
        assert "/accounts/login/" in response["Location"]
    for url in (
        NEW,
        reverse("councils:impact_edit", args=["malaga", mine.pk]),
        reverse("councils:impact_delete", args=["malaga", mine.pk]),
    ):
        assert client.get(url).status_code == MANAGE_STATUS[role], url
    if MANAGE_STATUS[role] != 200:
        assert (
            client.post(reverse("councils:impact_delete", args=["malaga", mine.pk])).status_code
            == MANAGE_STATUS[role]
        )
        data = {"kind": "jobs", "date": "2026-01-01", "country": "ES", "quantity": "4"}
        assert client.post(NEW, data).status_code == MANAGE_STATUS[role]
        assert ImpactRecord.objects.count() == 5


def test_impact_page_totals_by_kind_and_country(client, council_member, records):
    response = login(client, council_member).get(LIST)

    by_kind = {
        row["kind"]: (row["count"], row["quantity"], str(row["unit"])) for row in response.context["by_kind"]
    }
    assert by_kind == {
        "funding": (2, Decimal("3500.50"), "euros"),
        "jobs": (1, Decimal("3"), "people"),
        "partnership": (1, Decimal("1"), "count"),
    }
    by_country = [(row["country_name"], row["kind"], row["count"]) for row in response.context["by_country"]]
    assert by_country == [("Italy", "partnership", 1), ("Spain", "funding", 2), ("Spain", "jobs", 1)]
    assert {row["country"]: row["count"] for row in response.context["country_totals"]} == {"ES": 3, "IT": 1}
    html = response.content.decode()
    assert "3,500.50 euros" in html and "Acme Mecanizados" in html
    assert len(response.context["page"]) == 4, "Bologna's record is not Málaga's"


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"kind": "funding"}, 2),
        ({"country": "IT"}, 1),
        ({"year": "2025"}, 1),
        ({"year": "x", "country": "ZZ"}, 4),
    ],
)
def test_impact_filters_apply_to_list_and_totals(client, council_member, records, params, count):
    response = login(client, council_member).get(LIST, params)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    assert sum(row["count"] for row in response.context["by_kind"]) == count


def test_coordinator_records_edits_and_deletes_an_impact(client, coordinator, malaga, acme, uni):
    login(client, coordinator)
    assert 'value="ES" selected' in client.get(NEW).content.decode(), "the council's country by default"

    response = client.post(
        NEW,
        {
            "kind": "funding",
            "date": "2026-02-01",
            "country": "ES",
            "quantity": "25000",
            "organisations": [acme.pk, uni.pk],
        },
    )
    assert response.status_code == 302
    impact = ImpactRecord.objects.get()
    assert impact.recorded_by == coordinator and impact.council == malaga
    assert set(impact.organisations.all()) == {acme, uni}

    client.post(
        reverse("councils:impact_edit", args=["malaga", impact.pk]),
        {
            "kind": "funding",
            "date": "2026-02-01",
            "country": "IE",
            "quantity": "30000.5",
            "organisations": [acme.pk],
        },
    )
    impact.refresh_from_db()
    assert impact.country == "IE" and impact.quantity == Decimal("30000.5")
    assert list(impact.organisations.all()) == [acme]

    client.post(reverse("councils:impact_delete", args=["malaga", impact.pk]))
    assert not ImpactRecord.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "-1"}, "quantity", "The quantity cannot be negative."),
        ({"quantity": "lots"}, "quantity", "Enter a number."),
        ({"kind": "miracle"}, "kind", "Select a valid choice."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"date": "FUTURE"}, "date", "The date cannot be in the future."),
        ({"organisations": [999999]}, "organisations", "Select a valid choice."),
    ],
)
def test_bad_impact_input_is_a_form_error(client, coordinator, malaga, changes, field, message):
    data = {"kind": "jobs", "date": "2026-02-01", "country": "ES", "quantity": "4", **changes}
    if data["date"] == "FUTURE":
        data["date"] = (timezone.now() + datetime.timedelta(days=2)).date().isoformat()

    response = login(client, coordinator).post(NEW, data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ImpactRecord.objects.exists()


def test_impact_services_validate_and_check_permission(malaga, coordinator, council_member, acme):
    with pytest.raises(ValidationError) as error:
        impact_record_create(
            council=malaga,
            actor=coordinator,
            kind="jobs",
            date=datetime.date(2026, 1, 1),
            country="ES",
            quantity=Decimal("-3"),
        )
    assert "quantity" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        impact_record_create(
            council=malaga,
            actor=council_member,
            kind="jobs",
            date=datetime.date(2026, 1, 1),
            country="ES",
            quantity=1,
        )

    impact = impact_record_create(
        council=malaga,
        actor=coordinator,
        kind="jobs",
        date=datetime.date(2026, 1, 1),
        country="ES",
        quantity=2,
        organisations=[acme],
    )
    with pytest.raises(PermissionDenied):
        impact_record_update(record=impact, actor=council_member, quantity=5)
    with pytest.raises(PermissionDenied):
        impact_record_delete(record=impact, actor=council_member)
    impact_record_update(record=impact, actor=coordinator, quantity=5)
    impact.refresh_from_db()
    assert impact.quantity == 5 and list(impact.organisations.all()) == [acme], (
        "organisations kept when not given"
    )


def test_another_councils_record_is_404_through_this_council(client, coordinator, records):
    theirs = records[-1]
    login(client, coordinator)

    assert client.get(reverse("councils:impact_edit", args=["malaga", theirs.pk])).status_code == 404
    assert client.post(reverse("councils:impact_delete", args=["malaga", theirs.pk])).status_code == 404
    assert client.get(reverse("councils:impact", args=["bologna"])).status_code == 404


def _more(malaga, count):
    for n in range(count):
        organisations = [OrganisationFactory(), OrganisationFactory()]
        record(
            malaga,
            ["funding", "jobs", "training"][n % 3],
            ["ES", "IT", "FR"][n % 3],
            n,
            organisations=organisations,
        )


def test_impact_page_queries_do_not_grow(client, council_member, malaga):
    login(client, council_member)
    _more(malaga, 3)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    _more(malaga, 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["page"]) == 25
    assert len(many) == len(few)
