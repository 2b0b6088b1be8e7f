"""Read-only views of the cash ledger (台账) for the counter window.

The ledger page lists a year of lines (~300,000) without loading them: it asks
for pages of ~200 lines with :func:`ledger_lines` (keyset paging on the
ledger's own sequence number, so page 1,000 costs what page 1 costs), and the
totals come from one aggregate query, :func:`ledger_totals`, never from
summing what the window happens to hold.

A line's *status* (有效 / 已作废 / 已退费 …) is that of its payment: the ledger
lines themselves never change (append-only); a void or a refund is a line of
its own that points at the same payment.

Nothing here writes. Every function takes a SQLAlchemy session and returns
frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from common import glossary
from common.errors import InputError
from common.glossary import (
    PAYMENT_CHANNELS,
    PAYMENT_STATUS_LABELS,
    channel_label,
    ledger_kind_label,
    tier_label,
)
from db.models import (
    Deposit,
    LedgerEntry,
    Operator,
    Payment,
    Receipt,
    Resident,
    Village,
)

__all__ = [
    "NO_VILLAGE",
    "PAGE_SIZE",
    "STATUS_FILTERS",
    "ChannelTotal",
    "LedgerFilter",
    "LedgerLine",
    "LedgerTotals",
    "OperatorRow",
    "cash_on_hand_before",
    "ledger_bounds",
    "ledger_lines",
    "ledger_rows",
    "ledger_totals",
    "operators_of",
    "tier_label",
]

PAGE_SIZE = 200
MAX_PAGE_SIZE = 5000
#: ``LedgerFilter.village_id`` for lines without a village (deposits, residents
#: registered without one).
NO_VILLAGE = 0

#: Status filters of the ledger page: key -> Chinese label.
STATUS_FILTERS = {
    "valid": "有效收款",
    "voided": "已作废（含冲销行）",
    "refunded": "已退费（含退费行）",
    "deposit": "入库",
}


@dataclasses.dataclass(frozen=True)
class LedgerFilter:
    """Which lines to show; None means "all" for every field.

    ``village_id`` may be :data:`NO_VILLAGE` for lines without a village.
    ``status`` is a key of :data:`STATUS_FILTERS`.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    village_id: int | None = None
    channel: str | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise InputError("结束日期早于开始日期。", code="bad_date_range")
        if self.status is not None and self.status not in STATUS_FILTERS:
            raise InputError(f"未知的状态筛选：{self.status}", code="bad_status_filter")


@dataclasses.dataclass(frozen=True)
class LedgerLine:
    """One ledger line as the ledger page shows it."""

    entry_id: int
    seq: int
    kind: str
    business_date: dt.date
    recorded_at: dt.datetime
    channel: str
    amount_fen: int  # the act's money: negative for a void or refund
    cash_fen: int  # effect on cash on hand: 0 for non-cash, negative for a deposit
    tier: str
    reference: str
    memo: str
    receipt_no: str
    resident_name: str
    id_number: str
    village_name: str
    operator_name: str
    payment_status: str  # completed | voided | refunded, "" for a deposit
    slip_no: str  # a deposit's slip number, else ""

    @property
    def key(self) -> tuple[dt.date, int]:
        """The keyset position of this line (see :func:`ledger_lines`)."""
        return (self.business_date, self.seq)

    @property
    def kind_label(self) -> str:
        return ledger_kind_label(self.kind)

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)

    @property
    def tier_label(self) -> str:
        return tier_label(self.tier) if self.tier else ""

    @property
    def status_label(self) -> str:
        if self.kind == "payment":
            return PAYMENT_STATUS_LABELS.get(self.payment_status, self.payment_status)
        return ledger_kind_label(self.kind)

    @property
    def is_reversed(self) -> bool:
        """A payment line whose money was given back (voided or refunded)."""
        return self.kind == "payment" and self.payment_status in ("voided", "refunded")


@dataclasses.dataclass(frozen=True)
class ChannelTotal:
    channel: str
    receipts: int  # payment lines
    net_fen: int  # payments less voids and refunds

    @property
    def label(self) -> str:
        return channel_label(self.channel)


