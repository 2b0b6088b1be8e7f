"""The deposit rule (入库时限和资金规模“双限”, POLICY.md §7.3 and its Convention).

The heart of this module is :func:`deposit_status`, a *pure* function of the
cash movements of the ledger and a moment in time. It never touches the
database, so it can be tested exhaustively and replayed for any date.

How the cash on hand is split into lots (the Convention, with the choices this
module makes where the policy is silent):

* every cash collection (a ``payment`` line with ``cash_fen > 0``) goes into the
  lot of its business day *D*; that lot is due by the end of day *D + days*
  (the collection day is not counted, as the Civil Code counts periods);
* on the day undeposited cash first reaches the limit (≥ ``limit_fen``), *all*
  undeposited cash is due by the end of that day, and so is any further cash
  collected that day while the balance stays at or above the limit. The rule
  is re-armed only when the balance drops below the limit again; the lots
  already made due that day stay due that day (a deposit after the trigger
  settles them only if it covers them, oldest first);
* a ``deposit`` and a cash ``refund`` settle the oldest lots first (FIFO);
* a ``void`` reverses its own day's collection: it takes from the lots of its
  own business day first (newest first) and only what is left, if anything,
  from the oldest lots. Voids are same-day acts, so in practice it simply
  removes the voided cash from today's lot;
* an outflow larger than the cash on hand (a refund paid from the opening
  float, say) leaves a deficit which the next collections fill first;
* a ``carried`` line is a balance brought forward from before the lines given
  (see :func:`load_cash_movements`): it is treated like a collection of its day.

States at a moment: ``overdue`` when a lot's due day has passed; ``due_today``
when a lot is due today; ``warning`` when a lot is due tomorrow or the cash on
hand is at least 80 % of the limit; otherwise ``ok``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from common.money import format_fen_grouped

__all__ = [
    "STATES",
    "STATE_LABELS",
    "Bucket",
    "CashMovement",
    "CashReplay",
    "DepositStatus",
    "deposit_status",
]

STATES = ("ok", "warning", "due_today", "overdue")
STATE_LABELS = {"ok": "正常", "warning": "预警", "due_today": "今日须入库", "overdue": "已逾期"}
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CashMovement:
    """One ledger line as the rule sees it."""

    business_date: dt.date
    recorded_at: dt.datetime
    cash_fen: int  # effect on cash on hand; outflows negative
    kind: str  # payment | void | refund | deposit | carried
    deposit_id: int | None = None  # the deposit of a ``deposit`` line (register)


@dataclass(frozen=True, slots=True)
class Bucket:
    """Undeposited cash of one collection day that falls due on one day."""

    collection_date: dt.date
    remaining_fen: int
    due_date: dt.date


@dataclass(frozen=True)
class DepositStatus:
    state: str  # one of STATES
    moment: dt.datetime
    cash_on_hand_fen: int
    oldest_undeposited_date: dt.date | None
    deadline: dt.date | None  # due by the end of this day
    amount_due_fen: int  # due by ``deadline``
    due_by_today_fen: int  # to deposit by the end of today to be in order
    buckets: tuple[Bucket, ...]
    days: int
    limit_fen: int

    @property
    def label_zh(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def sentence_zh(self) -> str:
        cash = format_fen_grouped(self.cash_on_hand_fen)
        if self.deadline is None:
            return f"库存现金 {cash} 元，无待入库现金。"
        due = format_fen_grouped(self.amount_due_fen)
        today = self.moment.date()
        if self.state == "overdue":
            return (
                f"已逾期：库存现金 {cash} 元，其中 {due} 元应于 {self.deadline} 当日入库，"
                f"至今未入库；今日须入库 {format_fen_grouped(self.due_by_today_fen)} 元。"
            )
        if self.state == "due_today":
            return f"今日须入库：库存现金 {cash} 元，其中 {due} 元须于今日（{today}）入库。"
        text = (
            f"库存现金 {cash} 元，最早一笔于 {self.oldest_undeposited_date} 收取；"
            f"{due} 元须于 {self.deadline} 当日或之前入库。"
        )
        if self.state == "warning" and self.cash_on_hand_fen * 5 >= self.limit_fen * 4:
            text += f"库存已达限额 {format_fen_grouped(self.limit_fen)} 元的 80%。"
        return text


class _Lot:
    __slots__ = ("date", "amount", "due")

    def __init__(self, date: dt.date, amount: int, due: dt.date) -> None:
        self.date = date
        self.amount = amount
        self.due = due


class CashReplay:
    """Replays cash lines into lots, one line at a time (the engine of the rule).

    :meth:`apply` returns, for an outflow, the parts of the lots it settled, so
    the deposit register can say which collection days a deposit covered.
    """

    def __init__(
        self,
        *,
        days: int = 5,
        limit_fen: int = 1_000_000,
        shift: Callable[[dt.date], dt.date] | None = None,
    ) -> None:
        if days < 0:
            raise ValueError("days must not be negative")
        if limit_fen <= 0:
            raise ValueError("limit_fen must be positive")
        self.days = days
        self.limit_fen = limit_fen
        # moves a 5-day deadline off a day the bank is closed (bank_calendar.py)
        self.shift = shift
        self.balance = 0
        self._lots: list[_Lot] = []  # ordered by collection date, oldest first
        self._head = 0  # lots before this index are settled
        self._deficit = 0
        self._armed = True  # the limit rule fires when the balance next reaches the limit
        self._trigger_day: dt.date | None = None  # day of a trigger still in force

    def apply(self, m: CashMovement) -> list[Bucket]:
        amount = m.cash_fen
        if amount == 0:
            return []
        self.balance += amount
        if amount > 0:
            self._collect(m.business_date, amount)
            return []
        settled: list[Bucket] = []
        need = -amount
        if m.kind == "void":
            need = self._take_from_day(m.business_date, need, settled)
        lots = self._lots
        while need and self._head < len(lots):
            lot = lots[self._head]
            taken = min(lot.amount, need)
            lot.amount -= taken
            need -= taken
            settled.append(Bucket(lot.date, taken, lot.due))
            if lot.amount == 0:
                self._head += 1
        self._deficit += need
        if self.balance < self.limit_fen:
            self._armed = True
            self._trigger_day = None
        return settled

    def buckets(self) -> tuple[Bucket, ...]:
        return tuple(
            Bucket(lot.date, lot.amount, lot.due) for lot in self._lots[self._head :] if lot.amount
        )

    def _collect(self, date: dt.date, amount: int) -> None:
        if self._deficit:
            taken = min(self._deficit, amount)
            self._deficit -= taken
            amount -= taken
        if amount:
            if self._trigger_day == date:
                due = date
            else:
                due = date + dt.timedelta(days=self.days)
                if self.shift is not None:
                    due = self.shift(due)
            self._add_lot(date, amount, due)
        if self._armed and self.balance >= self.limit_fen:
            self._armed = False
            self._trigger_day = date
            for lot in self._lots[self._head :]:
                if lot.due > date:
                    lot.due = date

    def _add_lot(self, date: dt.date, amount: int, due: dt.date) -> None:
        lots, head = self._lots, self._head
        last = lots[-1] if len(lots) > head else None
        if last is not None and last.date == date and last.due == due:
            last.amount += amount
            return
        if last is None or last.date <= date:
            lots.append(_Lot(date, amount, due))
            return
        # A line booked on an earlier day than the newest lot (rare): keep date order.
        index = len(lots)
        while index > head and lots[index - 1].date > date:
            index -= 1
        lots.insert(index, _Lot(date, amount, due))

    def _take_from_day(self, date: dt.date, need: int, settled: list[Bucket]) -> int:
        """Take up to ``need`` from the lots of ``date``, newest first; return the rest."""
        for lot in reversed(self._lots[self._head :]):
            if not need or lot.date < date:
                break
            if lot.date == date and lot.amount:
                taken = min(lot.amount, need)
                lot.amount -= taken
                need -= taken
                settled.append(Bucket(lot.date, taken, lot.due))
        return need


def deposit_status(
    entries: Iterable[CashMovement],
    moment: dt.datetime,
    *,
    days: int = 5,
    limit_fen: int = 1_000_000,
    shift: Callable[[dt.date], dt.date] | None = None,
) -> DepositStatus:
    """The deposit state at ``moment`` given the cash lines in ledger order.

    Lines recorded after ``moment`` are ignored, so the same ledger can be asked
    about any time. Pure: no database, no clock.
    """
    replay = CashReplay(days=days, limit_fen=limit_fen, shift=shift)
    for m in entries:
        if m.recorded_at <= moment:
            replay.apply(m)
    return status_from_buckets(replay.buckets(), moment, replay.balance, days, limit_fen)


def status_from_buckets(
    buckets: tuple[Bucket, ...], moment: dt.datetime, balance: int, days: int, limit_fen: int
) -> DepositStatus:
    today = moment.date()
    if buckets:
        deadline: dt.date | None = min(b.due_date for b in buckets)
        amount_due = sum(b.remaining_fen for b in buckets if b.due_date == deadline)
        due_by_today = sum(b.remaining_fen for b in buckets if b.due_date <= today)
        oldest: dt.date | None = buckets[0].collection_date
    else:
        deadline, amount_due, due_by_today, oldest = None, 0, 0, None
    if deadline is not None and deadline < today:
        state = "overdue"
    elif deadline is not None and deadline == today:
        state = "due_today"
    elif (deadline is not None and deadline == today + ONE_DAY) or balance * 5 >= limit_fen * 4:
        state = "warning"
    else:
        state = "ok"
    return DepositStatus(
        state=state,
        moment=moment,
        cash_on_hand_fen=balance,
        oldest_undeposited_date=oldest,
        deadline=deadline,
        amount_due_fen=amount_due,
        due_by_today_fen=due_by_today,
        buckets=buckets,
        days=days,
        limit_fen=limit_fen,
    )


# --- reading the ledger --------------------------------------------------------------


# --- enforcement ---------------------------------------------------------------------


def state_rank(state: str) -> int:
    """0 for ok … 3 for overdue: for comparing states."""
    return STATES.index(state)
