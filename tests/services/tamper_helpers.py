"""A two-day office history with printed anchors, and the tools of a tamperer.

The tamperer knows the program (the source is public): they drop every trigger
on a copy of the file, edit rows and re-hash the chains with the program's own
functions. What they cannot change is the paper already printed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from factories import make_desk, make_enrollment, policies

from db.engine import Database
from db.guards import drop_everything
from services.audit import GENESIS_HASH as AUDIT_GENESIS
from services.audit import audit_hash
from services.clock import FixedClock
from services.close_preview import preview_close
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.deposits import record_deposit
from services.ledger import GENESIS_HASH, entry_hash
from services.payments import take_payment


@dataclass
class History:
    path: Path
    anchors: list[str]  # as printed on each day's 日结单
    receipts: list[tuple[str, str]]  # (receipt_no, printed 校验码)
    clerk_id: int
    supervisor_id: int


def _close(db: Database, clock: FixedClock, office_id: int, clerk_id: int) -> str:
    with db.write() as s:
        expected = preview_close(s, clock, office_id=office_id, denominations={}).expected_fen
        result = close_day(
            s,
            clock,
            office_id=office_id,
            operator_id=clerk_id,
            denominations=count_for_amount(expected),
        )
    assert result.seal is not None and result.seal.check_ok, result.seal
    return result.seal.anchor_text


def build_history(db: Database, db_path: Path, clock: FixedClock) -> History:
    """Day 1: three cash payments, a deposit, close. Day 2: two payments, close."""
    from services.anchors import receipt_code_for

    with db.write() as s:
        desk = make_desk(s)
        ids = [make_enrollment(s, desk, name=f"居民{i}") for i in range(5)]
    anchors: list[str] = []
    receipts: list[tuple[str, str]] = []
    for day, batch in ((0, ids[:3]), (1, ids[3:])):
        clock.set(dt.datetime(2023, 11, 6 + day, 9, 0))
        for enrollment_id in batch:
            clock.advance(minutes=5)
            with db.write() as s:
                paid = take_payment(
                    s,
                    clock,
                    policies(),
                    enrollment_id=enrollment_id,
                    amount="380",
                    channel="cash",
                    reference="",
                    operator_id=desk.clerk_id,
                )
                assert paid.receipt_id is not None and paid.receipt_no is not None
                code = receipt_code_for(s, paid.receipt_id)
                assert code is not None
                receipts.append((paid.receipt_no, code))
        if day == 0:
            clock.advance(minutes=30)
            with db.write() as s:
                record_deposit(
                    s,
                    clock,
                    office_id=desk.office_id,
                    amount="760",
                    channel="bank",
                    slip_no="S-001",
                    operator_id=desk.clerk_id,
                )
        clock.advance(hours=6)
        anchors.append(_close(db, clock, desk.office_id, desk.clerk_id))
    db.dispose()
    return History(db_path, anchors, receipts, desk.clerk_id, desk.supervisor_id)


def tamper_copy(original: Path, tmp_path: Path, name: str = "copy.sqlite3") -> sqlite3.Connection:
    """A copy of the file with every trigger dropped, open for editing."""
    copy = tmp_path / name
    shutil.copyfile(original, copy)
    db = Database(f"sqlite:///{copy}")
    with db.engine.begin() as conn:
        drop_everything(conn)
    db.dispose()
    conn = sqlite3.connect(copy)
    conn.row_factory = sqlite3.Row
    return conn


def _parse(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "date":
        return dt.date.fromisoformat(str(value))
    return dt.datetime.fromisoformat(str(value))


def rehash_ledger(conn: sqlite3.Connection, office_id: int) -> None:
    """Re-make every hash of the office's chain and its head, as the program would."""
    prev = GENESIS_HASH
    rows = conn.execute(
        "SELECT * FROM ledger_entry WHERE office_id = ? ORDER BY seq", (office_id,)
    ).fetchall()
    for row in rows:
        fields = dict(row)
        fields["business_date"] = _parse(fields["business_date"], "date")
        fields["recorded_at"] = _parse(fields["recorded_at"], "datetime")
        fields["prev_hash"] = prev
        digest = entry_hash(fields)
        conn.execute(
            "UPDATE ledger_entry SET prev_hash = ?, hash = ? WHERE id = ?",
            (prev, digest, row["id"]),
        )
        prev = digest
    last = rows[-1]["seq"] if rows else 0
    conn.execute(
        "UPDATE ledger_head SET last_seq = ?, last_hash = ? WHERE office_id = ?",
        (last, prev, office_id),
    )


def rehash_audit(conn: sqlite3.Connection) -> None:
    prev = AUDIT_GENESIS
    rows = conn.execute("SELECT * FROM audit_entry ORDER BY seq").fetchall()
    for row in rows:
        fields = dict(row)
        fields["at"] = _parse(fields["at"], "datetime")
        fields["prev_hash"] = prev
        digest = audit_hash(fields)
        conn.execute(
            "UPDATE audit_entry SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row["id"])
        )
        prev = digest
    conn.execute(
        "UPDATE audit_head SET last_seq = ?, last_hash = ?", (rows[-1]["seq"] if rows else 0, prev)
    )


def reseal_stored_anchors(path: Path) -> None:
    """Re-make the anchors kept inside the database to fit the edited chains,
    and the close rows' figures: everything but the paper."""
    from sqlalchemy import select

    from db.models import DayAnchor, DayClose
    from services.anchors import anchor_code, grand_totals
    from services.audit import audit_hash_at
    from services.day_totals import day_totals
    from services.ledger import GENESIS_HASH as LEDGER_GENESIS

    db = Database(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        drop_everything(conn)
    with db.write() as s:
        for close in s.scalars(select(DayClose)):
            t = day_totals(s, close.office_id, close.business_date)
            close.cash_received_fen = t.cash_received_fen
            close.cash_refunded_fen = t.cash_out_fen
            close.deposited_fen = t.deposited_fen
        for row in s.scalars(select(DayAnchor)):
            from db.models import LedgerEntry

            seq = min(
                row.ledger_seq,
                s.scalar(
                    select(LedgerEntry.seq)
                    .where(LedgerEntry.office_id == row.office_id)
                    .order_by(LedgerEntry.seq.desc())
                    .limit(1)
                )
                or 0,
            )
            ledger_hash = (
                s.scalar(
                    select(LedgerEntry.hash).where(
                        LedgerEntry.office_id == row.office_id, LedgerEntry.seq == seq
                    )
                )
                or LEDGER_GENESIS
            )
            audit_digest = audit_hash_at(s, row.audit_seq) or AUDIT_GENESIS
            totals = grand_totals(s, row.office_id, seq)
            row.ledger_seq = seq
            row.ledger_hash = ledger_hash
            row.audit_hash = audit_digest
            row.total_collected_fen = totals.collected_fen
            row.total_voided_fen = totals.voided_fen
            row.total_refunded_fen = totals.refunded_fen
            row.total_deposited_fen = totals.deposited_fen
            row.total_adjusted_fen = totals.adjusted_fen
            row.code = anchor_code(
                office_id=row.office_id,
                date=row.business_date,
                ledger_seq=seq,
                ledger_hash=ledger_hash,
                audit_seq=row.audit_seq,
                audit_hash=audit_digest,
                totals=totals,
            )
    db.dispose()
