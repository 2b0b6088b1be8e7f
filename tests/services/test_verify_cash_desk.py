"""verify-ledger and the anchors know the cash desk's lines (issues 9 and 10).

A shortage booked at a close (an ``adjustment`` line), made up the next day (a
``cash_in`` line) and a refund application (a refund line carrying 0) are
each an act with exactly its line: the history verifies, the perpetual totals
carry the over/short, and an edited adjustment line is caught.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from factories import PASSWORD, make_desk, make_enrollment, policies
from sqlalchemy import select
from tamper_helpers import rehash_ledger, reseal_stored_anchors, tamper_copy

from db.engine import Database
from db.models import AuditEntry, CashDifference, LedgerEntry
from services.anchors import grand_totals
from services.clock import FixedClock
from services.close_preview import preview_close
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.over_short import settle_difference
from services.payments import take_payment
from services.refunds import refund_payment
from services.verification import verify_everything
from services.verification_model import Verification, VerifyRequest

SHORT_FEN = 2_000  # 20.00 short at the first close


def _verify(path: Path, anchors: tuple[str, ...] = ()) -> Verification:
    db = Database(f"sqlite:///{path}")
    try:
        with db.read() as s:
            return verify_everything(s, VerifyRequest(anchors=anchors))
    finally:
        db.dispose()


def _failed(result: Verification) -> dict[str, list[str]]:
    return {c.name: [f.message for f in c.findings] for c in result.checks if not c.ok}


def _history(db: Database, clock: FixedClock) -> tuple[list[str], int]:
    """Day 1: two cash payments, a POS payment refunded by application, a close
    20.00 short. Day 2: the clerk makes the shortage up, a close that balances."""
    with db.write() as s:
        desk = make_desk(s)
        ids = [make_enrollment(s, desk, name=f"居民{i}") for i in range(3)]
    clock.set(dt.datetime(2023, 11, 6, 9, 0))
    paid = []
    for enrollment_id, channel in zip(ids, ("cash", "cash", "pos"), strict=True):
        clock.advance(minutes=5)
        with db.write() as s:
            paid.append(
                take_payment(
                    s,
                    clock,
                    policies(),
                    enrollment_id=enrollment_id,
                    amount="380",
                    channel=channel,
                    reference="" if channel == "cash" else "POS-1",
                    operator_id=desk.clerk_id,
                )
            )
    clock.advance(minutes=10)
    with db.write() as s:
        refund = refund_payment(
            s,
            clock,
            payment_id=paid[2].payment_id,
            reason="本人申请退保",
            approver_id=desk.supervisor_id,
            approver_password=PASSWORD,
            operator_id=desk.clerk_id,
        )
    assert refund.method == "application" and refund.cash_out_fen == 0
    anchors = []
    clock.advance(hours=6)
    with db.write() as s:
        expected = preview_close(s, clock, office_id=desk.office_id, denominations={}).expected_fen
        first = close_day(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            denominations=count_for_amount(expected - SHORT_FEN),
            difference_reason="找零多付",
            supervisor_id=desk.supervisor_id,
            supervisor_password=PASSWORD,
        )
    assert first.seal is not None and first.seal.check_ok, first.seal
    assert first.seal.totals.adjusted_fen == -SHORT_FEN
    anchors.append(first.seal.anchor_text)
    clock.set(dt.datetime(2023, 11, 7, 9, 0))
    with db.write() as s:
        case = s.scalars(select(CashDifference)).one()
        settle_difference(
            s,
            clock,
            difference_id=case.id,
            action="cash_in",
            amount="20",
            operator_id=desk.clerk_id,
            reason="经办人补足",
        )
    clock.advance(hours=8)
    with db.write() as s:
        expected = preview_close(s, clock, office_id=desk.office_id, denominations={}).expected_fen
        second = close_day(
            s,
            clock,
            office_id=desk.office_id,
            operator_id=desk.clerk_id,
            denominations=count_for_amount(expected),
        )
    assert second.seal is not None and second.seal.check_ok, second.seal
    anchors.append(second.seal.anchor_text)
    return anchors, desk.office_id


def test_a_day_with_a_shortage_booked_and_made_up_verifies(
    db: Database, db_path: Path, clock: FixedClock
) -> None:
    anchors, office_id = _history(db, clock)
    with db.read() as s:
        kinds = [k for (k,) in s.execute(select(LedgerEntry.kind).order_by(LedgerEntry.seq))]
        last = s.scalar(select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()).limit(1))
        assert last is not None
        totals = grand_totals(s, office_id, last)
        refund_line = s.execute(
            select(LedgerEntry.amount_fen, LedgerEntry.cash_fen).where(LedgerEntry.kind == "refund")
        ).one()
    assert kinds == ["payment", "payment", "payment", "refund", "adjustment", "cash_in"]
    assert tuple(refund_line) == (0, 0)  # an application
    # made up in full: the perpetual over/short is back to 0; the application
    # moved no money at the counter
    assert (totals.collected_fen, totals.refunded_fen, totals.adjusted_fen) == (114_000, 0, 0)
    with db.read() as s:
        # each act of the cash desk is in the audit journal (issue 10)
        journal = [(e.action, e.details) for e in s.scalars(select(AuditEntry))]
    actions = [a for a, _d in journal]
    for action in ("payment_refunded", "cash_difference_booked", "cash_difference_settled"):
        assert action in actions
    assert any(a == "payment_refunded" and '"method":"application"' in d for a, d in journal)
    db.dispose()
    result = _verify(db_path, tuple(anchors))
    assert result.ok, _failed(result)


def test_an_edited_adjustment_line_is_caught(
    db: Database, db_path: Path, clock: FixedClock, tmp_path: Path
) -> None:
    anchors, office_id = _history(db, clock)
    db.dispose()
    conn = tamper_copy(db_path, tmp_path)
    # the shortage made smaller in the ledger, the chain re-hashed
    conn.execute(
        "UPDATE ledger_entry SET amount_fen = -500, cash_fen = -500 WHERE kind = 'adjustment'"
    )
    rehash_ledger(conn, office_id)
    conn.commit()
    conn.close()
    copy = tmp_path / "copy.sqlite3"
    failed = _failed(_verify(copy))
    assert "ledger_chain" not in failed  # the hashes are valid
    assert any("日结长短款行没有对应的长短款记录" in m for m in failed["ledger_acts"])
    assert any("缺 1 行" in m for m in failed["ledger_acts"])
    assert any("长短款" in m and "不符" in m for m in failed["closed_days"])
    # even with the anchors inside the file re-made, the printed ones disagree
    reseal_stored_anchors(copy)
    failed = _failed(_verify(copy, tuple(anchors)))
    assert "paper_anchors" in failed and "ledger_acts" in failed


def test_a_forged_cash_in_line_is_caught(
    db: Database, db_path: Path, clock: FixedClock, tmp_path: Path
) -> None:
    _anchors, office_id = _history(db, clock)
    db.dispose()
    conn = tamper_copy(db_path, tmp_path)
    last = conn.execute("SELECT * FROM ledger_entry ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO ledger_entry (office_id, seq, kind, business_date, recorded_at, operator_id,"
        " channel, amount_fen, cash_fen, tier, reference, memo, prev_hash, hash)"
        " VALUES (?, ?, 'cash_in', ?, ?, ?, 'cash', 9000, 9000, '', '', '', '', '')",
        (
            office_id,
            last["seq"] + 1,
            last["business_date"],
            last["recorded_at"],
            last["operator_id"],
        ),
    )
    rehash_ledger(conn, office_id)
    conn.commit()
    conn.close()
    failed = _failed(_verify(tmp_path / "copy.sqlite3"))
    assert "ledger_chain" not in failed
    assert any("补足短款行没有对应的长短款记录" in m for m in failed["ledger_acts"])
