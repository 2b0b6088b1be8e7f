"""The hash-chained ledger, the append-only triggers and gapless numbering."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from factories import Desk, make_desk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError

from db.engine import Database
from db.guards import drop_everything
from db.immutability import APPEND_ONLY_MESSAGE
from db.models import LedgerEntry, LedgerHead, NumberSeries
from services.ledger import GENESIS_HASH, HASHED_FIELDS, append_entry, entry_hash, verify_ledger
from services.numbering import peek_next_number, take_next_number

DAY = dt.date(2023, 11, 6)
AT = dt.datetime(2023, 11, 6, 9, 30)


def _append(db: Database, desk: Desk, amounts: list[int], *, office_id: int | None = None) -> None:
    with db.write() as s:
        for i, amount in enumerate(amounts):
            append_entry(
                s,
                office_id=office_id or desk.office_id,
                kind="payment",
                business_date=DAY,
                recorded_at=AT + dt.timedelta(minutes=i),
                operator_id=desk.clerk_id,
                channel="cash",
                amount_fen=amount,
                cash_fen=amount,
                tier="low",
                memo=f"第{i}笔",
            )


@pytest.fixture
def desk(db: Database) -> Desk:
    with db.write() as s:
        return make_desk(s)


def _tamper(db: Database, sql: str) -> None:
    with db.engine.begin() as conn:
        drop_everything(conn)
        conn.exec_driver_sql(sql)


def test_chain_links_each_line_to_the_previous(db: Database, desk: Desk) -> None:
    _append(db, desk, [38_000, 101_000, 3_800])
    with db.read() as s:
        lines = s.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
        head = s.get(LedgerHead, desk.office_id)
        assert [line.seq for line in lines] == [1, 2, 3]
        assert lines[0].prev_hash == GENESIS_HASH
        assert lines[1].prev_hash == lines[0].hash and lines[2].prev_hash == lines[1].hash
        assert head is not None and (head.last_seq, head.last_hash) == (3, lines[2].hash)
        result = verify_ledger(s)
    assert result.ok and result.rows_checked == 3 and result.offices_checked == 1


def test_offices_have_separate_chains(db: Database, desk: Desk) -> None:
    with db.write() as s:
        other = make_desk(s, code="XX", name="其他街道")
    _append(db, desk, [100, 200])
    _append(db, desk, [300], office_id=other.office_id)
    with db.read() as s:
        seqs = s.execute(select(LedgerEntry.office_id, LedgerEntry.seq)).all()
        assert sorted(seqs) == sorted(
            [(desk.office_id, 1), (desk.office_id, 2), (other.office_id, 1)]
        )
        assert verify_ledger(s).rows_checked == 3
        assert verify_ledger(s, other.office_id).rows_checked == 1


def test_empty_ledger_verifies(db: Database) -> None:
    with db.read() as s:
        result = verify_ledger(s)
    assert result.ok and result.rows_checked == 0


def test_every_field_is_covered_by_the_hash() -> None:
    base = {name: None for name in HASHED_FIELDS} | {
        "office_id": 1,
        "seq": 1,
        "kind": "payment",
        "business_date": DAY,
        "recorded_at": AT,
        "operator_id": 1,
        "channel": "cash",
        "amount_fen": 100,
        "cash_fen": 100,
        "tier": "",
        "reference": "",
        "memo": "",
        "prev_hash": GENESIS_HASH,
    }
    digest = entry_hash(base)
    for name in HASHED_FIELDS:
        changed = dict(base)
        value = base[name]
        if isinstance(value, str):
            changed[name] = value + "x"
        elif isinstance(value, dt.datetime):
            changed[name] = value + dt.timedelta(seconds=1)
        elif isinstance(value, dt.date):
            changed[name] = value + dt.timedelta(days=1)
        elif value is None:
            changed[name] = 7
        else:
            changed[name] = value + 1
        assert entry_hash(changed) != digest, name


@settings(max_examples=50, deadline=None)
@given(amount=st.integers(min_value=-(10**12), max_value=10**12), memo=st.text(max_size=30))
def test_hash_is_deterministic(amount: int, memo: str) -> None:
    fields = {name: None for name in HASHED_FIELDS} | {
        "office_id": 1,
        "seq": 5,
        "kind": "refund",
        "business_date": DAY,
        "recorded_at": AT,
        "operator_id": 2,
        "channel": "cash",
        "amount_fen": amount,
        "cash_fen": amount,
        "tier": "high",
        "reference": "",
        "memo": memo,
        "prev_hash": "a" * 64,
    }
    assert entry_hash(fields) == entry_hash(dict(reversed(list(fields.items()))))


def test_append_refuses_unknown_kind_and_float(db: Database, desk: Desk) -> None:
    with db.write() as s:
        common = {
            "office_id": desk.office_id,
            "business_date": DAY,
            "recorded_at": AT,
            "operator_id": desk.clerk_id,
            "channel": "cash",
            "cash_fen": 0,
        }
        with pytest.raises(ValueError):
            append_entry(s, kind="gift", amount_fen=1, **common)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            append_entry(s, kind="payment", amount_fen=1.5, **common)  # type: ignore[arg-type]


# --- the database refuses changes ----------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entry SET amount_fen = 1",
        "DELETE FROM ledger_entry",
    ],
)
def test_database_refuses_update_and_delete_of_ledger_lines(
    db: Database, desk: Desk, sql: str
) -> None:
    _append(db, desk, [38_000])
    with pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE):
        with db.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    with db.read() as s:
        assert s.scalar(select(LedgerEntry.amount_fen)) == 38_000


# --- verification finds tampering ----------------------------------------------------


def _first_bad(db: Database):  # type: ignore[no-untyped-def]
    with db.read() as s:
        result = verify_ledger(s)
    assert not result.ok
    return result.first_bad


def test_changed_amount_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200, 300])
    _tamper(db, "UPDATE ledger_entry SET amount_fen = 20000 WHERE seq = 2")
    bad = _first_bad(db)
    assert (bad.seq, bad.code) == (2, "hash_mismatch")
    assert "第 2 行" in bad.describe() and "改动" in bad.describe()


def test_changed_line_with_recomputed_hash_breaks_the_chain(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200, 300])
    with db.read() as s:
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.seq == 2)).one()
        fields = {name: getattr(line, name) for name in HASHED_FIELDS}
    fields["amount_fen"] = 20_000
    forged = entry_hash(fields)
    _tamper(db, f"UPDATE ledger_entry SET amount_fen = 20000, hash = '{forged}' WHERE seq = 2")
    bad = _first_bad(db)
    assert (bad.seq, bad.code) == (3, "chain_break")


def test_deleted_line_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200, 300])
    _tamper(db, "DELETE FROM ledger_entry WHERE seq = 2")
    bad = _first_bad(db)
    assert (bad.seq, bad.code, bad.entry_id) == (2, "missing_row", None)


def test_deleted_last_line_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200, 300])
    _tamper(db, "DELETE FROM ledger_entry WHERE seq = 3")
    bad = _first_bad(db)
    assert (bad.seq, bad.code) == (3, "missing_tail")


def test_deleted_first_line_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200])
    _tamper(db, "DELETE FROM ledger_entry WHERE seq = 1")
    bad = _first_bad(db)
    assert (bad.seq, bad.code) == (1, "missing_row")


def test_inserted_line_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200])
    with db.read() as s:
        line = s.scalars(select(LedgerEntry).where(LedgerEntry.seq == 2)).one()
        fields = {name: getattr(line, name) for name in HASHED_FIELDS}
        last_hash = line.hash
    # A well-forged line after the last one: only the head can tell.
    fields |= {"seq": 3, "amount_fen": 5, "cash_fen": 5, "prev_hash": last_hash}
    with db.write() as s:
        s.add(LedgerEntry(**fields, hash=entry_hash(fields)))
    bad = _first_bad(db)
    assert (bad.seq, bad.code) == (3, "rows_after_head")


def test_head_mismatch_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100, 200])
    _tamper(db, "UPDATE ledger_head SET last_hash = 'f' || substr(last_hash, 2)")
    assert _first_bad(db).code == "head_mismatch"
    _tamper(db, "UPDATE ledger_head SET last_seq = 1")
    assert _first_bad(db).code == "rows_after_head"


def test_missing_head_is_found(db: Database, desk: Desk) -> None:
    _append(db, desk, [100])
    _tamper(db, "DELETE FROM ledger_head")
    assert _first_bad(db).code == "head_missing"


# --- numbering -----------------------------------------------------------------------


def test_numbers_are_gapless_and_per_series(db: Database, desk: Desk) -> None:
    with db.write() as s:
        assert [take_next_number(s, desk.office_id, "LT2023") for _ in range(3)] == [1, 2, 3]
        assert take_next_number(s, desk.office_id, "N2023") == 1
        assert peek_next_number(s, desk.office_id, "LT2023") == 4
        assert peek_next_number(s, desk.office_id, "LT2099") == 1


def test_rolled_back_number_is_given_again(db: Database, desk: Desk) -> None:
    with db.write() as s:
        assert take_next_number(s, desk.office_id, "LT2023") == 1
    with pytest.raises(RuntimeError), db.write() as s:
        assert take_next_number(s, desk.office_id, "LT2023") == 2
        raise RuntimeError("the payment failed")
    with db.write() as s:
        assert take_next_number(s, desk.office_id, "LT2023") == 2
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(NumberSeries)) == 1


# --- the link to the previous line, as a property --------------------------------------


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(min_value=1, max_value=10**8)),
        min_size=1,
        max_size=12,
    )
)
def test_any_interleaving_of_two_offices_links_each_line_to_its_own_previous(
    db: Database, moves: list[tuple[bool, int]]
) -> None:
    """The second guard of the link (the first follows three fixed lines): lines
    appended to two offices in any order each carry, as ``prev_hash``, the hash
    of the line before them in their own office (the genesis hash for the first),
    every stored hash is the hash of its own fields, and each head holds the last."""
    with db.write() as s:
        ours = [make_desk(s, code=f"P{next(_OFFICE_CODES)}") for _ in range(2)]
    for to_second, amount in moves:
        desk = ours[1] if to_second else ours[0]
        _append(db, desk, [amount])
    with db.read() as s:
        for desk in ours:
            lines = s.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.office_id == desk.office_id)
                .order_by(LedgerEntry.seq)
            ).all()
            previous = GENESIS_HASH
            for expected_seq, line in enumerate(lines, start=1):
                assert line.seq == expected_seq
                assert line.prev_hash == previous
                assert line.hash == entry_hash({n: getattr(line, n) for n in HASHED_FIELDS})
                previous = line.hash
            head = s.get(LedgerHead, desk.office_id)
            if lines:
                assert head is not None and (head.last_seq, head.last_hash) == (
                    len(lines),
                    previous,
                )
        assert verify_ledger(s).ok


_OFFICE_CODES = itertools.count()
