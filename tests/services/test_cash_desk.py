"""Issue 9, "the cash is always right": refunds that follow the money, a drawer
that never goes below zero, cash payers never refused, over/short booked and
settled, forgotten days closed late, bank holidays and a wrong clock.

Every rule is tested here without Qt, bad input included.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from cash_lines import cash_line
from factories import PASSWORD, Desk, make_desk, make_enrollment, policies, row_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, PermissionDenied, ServiceError
from common.money import format_fen
from db.engine import Database
from db.models import (
    AuditEntry,
    CashDifference,
    CashDifferenceSettlement,
    DayClose,
    DayCloseAnnulment,
    LedgerEntry,
    Office,
    OverdueCashPayment,
    Refund,
)
from services.bank_calendar import BankCalendar, set_office_closed_days, weekday_zh
from services.business_day import open_day
from services.clock import FixedClock
from services.clock_sanity import MAX_FORWARD_DAYS, clock_check, confirm_business_date
from services.close_checks import unclosed_days
from services.close_preview import preview_close
from services.corrections import void_receipt
from services.day_close import close_day
from services.day_totals import count_for_amount, day_totals
from services.deposit_state import current_deposit_status
from services.deposits import record_deposit
from services.ledger import verify_ledger
from services.office import AuthenticationFailed
from services.over_short import annul_day_close, differences, settle_difference
from services.payments import PaymentResult, take_payment
from services.refunds import refund_payment

MON = dt.date(2023, 11, 6)
_codes = itertools.count(1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


def pay(s: Session, clock: FixedClock, desk: Desk, channel: str = "cash") -> PaymentResult:
    enrollment = make_enrollment(s, desk)
    return take_payment(
        s,
        clock,
        policies(),
        enrollment_id=enrollment,
        amount="380",
        channel=channel,
        reference="" if channel == "cash" else "POS-1",
        operator_id=desk.clerk_id,
    )


def deposit(s: Session, clock: FixedClock, desk: Desk, fen: int, slip: str) -> None:
    record_deposit(
        s,
        clock,
        office_id=desk.office_id,
        amount=format_fen(fen),
        channel="bank",
        slip_no=slip,
        operator_id=desk.clerk_id,
    )


def refund(s: Session, clock: FixedClock, desk: Desk, payment_id: int, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {
        "payment_id": payment_id,
        "reason": "本人申请退保",
        "approver_id": desk.supervisor_id,
        "approver_password": PASSWORD,
        "operator_id": desk.clerk_id,
    }
    args.update(kw)
    return refund_payment(s, clock, **args)  # type: ignore[arg-type]


def cash_on_hand(s: Session, clock: FixedClock, desk: Desk) -> int:
    return current_deposit_status(s, clock, desk.office_id).cash_on_hand_fen


def ledger_cash(s: Session, office_id: int) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(
                LedgerEntry.office_id == office_id
            )
        )
    )


def close(s: Session, clock: FixedClock, desk: Desk, counted: int, **kw: object):  # type: ignore[no-untyped-def]
    if "supervisor_id" in kw:
        kw.setdefault("supervisor_password", PASSWORD)  # issue 10: checked in the service
    return close_day(
        s,
        clock,
        office_id=desk.office_id,
        operator_id=desk.clerk_id,
        denominations=count_for_amount(counted),
        **kw,  # type: ignore[arg-type]
    )


# --- refunds follow the money (POLICY §6 revised) --------------------------------------------


def test_a_cash_refund_of_undeposited_cash_leaves_the_drawer(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
    clock.set(at(MON, 11))
    with db.write() as s:
        result = refund(s, clock, desk, paid.payment_id)
        assert (result.method, result.cash_out_fen, result.channel) == ("cash", 38_000, "cash")
        assert cash_on_hand(s, clock, desk) == 0


def test_a_refund_after_the_deposit_becomes_an_application(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: a refund after the day's cash was deposited made the drawer −380.00."""
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
        deposit(s, clock, desk, 38_000, "JK-1")
    clock.set(at(MON, 15))
    with db.write() as s:
        result = refund(s, clock, desk, paid.payment_id)
        assert result.method == "application" and result.cash_out_fen == 0
        assert "已入库" in result.why_application
        assert cash_on_hand(s, clock, desk) == 0
        row = s.scalars(select(Refund)).one()
        assert (row.method, row.amount_fen, row.approver_id) == (
            "application",
            38_000,
            desk.supervisor_id,
        )
        totals = day_totals(s, desk.office_id, MON)
        assert totals.refund_applications == 1 and totals.cash_refunds == 0
        assert totals.cash_refunded_fen == 0
        assert verify_ledger(s, desk.office_id).ok


