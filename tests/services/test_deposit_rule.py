"""The pure deposit rule (POLICY.md §7.3 and its Convention)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from cash_lines import Desk, cash_line, make_desk, movements_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.errors import NotFound
from db.engine import Database
from services.clock import FixedClock
from services.deposit_rule import STATE_LABELS, Bucket, CashMovement, deposit_status, state_rank
from services.deposit_state import current_deposit_status, load_cash_movements

MON = dt.date(2023, 11, 6)
LIMIT = 1_000_000


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def pay(day: dt.date, fen: int, hour: int = 10, minute: int = 0) -> CashMovement:
    return CashMovement(day, at(day, hour, minute), fen, "payment")


def out(kind: str, day: dt.date, fen: int, hour: int = 15, minute: int = 0) -> CashMovement:
    return CashMovement(day, at(day, hour, minute), -fen, kind)


def day(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


# --- examples ----------------------------------------------------------------------------


def test_empty_ledger_is_ok() -> None:
    status = deposit_status([], at(MON))
    assert status.state == "ok"
    assert status.cash_on_hand_fen == 0
    assert status.deadline is None and status.oldest_undeposited_date is None
    assert status.buckets == ()
    assert status.label_zh == "正常"
    assert "无待入库现金" in status.sentence_zh


def test_five_day_limit_walks_through_every_state() -> None:
    entries = [pay(MON, 100_000)]
    expected = {
        at(MON, 18): "ok",
        at(day(3), 23, 59): "ok",
        at(day(4), 0, 0): "warning",  # the due day (11-11) is tomorrow
        at(day(5), 8): "due_today",
        at(day(5), 23, 59): "due_today",
        at(day(6), 0, 0): "overdue",
    }
    for moment, state in expected.items():
        status = deposit_status(entries, moment)
        assert status.state == state, moment
        assert status.deadline == day(5)
        assert status.amount_due_fen == 100_000
    overdue = deposit_status(entries, at(day(6)))
    assert overdue.label_zh == "已逾期"
    assert "2023-11-11" in overdue.sentence_zh and "1,000.00" in overdue.sentence_zh


def test_days_setting_is_used() -> None:
    status = deposit_status([pay(MON, 100)], at(MON, 18), days=0)
    assert status.state == "due_today" and status.deadline == MON
    assert deposit_status([pay(MON, 100)], at(day(1)), days=0).state == "overdue"


def test_eighty_percent_of_limit_is_a_warning() -> None:
    assert deposit_status([pay(MON, 799_999)], at(MON, 18)).state == "ok"
    status = deposit_status([pay(MON, 800_000)], at(MON, 18))
    assert status.state == "warning"
    assert "80%" in status.sentence_zh


def test_reaching_the_limit_makes_all_cash_due_that_day() -> None:
    entries = [pay(MON, 600_000), pay(day(1), 400_000)]
    status = deposit_status(entries, at(day(1), 12))
    assert status.state == "due_today"
    assert status.deadline == day(1)
    assert status.amount_due_fen == 1_000_000
    assert [b.due_date for b in status.buckets] == [day(1), day(1)]
    assert deposit_status(entries, at(day(2))).state == "overdue"


def test_cash_taken_after_the_trigger_on_the_same_day_is_due_too() -> None:
    entries = [pay(MON, 1_000_000, 9), pay(MON, 50_000, 11)]
    status = deposit_status(entries, at(MON, 12))
    assert status.amount_due_fen == 1_050_000 and status.deadline == MON


def test_a_deposit_that_covers_the_trigger_settles_it() -> None:
    entries = [pay(MON, 1_000_000, 9), out("deposit", MON, 1_000_000, 11), pay(MON, 200_000, 14)]
    status = deposit_status(entries, at(MON, 18))
    # Below the limit again: the afternoon's cash has the ordinary five days.
    assert status.state == "ok"
    assert status.buckets == (Bucket(MON, 200_000, day(5)),)
    assert deposit_status(entries, at(day(1))).state == "ok"


def test_a_partial_deposit_after_the_trigger_leaves_the_rest_due_that_day() -> None:
    entries = [pay(MON, 1_000_000, 9), out("deposit", MON, 300_000, 11)]
    status = deposit_status(entries, at(MON, 18))
    assert status.cash_on_hand_fen == 700_000
    assert status.state == "due_today" and status.amount_due_fen == 700_000
    assert deposit_status(entries, at(day(1))).state == "overdue"


def test_the_rule_fires_again_after_the_balance_went_below_the_limit() -> None:
    entries = [
        pay(MON, 1_000_000, 9),
        out("deposit", MON, 1_000_000, 10),
        pay(day(1), 900_000, 9),
        pay(day(2), 100_000, 9),
    ]
    status = deposit_status(entries, at(day(2), 12))
    assert status.state == "due_today"
    assert status.amount_due_fen == 1_000_000


def test_the_trigger_does_not_reach_the_next_day() -> None:
    entries = [pay(MON, 1_000_000), pay(day(1), 10_000)]
    status = deposit_status(entries, at(day(1), 12))
    assert status.state == "overdue"
    assert status.buckets[-1] == Bucket(day(1), 10_000, day(6))
    assert status.due_by_today_fen == 1_000_000


def test_deposits_settle_the_oldest_cash_first() -> None:
    entries = [pay(MON, 100_000), pay(day(1), 200_000), out("deposit", day(2), 150_000)]
    status = deposit_status(entries, at(day(2), 18))
    assert status.buckets == (Bucket(day(1), 150_000, day(6)),)
    assert status.oldest_undeposited_date == day(1)


def test_a_void_reverses_its_own_days_collection_and_a_refund_the_oldest() -> None:
    base = [pay(MON, 100_000), pay(day(1), 50_000)]
    voided = deposit_status([*base, out("void", day(1), 50_000)], at(day(1), 18))
    assert voided.buckets == (Bucket(MON, 100_000, day(5)),)
    refunded = deposit_status([*base, out("refund", day(1), 50_000)], at(day(1), 18))
    assert refunded.buckets == (Bucket(MON, 50_000, day(5)), Bucket(day(1), 50_000, day(6)))


def test_a_void_larger_than_its_days_cash_takes_the_rest_from_the_oldest() -> None:
    entries = [pay(MON, 100_000), pay(day(1), 30_000), out("void", day(1), 50_000)]
    status = deposit_status(entries, at(day(1), 18))
    assert status.buckets == (Bucket(MON, 80_000, day(5)),)


def test_a_refund_from_the_float_is_made_good_by_the_next_collection() -> None:
    entries = [out("refund", MON, 10_000, 9), pay(MON, 30_000, 10)]
    assert deposit_status(entries[:1], at(MON, 9, 30)).cash_on_hand_fen == -10_000
    status = deposit_status(entries, at(MON, 18))
    assert status.cash_on_hand_fen == 20_000
    assert status.buckets == (Bucket(MON, 20_000, day(5)),)


def test_lines_after_the_moment_are_ignored() -> None:
    entries = [pay(MON, 100_000, 9), pay(MON, 900_000, 15)]
    assert deposit_status(entries, at(MON, 12)).cash_on_hand_fen == 100_000
    assert deposit_status(entries, at(MON, 16)).state == "due_today"


def test_a_carried_balance_counts_like_a_collection() -> None:
    entries = [CashMovement(MON, at(MON, 0), 100_000, "carried"), pay(day(1), 5_000)]
    status = deposit_status(entries, at(day(1), 12))
    assert status.buckets[0] == Bucket(MON, 100_000, day(5))


def test_bad_settings_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        deposit_status([], at(MON), days=-1)
    with pytest.raises(ValueError):
        deposit_status([], at(MON), limit_fen=0)


def test_labels_and_sentences_in_chinese() -> None:
    assert STATE_LABELS == {
        "ok": "正常",
        "warning": "预警",
        "due_today": "今日须入库",
        "overdue": "已逾期",
    }
    due = deposit_status([pay(MON, 1_200_000)], at(MON, 12))
    assert due.label_zh == "今日须入库"
    assert "12,000.00" in due.sentence_zh and "今日" in due.sentence_zh
    ok = deposit_status([pay(MON, 50_000)], at(MON, 12))
    assert "2023-11-11" in ok.sentence_zh and "500.00" in ok.sentence_zh


# --- properties ----------------------------------------------------------------------------

KINDS = ("payment", "payment", "payment", "void", "refund", "deposit")
operations = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # days to move on
        st.sampled_from(KINDS),
        st.integers(min_value=1, max_value=600_000),
    ),
    max_size=40,
)


def build(ops: list[tuple[int, str, int]]) -> list[CashMovement]:
    """A consistent ledger: no outflow larger than the cash on hand."""
    entries: list[CashMovement] = []
    today = MON
    minute = 0
    balance = 0
    for step, kind, amount in ops:
        if step:
            today += dt.timedelta(days=step)
            minute = 0
        minute += 1
        when = dt.datetime.combine(today, dt.time(9)) + dt.timedelta(minutes=minute)
        if kind == "payment":
            balance += amount
            entries.append(CashMovement(today, when, amount, kind))
        elif balance:
            amount = min(amount, balance)
            balance -= amount
            entries.append(CashMovement(today, when, -amount, kind))
    return entries


def last_moment(entries: list[CashMovement]) -> dt.datetime:
    return max((m.recorded_at for m in entries), default=at(MON, 9))


def settle_fifo(buckets: tuple[Bucket, ...], amount: int) -> tuple[Bucket, ...]:
    left: list[Bucket] = []
    for b in buckets:
        taken = min(b.remaining_fen, amount)
        amount -= taken
        if b.remaining_fen > taken:
            left.append(Bucket(b.collection_date, b.remaining_fen - taken, b.due_date))
    return tuple(left)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_cash_on_hand_is_the_sum_of_movements_and_never_negative(ops) -> None:  # type: ignore[no-untyped-def]
    entries = build(ops)
    status = deposit_status(entries, last_moment(entries))
    assert status.cash_on_hand_fen == sum(m.cash_fen for m in entries)
    assert status.cash_on_hand_fen >= 0
    assert sum(b.remaining_fen for b in status.buckets) == status.cash_on_hand_fen
    assert all(b.remaining_fen > 0 for b in status.buckets)
    dates = [b.collection_date for b in status.buckets]
    assert dates == sorted(dates)
    for b in status.buckets:
        assert b.collection_date <= b.due_date <= b.collection_date + dt.timedelta(days=5)
    if status.buckets:
        assert status.amount_due_fen > 0 and status.deadline is not None


@settings(max_examples=300, deadline=None)
@given(operations, st.data())
def test_any_deposit_up_to_cash_on_hand_settles_the_oldest_first(ops, data) -> None:  # type: ignore[no-untyped-def]
    entries = build(ops)
    moment = last_moment(entries)
    before = deposit_status(entries, moment)
    if before.cash_on_hand_fen == 0:
        return
    amount = data.draw(st.integers(min_value=1, max_value=before.cash_on_hand_fen))
    deposit = CashMovement(moment.date(), moment + dt.timedelta(seconds=1), -amount, "deposit")
    after = deposit_status([*entries, deposit], deposit.recorded_at)
    assert after.cash_on_hand_fen == before.cash_on_hand_fen - amount >= 0
    assert after.buckets == settle_fifo(before.buckets, amount)
    if amount == before.cash_on_hand_fen:
        assert after.state == "ok" and after.buckets == ()


@settings(max_examples=300, deadline=None)
@given(operations, st.lists(st.integers(min_value=0, max_value=60 * 24 * 12), max_size=12))
def test_without_new_lines_the_state_only_gets_worse_as_time_passes(ops, offsets) -> None:  # type: ignore[no-untyped-def]
    entries = build(ops)
    start = last_moment(entries)
    moments = [start + dt.timedelta(minutes=m) for m in sorted(offsets)]
    ranks = [state_rank(deposit_status(entries, m).state) for m in moments]
    assert ranks == sorted(ranks)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_while_only_taking_cash_the_state_never_improves(ops) -> None:  # type: ignore[no-untyped-def]
    entries = [m for m in build(ops) if m.kind == "payment"]
    moments = [m.recorded_at for m in entries] + [last_moment(entries) + dt.timedelta(days=9)]
    ranks = [state_rank(deposit_status(entries, m).state) for m in moments]
    assert ranks == sorted(ranks)


# --- reading the ledger, and the gate for cash payments ------------------------------------

_codes = itertools.count(1)


def _write_ledger(db: Database, ops: list[tuple[int, str, int]]) -> tuple[Desk, list[dt.datetime]]:
    """The built ledger written through the real ledger service, a day per transaction."""
    with db.write() as s:
        desk = make_desk(s, code=f"T{next(_codes)}")
    entries = build(ops)
    for _date, group in itertools.groupby(entries, key=lambda m: m.business_date):
        with db.write() as s:
            for m in group:
                fen = abs(m.cash_fen)
                cash_line(s, desk, m.kind, fen, m.recorded_at)
    return desk, [m.recorded_at for m in entries]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),
            st.sampled_from(KINDS),
            st.integers(min_value=1, max_value=400_000),
        ),
        max_size=60,
    ),
    st.integers(min_value=0, max_value=14),
)
def test_the_abridged_ledger_gives_the_same_answer_as_the_whole(db, ops, later) -> None:  # type: ignore[no-untyped-def]
    desk, times = _write_ledger(db, ops)
    with db.read() as s:
        whole = movements_of(s, desk.office_id)
        moment = (times[-1] if times else at(MON)) + dt.timedelta(days=later)
        abridged = load_cash_movements(s, desk.office_id)
        assert len(abridged) <= len(whole) + 1
        assert deposit_status(abridged, moment) == deposit_status(whole, moment)
        clock = FixedClock(moment)
        assert current_deposit_status(s, clock, desk.office_id) == deposit_status(whole, moment)
        # Any day's end, read with only that day's history.
        for when in times[:: max(1, len(times) // 5)]:
            end = dt.datetime.combine(when.date(), dt.time(23, 59, 59))
            upto = load_cash_movements(s, desk.office_id, upto=when.date())
            assert deposit_status(upto, end) == deposit_status(whole, end)
            status = current_deposit_status(s, clock, desk.office_id, at=end)
            assert status == deposit_status(whole, end)
            # ... and any moment inside a day, when part of the day is still to come.
            inside = current_deposit_status(s, clock, desk.office_id, at=when)
            assert inside == deposit_status(whole, when)


def test_the_kept_replay_follows_new_lines_and_forgets_rolled_back_ones(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
    clock.set(at(MON, 9))
    with db.write() as s:
        cash_line(s, desk, "payment", 300_000, at(MON, 9))
        assert current_deposit_status(s, clock, desk.office_id).cash_on_hand_fen == 300_000
        cash_line(s, desk, "payment", 200_000, at(MON, 9))
        assert current_deposit_status(s, clock, desk.office_id).cash_on_hand_fen == 500_000
        savepoint = s.begin_nested()
        cash_line(s, desk, "payment", 700_000, at(MON, 9))
        assert current_deposit_status(s, clock, desk.office_id).state == "due_today"
        savepoint.rollback()
        cash_line(s, desk, "deposit", 100_000, at(MON, 9))
        status = current_deposit_status(s, clock, desk.office_id)
        assert status.cash_on_hand_fen == 400_000 and status.state == "ok"
        assert status == deposit_status(movements_of(s, desk.office_id), clock.now())


def test_the_state_can_be_asked_about_an_earlier_moment(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 100_000, at(MON, 9))
        cash_line(s, desk, "payment", 900_000, at(MON, 15))
    clock.set(at(MON, 16))
    with db.read() as s:
        assert current_deposit_status(s, clock, desk.office_id).state == "due_today"
        earlier = current_deposit_status(s, clock, desk.office_id, at=at(MON, 12))
        assert earlier.cash_on_hand_fen == 100_000 and earlier.state == "ok"


def test_an_unknown_office_is_refused(db, clock) -> None:  # type: ignore[no-untyped-def]
    with db.read() as s, pytest.raises(NotFound) as err:
        current_deposit_status(s, clock, 999)
    assert err.value.code == "office_not_found"


@pytest.fixture
def overdue_desk(db: Database, clock: FixedClock) -> Desk:
    """9,500.00 collected on 2023-11-06 and never deposited; now it is 11-13."""
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 950_000, at(MON, 10))
    clock.set(at(day(7), 9))
    return desk
