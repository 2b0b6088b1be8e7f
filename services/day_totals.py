"""A business day's totals from its ledger lines, and the counted cash of a close.

What the close page shows and the close stores: the day's sums by kind and
channel, and the denomination count normalised and totalled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.denominations import BY_KEY, DENOMINATIONS
from common.errors import InputError
from db.models import (
    LedgerEntry,
    Payment,
    Receipt,
    Refund,
)


@dataclass(frozen=True)
class DayTotals:
    """What the ledger says about one business day (all amounts in fen)."""

    business_date: dt.date
    cash_received_fen: int = 0
    cash_voided_fen: int = 0  # cash handed back by voids (作废)
    cash_refunded_fen: int = 0  # cash handed back by refunds (退费)
    deposited_fen: int = 0
    non_cash_by_channel: Mapping[str, int] = field(default_factory=dict)  # net of reversals
    payments: int = 0
    voids: int = 0
    refunds: int = 0
    deposits: int = 0
    # cash desk: over/short and its settlement, counted apart
    cash_adjusted_fen: int = 0  # adjustment lines of a close (+ over, − short)
    cash_made_up_fen: int = 0  # a collector making up a shortage (cash_in)
    cash_paid_over_fen: int = 0  # an overage handed back (cash_out), positive
    receipts_issued: int = 0  # cash receipts (non-cash payments get none)
    refund_applications: int = 0  # refunds by application: no cash moved
    cash_refunds: int = 0  # refunds paid from the drawer

    @property
    def cash_out_fen(self) -> int:
        """Cash refunded, voids included (the issue's "cash refunded")."""
        return self.cash_voided_fen + self.cash_refunded_fen

    @property
    def net_cash_fen(self) -> int:
        return (
            self.cash_received_fen
            - self.cash_out_fen
            - self.deposited_fen
            + self.cash_adjusted_fen
            + self.cash_made_up_fen
            - self.cash_paid_over_fen
        )

    @property
    def non_cash_fen(self) -> int:
        return sum(self.non_cash_by_channel.values())


def day_totals(
    session: Session, office_id: int, business_date: dt.date, *, operator_id: int | None = None
) -> DayTotals:
    """The day's cash received, voided, refunded and deposited, the non-cash
    takings by channel and the count of each kind of line; one query. With
    ``operator_id``: the lines of that operator's window only (their deposit
    lines too: a drawer's share of deposits is in services/drawers.py)."""
    where = [LedgerEntry.office_id == office_id, LedgerEntry.business_date == business_date]
    if operator_id is not None:
        where.append(LedgerEntry.operator_id == operator_id)
    rows = session.execute(
        select(
            LedgerEntry.kind,
            LedgerEntry.channel,
            func.count(),
            func.sum(LedgerEntry.amount_fen),
            func.sum(LedgerEntry.cash_fen),
        )
        .where(*where)
        .group_by(LedgerEntry.kind, LedgerEntry.channel)
    ).all()
    counts = {"payment": 0, "void": 0, "refund": 0, "deposit": 0}
    cash = {"payment": 0, "void": 0, "refund": 0, "deposit": 0}
    non_cash: dict[str, int] = {}
    for kind, channel, count, amount, cash_fen in rows:
        counts[kind] = counts.get(kind, 0) + int(count)
        cash[kind] = cash.get(kind, 0) + int(cash_fen or 0)
        if kind in ("payment", "void", "refund"):
            rest = int(amount or 0) - int(cash_fen or 0)
            if rest or channel != "cash":
                non_cash[channel] = non_cash.get(channel, 0) + rest
    return DayTotals(
        business_date=business_date,
        cash_received_fen=cash["payment"],
        cash_voided_fen=-cash["void"],
        cash_refunded_fen=-cash["refund"],
        deposited_fen=-cash["deposit"],
        non_cash_by_channel=dict(sorted(non_cash.items())),
        payments=counts["payment"],
        voids=counts["void"],
        refunds=counts["refund"],
        deposits=counts["deposit"],
        cash_adjusted_fen=cash.get("adjustment", 0),
        cash_made_up_fen=cash.get("cash_in", 0),
        cash_paid_over_fen=-cash.get("cash_out", 0),
        receipts_issued=_receipt_count(session, office_id, business_date, operator_id),
        refund_applications=_refund_count(
            session, office_id, business_date, "application", operator_id
        ),
        cash_refunds=_refund_count(session, office_id, business_date, "cash", operator_id),
    )


def _receipt_count(session: Session, office_id: int, date: dt.date, operator_id: int | None) -> int:
    """Receipts issued for the day's payments (of one window's, with ``operator_id``)."""
    return int(
        session.scalar(
            select(func.count(Receipt.id))
            .join(Payment, Payment.id == Receipt.payment_id)
            .where(
                Receipt.office_id == office_id,
                Payment.business_date == date,
                *([] if operator_id is None else [Payment.operator_id == operator_id]),
            )
        )
        or 0
    )


def _refund_count(
    session: Session, office_id: int, date: dt.date, method: str, operator_id: int | None = None
) -> int:
    where = [Refund.office_id == office_id, Refund.business_date == date, Refund.method == method]
    if operator_id is not None:
        where.append(Refund.operator_id == operator_id)
    return int(session.scalar(select(func.count(Refund.id)).where(*where)) or 0)


MAX_PIECES = 1_000_000


def normalise_count(denominations: Mapping[str, int]) -> dict[str, int]:
    """The count as {key: pieces} for all nine denominations, checked."""
    counts = {d.key: 0 for d in DENOMINATIONS}
    for key, pieces in denominations.items():
        if key not in BY_KEY:
            known = "、".join(d.label for d in DENOMINATIONS)
            raise InputError(
                f"没有“{key}”这种面额；可点的面额为：{known}。", code="bad_denomination"
            )
        label = BY_KEY[key].label
        if isinstance(pieces, bool) or not isinstance(pieces, int):
            raise InputError(f"{label}的张（枚）数须为整数。", code="bad_piece_count")
        if pieces < 0:
            raise InputError(f"{label}的张（枚）数不能为负数。", code="bad_piece_count")
        if pieces > MAX_PIECES:
            raise InputError(f"{label}的张（枚）数过大。", code="bad_piece_count")
        counts[key] = pieces
    return counts


def count_total(denominations: Mapping[str, int]) -> int:
    """The value of a count, in fen."""
    counts = normalise_count(denominations)
    return sum(BY_KEY[key].fen * pieces for key, pieces in counts.items())


def count_for_amount(fen: int) -> dict[str, int]:
    """A count that adds up to ``fen`` using the largest pieces first (demo, tests)."""
    if fen < 0 or fen % 10:
        raise ValueError("the drawer can only hold whole jiao, and not less than nothing")
    counts: dict[str, int] = {}
    for d in DENOMINATIONS:
        counts[d.key], fen = divmod(fen, d.fen)
    return counts