def test_a_cash_refund_of_a_pos_payment_is_an_application(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: a cash refund of a POS payment drove the drawer negative."""
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk, channel="pos")
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s, pytest.raises(ConflictError) as err:
        refund(s, clock, desk, paid.payment_id, method="cash")
    assert err.value.code == "cash_refund_not_possible" and "退费申请" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
    with db.write() as s:
        # the older way to ask (channel="cash") is refused the same way
        with pytest.raises(ConflictError):
            refund(s, clock, desk, paid.payment_id, channel="cash")
    with db.write() as s:
        assert refund(s, clock, desk, paid.payment_id).method == "application"
        assert cash_on_hand(s, clock, desk) == 0


def test_a_void_after_the_deposit_is_refused(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: a void after the day's deposit made the drawer negative."""
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
        deposit(s, clock, desk, 38_000, "JK-1")
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s, pytest.raises(ConflictError) as err:
        void_receipt(
            s,
            clock,
            receipt_id=paid.receipt_id,  # type: ignore[arg-type]
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="收错",
            operator_id=desk.clerk_id,
        )
    assert err.value.code == "cash_not_in_drawer" and "退费" in err.value.message
    with db.read() as s:
        assert row_counts(s) == before
        assert cash_on_hand(s, clock, desk) == 0


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({"amount": "500"}, InputError, "refund_exceeds_payment"),
        ({"amount": "100"}, InputError, "refund_not_whole"),
        ({"amount": "-380"}, InputError, None),
        ({"amount": "0"}, InputError, None),
        ({"amount": "380.001"}, InputError, None),
        ({"amount": "三百八"}, InputError, None),
        ({"method": "gold"}, InputError, "bad_refund_method"),
        ({"approver_id": "clerk"}, PermissionDenied, None),
    ],
)
def test_bad_refunds_write_nothing(db, clock, desk, kw, error, code) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
    if kw.get("approver_id") == "clerk":
        kw = {"approver_id": desk.clerk_id}
    with db.read() as s:
        before = row_counts(s)
    with db.write() as s, pytest.raises(error) as err:
        refund(s, clock, desk, paid.payment_id, **kw)
    assert code is None or err.value.code == code
    assert err.value.message
    with db.read() as s:
        assert row_counts(s) == before


def test_a_full_width_amount_is_accepted_and_a_refund_of_a_refund_refused(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        paid = pay(s, clock, desk)
    with db.write() as s:
        assert refund(s, clock, desk, paid.payment_id, amount="３８０.００").amount_fen == 38_000
    with db.write() as s, pytest.raises(ConflictError) as err:
        refund(s, clock, desk, paid.payment_id)
    assert err.value.code == "already_refunded"


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


# --- over and short (POLICY §7.3 revised) -------------------------------------------------------


def test_a_confirmed_shortage_is_expected_the_next_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    """The bug seen: the next day still expected the old figure and ¥5.00 stayed due for ever."""
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        result = close(
            s, clock, desk, 37_500, difference_reason="找零多付", supervisor_id=desk.supervisor_id
        )
        assert result.difference_fen == -500
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "adjustment")).one()
        assert (line.cash_fen, line.business_date) == (-500, MON)
        assert verify_ledger(s, desk.office_id).ok
    tue = MON + dt.timedelta(days=1)
    clock.set(at(tue, 17))
    with db.write() as s:
        assert cash_on_hand(s, clock, desk) == 37_500
        preview = preview_close(s, clock, office_id=desk.office_id, denominations={})
        assert preview.expected_fen == 37_500
        assert close(s, clock, desk, 37_500).difference_fen == 0
        (case,) = differences(s, desk.office_id)
        assert (case.kind, case.open_fen, case.collector_id) == ("short", 500, desk.clerk_id)


