"""Deposits (入库): amount, channel, slip number, FIFO settlement, refusals."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from cash_lines import Desk, cash_line, make_desk, movements_of, table_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from common.glossary import DEPOSIT_CHANNELS
from db.engine import Database
from db.models import DayClose, Deposit, LedgerEntry
from services.clock import FixedClock
from services.deposit_rule import Bucket, deposit_status
from services.deposit_state import load_cash_movements
from services.deposits import deposit_register, record_deposit
from services.ledger import verify_ledger

MON = dt.date(2023, 11, 6)


def at(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(MON + dt.timedelta(days=n), dt.time(hour, minute))


@pytest.fixture
def desk(db: Database, clock: FixedClock) -> Desk:
    """6,000.00 collected on Monday, 3,500.00 on Tuesday; now Wednesday 10:00."""
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 600_000, at(0))
        cash_line(s, desk, "payment", 38_000, at(0, 11), channel="pos")
        cash_line(s, desk, "payment", 350_000, at(1))
    clock.set(at(2))
    return desk


def deposit(db: Database, clock: FixedClock, desk: Desk, amount: object, **kw: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"channel": "bank", "slip_no": "JK0001", "operator_id": desk.clerk_id}
    args.update(kw)
    with db.write() as s:
        return record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount=amount,  # type: ignore[arg-type]
            **args,  # type: ignore[arg-type]
        )


def test_a_deposit_settles_the_oldest_cash_first(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    result = deposit(db, clock, desk, "7,000.00", deposited_at=at(2, 9, 40))
    assert result.amount_fen == 700_000
    assert result.settled == (
        Bucket(MON, 600_000, MON + dt.timedelta(days=5)),
        Bucket(MON + dt.timedelta(days=1), 100_000, MON + dt.timedelta(days=6)),
    )
    assert result.cash_on_hand_before_fen == 950_000
    assert result.cash_on_hand_after_fen == 250_000
    assert result.status_after.oldest_undeposited_date == MON + dt.timedelta(days=1)
    with db.read() as s:
        row = s.get(Deposit, result.deposit_id)
        assert row is not None
        assert (row.amount_fen, row.channel, row.slip_no, row.operator_id) == (
            700_000,
            "bank",
            "JK0001",
            desk.clerk_id,
        )
        assert row.deposited_at == at(2, 9, 40) and row.business_date == at(2).date()
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.deposit_id == row.id)).one()
        assert (line.kind, line.amount_fen, line.cash_fen, line.reference) == (
            "deposit",
            700_000,
            -700_000,
            "JK0001",
        )
        assert line.recorded_at == at(2) and line.business_date == at(2).date()
        assert verify_ledger(s, desk.office_id).ok


def test_the_whole_cash_on_hand_may_be_deposited(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    result = deposit(db, clock, desk, "9500", channel="银行上门收款")
    assert result.channel == "bank_pickup"
    assert result.cash_on_hand_after_fen == 0
    assert result.status_after.state == "ok"


def test_a_deposit_larger_than_cash_on_hand_is_refused(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s:
        before = table_counts(s)
    with pytest.raises(ConflictError) as err:
        deposit(db, clock, desk, "12000")
    assert err.value.code == "deposit_exceeds_cash"
    assert err.value.message == "入库金额 12,000.00 元超过库存现金 9,500.00 元。"
    with db.read() as s:
        assert table_counts(s) == before


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"amount": "0"}, InputError, "deposit_not_positive"),
        ({"amount": "-100"}, InputError, "invalid_input"),
        ({"amount": "一百"}, InputError, "invalid_input"),
        ({"amount": "100.001"}, InputError, "invalid_input"),
        ({"amount": ""}, InputError, "invalid_input"),
        ({"amount": "100", "slip_no": "  "}, InputError, "slip_no_required"),
        ({"amount": "100", "slip_no": "X" * 65}, InputError, "slip_no_too_long"),
        ({"amount": "100", "channel": "pocket"}, InputError, "bad_deposit_channel"),
        ({"amount": "100", "deposited_at": at(2, 11)}, InputError, "deposit_in_future"),
        ({"amount": "100", "operator_id": 999}, NotFound, "unknown_operator"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(db, clock, desk, kwargs, error, code) -> None:  # type: ignore[no-untyped-def]
    kwargs = dict(kwargs)
    amount = kwargs.pop("amount")
    with db.read() as s:
        before = table_counts(s)
    with pytest.raises(error) as err, db.write() as s:
        record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount=amount,
            **{"channel": "bank", "slip_no": "JK1", "operator_id": desk.clerk_id, **kwargs},
        )
    assert err.value.code == code
    assert err.value.message
    with db.read() as s:
        assert table_counts(s) == before


def test_an_operator_of_another_office_is_refused(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        other = make_desk(s, code="QT", name="其他街道")
    with pytest.raises(PermissionDenied):
        deposit(db, clock, desk, "100", operator_id=other.clerk_id)


def test_a_slip_number_is_recorded_once(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    deposit(db, clock, desk, "100", slip_no="JK-7")
    with pytest.raises(ConflictError) as err:
        deposit(db, clock, desk, "100", slip_no="ＪＫ-7")  # full-width typed again
    assert err.value.code == "slip_no_taken"
    assert "JK-7" in err.value.message


def test_no_deposit_into_a_closed_day(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        s.add(
            DayClose(
                office_id=desk.office_id,
                business_date=at(2).date(),
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
                closed_at=at(2, 9),
            )
        )
        before = table_counts(s)
    with pytest.raises(ConflictError) as err:
        deposit(db, clock, desk, "100")
    assert err.value.code == "day_closed"
    assert "2023-11-08 已日结" in err.value.message
    with db.read() as s:
        assert table_counts(s) == before


def test_channels_have_chinese_names() -> None:
    assert set(DEPOSIT_CHANNELS) == {"bank", "bank_pickup", "tax"}
    assert all(DEPOSIT_CHANNELS.values())


def test_the_register_tells_which_collection_days_each_deposit_settled(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    deposit(db, clock, desk, "4000", slip_no="A1")
    clock.set(at(3))
    with db.write() as s:
        cash_line(s, desk, "payment", 200_000, at(3))
    clock.set(at(3, 16))
    deposit(db, clock, desk, "6500", slip_no="A2", channel="tax")
    with db.read() as s:
        rows = deposit_register(s, desk.office_id, MON, at(3).date())
        later = deposit_register(s, desk.office_id, at(3).date(), at(3).date())
    assert [r.slip_no for r in rows] == ["A1", "A2"]
    assert rows[0].collection_dates == (MON,)
    assert rows[1].collection_dates == (MON, MON + dt.timedelta(days=1), at(3).date())
    assert sum(b.remaining_fen for b in rows[1].settled) == 650_000
    assert rows[1].channel_label == "税务部门代收" and rows[1].operator_name == "王丽"
    # Read over a later range alone, the replay still knows the earlier history.
    assert later[0].settled == rows[1].settled


def test_the_register_refuses_a_backwards_range(db, desk) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s, pytest.raises(InputError):
        deposit_register(s, desk.office_id, at(3).date(), MON)


def test_a_long_ledger_is_read_from_the_last_few_days_only(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
    for n in range(40):
        clock.set(at(n, 9))
        with db.write() as s:
            for k in range(5):
                cash_line(s, desk, "payment", 38_000, at(n, 9, k))
            if n % 2:
                cash_line(s, desk, "deposit", 38_000 * 9, at(n, 9, 30))
    with db.read() as s:
        whole = movements_of(s, desk.office_id)
        short = load_cash_movements(s, desk.office_id)
        assert short[0].kind == "carried"
        assert len(short) * 4 < len(whole)
        assert deposit_status(short, at(45)) == deposit_status(whole, at(45))


_codes = itertools.count(1)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(1, 500_000), st.floats(0, 1, allow_nan=False)),
        min_size=1,
        max_size=12,
    )
)
def test_any_deposit_up_to_cash_on_hand_is_accepted(db, steps) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(at(0, 8))
    with db.write() as s:
        desk = make_desk(s, code=f"H{next(_codes)}")
    on_hand = 0
    for i, (collected, share) in enumerate(steps):
        clock.set(at(i, 9))
        with db.write() as s:
            cash_line(s, desk, "payment", collected, at(i, 9))
        on_hand += collected
        amount = int(on_hand * share)  # a fraction of the cash on hand, in fen
        if amount <= 0:
            continue
        clock.set(at(i, 15))
        yuan = f"{amount // 100}.{amount % 100:02d}"
        result = deposit(db, clock, desk, yuan, slip_no=f"S{i}")
        on_hand -= amount
        assert result.cash_on_hand_after_fen == on_hand
        assert sum(b.remaining_fen for b in result.settled) == amount
    with db.read() as s:
        assert sum(m.cash_fen for m in movements_of(s, desk.office_id)) == on_hand


def test_refusals_are_service_errors(db, clock, desk) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError):
        deposit(db, clock, desk, "99999")
