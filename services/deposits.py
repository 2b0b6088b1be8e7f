"""Deposits (入库 / 解缴): handing the collected cash to the bank.

A deposit records its amount, channel, slip number (缴款单号), the time on the
slip and the operator. It settles the oldest undeposited cash first (POLICY.md
§7.3) and can never be more than the cash on hand. It is written as a
:class:`~db.models.Deposit` row and a ``deposit`` line of the hash-chained
ledger, both in the caller's transaction, on the current business day, which
must still be open.

Which collection days a deposit settled is not stored: it follows from the
ledger by replaying it oldest-first (:func:`deposit_register`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.glossary import DEPOSIT_CHANNELS, deposit_channel_label
from common.money import format_fen_grouped, parse_amount
from db.models import Deposit, DepositShare, Office, Operator
from services.business_day import ensure_day_open
from services.clock import Clock
from services.concurrency import lock_office
from services.deposit_rule import Bucket, CashReplay, DepositStatus
from services.deposit_state import current_deposit_status, load_cash_movements
from services.drawers import plan_deposit_shares
from services.ledger import append_entry
from services.office import require_operator

__all__ = [
    "DepositResult",
    "DepositRow",
    "deposit_register",
    "record_deposit",
]

SLIP_NO_MAX = 64


@dataclass(frozen=True)
class DepositResult:
    deposit_id: int
    amount_fen: int
    channel: str
    slip_no: str
    business_date: dt.date
    deposited_at: dt.datetime
    settled: tuple[Bucket, ...]  # the collection days it settled, oldest first
    cash_on_hand_before_fen: int
    status_after: DepositStatus
    #: the drawers whose cash it took, oldest cash first: (operator id, fen)
    shares: tuple[tuple[int, int], ...] = ()

    @property
    def cash_on_hand_after_fen(self) -> int:
        return self.status_after.cash_on_hand_fen


@dataclass(frozen=True)
class DepositRow:
    """A line of the deposit register."""

    deposit_id: int
    business_date: dt.date
    deposited_at: dt.datetime
    amount_fen: int
    channel: str
    slip_no: str
    operator_name: str
    settled: tuple[Bucket, ...]

    @property
    def channel_label(self) -> str:
        return deposit_channel_label(self.channel)

    @property
    def collection_dates(self) -> tuple[dt.date, ...]:
        return tuple(sorted({b.collection_date for b in self.settled}))


def _channel(channel: str) -> str:
    text = (channel or "").strip()
    for key, label in DEPOSIT_CHANNELS.items():
        if text in (key, label):
            return key
    choices = "、".join(DEPOSIT_CHANNELS.values())
    raise InputError(f"入库方式只能是：{choices}", code="bad_deposit_channel")


def _slip_no(slip_no: str) -> str:
    text = unicodedata.normalize("NFKC", slip_no or "").strip()
    if not text:
        raise InputError("请填写缴款单号。", code="slip_no_required")
    if len(text) > SLIP_NO_MAX:
        raise InputError(f"缴款单号过长（最多 {SLIP_NO_MAX} 个字符）。", code="slip_no_too_long")
    return text


def _settle(buckets: tuple[Bucket, ...], amount: int) -> tuple[Bucket, ...]:
    parts: list[Bucket] = []
    for bucket in buckets:
        if amount == 0:
            break
        taken = min(bucket.remaining_fen, amount)
        parts.append(Bucket(bucket.collection_date, taken, bucket.due_date))
        amount -= taken
    return tuple(parts)


def _check_slip_unused(session: Session, office_id: int, slip: str) -> None:
    """A 缴款单 is recorded once."""
    duplicate = session.scalar(
        select(Deposit.business_date).where(Deposit.office_id == office_id, Deposit.slip_no == slip)
    )
    if duplicate is not None:
        raise ConflictError(
            f"缴款单号 {slip} 已于 {duplicate} 登记入库，不能重复登记。", code="slip_no_taken"
        )


def _check_cash_on_hand(before: DepositStatus, fen: int) -> None:
    """No deposit of more cash than the drawers hold."""
    if fen > before.cash_on_hand_fen:
        raise ConflictError(
            f"入库金额 {format_fen_grouped(fen)} 元超过库存现金 "
            f"{format_fen_grouped(max(before.cash_on_hand_fen, 0))} 元。",
            code="deposit_exceeds_cash",
        )


def _write_deposit(
    session: Session, deposit: Deposit, shares: list[tuple[int, int]], now: dt.datetime
) -> None:
    """The deposit, each drawer's share of it, and its ledger line."""
    session.add(deposit)
    session.flush()
    session.add_all(
        DepositShare(deposit_id=deposit.id, drawer_operator_id=drawer, amount_fen=part)
        for drawer, part in shares
    )
    append_entry(
        session,
        office_id=deposit.office_id,
        kind="deposit",
        business_date=deposit.business_date,
        recorded_at=now,
        operator_id=deposit.operator_id,
        channel="cash",
        amount_fen=deposit.amount_fen,
        cash_fen=-deposit.amount_fen,
        deposit_id=deposit.id,
        reference=deposit.slip_no,
        memo=DEPOSIT_CHANNELS[deposit.channel],
    )


