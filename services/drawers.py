"""A drawer per window (issue 11 item 2): whose cash is where.

A *drawer* is one operator's cash at their window; a *drawer-day* is that
drawer on one business day, opened with a float (备用金, may be 0), counted
blind and closed once (:class:`db.models.DrawerClose`, unique per drawer-day).

Where each yuan is:

* every cash ledger line is in the drawer of its ``operator_id`` — payments,
  voids and cash refunds, over/short adjustments, making up a shortage and
  handing an overage back all happen at the window of the operator who
  records them;
* a deposit takes its cash from drawers as its :class:`db.models.DepositShare`
  rows say: the oldest undeposited cash of the office first, from drawers not
  yet closed that day. Deposits made before migration 0010 have no shares;
  they are replayed by the same oldest-first rule, so old data needs no rewrite.

The deposit rule (5 days / 10,000 yuan, services/deposit_rule.py) binds the
office and keeps counting all drawers together; this module splits the same
cash by drawer. The office's day is complete when every drawer *used* that
day (a ledger line of its operator, or a drawer opened) is closed; then the
office's :class:`db.models.DayClose` is written. A one-window office has one
drawer, so its drawer is the office's cash and nothing changes for it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError
from common.money import format_fen_grouped
from db.models import (
    BusinessDay,
    DayClose,
    DepositShare,
    DrawerClose,
    DrawerDay,
    LedgerEntry,
    Operator,
)
from services.deposit_rule import Bucket, CashMovement, CashReplay

__all__ = [
    "DrawerState",
    "OfficeDrawers",
    "drawer_close_of",
    "drawer_float",
    "office_drawers",
    "plan_deposit_shares",
    "used_drawers",
]


@dataclass(frozen=True)
class DrawerClosed:
    """A drawer's close as the office view shows it."""

    id: int
    counted_fen: int
    expected_fen: int
    difference_fen: int
    closed_at: dt.datetime


@dataclass(frozen=True)
class DrawerState:
    """One drawer on one business day."""

    operator_id: int
    operator_name: str
    business_date: dt.date
    opening_float_fen: int
    cash_on_hand_fen: int  # this drawer's undeposited cash, brought forward included
    cash_in_fen: int  # cash into the drawer that day (payments, made-up shortages, overs)
    cash_out_fen: int  # cash out that day (voids, cash refunds, shortages, hand-backs), ≥ 0
    deposited_fen: int  # this drawer's share of deposits that day
    deposits: int  # deposits that took cash from this drawer that day
    oldest_undeposited_date: dt.date | None
    used: bool  # business at this window that day: it must be closed
    closed: DrawerClosed | None

    @property
    def expected_fen(self) -> int:
        """What the drawer should hold: float + its undeposited cash."""
        return self.opening_float_fen + self.cash_on_hand_fen

    @property
    def net_day_fen(self) -> int:
        return self.cash_in_fen - self.cash_out_fen - self.deposited_fen

    @property
    def brought_forward_fen(self) -> int:
        return self.cash_on_hand_fen - self.net_day_fen


@dataclass(frozen=True)
class OfficeDrawers:
    """Every drawer of an office on a business day that holds cash or was used."""

    business_date: dt.date
    drawers: tuple[DrawerState, ...]
    office_closed: bool  # the office's DayClose of that day exists
    deposits_by_drawer: dict[int, dict[int, int]] = field(default_factory=dict)

    @property
    def cash_on_hand_fen(self) -> int:
        return sum(d.cash_on_hand_fen for d in self.drawers)

    @property
    def open_drawers(self) -> tuple[DrawerState, ...]:
        """Drawers used that day and not yet closed."""
        return tuple(d for d in self.drawers if d.used and d.closed is None)

    @property
    def complete(self) -> bool:
        """Every drawer used that day is closed."""
        return not self.open_drawers

    def drawer(self, operator_id: int) -> DrawerState | None:
        return next((d for d in self.drawers if d.operator_id == operator_id), None)


# --- the replay ----------------------------------------------------------------------


@dataclass
class _Drawer:
    replay: CashReplay
    cash_in: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    cash_out: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    deposited: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))
    deposit_count: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))


