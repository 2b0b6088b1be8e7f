"""Issue 9: never refuse a cash payer (POLICY §7.3 revised)."""

from __future__ import annotations

import datetime as dt

import pytest
from cash_desk_helpers import (
    MON,
    at,
    close,
    pay,
)
from sqlalchemy import select

from common.errors import ServiceError
from db.models import OverdueCashPayment
from services.deposit_state import current_deposit_status

# --- never refuse a cash payer (POLICY §7.3 revised) ------------------------------------------


def test_cash_is_taken_while_overdue_and_the_close_needs_a_reason(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
        close(s, clock, desk, 38_000)
    clock.set(at(MON + dt.timedelta(days=7), 9))  # due 11-11, now 11-13: overdue
    with db.write() as s:
        assert current_deposit_status(s, clock, desk.office_id).state == "overdue"
        late = pay(s, clock, desk)
        assert late.receipt_no is not None and late.overdue_mark_id is not None
    clock.set(at(MON + dt.timedelta(days=7), 17))
    with db.write() as s, pytest.raises(ServiceError) as err:
        close(s, clock, desk, 76_000)
    assert err.value.code == "deposit_due_at_close"
    with db.write() as s:
        done = close(
            s, clock, desk, 76_000, supervisor_id=desk.supervisor_id, override_reason="银行停电"
        )
        assert done.override_id is not None
        assert s.scalars(select(OverdueCashPayment)).one().payment_id == late.payment_id
