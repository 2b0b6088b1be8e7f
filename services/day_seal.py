"""Sealing a day close: the ledger check and the anchor printed on the 日结单.

:func:`seal_day` is called by ``close_day`` inside the close's transaction,
after the close row is written. It records the close in the audit journal,
runs ``verify-ledger`` from the office's last anchor checked and printed at an
earlier close (incremental; the whole ledger when there is none; a failure is
kept with the anchor and journalled, and shown to the supervisor), then takes the anchor of both
chains and the perpetual grand totals and keeps them in ``day_anchor``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from db.models import DayAnchor, DayClose
from services.anchors import GrandTotals, current_anchor, stored_anchor
from services.audit import record_audit
from services.verification import verify_since_last_anchor


@dataclasses.dataclass(frozen=True)
class DaySeal:
    """What the day-close sheet prints under 「账链锚点」."""

    anchor_text: str
    ledger_seq: int
    audit_seq: int
    totals: GrandTotals
    check_ok: bool
    check_message: str


def seal_of_row(row: DayAnchor) -> DaySeal:
    from services.anchors import anchor_of_row

    return DaySeal(
        anchor_text=anchor_of_row(row).text,
        ledger_seq=row.ledger_seq,
        audit_seq=row.audit_seq,
        totals=GrandTotals(
            row.total_collected_fen,
            row.total_voided_fen,
            row.total_refunded_fen,
            row.total_deposited_fen,
            row.total_adjusted_fen,
        ),
        check_ok=row.check_ok,
        check_message=row.check_message,
    )


def seal_day(session: Session, close: DayClose, *, at: dt.datetime) -> DaySeal:
    record_audit(
        session,
        at=at,
        operator_id=close.operator_id,
        office_id=close.office_id,
        action="day_closed",
        subject=f"day_close:{close.id}",
        details={
            "date": close.business_date.isoformat(),
            "counted_fen": close.counted_fen,
            "difference_fen": close.difference_fen,
            "supervisor_id": close.supervisor_id,
        },
    )
    # Incremental: from the office's last anchor checked at its close and
    # printed; `verify-ledger` on the command line checks everything.
    verification = verify_since_last_anchor(session, close.office_id)
    message = verification.summary()
    if not verification.ok:
        record_audit(
            session,
            at=at,
            operator_id=close.operator_id,
            office_id=close.office_id,
            action="ledger_check_failed",
            subject=f"day_close:{close.id}",
            details={"findings": [f.message for f in verification.findings[:10]]},
        )
    base = None
    if verification.ok and verification.trusted is not None:
        trusted_row = session.get(DayAnchor, verification.trusted.anchor_id)
        if trusted_row is not None:
            base = (trusted_row.ledger_seq, seal_of_row(trusted_row).totals)
    anchor, totals = current_anchor(session, close.office_id, close.business_date, base)
    row = DayAnchor(
        office_id=close.office_id,
        business_date=close.business_date,
        day_close_id=close.id,
        ledger_seq=anchor.ledger_seq,
        ledger_hash=_ledger_hash(session, close.office_id, anchor.ledger_seq),
        audit_seq=anchor.audit_seq,
        audit_hash=_audit_hash(session, anchor.audit_seq),
        total_collected_fen=totals.collected_fen,
        total_voided_fen=totals.voided_fen,
        total_refunded_fen=totals.refunded_fen,
        total_deposited_fen=totals.deposited_fen,
        total_adjusted_fen=totals.adjusted_fen,
        code=anchor.code,
        check_ok=verification.ok,
        check_message=message,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return seal_of_row(row)


def _ledger_hash(session: Session, office_id: int, seq: int) -> str:
    from services.anchors import _ledger_hash_at

    digest = _ledger_hash_at(session, office_id, seq)
    assert digest is not None
    return digest


def _audit_hash(session: Session, seq: int) -> str:
    from services.audit import audit_hash_at

    digest = audit_hash_at(session, seq)
    assert digest is not None
    return digest


def day_seal(session: Session, office_id: int, date: dt.date) -> DaySeal | None:
    """The seal of a closed day (None for a day closed before anchors existed)."""
    row = stored_anchor(session, office_id, date)
    return None if row is None else seal_of_row(row)