class _Replay:
    """All cash lines of an office, split by drawer."""

    def __init__(self) -> None:
        self.drawers: dict[int, _Drawer] = {}
        # deposit_id -> {drawer operator id: fen}
        self.deposit_shares: dict[int, dict[int, int]] = {}

    def drawer(self, operator_id: int) -> _Drawer:
        if operator_id not in self.drawers:
            # deadlines do not matter here: only the lots' order (oldest first)
            self.drawers[operator_id] = _Drawer(CashReplay(days=0, limit_fen=1 << 62))
        return self.drawers[operator_id]

    def apply(
        self,
        *,
        operator_id: int,
        kind: str,
        business_date: dt.date,
        recorded_at: dt.datetime,
        cash_fen: int,
        deposit_id: int | None,
        shares: list[tuple[int, int]] | None,
    ) -> None:
        if kind != "deposit":
            d = self.drawer(operator_id)
            d.replay.apply(CashMovement(business_date, recorded_at, cash_fen, kind))
            if cash_fen > 0:
                d.cash_in[business_date] += cash_fen
            else:
                d.cash_out[business_date] += -cash_fen
            return
        amount = -cash_fen
        taken = shares if shares is not None else self.oldest_first(amount)
        for drawer_id, fen in taken:
            self.take(drawer_id, fen, business_date, recorded_at)
        if deposit_id is not None:
            self.deposit_shares[deposit_id] = dict(taken)

    def take(self, drawer_id: int, fen: int, date: dt.date, at: dt.datetime) -> None:
        d = self.drawer(drawer_id)
        d.replay.apply(CashMovement(date, at, -fen, "deposit"))
        d.deposited[date] += fen
        d.deposit_count[date] += 1

    def oldest_first(self, amount: int, among: set[int] | None = None) -> list[tuple[int, int]]:
        """Split ``amount`` over the drawers' lots, the oldest cash first (ties:
        the lower operator id); what the lots cannot cover is taken from the
        drawers with the most cash (only legacy data can need that)."""
        lots: list[tuple[dt.date, int, int]] = []
        for drawer_id, d in self.drawers.items():
            if among is not None and drawer_id not in among:
                continue
            for b in d.replay.buckets():
                lots.append((b.collection_date, drawer_id, b.remaining_fen))
        lots.sort()
        shares: dict[int, int] = defaultdict(int)
        left = amount
        for _date, drawer_id, fen in lots:
            if not left:
                break
            part = min(fen, left)
            shares[drawer_id] += part
            left -= part
        if left:
            rich = sorted(
                (
                    (-(d.replay.balance - shares[i]), i)
                    for i, d in self.drawers.items()
                    if among is None or i in among
                ),
            )
            if rich:
                shares[rich[0][1]] += left
        return sorted(shares.items())


def _replay(session: Session, office_id: int, upto: dt.date) -> _Replay:
    shares: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for deposit_id, drawer_id, fen in session.execute(
        select(DepositShare.deposit_id, DepositShare.drawer_operator_id, DepositShare.amount_fen)
        .join(LedgerEntry, LedgerEntry.deposit_id == DepositShare.deposit_id)
        .where(LedgerEntry.office_id == office_id, LedgerEntry.business_date <= upto)
        .order_by(DepositShare.id)
    ):
        shares[deposit_id].append((drawer_id, fen))
    replay = _Replay()
    rows = session.execute(
        select(
            LedgerEntry.operator_id,
            LedgerEntry.kind,
            LedgerEntry.business_date,
            LedgerEntry.recorded_at,
            LedgerEntry.cash_fen,
            LedgerEntry.deposit_id,
        )
        .where(
            LedgerEntry.office_id == office_id,
            LedgerEntry.business_date <= upto,
            LedgerEntry.cash_fen != 0,
        )
        .order_by(LedgerEntry.seq)
    )
    for drawer_id, kind, date, at, cash, line_deposit in rows:
        replay.apply(
            operator_id=drawer_id,
            kind=kind,
            business_date=date,
            recorded_at=at,
            cash_fen=cash,
            deposit_id=line_deposit,
            shares=shares.get(line_deposit) if line_deposit is not None else None,
        )
    return replay


# --- reading ------------------------------------------------------------------------


def drawer_float(session: Session, office_id: int, operator_id: int, date: dt.date) -> int:
    """The float of ``operator_id``'s drawer on ``date`` (0 when never opened)."""
    fen = session.scalar(
        select(DrawerDay.opening_float_fen).where(
            DrawerDay.office_id == office_id,
            DrawerDay.operator_id == operator_id,
            DrawerDay.business_date == date,
        )
    )
    if fen is not None:
        return int(fen)
    # a day opened before migration 0010: the float is the opener's
    legacy = session.scalar(
        select(BusinessDay.opening_float_fen).where(
            BusinessDay.office_id == office_id,
            BusinessDay.business_date == date,
            BusinessDay.opened_by == operator_id,
            ~select(DrawerDay.id)
            .where(
                DrawerDay.office_id == office_id,
                DrawerDay.business_date == date,
                DrawerDay.operator_id == operator_id,
            )
            .exists(),
        )
    )
    return int(legacy or 0)


def drawer_close_of(
    session: Session, office_id: int, operator_id: int, date: dt.date
) -> DrawerClose | None:
    return session.scalars(
        select(DrawerClose).where(
            DrawerClose.office_id == office_id,
            DrawerClose.operator_id == operator_id,
            DrawerClose.business_date == date,
        )
    ).first()


