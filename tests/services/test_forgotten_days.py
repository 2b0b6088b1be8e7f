"""Issue 9: forgotten days closed late, and the day-close counts."""

from __future__ import annotations

import datetime as dt

import pytest
from cash_desk_helpers import (
    MON,
    at,
    close,
    pay,
)
from factories import PASSWORD

from common.errors import ConflictError, InputError, PermissionDenied
from db.models import DayClose
from services.close_checks import unclosed_days
from services.corrections import void_receipt
from services.day_totals import day_totals

# --- forgotten days and the day-close counts ------------------------------------------------------


def test_a_forgotten_day_is_flagged_and_closed_late_by_a_supervisor(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    tue = MON + dt.timedelta(days=1)
    clock.set(at(tue, 17))
    with db.write() as s:
        assert unclosed_days(s, clock, desk.office_id) == [MON]
    with db.write() as s, pytest.raises(ConflictError) as err:
        close(s, clock, desk, 38_000)
    assert err.value.code == "earlier_day_unclosed" and "2023-11-06" in err.value.message
    for kw, error in [
        ({"late_reason": "忘记日结"}, PermissionDenied),  # no supervisor
        ({"late_reason": "忘记日结", "supervisor_id": desk.clerk_id}, PermissionDenied),
        ({"supervisor_id": desk.supervisor_id}, InputError),  # no reason
    ]:
        with db.write() as s, pytest.raises(error):
            close(s, clock, desk, 38_000, business_date=MON, **kw)
    with db.write() as s:
        done = close(
            s,
            clock,
            desk,
            38_000,
            business_date=MON,
            late_reason="经办人生病，次日补日结",
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
        )
        row = s.get(DayClose, done.id)
        assert row is not None and row.late_reason == "经办人生病，次日补日结"
        assert row.closed_at == at(tue, 17)
        assert unclosed_days(s, clock, desk.office_id) == []
        assert close(s, clock, desk, 38_000).difference_fen == 0


def test_the_day_counts_receipts_voids_and_refunds_apart(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        first = pay(s, clock, desk)
        pay(s, clock, desk)
        pay(s, clock, desk, channel="pos")
        void_receipt(
            s,
            clock,
            receipt_id=first.receipt_id,  # type: ignore[arg-type]
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="收错",
            operator_id=desk.clerk_id,
        )
        totals = day_totals(s, desk.office_id, MON)
    assert (totals.payments, totals.receipts_issued, totals.voids, totals.refunds) == (3, 2, 1, 0)
    assert totals.cash_voided_fen == 38_000 and totals.cash_refunded_fen == 0
