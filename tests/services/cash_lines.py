"""Builders for the deposit, day-close and report tests.

Offices and operators come from ``factories.make_desk``; cash lines are
written straight through the real ledger (``append_entry``), so the hash chain
stays valid without going through the payment service.
"""

from __future__ import annotations

import datetime as dt

from factories import Desk, make_desk
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import BusinessDay, DayClose, Deposit, LedgerEntry, Override
from services.deposit_rule import CashMovement
from services.ledger import append_entry

__all__ = ["Desk", "cash_line", "make_desk", "movements_of", "table_counts"]


def cash_line(
    session: Session,
    desk: Desk,
    kind: str,
    fen: int,
    when: dt.datetime,
    *,
    channel: str = "cash",
    village: int = 0,
    tier: str = "low",
) -> LedgerEntry:
    """A ledger line of ``kind`` for ``fen`` (always given positive).

    Payments add cash (non-cash channels add none); voids and refunds take it
    back; a deposit line here has no Deposit row (use ``record_deposit`` for that).
    """
    is_cash = channel == "cash"
    if kind == "payment":
        amount, cash = fen, fen if is_cash else 0
    elif kind in ("void", "refund"):
        amount, cash = -fen, -fen if is_cash else 0
    elif kind == "deposit":
        amount, cash = fen, -fen
    else:
        raise ValueError(kind)
    return append_entry(
        session,
        office_id=desk.office_id,
        kind=kind,
        business_date=when.date(),
        recorded_at=when,
        operator_id=desk.clerk_id,
        channel=channel,
        amount_fen=amount,
        cash_fen=cash,
        village_id=desk.village_ids[village] if kind != "deposit" else None,
        tier=tier if kind != "deposit" else "",
    )


def movements_of(session: Session, office_id: int) -> list[CashMovement]:
    """Every cash line of the office, unabridged: the reference for the loaders."""
    rows = session.execute(
        select(
            LedgerEntry.business_date,
            LedgerEntry.recorded_at,
            LedgerEntry.cash_fen,
            LedgerEntry.kind,
            LedgerEntry.deposit_id,
        )
        .where(LedgerEntry.office_id == office_id, LedgerEntry.cash_fen != 0)
        .order_by(LedgerEntry.seq)
    ).all()
    return [CashMovement(*r) for r in rows]


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of the tables the cash-desk services write."""
    return {
        model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (LedgerEntry, Deposit, BusinessDay, DayClose, Override)
    }