def used_drawers(session: Session, office_id: int, date: dt.date) -> set[int]:
    """Operators whose drawer was used on ``date``: a ledger line of theirs, or
    a drawer (or, before migration 0010, the office's day) they opened."""
    used = set(
        session.scalars(
            select(LedgerEntry.operator_id)
            .where(LedgerEntry.office_id == office_id, LedgerEntry.business_date == date)
            .distinct()
        )
    )
    used |= set(
        session.scalars(
            select(DrawerDay.operator_id).where(
                DrawerDay.office_id == office_id, DrawerDay.business_date == date
            )
        )
    )
    used |= set(
        session.scalars(
            select(BusinessDay.opened_by).where(
                BusinessDay.office_id == office_id, BusinessDay.business_date == date
            )
        )
    )
    return used


def unclosed_used_drawers(session: Session, office_id: int, date: dt.date) -> set[int]:
    """Operators whose drawer was used on ``date`` and is not closed yet: the
    office's day is complete when there is none. Reads no cash (no replay)."""
    closed = set(
        session.scalars(
            select(DrawerClose.operator_id).where(
                DrawerClose.office_id == office_id, DrawerClose.business_date == date
            )
        )
    )
    return used_drawers(session, office_id, date) - closed


def _drawer_state(
    d: _Drawer,
    operator_id: int,
    name: str,
    date: dt.date,
    opening_float_fen: int,
    used: bool,
    close: DrawerClose | None,
) -> DrawerState:
    """One drawer's figures on ``date`` from its replay and its close, if any."""
    buckets: tuple[Bucket, ...] = d.replay.buckets()
    return DrawerState(
        operator_id=operator_id,
        operator_name=name,
        business_date=date,
        opening_float_fen=opening_float_fen,
        cash_on_hand_fen=d.replay.balance,
        cash_in_fen=d.cash_in.get(date, 0),
        cash_out_fen=d.cash_out.get(date, 0),
        deposited_fen=d.deposited.get(date, 0),
        deposits=d.deposit_count.get(date, 0),
        oldest_undeposited_date=buckets[0].collection_date if buckets else None,
        used=used,
        closed=None
        if close is None
        else DrawerClosed(
            close.id,
            close.counted_fen,
            close.expected_fen,
            close.difference_fen,
            close.closed_at,
        ),
    )


def office_drawers(session: Session, office_id: int, date: dt.date) -> OfficeDrawers:
    """Every drawer of the office on ``date``: its float, its cash (with its
    share of deposits), whether it was used and whether it is closed."""
    replay = _replay(session, office_id, date)
    used = used_drawers(session, office_id, date)
    closes = {
        c.operator_id: c
        for c in session.scalars(
            select(DrawerClose).where(
                DrawerClose.office_id == office_id, DrawerClose.business_date == date
            )
        )
    }
    ids = sorted(
        used
        | set(closes)
        | {i for i, d in replay.drawers.items() if d.replay.balance or d.deposited.get(date)}
    )
    names = dict(
        session.execute(
            select(Operator.id, Operator.display_name).where(Operator.id.in_(ids))
        ).all()
    )
    states = [
        _drawer_state(
            replay.drawer(operator_id),
            operator_id,
            names.get(operator_id, str(operator_id)),
            date,
            drawer_float(session, office_id, operator_id, date),
            operator_id in used,
            closes.get(operator_id),
        )
        for operator_id in ids
    ]
    office_closed = (
        session.scalar(
            select(DayClose.id).where(
                DayClose.office_id == office_id, DayClose.business_date == date
            )
        )
        is not None
    )
    return OfficeDrawers(
        business_date=date,
        drawers=tuple(states),
        office_closed=office_closed,
        deposits_by_drawer=replay.deposit_shares,
    )


def plan_deposit_shares(
    session: Session, office_id: int, date: dt.date, amount_fen: int
) -> list[tuple[int, int]]:
    """Which drawers a deposit of ``amount_fen`` on ``date`` takes its cash from:
    the oldest cash first, only from drawers not closed that day (a closed
    drawer's cash was counted and stays until its next day). Refused when
    the open drawers hold less."""
    replay = _replay(session, office_id, date)
    closed = set(
        session.scalars(
            select(DrawerClose.operator_id).where(
                DrawerClose.office_id == office_id, DrawerClose.business_date == date
            )
        )
    )
    among = {i for i in replay.drawers if i not in closed}
    available = sum(max(replay.drawers[i].replay.balance, 0) for i in among)
    if amount_fen > available:
        raise ConflictError(
            f"入库金额 {format_fen_grouped(amount_fen)} 元超过未日结钱箱中的现金 "
            f"{format_fen_grouped(available)} 元（已日结的钱箱，其现金留待下一营业日入库）。",
            code="deposit_exceeds_open_drawers",
        )
    return replay.oldest_first(amount_fen, among)
