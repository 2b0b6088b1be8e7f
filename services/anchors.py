"""Anchors outside the database: what the day-close sheet and receipts print.

A hash chain whose only anchor is inside the database it protects can be
re-hashed from start to end. So at every day close the state of both chains —
the office's cash ledger and the audit journal — is written on the signed
日结单 as an *anchor*::

    20231108-1-57-203-K7QF-3MZP-X2AB-9RTD
    (date - office id - ledger line - journal line - code)

The code is 16 characters (Crockford base32, 80 bits) of SHA-256 over the
office, the date, both chain positions and hashes, and the office's perpetual
grand totals (collected, voided, refunded, deposited since the office began,
summed from the ledger lines and never reset). :func:`check_anchor` recomputes
the code from the database: a cut tail (the anchored line is gone), a chain
rewritten before the anchor (the hash differs) or changed totals all fail it,
naming the day. The same text is printed as a QR code.

Each receipt prints a 校验码 (:func:`receipt_check_code`): 8 characters derived
from its ledger line's hash, which ``verify-ledger --receipt-code NO=CODE``
checks against the database. So do the deposit register (``--deposit-code``),
the 缴费凭证 of a non-cash payment (:func:`voucher_check_code`,
``--voucher-code PZ-…=CODE``) and the 退费单 / 退费申请表 of a refund
(:func:`refund_check_code`, ``--refund-code TF-…=CODE``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import InputError
from db.models import DayAnchor, Deposit, LedgerEntry, Receipt
from services.audit import audit_hash_at, audit_head

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_B32, _CROCKFORD)
#: typed look-alikes read as what they must have been
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ANCHOR_RE = re.compile(r"^(\d{8})-(\d+)-(\d+)-(\d+)-([0-9A-Z]{16})$")


def _short(digest: bytes, chars: int) -> str:
    return base64.b32encode(digest).decode("ascii").translate(_TO_CROCKFORD)[:chars]


def _group(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@dataclasses.dataclass(frozen=True)
class GrandTotals:
    """Perpetual totals of an office, in fen, through one ledger line."""

    collected_fen: int
    voided_fen: int
    refunded_fen: int
    deposited_fen: int
    #: net cash of the over/short lines: differences booked at a
    #: close (``adjustment``), shortages made up (``cash_in``), overages
    #: returned (``cash_out``); + more cash, − less
    adjusted_fen: int = 0


#: The ledger kinds summed into :attr:`GrandTotals.adjusted_fen`.
ADJUSTING_KINDS = ("adjustment", "cash_in", "cash_out")


def grand_totals(
    session: Session,
    office_id: int,
    through_seq: int,
    base: tuple[int, GrandTotals] | None = None,
) -> GrandTotals:
    """Summed from the ledger lines 1 … ``through_seq``: nothing can reset them.

    ``base`` = (line, totals through that line) of an anchor already checked:
    only the lines after it are summed and added (the day close's seal)."""
    after = 0 if base is None else base[0]
    rows = session.execute(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount_fen), 0))
        .where(
            LedgerEntry.office_id == office_id,
            LedgerEntry.seq > after,
            LedgerEntry.seq <= through_seq,
        )
        .group_by(LedgerEntry.kind)
    ).all()
    by_kind = {kind: int(total) for kind, total in rows}
    start = GrandTotals(0, 0, 0, 0, 0) if base is None else base[1]
    return GrandTotals(
        collected_fen=start.collected_fen + by_kind.get("payment", 0),
        voided_fen=start.voided_fen - by_kind.get("void", 0),
        refunded_fen=start.refunded_fen - by_kind.get("refund", 0),
        deposited_fen=start.deposited_fen + abs(by_kind.get("deposit", 0)),
        adjusted_fen=start.adjusted_fen + sum(by_kind.get(k, 0) for k in ADJUSTING_KINDS),
    )