def test_a_shortage_is_made_up_or_written_off(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        close(s, clock, desk, 37_000, difference_reason="不明", supervisor_id=desk.supervisor_id)
    tue = MON + dt.timedelta(days=1)
    clock.set(at(tue, 9))
    with db.write() as s:
        case_id = s.scalars(select(CashDifference.id)).one()
        settle_difference(
            s, clock, difference_id=case_id, action="cash_in", amount="6", operator_id=desk.clerk_id
        )
        assert cash_on_hand(s, clock, desk) == 37_600
    for kw, error, code in [
        ({"action": "write_off", "supervisor_id": desk.clerk_id}, PermissionDenied, None),
        (
            {"action": "write_off", "supervisor_id": desk.supervisor_id, "reason": ""},
            InputError,
            None,
        ),
        ({"action": "cash_in", "amount": "5"}, InputError, "settlement_exceeds_open"),
        ({"action": "cash_in", "amount": "-1"}, InputError, None),
        (
            {"action": "over_kept", "supervisor_id": desk.supervisor_id, "reason": "x"},
            ConflictError,
            None,
        ),
    ]:
        args: dict[str, object] = {"amount": "4", "operator_id": desk.clerk_id, **kw}
        with db.write() as s, pytest.raises(error) as err:
            settle_difference(s, clock, difference_id=case_id, **args)  # type: ignore[arg-type]
        assert code is None or err.value.code == code
    with db.write() as s:
        settle_difference(
            s,
            clock,
            difference_id=case_id,
            action="write_off",
            amount="4",
            operator_id=desk.clerk_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="经核实无法追回",
        )
        assert differences(s, desk.office_id) == []
        assert [d.open_fen for d in differences(s, desk.office_id, open_only=False)] == [0]
        assert cash_on_hand(s, clock, desk) == 37_600
        assert len(s.scalars(select(CashDifferenceSettlement)).all()) == 2
        assert verify_ledger(s, desk.office_id).ok


def test_an_overage_is_held_until_a_supervisor_decides(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        close(s, clock, desk, 39_000, difference_reason="多收", supervisor_id=desk.supervisor_id)
        assert cash_on_hand(s, clock, desk) == 39_000
    clock.set(at(MON + dt.timedelta(days=1), 9))
    with db.write() as s:
        (case,) = differences(s, desk.office_id)
        assert (case.kind, case.open_fen) == ("over", 1_000)
        settle_difference(
            s,
            clock,
            difference_id=case.id,
            action="over_returned",
            amount="10",
            operator_id=desk.clerk_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="退还给多付的村民",
        )
        assert cash_on_hand(s, clock, desk) == 38_000
        assert differences(s, desk.office_id) == []


def test_returning_an_overage_never_takes_the_drawer_below_zero(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON, 17))
    with db.write() as s:
        close(s, clock, desk, 39_000, difference_reason="多收", supervisor_id=desk.supervisor_id)
    clock.set(at(MON + dt.timedelta(days=1), 9))
    with db.write() as s:
        deposit(s, clock, desk, 39_000, "JK-9")
    with db.write() as s, pytest.raises(ConflictError) as err:
        case_id = s.scalars(select(CashDifference.id)).one()
        settle_difference(
            s,
            clock,
            difference_id=case_id,
            action="over_returned",
            amount="10",
            operator_id=desk.clerk_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            reason="退还",
        )
    assert err.value.code == "cash_insufficient"


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


# --- bank holidays (POLICY §7.3 revised) -------------------------------------------------------------


def test_a_deadline_on_a_bank_holiday_moves_to_the_next_open_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    # 2026-09-28 + 5 days = 10-03, inside the National Day holiday (10-01 … 10-07)
    collected = dt.date(2026, 9, 28)
    with db.write() as s:
        cash_line(s, desk, "payment", 38_000, at(collected, 9))
    clock.set(at(collected, 10))
    with db.read() as s:
        status = current_deposit_status(s, clock, desk.office_id)
    assert status.deadline == dt.date(2026, 10, 8) and weekday_zh(status.deadline) == "星期四"
    with db.write() as s:
        set_office_closed_days(s, desk.office_id, [dt.date(2026, 10, 8)], note="网点装修")
        assert current_deposit_status(s, clock, desk.office_id).deadline == dt.date(2026, 10, 9)


def test_weekends_count_as_open_unless_the_office_says_so() -> None:
    sat, sun, mon = dt.date(2024, 3, 16), dt.date(2024, 3, 17), dt.date(2024, 3, 18)
    assert BankCalendar().next_open(sat) == sat
    closed = BankCalendar(closed_weekends=True)
    assert closed.next_open(sat) == mon and closed.next_open(sun) == mon
    # a 调休 Saturday is a working day: 2026-10-10
    assert closed.is_open(dt.date(2026, 10, 10))
    # statutory holidays are closed whatever the office says
    assert not BankCalendar().is_open(dt.date(2024, 10, 1))


# --- clock sanity ---------------------------------------------------------------------------------------


def test_a_clock_years_ahead_stops_writes_until_a_supervisor_confirms(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
        close(s, clock, desk, 38_000)
    future = dt.date(2031, 11, 7)
    clock.set(at(future, 9))
    with db.read() as s:
        check = clock_check(s, clock, desk.office_id)
        assert check.state == "ahead" and "2031-11-07" in check.message
    with db.write() as s, pytest.raises(ConflictError) as err:
        deposit(s, clock, desk, 10_000, "JK-F")
    assert err.value.code == "clock_ahead"
    with db.write() as s, pytest.raises(PermissionDenied):
        confirm_business_date(
            s,
            clock,
            office_id=desk.office_id,
            supervisor_id=desk.clerk_id,
            supervisor_password=PASSWORD,
            operator_id=desk.clerk_id,
            reason="确认",
        )
    # A careless supervisor confirms the wrong date: a deposit and a close in 2031.
    with db.write() as s:
        confirm_business_date(
            s,
            clock,
            office_id=desk.office_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            operator_id=desk.clerk_id,
            reason="看错了日期",
        )
        deposit(s, clock, desk, 10_000, "JK-F")
        wrong = close(
            s, clock, desk, 28_000, supervisor_id=desk.supervisor_id, override_reason="看错日期"
        )
    # The clock is corrected: the close dated 2031 locks every earlier day…
    clock.set(at(MON + dt.timedelta(days=1), 9))
    with db.write() as s, pytest.raises(ConflictError) as err:
        pay(s, clock, desk)
    assert err.value.code == "day_closed"
    with db.write() as s, pytest.raises(PermissionDenied):
        annul_day_close(
            s,
            clock,
            day_close_id=wrong.id,
            supervisor_id=desk.clerk_id,
            supervisor_password=PASSWORD,
            operator_id=desk.clerk_id,
            reason="时钟错误",
        )
    with db.write() as s, pytest.raises(InputError):
        annul_day_close(
            s,
            clock,
            day_close_id=wrong.id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            operator_id=desk.clerk_id,
            reason=" ",
        )
    with db.write() as s:
        first_close = s.scalars(select(DayClose.id).where(DayClose.business_date == MON)).one()
        with pytest.raises(ConflictError) as err:
            annul_day_close(
                s,
                clock,
                day_close_id=first_close,
                supervisor_id=desk.supervisor_id,
                supervisor_password=PASSWORD,
                operator_id=desk.clerk_id,
                reason="想重做",
            )
        assert err.value.code == "close_not_in_future"
    with db.write() as s:
        annul_day_close(
            s,
            clock,
            day_close_id=wrong.id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            operator_id=desk.clerk_id,
            reason="电脑时钟错误造成的 2031 年日结",
        )
    with db.read() as s:  # journalled, with the supervisor's approval (issue 10)
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert "business_date_confirmed" in actions and "day_close_annulled" in actions
    with db.write() as s, pytest.raises(AuthenticationFailed):
        confirm_business_date(
            s,
            clock,
            office_id=desk.office_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password="wrong-password",
            operator_id=desk.clerk_id,
            reason="确认",
        )
    # …and the deposit dated 2031 makes today look like a clock gone backwards.
    with db.write() as s, pytest.raises(ConflictError) as err:
        pay(s, clock, desk)
    assert err.value.code == "clock_backwards"
    with db.write() as s:
        confirm_business_date(
            s,
            clock,
            office_id=desk.office_id,
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
            operator_id=desk.clerk_id,
            reason="时钟已校正",
        )
    with db.write() as s:
        assert pay(s, clock, desk).receipt_no is not None
        assert s.scalars(select(DayCloseAnnulment)).one().day_close_id == wrong.id
        assert s.get(DayClose, wrong.id) is not None  # kept, never edited
        assert cash_on_hand(s, clock, desk) == 28_000 + 38_000
        assert verify_ledger(s, desk.office_id).ok


def test_a_small_step_forward_needs_no_confirmation(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(MON, 9))
    with db.write() as s:
        pay(s, clock, desk)
    clock.set(at(MON + dt.timedelta(days=MAX_FORWARD_DAYS), 9))
    with db.write() as s:
        assert clock_check(s, clock, desk.office_id).ok
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="0")


# --- the drawer never goes below zero (property) ------------------------------------------------------

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.sampled_from(["cash", "cash", "pos", "qr"])),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(st.just("refund"), st.integers(0, 50), st.sampled_from([None, "cash"])),
        st.tuples(st.just("deposit"), st.integers(1, 120_000)),
        st.tuples(st.just("close"), st.integers(-2_000, 2_000)),
        st.tuples(st.just("next_day"), st.integers(1, 3)),
        st.tuples(st.just("make_up"), st.integers(1, 3_000)),
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_no_sequence_makes_cash_on_hand_negative(db, ops) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(at(MON, 8))
    with db.write() as s:
        desk = make_desk(s, code=f"P{next(_codes)}")
    payments: list[PaymentResult] = []
    day = MON
    for n, op in enumerate(ops):
        clock.set(at(day, 9) + dt.timedelta(minutes=n))
        try:
            with db.write() as s:
                kind = op[0]
                if kind == "pay":
                    payments.append(pay(s, clock, desk, channel=op[1]))
                elif kind == "void" and payments:
                    p = payments[op[1] % len(payments)]
                    if p.receipt_id is not None:
                        void_receipt(
                            s,
                            clock,
                            receipt_id=p.receipt_id,
                            supervisor_id=desk.supervisor_id,
                            supervisor_password=PASSWORD,
                            reason="作废",
                            operator_id=desk.clerk_id,
                        )
                elif kind == "refund" and payments:
                    p = payments[op[1] % len(payments)]
                    refund(s, clock, desk, p.payment_id, method=op[2])
                elif kind == "deposit":
                    deposit(s, clock, desk, op[1], f"S{n}")
                elif kind == "close":
                    expected = preview_close(
                        s, clock, office_id=desk.office_id, denominations={}
                    ).expected_fen
                    counted = max(0, expected + op[1]) // 10 * 10
                    close(
                        s,
                        clock,
                        desk,
                        counted,
                        difference_reason="点钞差错",
                        supervisor_id=desk.supervisor_id,
                        supervisor_password=PASSWORD,
                        override_reason="银行已关门",
                    )
                elif kind == "next_day":
                    day += dt.timedelta(days=op[1])
                elif kind == "make_up":
                    open_cases = [c for c in differences(s, desk.office_id) if c.kind == "short"]
                    if open_cases:
                        settle_difference(
                            s,
                            clock,
                            difference_id=open_cases[0].id,
                            action="cash_in",
                            amount=format_fen(min(op[1], open_cases[0].open_fen)),
                            operator_id=desk.clerk_id,
                        )
        except ServiceError as refused:
            assert refused.message  # every refusal is a sentence for the clerk
        with db.read() as s:
            on_hand = ledger_cash(s, desk.office_id)
            assert on_hand >= 0, (op, on_hand)
            assert cash_on_hand(s, clock, desk) == on_hand
    with db.read() as s:
        assert verify_ledger(s, desk.office_id).ok
        office = s.get(Office, desk.office_id)
        assert office is not None


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
