"""A person's council roles in their data export, and what erasure leaves of them."""

import pytest

from accounts.services import user_erase, user_export_data
from councils import gdpr
from councils.models import CouncilPerson
from councils.services import membership as services

pytestmark = pytest.mark.django_db


def test_export_lists_roles_and_open_invitations(malaga, bologna, coordinator, outsider, staff):
    services.council_invite_person(council=bologna, email=outsider.email.upper(), role="member", actor=staff)

    assert gdpr.export(coordinator)["roles"] == [
        {
            "council": "Málaga",
            "role": "coordinator",
            "status": "active",
            "email": coordinator.email,
            "since": CouncilPerson.objects.get(user=coordinator).accepted_at.isoformat(),
        }
    ]
    exported = gdpr.export(outsider)
    assert exported["roles"] == []
    assert [(i["council"], i["role"]) for i in exported["invitations_received"]] == [("Bologna", "member")]


def test_erase_keeps_the_role_without_the_address_and_drops_open_invitations(
    malaga, bologna, coordinator, outsider, staff
):
    services.council_invite_person(council=bologna, email=coordinator.email, role="member", actor=staff)
    services.council_invite_person(council=malaga, email=outsider.email, role="member", actor=staff)

    gdpr.erase(coordinator)

    role = CouncilPerson.objects.get(user=coordinator)
    assert role.email == "" and role.role == "coordinator"
    assert not CouncilPerson.objects.filter(council=bologna).exists()
    assert CouncilPerson.objects.filter(email=outsider.email).exists()  # someone else's stays


def test_the_accounts_export_and_erasure_include_the_councils(malaga, coordinator):
    assert user_export_data(user=coordinator)["councils"]["roles"][0]["council"] == "Málaga"

    user_erase(user=coordinator)

    role = CouncilPerson.objects.get(user=coordinator)
    assert role.email == "" and role.role == "coordinator"