def anchor_code(
    *,
    office_id: int,
    date: dt.date,
    ledger_seq: int,
    ledger_hash: str,
    audit_seq: int,
    audit_hash: str,
    totals: GrandTotals,
) -> str:
    """The 16-character code of an anchor (no dashes)."""
    text = "|".join(
        str(part)
        for part in (
            "yibao-anchor-v1",
            office_id,
            date.isoformat(),
            ledger_seq,
            ledger_hash,
            audit_seq,
            audit_hash,
            totals.collected_fen,
            totals.voided_fen,
            totals.refunded_fen,
            totals.deposited_fen,
            totals.adjusted_fen,
        )
    )
    return _short(hashlib.sha256(text.encode("utf-8")).digest(), 16)


@dataclasses.dataclass(frozen=True)
class Anchor:
    office_id: int
    date: dt.date
    ledger_seq: int
    audit_seq: int
    code: str  # 16 characters, no dashes

    @property
    def text(self) -> str:
        """As printed and typed: ``YYYYMMDD-office-line-journal-XXXX-XXXX-XXXX-XXXX``."""
        return (
            f"{self.date:%Y%m%d}-{self.office_id}-{self.ledger_seq}-{self.audit_seq}-"
            f"{_group(self.code)}"
        )


def parse_anchor(text: str) -> Anchor:
    """Read an anchor as typed from paper (spaces ignored, look-alikes forgiven)."""
    raw = re.sub(r"\s+", "", text or "").upper()
    parts = raw.split("-")
    if len(parts) >= 5:
        raw = "-".join(parts[:4]) + "-" + "".join(parts[4:]).translate(_TYPED)
    m = _ANCHOR_RE.fullmatch(raw)
    if m is None:
        raise InputError(
            f"锚点格式不对：{text.strip()}（应为 日期-单位-台账行号-日志号-16位校验码，"
            "如 20231108-1-57-203-K7QF-3MZP-X2AB-9RTD）",
            code="bad_anchor",
        )
    try:
        date = dt.datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        raise InputError(f"锚点中的日期不对：{m.group(1)}", code="bad_anchor") from None
    return Anchor(int(m.group(2)), date, int(m.group(3)), int(m.group(4)), m.group(5))


def _ledger_hash_at(session: Session, office_id: int, seq: int) -> str | None:
    from services.ledger import GENESIS_HASH

    if seq == 0:
        return GENESIS_HASH
    return session.scalars(
        select(LedgerEntry.hash).where(LedgerEntry.office_id == office_id, LedgerEntry.seq == seq)
    ).first()


def current_anchor(
    session: Session,
    office_id: int,
    date: dt.date,
    base: tuple[int, GrandTotals] | None = None,
) -> tuple[Anchor, GrandTotals]:
    """The anchor of the chains as they stand now (for a close being written);
    ``base`` as for :func:`grand_totals`."""
    from services.ledger import GENESIS_HASH

    head = session.execute(
        select(LedgerEntry.seq, LedgerEntry.hash)
        .where(LedgerEntry.office_id == office_id)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).first()
    ledger_seq, ledger_hash = (0, GENESIS_HASH) if head is None else (head[0], head[1])
    audit_seq, audit_digest = audit_head(session)
    if base is not None and base[0] > ledger_seq:
        base = None
    totals = grand_totals(session, office_id, ledger_seq, base)
    code = anchor_code(
        office_id=office_id,
        date=date,
        ledger_seq=ledger_seq,
        ledger_hash=ledger_hash,
        audit_seq=audit_seq,
        audit_hash=audit_digest,
        totals=totals,
    )
    return Anchor(office_id, date, ledger_seq, audit_seq, code), totals


def check_anchor(
    session: Session, anchor: Anchor, *, totals: GrandTotals | None = None
) -> str | None:
    """None when the database still matches this printed anchor, else why not (Chinese).

    ``totals`` may be handed in by a caller that already summed the ledger up
    to the anchor's line (the check of every stored anchor does, in one pass).
    """
    day = f"{anchor.date:%Y-%m-%d} 日结单上的锚点"
    ledger_hash = _ledger_hash_at(session, anchor.office_id, anchor.ledger_seq)
    if ledger_hash is None:
        return f"{day}：台账第 {anchor.ledger_seq} 行已不存在（台账末尾被截去）"
    audit_digest = audit_hash_at(session, anchor.audit_seq)
    if audit_digest is None:
        return f"{day}：审计日志第 {anchor.audit_seq} 条已不存在（日志末尾被截去）"
    if totals is None:
        totals = grand_totals(session, anchor.office_id, anchor.ledger_seq)
    code = anchor_code(
        office_id=anchor.office_id,
        date=anchor.date,
        ledger_seq=anchor.ledger_seq,
        ledger_hash=ledger_hash,
        audit_seq=anchor.audit_seq,
        audit_hash=audit_digest,
        totals=totals,
    )
    if code != anchor.code:
        return (
            f"{day}：与数据库不符（此前的台账或审计日志被改写，或锚点抄错），"
            f"数据库算出 {_group(code)}"
        )
    return None


