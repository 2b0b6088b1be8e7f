"""Shared steps of the issue 12 tests: information changes, re-assessment, households,
renewal, find anyone.

The ``desk`` and ``second_supervisor`` fixtures are in conftest.py.
"""

from __future__ import annotations

from db.engine import Database
from db.models import Enrollment, Resident
from services.clock import FixedClock
from services.info_changes import request_changes, review_change
from services.payments import take_payment
from tests.services.factories import (
    Desk,
    make_enrollment,
    policies,
)


def _resident_of(db: Database, enrollment_id: int) -> int:
    with db.read() as s:
        row = s.get(Enrollment, enrollment_id)
        assert row is not None
        return row.resident_id


def _pay(db: Database, clock: FixedClock, desk: Desk, enrollment_id: int, amount: str = "380"):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment_id,
            amount=amount,
            channel="cash",
            operator_id=desk.clerk_id,
        )


def _change(db: Database, clock: FixedClock, desk: Desk, rid: int, **changes: str):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return request_changes(
            s,
            clock,
            resident_id=rid,
            changes=changes,
            asked_by="李明",
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
        )


def _review(db: Database, clock: FixedClock, change_id: int, reviewer: int, **kw: object):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return review_change(s, clock, change_id=change_id, reviewer_id=reviewer, **kw)  # type: ignore[arg-type]


def _family(db: Database, desk: Desk, size: int = 4) -> list[int]:
    with db.write() as s:
        eids = [make_enrollment(s, desk, name=n) for n in ("王大", "王二", "王三", "王四")[:size]]
        for eid in eids:
            s.get(Resident, s.get(Enrollment, eid).resident_id).household_no = "H001"  # type: ignore[union-attr]
    return eids
