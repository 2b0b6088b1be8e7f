"""Issue 9: the cash reports, the office's closed days and the printed ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from cash_desk_helpers import (
    MON,
    at,
    close,
    deposit,
    pay,
    refund,
)
from sqlalchemy import select

from common.errors import InputError, PermissionDenied
from db.models import CashDifference
from services.over_short import settle_difference


def test_the_reports_list_overdue_payments_differences_and_applications(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    from services.cash_reports import cash_exceptions

    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
        close(
            s, clock, desk, 37_500, difference_reason="找零多付", supervisor_id=desk.supervisor_id
        )
    later = MON + dt.timedelta(days=7)
    clock.set(at(later, 9))
    with db.write() as s:
        pay(s, clock, desk)  # overdue: taken and marked
        deposit(s, clock, desk, 75_500, "JK-2")
        refund(s, clock, desk, paid.payment_id)  # deposited: an application
    with db.read() as s:
        rows = cash_exceptions(s, desk.office_id, MON, later)
    assert [(r.business_date, r.kind, r.amount_fen, r.still_open) for r in rows] == [
        (MON, "short", 500, True),
        (later, "overdue_payment", 38_000, False),
        (later, "refund_application", 38_000, False),
    ]
    assert "2023-11-11" in rows[1].detail and rows[1].person == "王丽"
    assert "未处理" in rows[0].detail


def test_the_office_lists_its_closed_days_and_weekends(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    from services.bank_calendar import closed_days_text, office_calendar, update_bank_days

    clock.set(at(MON, 9))
    with db.write() as s, pytest.raises(PermissionDenied):
        update_bank_days(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            closed_weekends=True,
            closed_days="",
        )
    with db.write() as s, pytest.raises(InputError) as err:
        update_bank_days(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            closed_weekends=True,
            closed_days="2023-11-10 网点装修\n十一月十一日",
        )
    assert "第 2 行" in err.value.message
    with db.write() as s:
        update_bank_days(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.supervisor_id,
            closed_weekends=True,
            closed_days="２０２３-11-10 网点装修\n\n2023-11-13",
        )
    with db.read() as s:
        calendar = office_calendar(s, desk.office_id)
        assert calendar.closed_weekends
        assert closed_days_text(s, desk.office_id) == "2023-11-10 网点装修\n2023-11-13"
        # 11-06 + 5 = 11-11 (Sat) → Sun closed → 11-13 listed → 11-14
        assert calendar.next_open(dt.date(2023, 11, 11)) == dt.date(2023, 11, 14)


def test_the_printed_ledger_carries_the_adjustment_lines(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    from printing.ledger import render_ledger
    from services.documents import ledger_document

    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
        close(s, clock, desk, 37_000, difference_reason="不明", supervisor_id=desk.supervisor_id)
    tue = MON + dt.timedelta(days=1)
    clock.set(at(tue, 9))
    with db.write() as s:
        case_id = s.scalars(select(CashDifference.id)).one()
        settle_difference(
            s,
            clock,
            difference_id=case_id,
            action="cash_in",
            amount="10",
            operator_id=desk.clerk_id,
        )
    with db.read() as s:
        data = ledger_document(s, desk.office_id, MON, tue, printed_at=at(tue, 10))
    assert [r.kind for r in data.rows] == ["payment", "cash_out", "cash_in"]
    assert data.rows[-1].cash_on_hand_fen == 38_000
    assert sum(r.received_fen for r in data.rows) == 38_000  # adjustments are not takings
    assert render_ledger(data).startswith(b"%PDF")
