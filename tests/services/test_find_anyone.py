"""Issue 12: find anyone by receipt, notice, reference or household."""

from __future__ import annotations

from resident_year_helpers import _family, _pay, _resident_of
from sqlalchemy import func, select

from db.engine import Database
from db.models import PaymentNotice
from services.clock import FixedClock
from services.find import find_anyone
from services.notices import issue_notice
from services.payments import take_payment
from tests.services.factories import (
    Desk,
    policies,
)

# --- find anyone -----------------------------------------------------------------------------


def test_find_by_receipt_notice_reference_and_household(
    db: Database, clock: FixedClock, desk: Desk
) -> None:
    eids = _family(db, desk, 3)
    paid = _pay(db, clock, desk, eids[0])
    with db.write() as s:
        notice = issue_notice(
            s, clock, policies(), enrollment_id=eids[1], operator_id=desk.clerk_id
        )
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=eids[2],
            amount="380",
            channel="pos",
            reference="POS778899",
            operator_id=desk.clerk_id,
        )
    rids = [_resident_of(db, e) for e in eids]
    with db.read() as s:

        def first(text: str) -> tuple[int, str, str]:
            f = find_anyone(s, office_id=desk.office_id, text=text, policy_year=2024)[0]
            return f.resident.id, f.matched_by, f.status_label

        assert paid.receipt_no is not None
        assert first(paid.receipt_no.lower()) == (rids[0], "receipt", "已缴费")
        assert first(notice.notice_no) == (rids[1], "notice", "待缴费")
        assert first("POS778899") == (rids[2], "reference", "已缴费")
        found = find_anyone(s, office_id=desk.office_id, text="H001", policy_year=2024)
        assert {f.resident.id for f in found} == set(rids)
        assert find_anyone(s, office_id=desk.office_id, text="  ", policy_year=2024) == []
        assert s.scalar(select(func.count(PaymentNotice.id))) == 1
