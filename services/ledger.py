"""The cash ledger (台账): append-only lines, hash-chained per office.

Each line's ``hash`` is SHA-256 over a canonical serialisation of its fields
and the previous line's hash (``prev_hash``); the first line of an office
chains to :data:`GENESIS_HASH`. The office's :class:`LedgerHead` holds the
last sequence number and hash and is advanced in the same transaction as the
line, which also makes a second writer wait (PostgreSQL row lock; on SQLite
the write transaction already holds the database lock).

The database refuses UPDATE and DELETE on ledger lines (``db/immutability.py``);
:func:`verify_ledger` catches what the triggers cannot: a copy of the database
edited with the triggers dropped. It reports the first bad line: a changed
field (hash mismatch), a removed line (sequence gap or chain break), a line
added after the head, or a head that does not match the last line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import LedgerEntry, LedgerHead
from services.chain import append_link

GENESIS_HASH = "0" * 64
KINDS = ("payment", "void", "refund", "deposit", "adjustment", "cash_in", "cash_out")
#: Version of the canonical form, hashed with the fields: a future change of
#: the form can be told apart from tampering.
HASH_VERSION = 1
#: The fields a line's hash covers, in this order; ``id`` is not among them
#: (the database assigns it after the hash is made), ``seq`` and ``office_id`` are.
HASHED_FIELDS = (
    "office_id",
    "seq",
    "kind",
    "business_date",
    "recorded_at",
    "operator_id",
    "channel",
    "amount_fen",
    "cash_fen",
    "payment_id",
    "receipt_id",
    "refund_id",
    "deposit_id",
    "resident_id",
    "village_id",
    "tier",
    "reference",
    "memo",
    "prev_hash",
)
_STREAM_BATCH = 2000


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"cannot hash a {type(value).__name__}")


def entry_hash(fields: Mapping[str, Any] | RowMapping) -> str:
    """SHA-256 (hex) of a ledger line's :data:`HASHED_FIELDS`, canonically serialised."""
    payload = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    payload["v"] = HASH_VERSION
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_head(session: Session, office_id: int) -> LedgerHead:
    """The office's head row, locked for this transaction; created if missing."""
    stmt = (
        select(LedgerHead)
        .where(LedgerHead.office_id == office_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalars(stmt).first()
    if head is not None:
        return head
    dialect = session.get_bind().dialect.name
    values = {"office_id": office_id, "last_seq": 0, "last_hash": GENESIS_HASH}
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(LedgerHead).values(**values).on_conflict_do_nothing())
    return session.scalars(stmt).one()


def append_entry(
    session: Session,
    *,
    office_id: int,
    kind: str,
    business_date: dt.date,
    recorded_at: dt.datetime,
    operator_id: int,
    channel: str,
    amount_fen: int,
    cash_fen: int,
    payment_id: int | None = None,
    receipt_id: int | None = None,
    refund_id: int | None = None,
    deposit_id: int | None = None,
    resident_id: int | None = None,
    village_id: int | None = None,
    tier: str = "",
    reference: str = "",
    memo: str = "",
) -> LedgerEntry:
    """Write the next line of ``office_id``'s ledger in the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger kind {kind!r}")
    for name, value in (("amount_fen", amount_fen), ("cash_fen", cash_fen)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int of fen")
    session.flush()
    head = _lock_head(session, office_id)
    fields: dict[str, Any] = {
        "office_id": office_id,
        "seq": head.last_seq + 1,
        "kind": kind,
        "business_date": business_date,
        "recorded_at": recorded_at,
        "operator_id": operator_id,
        "channel": channel,
        "amount_fen": amount_fen,
        "cash_fen": cash_fen,
        "payment_id": payment_id,
        "receipt_id": receipt_id,
        "refund_id": refund_id,
        "deposit_id": deposit_id,
        "resident_id": resident_id,
        "village_id": village_id,
        "tier": tier,
        "reference": reference,
        "memo": memo,
        "prev_hash": head.last_hash,
    }
    return append_link(session, head, LedgerEntry, fields, entry_hash)


# --- verification ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BadRow:
    """The first place where the ledger is not what was written."""

    office_id: int
    seq: int | None
    entry_id: int | None
    code: str  # hash_mismatch | chain_break | missing_row | seq_order | head_* | …
    why: str  # Chinese, for the person running the check

    def describe(self) -> str:
        where = f"单位 {self.office_id}"
        if self.seq is not None:
            where += f" 第 {self.seq} 行"
        if self.entry_id is not None:
            where += f"（id {self.entry_id}）"
        return f"{where}：{self.why}"


@dataclasses.dataclass(frozen=True)
class LedgerVerification:
    rows_checked: int
    offices_checked: int
    first_bad: BadRow | None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def _office_ids(session: Session, office_id: int | None) -> list[int]:
    if office_id is not None:
        return [office_id]
    from_lines = session.scalars(select(LedgerEntry.office_id).distinct()).all()
    from_heads = session.scalars(select(LedgerHead.office_id)).all()
    return sorted(set(from_lines) | set(from_heads))


def _stream_lines(session: Session, office_id: int, after_seq: int = 0) -> Iterator[RowMapping]:
    table = LedgerEntry.__table__
    stmt = (
        select(table)
        .where(table.c.office_id == office_id, table.c.seq > after_seq)
        .order_by(table.c.seq, table.c.id)
        .execution_options(yield_per=_STREAM_BATCH)
    )
    for row in session.execute(stmt):
        yield row._mapping


def _verify_office(
    session: Session, office_id: int, after_seq: int = 0, after_hash: str = GENESIS_HASH
) -> tuple[int, BadRow | None]:
    """Check the office's chain; from line ``after_seq + 1`` on when a caller
    trusts the chain up to a line whose hash ``after_hash`` it already checked
    (the incremental check at a day close, services/verification.py)."""
    checked = 0
    expected_seq = after_seq + 1
    prev_hash = after_hash
    last_id: int | None = None
    for line in _stream_lines(session, office_id, after_seq):
        seq, line_id = line["seq"], line["id"]
        if seq > expected_seq:
            return checked, BadRow(
                office_id,
                expected_seq,
                None,
                "missing_row",
                f"该行缺失（下一行是第 {seq} 行，id {line_id}）：台账记录被删除",
            )
        if seq < expected_seq:
            return checked, BadRow(
                office_id, seq, line_id, "seq_order", "序号重复或顺序错乱：台账记录被插入或改动"
            )
        if line["prev_hash"] != prev_hash:
            return checked, BadRow(
                office_id,
                seq,
                line_id,
                "chain_break",
                "与上一行的哈希链接断开：上一行被改动、删除或替换",
            )
        if entry_hash(line) != line["hash"]:
            return checked, BadRow(
                office_id, seq, line_id, "hash_mismatch", "内容与其哈希不符：该行记录被改动"
            )
        checked += 1
        expected_seq += 1
        prev_hash = line["hash"]
        last_id = line_id
    return checked, _check_head(session, office_id, expected_seq - 1, last_id, prev_hash)


def _check_head(
    session: Session, office_id: int, last_seq: int, last_id: int | None, last_hash: str
) -> BadRow | None:
    """The chain's head agrees with the last line read: no line missing at the
    end, none after the head, and the same hash."""
    head = session.get(LedgerHead, office_id, populate_existing=True)
    if head is None:
        if last_seq == 0:
            return None
        return BadRow(office_id, last_seq, last_id, "head_missing", "台账链头记录缺失")
    if head.last_seq > last_seq:
        return BadRow(
            office_id,
            last_seq + 1,
            None,
            "missing_tail",
            f"第 {last_seq + 1}–{head.last_seq} 行缺失：台账末尾的记录被删除",
        )
    if head.last_seq < last_seq:
        return BadRow(
            office_id,
            head.last_seq + 1,
            None,
            "rows_after_head",
            f"第 {head.last_seq + 1} 行起的记录在链头之后：台账记录被插入",
        )
    if head.last_hash != last_hash:
        return BadRow(
            office_id, last_seq, last_id, "head_mismatch", "末行哈希与链头不符：台账被改动"
        )
    return None


def verify_ledger(session: Session, office_id: int | None = None) -> LedgerVerification:
    """Check every office's chain (or one office's); stop at the first bad line."""
    total = 0
    offices = _office_ids(session, office_id)
    for oid in offices:
        checked, bad = _verify_office(session, oid)
        total += checked
        if bad is not None:
            return LedgerVerification(total, len(offices), bad)
    return LedgerVerification(total, len(offices), None)