def stored_anchor(session: Session, office_id: int, date: dt.date) -> DayAnchor | None:
    return session.scalars(
        select(DayAnchor).where(DayAnchor.office_id == office_id, DayAnchor.business_date == date)
    ).first()


def anchor_of_row(row: DayAnchor) -> Anchor:
    return Anchor(row.office_id, row.business_date, row.ledger_seq, row.audit_seq, row.code)


# --- receipt check codes ----------------------------------------------------------------


def receipt_check_code(receipt_no: str, line_hash: str) -> str:
    """The 校验码 printed on a receipt: ``XXXX-XXXX`` from its ledger line."""
    text = f"yibao-receipt-v1|{receipt_no}|{line_hash}"
    return _group(_short(hashlib.sha256(text.encode("utf-8")).digest(), 8))


def receipt_code_for(session: Session, receipt_id: int) -> str | None:
    """The check code of a stored receipt (None when it has no ledger line)."""
    row = session.execute(
        select(Receipt.receipt_no, LedgerEntry.hash)
        .join(LedgerEntry, LedgerEntry.receipt_id == Receipt.id)
        .where(Receipt.id == receipt_id, LedgerEntry.kind == "payment")
        .order_by(LedgerEntry.seq)
        .limit(1)
    ).first()
    return None if row is None else receipt_check_code(row[0], row[1])


def deposit_check_code(slip_no: str, line_hash: str) -> str:
    """The 校验码 printed for a deposit (入库) on the deposit register."""
    text = f"yibao-deposit-v1|{slip_no}|{line_hash}"
    return _group(_short(hashlib.sha256(text.encode("utf-8")).digest(), 8))


def deposit_codes(session: Session, deposit_ids: list[int]) -> dict[int, str]:
    """Check codes of stored deposits, by deposit id (those with a ledger line)."""
    if not deposit_ids:
        return {}
    rows = session.execute(
        select(Deposit.id, Deposit.slip_no, LedgerEntry.hash)
        .join(LedgerEntry, LedgerEntry.deposit_id == Deposit.id)
        .where(Deposit.id.in_(deposit_ids), LedgerEntry.kind == "deposit")
    ).all()
    return {did: deposit_check_code(slip, digest) for did, slip, digest in rows}


def check_deposit_code(session: Session, slip_no: str, typed: str) -> str | None:
    """None when ``typed`` is the 校验码 of the deposit with this slip number."""
    slip = (slip_no or "").strip()
    ids = list(session.scalars(select(Deposit.id).where(Deposit.slip_no == slip)))
    if not ids:
        return f"入库凭证 {slip}：数据库中没有这笔入库"
    want = re.sub(r"[\s-]", "", typed or "").upper().translate(_TYPED)
    if any(code.replace("-", "") == want for code in deposit_codes(session, ids).values()):
        return None
    return f"入库凭证 {slip}：校验码 {typed.strip()} 与台账不符（入库记录或其台账行被改动，或校验码抄错）"


def check_receipt_code(session: Session, receipt_no: str, typed: str) -> str | None:
    """None when ``typed`` is the receipt's 校验码, else why not (Chinese)."""
    no = (receipt_no or "").strip()
    ids = session.scalars(select(Receipt.id).where(Receipt.receipt_no == no)).all()
    if not ids:
        return f"收据 {no}：数据库中没有这张收据"
    want = re.sub(r"[\s-]", "", typed or "").upper().translate(_TYPED)
    for rid in ids:
        code = receipt_code_for(session, rid)
        if code is not None and code.replace("-", "") == want:
            return None
    return f"收据 {no}：校验码 {typed.strip()} 与台账不符（收据或其台账行被改动，或校验码抄错）"


