"""Two coordinators acting at the same moment: the council keeps a coordinator, and a request is
answered once.

PostgreSQL only (row locks; SQLite serialises whole-database writes): skipped on SQLite, required in CI.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from councils.models import CouncilOrganisation, CouncilPerson
from councils.services import membership as services
from tests.conftest import require_service
from tests.factories.councils import CouncilOrganisationFactory, CouncilPersonFactory, council

pytestmark = pytest.mark.usefixtures("transactional_db")


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL")


def _run_together(functions):
    """Start every function at the same moment, each in its own thread (its own connection);
    returns the errors raised."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            function()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.parametrize("round_", range(2))
def test_two_coordinators_stepping_down_together_leave_one(round_):
    malaga = council("malaga")
    first, second = CouncilPersonFactory(council=malaga), CouncilPersonFactory(council=malaga)

    def step_down(person):
        return lambda: services.council_person_set_role(
            person=person, role=CouncilPerson.Role.MEMBER, actor=person.user
        )

    errors = _run_together([step_down(first), step_down(second)])

    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert CouncilPerson.objects.filter(council=malaga, role=CouncilPerson.Role.COORDINATOR).count() == 1


@pytest.mark.parametrize("round_", range(2))
def test_a_request_answered_by_two_coordinators_at_once_is_answered_once(round_):
    malaga = council("malaga")
    first, second = CouncilPersonFactory(council=malaga), CouncilPersonFactory(council=malaga)
    link = CouncilOrganisationFactory(
        council=malaga, status=CouncilOrganisation.Status.REQUESTED, joined_at=None
    )

    errors = _run_together(
        [
            lambda: services.council_request_decide(link=link, approve=True, actor=first.user),
            lambda: services.council_request_decide(link=link, approve=False, actor=second.user),
        ]
    )

    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    link.refresh_from_db()
    assert link.status in (CouncilOrganisation.Status.ACTIVE, CouncilOrganisation.Status.REFUSED)
