"""Issue 12: re-assessment before and after payment."""

from __future__ import annotations

import pytest
from resident_year_helpers import _pay, _resident_of

from common.errors import ConflictError, InputError
from db.engine import Database
from services.clock import FixedClock
from services.corrections import void_receipt
from services.notices import issue_notice, notices_of
from services.quote import PersonFacts
from services.reassess import reassess_enrollment, reassessments_of
from services.receipts import receipt_view
from services.refunds import refund_payment
from services.registry import enroll
from tests.services.factories import (
    PASSWORD,
    Desk,
    make_enrollment,
    policies,
)

# --- re-assessment ---------------------------------------------------------------------


def _to_adult_high(s, clock, desk, eid, **kw):  # type: ignore[no-untyped-def]
    """Re-assess the enrolment as an adult on the high tier (the resident's new choice)."""
    return reassess_enrollment(
        s,
        clock,
        policies(),
        enrollment_id=eid,
        category="adult",
        tier="high",
        operator_id=desk.clerk_id,
        **kw,
    )


def test_reassess_before_payment_cancels_the_notice_and_issues_a_new_one(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        eid = make_enrollment(s, desk)
        issue_notice(s, clock, policies(), enrollment_id=eid, operator_id=desk.clerk_id)
    with db.write() as s:
        result = _to_adult_high(s, clock, desk, eid, reason="居民改选高档")
    assert (result.old_tier, result.new_tier, result.new_due_fen) == ("low", "high", 101_000)
    assert result.cancelled_notice_no and result.new_notice_no
    with db.read() as s:
        notices = notices_of(s, eid)
        assert [n.status for n in notices] == ["cancelled", "issued"]
        assert notices[1].amount_due_fen == 101_000
        assert len(reassessments_of(s, eid)) == 1
    with pytest.raises(InputError, match="无需重新核定"):
        with db.write() as s:
            _to_adult_high(s, clock, desk, eid)


def test_after_a_void_the_tier_can_be_changed_and_paid(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        eid = make_enrollment(s, desk)
    paid = _pay(db, clock, desk, eid)
    with pytest.raises(ConflictError, match="已缴费"):
        with db.write() as s:
            _to_adult_high(s, clock, desk, eid)
    with db.write() as s:
        assert paid.receipt_id is not None
        void_receipt(
            s,
            clock,
            receipt_id=paid.receipt_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="改选高档",
            operator_id=desk.clerk_id,
        )
        clock.advance(minutes=5)
        _to_adult_high(s, clock, desk, eid)
    second = _pay(db, clock, desk, eid, "1010")
    with db.read() as s:
        assert second.receipt_id is not None
        assert receipt_view(s, second.receipt_id).tier == "high"
        # the voided receipt still says what it was paid for
        assert receipt_view(s, paid.receipt_id).tier == "low"


def test_after_a_refund_a_new_enrolment_is_made(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    with db.write() as s:
        eid = make_enrollment(s, desk)
    paid = _pay(db, clock, desk, eid)
    rid = _resident_of(db, eid)
    with db.write() as s:
        refund_payment(
            s,
            clock,
            payment_id=paid.payment_id,
            reason="改选高档",
            approver_id=desk.supervisor_id,
            approver_password=PASSWORD,
            operator_id=desk.clerk_id,
            category="withdraw",
        )
    with pytest.raises(ConflictError, match="新办参保登记"):
        with db.write() as s:
            _to_adult_high(s, clock, desk, eid)
    with db.write() as s:
        record, _q = enroll(
            s,
            clock,
            policy=policies().get("tianjin-2024"),
            resident_id=rid,
            category="adult",
            tier="high",
            facts=PersonFacts(),
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
        )
    assert record.tier == "high" and record.status == "registered"