# --- voucher and refund check codes (缴费凭证, 退费单) ------------------------------------

VOUCHER_PREFIX = "PZ-"
REFUND_PREFIX = "TF-"


def voucher_no(payment_id: int) -> str:
    """The number a 缴费凭证 (non-cash payment voucher) prints: ``PZ-000058``."""
    return f"{VOUCHER_PREFIX}{payment_id:06d}"


def refund_no(refund_id: int) -> str:
    """The number a 退费单 / 退费申请表 prints: ``TF-000012``."""
    return f"{REFUND_PREFIX}{refund_id:06d}"


def voucher_check_code(number: str, line_hash: str) -> str:
    """The 校验码 printed on a 缴费凭证: ``XXXX-XXXX`` from its payment's ledger line."""
    text = f"yibao-voucher-v1|{number}|{line_hash}"
    return _group(_short(hashlib.sha256(text.encode("utf-8")).digest(), 8))


def refund_check_code(number: str, line_hash: str) -> str:
    """The 校验码 printed on a 退费单: ``XXXX-XXXX`` from its refund's ledger line."""
    text = f"yibao-refund-v1|{number}|{line_hash}"
    return _group(_short(hashlib.sha256(text.encode("utf-8")).digest(), 8))


def voucher_code_for(session: Session, payment_id: int) -> str | None:
    """The check code of a payment's voucher (None when it has no ledger line)."""
    digest = session.scalars(
        select(LedgerEntry.hash)
        .where(LedgerEntry.payment_id == payment_id, LedgerEntry.kind == "payment")
        .order_by(LedgerEntry.seq)
        .limit(1)
    ).first()
    return None if digest is None else voucher_check_code(voucher_no(payment_id), digest)


def refund_code_for(session: Session, refund_id: int) -> str | None:
    """The check code of a refund's slip (None when it has no ledger line)."""
    digest = session.scalars(
        select(LedgerEntry.hash)
        .where(LedgerEntry.refund_id == refund_id, LedgerEntry.kind == "refund")
        .order_by(LedgerEntry.seq)
        .limit(1)
    ).first()
    return None if digest is None else refund_check_code(refund_no(refund_id), digest)


def _number_id(typed_no: str, prefix: str) -> int | None:
    raw = re.sub(r"\s+", "", typed_no or "").upper()
    if raw.startswith(prefix):
        raw = raw[len(prefix) :]
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _check_typed_code(
    number: str,
    typed: str,
    prefix: str,
    form: str,
    example: str,
    record: str,
    code_for: Callable[[int], str | None],
) -> str | None:
    """None when ``typed`` is the 校验码 of the ``form`` with this number, else
    what is wrong: the number's format, a missing record, or a code that differs."""
    shown = (number or "").strip()
    row_id = _number_id(shown, prefix)
    if row_id is None:
        return f"{form} {shown}：编号格式不对（应为 {example}）"
    code = code_for(row_id)
    if code is None:
        return f"{form} {shown}：数据库中没有这笔{record}或其台账行"
    want = re.sub(r"[\s-]", "", typed or "").upper().translate(_TYPED)
    if code.replace("-", "") == want:
        return None
    return f"{form} {shown}：校验码 {typed.strip()} 与台账不符（{record}记录或其台账行被改动，或校验码抄错）"


def check_voucher_code(session: Session, number: str, typed: str) -> str | None:
    """None when ``typed`` is the 校验码 of the 缴费凭证 with this number."""
    return _check_typed_code(
        number,
        typed,
        VOUCHER_PREFIX,
        "缴费凭证",
        "PZ-000058",
        "缴费",
        lambda row_id: voucher_code_for(session, row_id),
    )


def check_refund_code(session: Session, number: str, typed: str) -> str | None:
    """None when ``typed`` is the 校验码 of the 退费单 with this number."""
    return _check_typed_code(
        number,
        typed,
        REFUND_PREFIX,
        "退费单",
        "TF-000012",
        "退费",
        lambda row_id: refund_code_for(session, row_id),
    )
