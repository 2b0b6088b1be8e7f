"""Opening and closing the day: float, blind count, differences, the lock."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cash_lines import Desk, cash_line, make_desk, table_counts
from factories import PASSWORD, make_enrollment, policies
from sqlalchemy import select

from common.denominations import DENOMINATIONS
from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from db.engine import Database
from db.models import DayClose, Override
from services.business_day import business_day, ensure_day_open, open_day
from services.clock import FixedClock
from services.close_preview import preview_close
from services.day_close import close_day
from services.day_totals import count_for_amount, count_total, day_totals
from services.deposits import record_deposit
from services.payments import take_payment

MON = dt.date(2023, 11, 6)


def at(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MON + dt.timedelta(days=n), dt.time(hour, minute))


def d(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


@pytest.fixture
def desk(db: Database, clock: FixedClock) -> Desk:
    """Monday: float 200.00; cash 380 + 1010 + 38, a POS 1010, a void of the 38,
    a cash refund of 380 and a deposit of 500; it is 17:00."""
    clock.set(at(0, 8))
    with db.write() as s:
        desk = make_desk(s)
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="200")
        cash_line(s, desk, "payment", 38_000, at(0, 9))
        cash_line(s, desk, "payment", 101_000, at(0, 9, 5), tier="high", village=1)
        cash_line(s, desk, "payment", 3_800, at(0, 9, 10))
        cash_line(s, desk, "payment", 101_000, at(0, 9, 20), channel="pos", tier="high")
        cash_line(s, desk, "void", 3_800, at(0, 9, 30))
        cash_line(s, desk, "refund", 38_000, at(0, 11))
        cash_line(s, desk, "deposit", 50_000, at(0, 16))
    clock.set(at(0, 17))
    return desk


def close(db: Database, clock: FixedClock, desk: Desk, fen: int | None = None, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"operator_id": desk.clerk_id}
    if "supervisor_id" in kw:
        args["supervisor_password"] = PASSWORD
    args.update(kw)
    counts = kw.pop("denominations", None) or count_for_amount(71_000 if fen is None else fen)
    args["denominations"] = counts
    with db.write() as s:
        return close_day(s, clock, office_id=desk.office_id, **args)  # type: ignore[arg-type]


# --- the lock -----------------------------------------------------------------------------


def closed_row(desk: Desk, date: dt.date) -> DayClose:
    return DayClose(
        office_id=desk.office_id,
        business_date=date,
        opening_float_fen=0,
        cash_received_fen=0,
        cash_refunded_fen=0,
        deposited_fen=0,
        expected_fen=0,
        counted_fen=0,
        difference_fen=0,
        denominations="{}",
        deposit_state="ok",
        operator_id=desk.clerk_id,
        closed_at=dt.datetime.combine(date, dt.time(18)),
    )


def test_ensure_day_open_refuses_a_closed_day_and_any_day_before_it(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        s.add(closed_row(desk, d(1)))
    with db.read() as s:
        ensure_day_open(s, desk.office_id, d(2))
        with pytest.raises(ConflictError) as same:
            ensure_day_open(s, desk.office_id, d(1))
        with pytest.raises(ConflictError) as before:
            ensure_day_open(s, desk.office_id, d(0))
        other = desk.office_id + 1
        ensure_day_open(s, other, d(1))  # another office's close does not lock this one
    assert same.value.code == before.value.code == "day_closed"
    assert same.value.message == "2023-11-07 已日结，不能再记入该日；更正请记入下一个营业日"
    assert "2023-11-07 已日结" in before.value.message and "2023-11-06" in before.value.message


# --- opening ------------------------------------------------------------------------------


def test_a_day_is_opened_once_with_its_float(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        day = business_day(s, desk.office_id, MON)
    assert day is not None and day.opening_float_fen == 20_000 and day.opened_by == desk.clerk_id
    with pytest.raises(ConflictError) as err, db.write() as s:
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="0")
    assert err.value.code == "day_already_open" and "200.00" in err.value.message


@pytest.mark.parametrize(
    ("float_", "date", "code"),
    [("-1", None, "invalid_input"), ("abc", None, "invalid_input"), ("0", d(9), "date_in_future")],
)
def test_bad_opening_is_refused(db, clock, float_, date, code) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        before = table_counts(s)
    with pytest.raises(InputError) as err, db.write() as s:
        open_day(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            opening_float=float_,
            business_date=date,
        )
    assert err.value.code == code
    with db.read() as s:
        assert table_counts(s) == before


# --- figures --------------------------------------------------------------------------------


def test_day_totals(db, desk) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        totals = day_totals(s, desk.office_id, MON)
        empty = day_totals(s, desk.office_id, d(1))
    assert totals.cash_received_fen == 142_800
    assert totals.cash_voided_fen == 3_800 and totals.cash_refunded_fen == 38_000
    assert totals.cash_out_fen == 41_800
    assert totals.deposited_fen == 50_000
    assert totals.net_cash_fen == 51_000
    assert dict(totals.non_cash_by_channel) == {"pos": 101_000}
    assert (totals.payments, totals.voids, totals.refunds, totals.deposits) == (4, 1, 1, 1)
    assert empty.payments == 0 and empty.net_cash_fen == 0 and empty.non_cash_fen == 0


def test_denominations() -> None:
    assert len(DENOMINATIONS) == 9
    assert {x.fen for x in DENOMINATIONS} == {10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10}
    assert count_total({"note_100": 7, "note_1": 3, "coin_1": 2, "coin_5j": 1, "coin_1j": 3}) == (
        70_580
    )
    assert count_total({}) == 0
    assert count_total(count_for_amount(123_450)) == 123_450


@pytest.mark.parametrize(
    ("count", "code"),
    [
        ({"note_200": 1}, "bad_denomination"),
        ({10_000: 1}, "bad_denomination"),
        ({"note_100": -1}, "bad_piece_count"),
        ({"note_100": 1.5}, "bad_piece_count"),
        ({"note_100": "3"}, "bad_piece_count"),
        ({"note_100": True}, "bad_piece_count"),
        ({"note_100": 10**7}, "bad_piece_count"),
    ],
)
def test_a_bad_count_is_refused(count, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        count_total(count)
    assert err.value.code == code and err.value.message


def test_the_expected_figure_comes_only_with_a_count(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        preview = preview_close(
            s, clock, office_id=desk.office_id, denominations={"note_100": 7, "note_10": 1}
        )
    assert preview.counted_fen == 71_000
    # float 200 + cash 1428 - voided 38 - refunded 380 - deposited 500 = 710
    assert preview.expected_fen == 71_000 and preview.difference_fen == 0
    assert preview.brought_forward_fen == 0 and preview.opening_float_fen == 20_000
    assert not preview.deposit_required


# --- closing --------------------------------------------------------------------------------


def test_a_balanced_close_is_written_and_locks_the_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    result = close(db, clock, desk)
    assert result.difference_fen == 0 and result.override_id is None
    with db.read() as s:
        row = s.get(DayClose, result.id)
        assert row is not None
        assert (row.expected_fen, row.counted_fen, row.difference_fen) == (71_000, 71_000, 0)
        assert (row.cash_received_fen, row.cash_refunded_fen, row.deposited_fen) == (
            142_800,
            41_800,
            50_000,
        )
        assert json.loads(row.denominations)["note_100"] == 7
        assert row.deposit_state == "ok" and row.supervisor_id is None
    with pytest.raises(ConflictError) as again:
        close(db, clock, desk)
    assert again.value.code == "day_closed"


def test_nothing_can_be_written_into_a_closed_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        enrollment = make_enrollment(s, desk)
    close(db, clock, desk)
    with db.read() as s:
        before = table_counts(s)
    refusals = []
    with pytest.raises(ConflictError) as paying, db.write() as s:
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment,
            amount="380",
            channel="cash",
            operator_id=desk.clerk_id,
        )
    refusals.append(paying.value)
    with pytest.raises(ConflictError) as depositing, db.write() as s:
        record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount="10",
            channel="bank",
            slip_no="Z1",
            operator_id=desk.clerk_id,
        )
    refusals.append(depositing.value)
    with pytest.raises(ConflictError) as opening, db.write() as s:
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="0")
    refusals.append(opening.value)
    for refusal in refusals:
        assert refusal.code == "day_closed"
        assert "2023-11-06 已日结" in refusal.message
    with db.read() as s:
        assert table_counts(s) == before
    # The next day is open: the correction goes there.
    clock.set(at(1, 9))
    with db.write() as s:
        paid = take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment,
            amount="380",
            channel="cash",
            operator_id=desk.clerk_id,
        )
    assert paid.business_date == d(1)


@pytest.mark.parametrize(
    ("kw", "error", "code"),
    [
        ({}, InputError, "reason_required"),
        ({"difference_reason": "  "}, InputError, "reason_required"),
        ({"difference_reason": "找错零钱"}, PermissionDenied, "supervisor_required"),
        ({"difference_reason": "找错零钱", "supervisor_id": "clerk"}, PermissionDenied, None),
        ({"difference_reason": "找错零钱", "supervisor_id": 999}, NotFound, None),
    ],
)
def test_a_difference_needs_a_reason_and_a_supervisor(db, clock, desk, kw, error, code) -> None:  # type: ignore[no-untyped-def]
    if kw.get("supervisor_id") == "clerk":
        kw = {**kw, "supervisor_id": desk.clerk_id}
    with db.read() as s:
        before = table_counts(s)
    with pytest.raises(error) as err:
        close(db, clock, desk, 70_000, **kw)
    if code:
        assert err.value.code == code
    assert err.value.message
    with db.read() as s:
        assert table_counts(s) == before


def test_a_difference_confirmed_by_a_supervisor_is_kept(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        close(db, clock, desk, 70_000)
    assert "短款 10.00 元" in err.value.message and "710.00" in err.value.message
    result = close(
        db, clock, desk, 70_000, difference_reason="找错零钱", supervisor_id=desk.supervisor_id
    )
    assert result.difference_fen == -1_000
    with db.read() as s:
        row = s.get(DayClose, result.id)
        assert row is not None
        assert row.difference_reason == "找错零钱" and row.supervisor_id == desk.supervisor_id


@pytest.fixture
def due_desk(db: Database, clock: FixedClock) -> Desk:
    """1,000.00 collected on Monday and never deposited; Saturday (the due day) 17:00."""
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 100_000, at(0, 9))
    clock.set(at(0, 18))
    close(db, clock, desk, 100_000)  # Monday closed as usual, the cash kept in the drawer
    clock.set(at(5, 8))
    with db.write() as s:
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="0")
    clock.set(at(5, 17))
    return desk


def test_a_due_day_cannot_be_closed_without_a_deposit(db, clock, due_desk) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        before = table_counts(s)
    with pytest.raises(ServiceError) as err:
        close(db, clock, due_desk, 100_000)
    assert err.value.code == "deposit_due_at_close"
    assert "1,000.00" in err.value.message and "今日须入库" in err.value.message
    for kw, code in [
        ({"override_reason": "银行已关门"}, "supervisor_required"),
        ({"supervisor_id": due_desk.supervisor_id}, "reason_required"),
        ({"override_reason": "银行已关门", "supervisor_id": due_desk.clerk_id}, None),
    ]:
        with pytest.raises(ServiceError) as refused:
            close(db, clock, due_desk, 100_000, **kw)
        assert code is None or refused.value.code == code
    with db.read() as s:
        assert table_counts(s) == before


def test_a_deposit_that_day_lets_the_day_close(db, clock, due_desk) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        record_deposit(
            s,
            clock,
            office_id=due_desk.office_id,
            amount="1000",
            channel="bank",
            slip_no="B9",
            operator_id=due_desk.clerk_id,
        )
    result = close(db, clock, due_desk, 0)
    assert result.preview.deposit_status.state == "ok"
    assert result.preview.brought_forward_fen == 100_000


def test_a_supervisor_may_close_a_due_day_with_a_reason(db, clock, due_desk) -> None:  # type: ignore[no-untyped-def]
    result = close(
        db,
        clock,
        due_desk,
        100_000,
        override_reason="银行已关门，周一一早入库",
        supervisor_id=due_desk.supervisor_id,
    )
    assert result.override_id is not None
    with db.read() as s:
        row = s.get(DayClose, result.id)
        override = s.get(Override, result.override_id)
        assert row is not None and override is not None
        assert row.deposit_state == "due_today" and row.supervisor_id == due_desk.supervisor_id
        assert (override.kind, override.day_close_id, override.business_date) == (
            "due_today_close",
            result.id,
            d(5),
        )
        assert override.reason == "银行已关门，周一一早入库"


def test_an_earlier_day_is_judged_at_its_own_end(db, clock, due_desk) -> None:  # type: ignore[no-untyped-def]
    clock.set(at(6, 9))  # the next morning: the cash is overdue now, but not at Saturday's end
    with db.read() as s:
        preview = preview_close(
            s, clock, office_id=due_desk.office_id, denominations={}, business_date=d(5)
        )
    assert preview.deposit_status.state == "due_today"
    with db.read() as s:
        rows = s.scalars(select(DayClose.business_date)).all()
    assert rows == [d(0)]  # previewing wrote nothing
