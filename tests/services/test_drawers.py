"""A drawer per window (issue 11 item 2): float, cash in and out, the blind
count and close of each drawer, the office's deposit over all drawers (oldest
cash first) and the office's day complete only when every used drawer is closed."""

from __future__ import annotations

import datetime as dt

import pytest
from cash_lines import Desk, make_desk
from factories import PASSWORD, make_enrollment, make_operator, policies
from sqlalchemy import select

from common.errors import ConflictError
from db.engine import Database
from db.models import CashDifference, DayClose, DepositShare, DrawerClose
from services.business_day import open_day
from services.clock import FixedClock
from services.close_preview import preview_close
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.deposit_state import current_deposit_status
from services.deposits import record_deposit
from services.drawers import office_drawers
from services.ledger import append_entry
from services.payments import take_payment
from services.verification import verify_everything

MON = dt.date(2023, 11, 6)


def at(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MON + dt.timedelta(days=n), dt.time(hour, minute))


def line(s, desk: Desk, operator_id: int, kind: str, fen: int, when: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    cash = fen if kind == "payment" else -fen
    append_entry(
        s,
        office_id=desk.office_id,
        kind=kind,
        business_date=when.date(),
        recorded_at=when,
        operator_id=operator_id,
        channel="cash",
        amount_fen=fen if kind == "payment" else -fen,
        cash_fen=cash,
        village_id=desk.village_ids[0],
        tier="low",
    )


@pytest.fixture
def two(db: Database, clock: FixedClock) -> tuple[Desk, int]:
    """Two windows: 王丽 (float 100, takes 380 + 1010) and 赵敏 (float 0,
    takes 380 on Monday, refunds 380 in cash)."""
    clock.set(at(0, 8))
    with db.write() as s:
        desk = make_desk(s)
        second = make_operator(s, desk.office_id, "clerk-2", "赵敏", "clerk")
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="100")
        open_day(s, clock, office_id=desk.office_id, operator_id=second, opening_float="0")
        line(s, desk, desk.clerk_id, "payment", 38_000, at(0, 9))
        line(s, desk, second, "payment", 38_000, at(0, 9, 5))
        line(s, desk, desk.clerk_id, "payment", 101_000, at(0, 9, 10))
        line(s, desk, second, "refund", 38_000, at(0, 11))
    clock.set(at(0, 17))
    return desk, second


def close(db: Database, clock: FixedClock, desk: Desk, operator_id: int, fen: int, **kw):  # type: ignore[no-untyped-def]
    with db.write() as s:
        return close_day(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=operator_id,
            denominations=count_for_amount(fen),
            **kw,
        )


def test_each_drawer_has_its_float_and_its_own_cash(db: Database, two: tuple[Desk, int]) -> None:
    desk, second = two
    with db.read() as s:
        drawers = office_drawers(s, desk.office_id, MON)
    first = drawers.drawer(desk.clerk_id)
    other = drawers.drawer(second)
    assert first is not None and other is not None
    assert (first.opening_float_fen, first.cash_on_hand_fen, first.expected_fen) == (
        10_000,
        139_000,
        149_000,
    )
    assert (first.cash_in_fen, first.cash_out_fen) == (139_000, 0)
    assert (other.opening_float_fen, other.cash_on_hand_fen, other.expected_fen) == (0, 0, 0)
    assert (other.cash_in_fen, other.cash_out_fen) == (38_000, 38_000)
    assert drawers.cash_on_hand_fen == 139_000
    assert [d.used for d in drawers.drawers] == [True, True]
    assert not drawers.complete


def test_preview_of_a_drawer_counts_only_that_window(
    db: Database, clock: FixedClock, two: tuple[Desk, int]
) -> None:
    desk, second = two
    with db.read() as s:
        mine = preview_close(
            s,
            clock,
            office_id=desk.office_id,
            denominations=count_for_amount(149_000),
            operator_id=desk.clerk_id,
        )
        office = preview_close(
            s, clock, office_id=desk.office_id, denominations=count_for_amount(149_000)
        )
    assert mine.expected_fen == 149_000 and mine.difference_fen == 0
    assert mine.totals.cash_received_fen == 139_000 and mine.totals.payments == 2
    # the office as one drawer: its float was the first window's 100.00
    assert office.totals.cash_received_fen == 177_000 and office.totals.refunds == 1


def test_office_day_is_complete_only_when_every_used_drawer_is_closed(
    db: Database, clock: FixedClock, two: tuple[Desk, int]
) -> None:
    desk, second = two
    first = close(db, clock, desk, desk.clerk_id, 149_000)
    assert first.id is None and first.drawer_close_id is not None and not first.office_complete
    with db.read() as s:
        assert s.scalar(select(DayClose.id)) is None
        assert office_drawers(s, desk.office_id, MON).open_drawers[0].operator_id == second
    # the closed window takes nothing more today; the other window still can
    with db.write() as s, pytest.raises(ConflictError) as refused:
        enrollment = make_enrollment(s, desk)
        take_payment(
            s,
            clock,
            policies(),
            enrollment_id=enrollment,
            amount="380",
            channel="cash",
            operator_id=desk.clerk_id,
        )
    assert refused.value.code == "drawer_closed"
    # one close per drawer-day
    with pytest.raises(ConflictError) as again:
        close(db, clock, desk, desk.clerk_id, 149_000)
    assert again.value.code == "drawer_already_closed"
    last = close(db, clock, desk, second, 0)
    assert last.office_complete and last.seal is not None
    with db.read() as s:
        row = s.get(DayClose, last.id)
        assert row is not None
        assert (row.opening_float_fen, row.expected_fen, row.counted_fen) == (
            10_000,
            149_000,
            149_000,
        )
        assert row.cash_received_fen == 177_000 and row.cash_refunded_fen == 38_000
        assert len(s.scalars(select(DrawerClose)).all()) == 2
        assert office_drawers(s, desk.office_id, MON).complete
        # the office's close agrees with the ledger (verify-ledger's check)
        closed = next(c for c in verify_everything(s).checks if c.name == "closed_days")
        assert (closed.checked, closed.findings) == (1, ())


