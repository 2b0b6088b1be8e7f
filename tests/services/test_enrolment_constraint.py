"""The database's own once-per-year key on enrolments, and how ``enroll`` reads
a broken constraint.

test_registry.py checks the service's refusal (read before write); these tests
write past the service, straight into the table, so the key in the schema is
guarded on its own, and check that ``enroll`` calls only that key a duplicate
enrolment (db.errors.violated_constraint).
"""

from __future__ import annotations

import itertools

import pytest
from factories import Desk, make_desk, make_enrollment
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.errors import violated_constraint
from db.models import ENROLMENT_ONCE_PER_YEAR, Enrollment
from services.clock import FixedClock
from services.policy import load_policies
from services.quote import PersonFacts
from services.registry import enroll

STATUSES = ("registered", "paid", "refunded")
_codes = (f"E{n}" for n in itertools.count())


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


def _copy(session: Session, enrollment_id: int, **changes: object) -> Enrollment:
    """A second enrolment row like ``enrollment_id``, with ``changes``."""
    first = session.get(Enrollment, enrollment_id)
    assert first is not None
    columns = {
        attr.key: getattr(first, attr.key)
        for attr in inspect(Enrollment).column_attrs
        if attr.key != "id"
    }
    return Enrollment(**(columns | changes))


def _insert(db: Database, row_of: object) -> str | None:
    """Insert the row ``row_of(session)`` builds; the constraint it broke, or None."""
    try:
        with db.write() as s:
            s.add(row_of(s))  # type: ignore[operator]
            s.flush()
    except IntegrityError as exc:
        return violated_constraint(exc) or "unnamed"
    return None


def test_a_second_live_enrolment_of_a_person_year_breaks_the_key(db: Database, desk: Desk) -> None:
    with db.write() as s:
        first = make_enrollment(s, desk)
    assert _insert(db, lambda s: _copy(s, first)) == ENROLMENT_ONCE_PER_YEAR
    # another year is another enrolment
    assert _insert(db, lambda s: _copy(s, first, policy_year=2025)) is None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=5))
def test_the_key_counts_live_enrolments_only(db: Database, statuses: list[str]) -> None:
    """Any sequence of enrolments of one person-year: the database takes a row
    exactly when no live (not refunded) one is there yet or the row is refunded."""
    with db.write() as s:
        desk = make_desk(s, code=next(_codes))
        # a person with a 2023 enrolment; the rows under test are of 2024
        first = make_enrollment(s, desk, policy_year=2023)
    live = False
    for status in statuses:
        broke = _insert(
            db, lambda s, status=status: _copy(s, first, policy_year=2024, status=status)
        )
        refused = live and status != "refunded"
        assert broke == (ENROLMENT_ONCE_PER_YEAR if refused else None), (statuses, status)
        live = live or (status != "refunded" and not refused)


def test_other_constraints_are_named_as_themselves(db: Database, desk: Desk) -> None:
    with db.write() as s:
        first = make_enrollment(s, desk)
    assert (
        _insert(db, lambda s: _copy(s, first, policy_year=2025, personal_due_fen=-1))
        == "ck_enrollment_enrollment_due_not_negative"
    )
    assert (
        _insert(db, lambda s: _copy(s, first, policy_year=2025, status="lost"))
        == "ck_enrollment_enrollment_status"
    )


def test_enroll_does_not_call_another_broken_constraint_a_duplicate(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        # a person enrolled for 2023 only, so 2024 is open
        first = s.get(Enrollment, make_enrollment(s, desk, policy_year=2023))
        assert first is not None
        resident_id = first.resident_id
    policy = load_policies().get("tianjin-2024")
    # an operator that does not exist breaks a foreign key, not the yearly key:
    # it goes up as the database error it is, not as "already enrolled"
    with pytest.raises(IntegrityError) as broke, db.write() as s:
        enroll(
            s,
            clock,
            policy=policy,
            resident_id=resident_id,
            category="adult",
            tier="high",
            facts=PersonFacts(),
            office_id=desk.office_id,
            operator_id=987_654,
        )
    assert violated_constraint(broke.value) != ENROLMENT_ONCE_PER_YEAR