@dataclasses.dataclass(frozen=True)
class LedgerTotals:
    """Totals of the lines a filter selects (one aggregate query)."""

    lines: int
    receipts: int  # payment lines
    collected_fen: int  # sum of payment lines
    reversed_fen: int  # voids and refunds, as a positive figure
    net_fen: int  # collected - reversed
    cash_net_fen: int  # cash payments less cash voids and refunds
    deposited_fen: int  # deposits, as a positive figure
    by_channel: tuple[ChannelTotal, ...]


@dataclasses.dataclass(frozen=True)
class OperatorRow:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    created_at: dt.datetime

    @property
    def role_label(self) -> str:
        return glossary.role_label(self.role)


# --- queries --------------------------------------------------------------------------


def _status_condition(status: str) -> ColumnElement[bool]:
    kind = LedgerEntry.kind
    if status == "deposit":
        return kind == "deposit"
    if status == "valid":
        return and_(kind == "payment", Payment.status == "completed")
    if status == "voided":
        return and_(kind.in_(("payment", "void")), Payment.status == "voided")
    return and_(kind.in_(("payment", "refund")), Payment.status == "refunded")


def _conditions(office_id: int, flt: LedgerFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [LedgerEntry.office_id == office_id]
    if flt.date_from is not None:
        conditions.append(LedgerEntry.business_date >= flt.date_from)
    if flt.date_to is not None:
        conditions.append(LedgerEntry.business_date <= flt.date_to)
    if flt.village_id == NO_VILLAGE:
        conditions.append(LedgerEntry.village_id.is_(None))
    elif flt.village_id is not None:
        conditions.append(LedgerEntry.village_id == flt.village_id)
    if flt.channel is not None:
        conditions.append(LedgerEntry.channel == flt.channel)
    if flt.status is not None:
        conditions.append(_status_condition(flt.status))
    return conditions


def _needs_payment(flt: LedgerFilter) -> bool:
    return flt.status is not None and flt.status != "deposit"


def ledger_lines(
    session: Session,
    office_id: int,
    flt: LedgerFilter | None = None,
    *,
    after: tuple[dt.date, int] | None = None,
    limit: int = PAGE_SIZE,
    newest_first: bool = False,
) -> list[LedgerLine]:
    """One page of lines, by business date then ledger order (or newest first).

    Keyset paging: pass the ``key`` of the last line of the previous page as
    ``after``; the next page starts right after it. Fewer than ``limit`` lines
    means this was the last page. Ordering by (business date, seq) lets the
    office/date index deliver the lines in order, so even a page deep into a
    year of lines is read without sorting the year.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
    stmt = _lines_select(office_id, flt or LedgerFilter(), after, newest_first).limit(limit)
    return [_line(row) for row in session.execute(stmt)]


def ledger_rows(
    session: Session, office_id: int, flt: LedgerFilter | None = None
) -> Iterator[Row[*tuple[Any, ...]]]:
    """Every line the filter selects, oldest first, as plain result rows.

    For exports of a whole year (~300,000 lines): one statement, streamed
    in batches, and no :class:`LedgerLine` built per line (building them is
    most of the cost of reading a page). Each row holds the fields of
    :class:`LedgerLine` in its declaration order; the text fields that
    :class:`LedgerLine` turns into "" may be None here.
    """
    stmt = _lines_select(office_id, flt or LedgerFilter(), None, False)
    yield from session.execute(stmt.execution_options(yield_per=5_000))


def _lines_select(
    office_id: int,
    flt: LedgerFilter,
    after: tuple[dt.date, int] | None,
    newest_first: bool,
) -> Select[*tuple[Any, ...]]:
    conditions = _conditions(office_id, flt)
    date, seq = LedgerEntry.business_date, LedgerEntry.seq
    if after is not None:
        day, last = after
        if newest_first:
            conditions += [date <= day, or_(date < day, seq < last)]
        else:
            conditions += [date >= day, or_(date > day, seq > last)]
    operator = aliased(Operator)
    stmt = (
        select(
            LedgerEntry.id,
            LedgerEntry.seq,
            LedgerEntry.kind,
            LedgerEntry.business_date,
            LedgerEntry.recorded_at,
            LedgerEntry.channel,
            LedgerEntry.amount_fen,
            LedgerEntry.cash_fen,
            LedgerEntry.tier,
            LedgerEntry.reference,
            LedgerEntry.memo,
            Receipt.receipt_no,
            Resident.name,
            Resident.id_number,
            Village.name,
            operator.display_name,
            Payment.status,
            Deposit.slip_no,
        )
        .select_from(LedgerEntry)
        .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
        .outerjoin(Receipt, Receipt.id == LedgerEntry.receipt_id)
        .outerjoin(Resident, Resident.id == LedgerEntry.resident_id)
        .outerjoin(Village, Village.id == LedgerEntry.village_id)
        .outerjoin(operator, operator.id == LedgerEntry.operator_id)
        .outerjoin(Deposit, Deposit.id == LedgerEntry.deposit_id)
        .where(*conditions)
        .order_by(*((date.desc(), seq.desc()) if newest_first else (date, seq)))
    )
    return stmt


def _line(row: Any) -> LedgerLine:
    return LedgerLine(
        entry_id=row[0],
        seq=row[1],
        kind=row[2],
        business_date=row[3],
        recorded_at=row[4],
        channel=row[5],
        amount_fen=row[6],
        cash_fen=row[7],
        tier=row[8] or "",
        reference=row[9] or "",
        memo=row[10] or "",
        receipt_no=row[11] or "",
        resident_name=row[12] or "",
        id_number=row[13] or "",
        village_name=row[14] or "",
        operator_name=row[15] or "",
        payment_status=row[16] or "",
        slip_no=row[17] or "",
    )


def ledger_totals(
    session: Session, office_id: int, flt: LedgerFilter | None = None
) -> LedgerTotals:
    """Totals of every line the filter selects, by one grouped aggregate query."""
    flt = flt or LedgerFilter()
    stmt = select(
        LedgerEntry.kind,
        LedgerEntry.channel,
        func.count(),
        func.coalesce(func.sum(LedgerEntry.amount_fen), 0),
        func.coalesce(func.sum(LedgerEntry.cash_fen), 0),
    ).select_from(LedgerEntry)
    if _needs_payment(flt):
        stmt = stmt.outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
    stmt = stmt.where(*_conditions(office_id, flt)).group_by(LedgerEntry.kind, LedgerEntry.channel)
    lines = receipts = collected = reversed_ = cash_net = deposited = 0
    channels: dict[str, list[int]] = {}
    for kind, channel, count, amount, cash in session.execute(stmt):
        count, amount, cash = int(count), int(amount), int(cash)
        lines += count
        if kind == "deposit":
            deposited += -cash
            continue
        per_channel = channels.setdefault(channel, [0, 0])
        per_channel[1] += amount
        cash_net += cash
        if kind == "payment":
            receipts += count
            collected += amount
            per_channel[0] += count
        else:
            reversed_ += -amount
    order = list(PAYMENT_CHANNELS)
    by_channel = tuple(
        ChannelTotal(channel, values[0], values[1])
        for channel, values in sorted(
            channels.items(),
            key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]),
        )
    )
    return LedgerTotals(
        lines=lines,
        receipts=receipts,
        collected_fen=collected,
        reversed_fen=reversed_,
        net_fen=collected - reversed_,
        cash_net_fen=cash_net,
        deposited_fen=deposited,
        by_channel=by_channel,
    )


def ledger_bounds(session: Session, office_id: int) -> tuple[dt.date | None, dt.date | None]:
    """The first and last business dates in the office's ledger."""
    row = session.execute(
        select(func.min(LedgerEntry.business_date), func.max(LedgerEntry.business_date)).where(
            LedgerEntry.office_id == office_id
        )
    ).one()
    return row[0], row[1]


def operators_of(session: Session, office_id: int) -> list[OperatorRow]:
    """The operators of an office, active first, then by user name."""
    rows = session.scalars(
        select(Operator)
        .where(Operator.office_id == office_id)
        .order_by(case((Operator.active.is_(True), 0), else_=1), Operator.username)
    ).all()
    return [
        OperatorRow(r.id, r.username, r.display_name, r.role, bool(r.active), r.created_at)
        for r in rows
    ]


def cash_on_hand_before(session: Session, office_id: int, date: dt.date) -> int:
    """Cash on hand carried into ``date`` (上期结存): every cash movement of the
    days before it, deposits included. The opening float is not in the ledger."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(
            LedgerEntry.office_id == office_id, LedgerEntry.business_date < date
        )
    )
    return int(total or 0)


# --- closed days ---------------------------------------------------------------------


# --- office settings the office service does not return ------------------------------------