def record_deposit(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    amount: str | int | Decimal,
    channel: str,
    slip_no: str,
    operator_id: int,
    deposited_at: dt.datetime | None = None,
) -> DepositResult:
    """Record a deposit of ``amount`` yuan (text, int or Decimal, as typed).

    Refused, with nothing written: an amount that is not a positive amount of
    yuan, an unknown channel, a missing slip number or one already recorded, a
    slip time in the future, a closed business day, and an amount larger than
    the cash on hand ("入库金额 12,000.00 元超过库存现金 9,500.00 元").
    """
    now = clock.now()
    lock_office(session, office_id)  # no check-then-write
    operator = require_operator(session, operator_id, office_id=office_id)
    fen = parse_amount(amount)
    if fen <= 0:
        raise InputError("入库金额须大于 0。", code="deposit_not_positive")
    channel_key = _channel(channel)
    slip = _slip_no(slip_no)
    slip_time = now if deposited_at is None else deposited_at
    if slip_time > now:
        raise InputError(
            f"入库时间 {slip_time:%Y-%m-%d %H:%M} 晚于现在。", code="deposit_in_future"
        )
    business_date = now.date()
    ensure_day_open(session, office_id, business_date)
    _check_slip_unused(session, office_id, slip)
    before = current_deposit_status(session, clock, office_id)
    _check_cash_on_hand(before, fen)
    shares = plan_deposit_shares(session, office_id, business_date, fen)
    deposit = Deposit(
        office_id=office_id,
        amount_fen=fen,
        channel=channel_key,
        slip_no=slip,
        business_date=business_date,
        deposited_at=slip_time,
        operator_id=operator.id,
    )
    _write_deposit(session, deposit, shares, now)
    after = current_deposit_status(session, clock, office_id)
    return DepositResult(
        deposit_id=deposit.id,
        amount_fen=fen,
        channel=channel_key,
        slip_no=slip,
        business_date=business_date,
        deposited_at=slip_time,
        settled=_settle(before.buckets, fen),
        cash_on_hand_before_fen=before.cash_on_hand_fen,
        status_after=after,
        shares=tuple(shares),
    )


def deposit_register(
    session: Session, office_id: int, date_from: dt.date, date_to: dt.date
) -> list[DepositRow]:
    """The deposits booked from ``date_from`` to ``date_to`` (inclusive), each
    with the collection days it settled, found by replaying the ledger."""
    if date_to < date_from:
        raise InputError("结束日期早于开始日期。", code="bad_date_range")
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    movements = load_cash_movements(session, office_id, upto=date_to, keep_from=date_from)
    replay = CashReplay(days=office.deposit_days, limit_fen=office.deposit_limit_fen)
    settled: dict[int, tuple[Bucket, ...]] = {}
    for m in movements:
        parts = replay.apply(m)
        if m.deposit_id is not None and m.business_date >= date_from:
            settled[m.deposit_id] = tuple(parts)
    rows = session.execute(
        select(Deposit, Operator.display_name)
        .join(Operator, Operator.id == Deposit.operator_id)
        .where(
            Deposit.office_id == office_id,
            Deposit.business_date >= date_from,
            Deposit.business_date <= date_to,
        )
        .order_by(Deposit.business_date, Deposit.id)
    ).all()
    return [
        DepositRow(
            deposit_id=d.id,
            business_date=d.business_date,
            deposited_at=d.deposited_at,
            amount_fen=d.amount_fen,
            channel=d.channel,
            slip_no=d.slip_no,
            operator_name=name,
            settled=settled.get(d.id, ()),
        )
        for d, name in rows
    ]