def test_a_difference_belongs_to_its_drawer(
    db: Database, clock: FixedClock, two: tuple[Desk, int]
) -> None:
    desk, second = two
    short = close(
        db,
        clock,
        desk,
        desk.clerk_id,
        148_000,
        difference_reason="找零错误",
        supervisor_id=desk.supervisor_id,
        supervisor_password=PASSWORD,
    )
    assert short.difference_fen == -1_000 and not short.office_complete
    with db.read() as s:
        case = s.scalars(select(CashDifference)).one()
        assert (case.collector_id, case.day_close_id) == (desk.clerk_id, None)
        assert case.drawer_close_id == short.drawer_close_id
        # the adjustment makes the drawer hold what was counted
        assert office_drawers(s, desk.office_id, MON).drawer(desk.clerk_id).expected_fen == 148_000  # type: ignore[union-attr]
    last = close(db, clock, desk, second, 0)
    with db.read() as s:
        row = s.get(DayClose, last.id)
        assert row is not None and row.difference_fen == -1_000
        assert "王丽：找零错误" in row.difference_reason


def test_deposit_sums_the_drawers_and_takes_the_oldest_cash_first(
    db: Database, clock: FixedClock
) -> None:
    clock.set(at(0, 8))
    with db.write() as s:
        desk = make_desk(s)
        second = make_operator(s, desk.office_id, "clerk-2", "赵敏", "clerk")
        line(s, desk, second, "payment", 20_000, at(0, 9))  # Monday: 赵敏 200
        line(s, desk, desk.clerk_id, "payment", 50_000, at(0, 10))  # Monday: 王丽 500
    clock.set(at(0, 17))
    close(db, clock, desk, desk.clerk_id, 50_000)
    close(db, clock, desk, second, 20_000)
    clock.set(at(1, 9))
    with db.write() as s:
        line(s, desk, second, "payment", 30_000, at(1, 9))  # Tuesday: 赵敏 300
    clock.set(at(1, 11))
    with db.read() as s:
        status = current_deposit_status(s, clock, desk.office_id)
        drawers = office_drawers(s, desk.office_id, at(1).date())
    assert status.cash_on_hand_fen == 100_000 == drawers.cash_on_hand_fen
    assert {d.operator_id: d.cash_on_hand_fen for d in drawers.drawers} == {
        desk.clerk_id: 50_000,
        second: 50_000,
    }
    with db.write() as s:
        result = record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount="600",
            channel="bank",
            slip_no="S-1",
            operator_id=second,
        )
    # Monday's 700 is the oldest cash (a day's lots in operator order): 王丽 500, 赵敏 100
    assert dict(result.shares) == {desk.clerk_id: 50_000, second: 10_000}
    with db.read() as s:
        stored = {r.drawer_operator_id: r.amount_fen for r in s.scalars(select(DepositShare))}
        drawers = office_drawers(s, desk.office_id, at(1).date())
    assert stored == dict(result.shares)
    mine = drawers.drawer(desk.clerk_id)
    theirs = drawers.drawer(second)
    assert mine is not None and theirs is not None
    assert (mine.cash_on_hand_fen, mine.deposited_fen, mine.used) == (0, 50_000, False)
    assert (theirs.cash_on_hand_fen, theirs.deposited_fen) == (40_000, 10_000)


def test_a_deposit_takes_no_cash_from_a_drawer_closed_that_day(
    db: Database, clock: FixedClock, two: tuple[Desk, int]
) -> None:
    desk, second = two
    close(db, clock, desk, desk.clerk_id, 149_000)
    with db.write() as s, pytest.raises(ConflictError) as refused:
        record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount="100",
            channel="bank",
            slip_no="S-9",
            operator_id=second,
        )
    assert refused.value.code == "deposit_exceeds_open_drawers"
    assert "未日结钱箱" in refused.value.message


def test_one_window_office_closes_in_one_step(db: Database, clock: FixedClock) -> None:
    clock.set(at(0, 8))
    with db.write() as s:
        desk = make_desk(s)
        open_day(s, clock, office_id=desk.office_id, operator_id=desk.clerk_id, opening_float="0")
        line(s, desk, desk.clerk_id, "payment", 38_000, at(0, 9))
    clock.set(at(0, 12))
    with db.write() as s:
        deposit = record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount="380",
            channel="bank",
            slip_no="S-1",
            operator_id=desk.clerk_id,
        )
    assert deposit.shares == ((desk.clerk_id, 38_000),)
    clock.set(at(0, 17))
    result = close(db, clock, desk, desk.clerk_id, 0)
    assert result.office_complete and result.preview.expected_fen == 0
    with db.read() as s:
        assert s.get(DayClose, result.id) is not None
