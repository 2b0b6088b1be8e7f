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
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound, PermissionDenied
from common.money import format_fen_grouped
from db.models import DayClose, DayCloseAnnulment, LedgerEntry, Office, Operator, OverdueCashPayment
from services.bank_calendar import office_calendar
from services.clock import Clock
from services.office import require_supervisor

__all__ = [
    "STATES",
    "STATE_LABELS",
    "Bucket",
    "CashMovement",
    "CashReplay",
    "DepositStatus",
    "mark_overdue_cash_payment",
    "require_cash_on_hand",
    "current_deposit_status",
    "deposit_status",
    "load_cash_movements",
    "require_supervisor_id",
]

STATES = ("ok", "warning", "due_today", "overdue")
STATE_LABELS = {"ok": "正常", "warning": "预警", "due_today": "今日须入库", "overdue": "已逾期"}
_ONE_DAY = dt.timedelta(days=1)


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
    return _status_from_buckets(replay.buckets(), moment, replay.balance, days, limit_fen)


def _status_from_buckets(
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
    elif (deadline is not None and deadline == today + _ONE_DAY) or balance * 5 >= limit_fen * 4:
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


def load_cash_movements(
    session: Session,
    office_id: int,
    *,
    upto: dt.date | None = None,
    keep_from: dt.date | None = None,
) -> list[CashMovement]:
    """The cash lines the rule needs, in ledger order, read with a few queries.

    Lines booked after ``upto`` are left out. Lines before ``keep_from`` (by
    default: all of them) may be summed up: deposits and refunds settle the
    oldest cash first, so the cash on hand *S* at the end of the day before
    ``keep_from`` is made of the latest collections. Walking back over the
    per-day net collections (payments and voids) until they cover *S* gives a
    first day *D0*; every line before *D0* is summed into one ``carried`` line
    dated the day before. That carried cash is provably settled by the lines
    that follow (their refunds and deposits are at least as large), and it
    reproduces whether the limit rule is armed at *D0* (armed exactly when the
    carried balance is under the limit), so the result is the same as
    replaying the whole ledger, with a few days of lines instead of a year's.
    """
    anchor = keep_from - _ONE_DAY if keep_from is not None else upto
    base = [LedgerEntry.office_id == office_id, LedgerEntry.cash_fen != 0]
    if anchor is not None:
        anchored = [*base, LedgerEntry.business_date <= anchor]
    else:
        anchored = base
    total = _cash_through(session, office_id, anchored, anchor)
    start = _window_start(session, anchored, total, anchor)
    conditions = list(base)
    if upto is not None:
        conditions.append(LedgerEntry.business_date <= upto)
    if start is not None:
        conditions.append(LedgerEntry.business_date >= start)
    rows = session.execute(
        select(
            LedgerEntry.business_date,
            LedgerEntry.recorded_at,
            LedgerEntry.cash_fen,
            LedgerEntry.kind,
            LedgerEntry.deposit_id,
        )
        .where(*conditions)
        .order_by(LedgerEntry.seq)
    ).all()
    movements = [CashMovement(*row) for row in rows]
    if start is None:
        return movements
    in_window = sum(m.cash_fen for m in movements if anchor is None or m.business_date <= anchor)
    carried = total - in_window
    if carried:
        day_before = start - _ONE_DAY
        first = dt.datetime.combine(day_before, dt.time.min)
        movements.insert(0, CashMovement(day_before, first, carried, "carried"))
    return movements


def _cash_through(
    session: Session, office_id: int, anchored: list[Any], anchor: dt.date | None
) -> int:
    """Cash on hand from the lines booked up to ``anchor`` (all lines if None).

    A day close records ``expected = float + cash on hand`` and locks its day
    and every day before it, so the cash on hand at the last close up to
    ``anchor`` can never change: only the lines booked after it are summed.
    """
    checkpoint = select(
        DayClose.business_date, DayClose.expected_fen - DayClose.opening_float_fen
    ).where(
        DayClose.office_id == office_id,
        ~exists().where(DayCloseAnnulment.day_close_id == DayClose.id),
    )
    if anchor is not None:
        checkpoint = checkpoint.where(DayClose.business_date <= anchor)
    row = session.execute(checkpoint.order_by(DayClose.business_date.desc()).limit(1)).first()
    conditions = list(anchored)
    closed_cash = 0
    if row is not None:
        # The close's own over/short adjustment line is dated on its day and
        # written after the expected figure was taken: add it to the checkpoint.
        adjusted = session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(
                LedgerEntry.office_id == office_id,
                LedgerEntry.business_date == row[0],
                LedgerEntry.kind == "adjustment",
            )
        )
        conditions.append(LedgerEntry.business_date > row[0])
        closed_cash = int(row[1]) + int(adjusted or 0)
    later = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.cash_fen), 0)).where(*conditions)
    )
    return closed_cash + int(later or 0)


def _window_start(
    session: Session, anchored: list[Any], total: int, anchor: dt.date | None
) -> dt.date | None:
    """The first business day worth replaying, or None for the whole ledger."""
    if total < 0:
        return None  # a deficit carried over: rare and small, replay everything
    last = anchor or session.scalar(select(func.max(LedgerEntry.business_date)).where(*anchored))
    if last is None:
        return None
    if total == 0:
        return last + _ONE_DAY  # nothing on hand: nothing before matters
    for cutoff in (last - dt.timedelta(days=62), None):
        query = (
            select(LedgerEntry.business_date, func.sum(LedgerEntry.cash_fen))
            .where(*anchored, LedgerEntry.kind.in_(("payment", "void")))
            .group_by(LedgerEntry.business_date)
            .order_by(LedgerEntry.business_date.desc())
        )
        if cutoff is not None:
            query = query.where(LedgerEntry.business_date >= cutoff)
        covered = 0
        for date, net in session.execute(query):
            covered += int(net)
            if covered >= total:
                return date
    return None


def _office(session: Session, office_id: int) -> Office:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound(f"找不到经办机构（编号 {office_id}）", code="office_not_found")
    return office


def current_deposit_status(
    session: Session, clock: Clock, office_id: int, *, at: dt.datetime | None = None
) -> DepositStatus:
    """The deposit state of an office now (or ``at`` an earlier moment), by the
    office's own limits.

    Within one session (one transaction) the replay of the ledger is kept and
    only lines added since are read on the next call, so a day of payments in
    one transaction (the demo office, a batch import) stays linear. The kept
    replay is checked against the hash of the last line it saw, so a line
    rolled back with a savepoint is never counted.
    """
    office = _office(session, office_id)
    moment = clock.now() if at is None else at
    days, limit_fen = office.deposit_days, office.deposit_limit_fen
    shift = office_calendar(session, office_id).next_open
    replay = (
        _session_replay(session, office_id, days, limit_fen, moment, shift) if at is None else None
    )
    if replay is not None:
        return _status_from_buckets(replay.buckets(), moment, replay.balance, days, limit_fen)
    # The moment's own day is read line by line: part of it may lie after the moment.
    today = moment.date()
    movements = load_cash_movements(session, office_id, upto=today, keep_from=today)
    return deposit_status(movements, moment, days=days, limit_fen=limit_fen, shift=shift)


@dataclass
class _KeptReplay:
    replay: CashReplay
    last_seq: int
    last_hash: str | None
    latest: dt.datetime  # latest recorded_at applied
    last_date: dt.date  # latest business_date applied


_SESSION_KEY = "services.deposit_rule.replays"


def _session_replay(
    session: Session,
    office_id: int,
    days: int,
    limit_fen: int,
    moment: dt.datetime,
    shift: Callable[[dt.date], dt.date],
) -> CashReplay | None:
    """The session's replay of the whole ledger, brought up to date."""
    kept_all: dict[tuple[object, ...], _KeptReplay] = session.info.setdefault(_SESSION_KEY, {})
    key = (office_id, days, limit_fen, shift.__self__)  # type: ignore[attr-defined]
    kept = kept_all.get(key)
    if kept is not None:
        seen = session.scalar(
            select(LedgerEntry.hash).where(
                LedgerEntry.office_id == office_id, LedgerEntry.seq == kept.last_seq
            )
        )
        if seen != kept.last_hash:
            kept = None
    if kept is None:
        last = session.execute(
            select(
                LedgerEntry.seq,
                LedgerEntry.hash,
                LedgerEntry.recorded_at,
                LedgerEntry.business_date,
            )
            .where(LedgerEntry.office_id == office_id)
            .order_by(LedgerEntry.seq.desc())
            .limit(1)
        ).first()
        replay = CashReplay(days=days, limit_fen=limit_fen, shift=shift)
        if last is None:
            kept = _KeptReplay(replay, 0, None, dt.datetime.min, dt.date.min)
        else:
            kept = _KeptReplay(replay, last[0], last[1], last[2], last[3])
        _apply_all(kept, load_cash_movements(session, office_id))
        kept_all[key] = kept
    else:
        rows = session.execute(
            select(
                LedgerEntry.business_date,
                LedgerEntry.recorded_at,
                LedgerEntry.cash_fen,
                LedgerEntry.kind,
                LedgerEntry.seq,
                LedgerEntry.hash,
            )
            .where(LedgerEntry.office_id == office_id, LedgerEntry.seq > kept.last_seq)
            .order_by(LedgerEntry.seq)
        ).all()
        _apply_all(kept, [CashMovement(r[0], r[1], r[2], r[3]) for r in rows])
        if rows:
            kept.last_seq, kept.last_hash = rows[-1][4], rows[-1][5]
    # "Now" counts every line written, also lines a wrong clock dated after
    # now (clock sanity): the drawer holds what the ledger says, and
    # leaving such a deposit out would overstate the cash on hand.
    return kept.replay


def _apply_all(kept: _KeptReplay, movements: list[CashMovement]) -> None:
    for m in movements:
        kept.replay.apply(m)
        if m.kind != "carried":
            kept.latest = max(kept.latest, m.recorded_at)
            kept.last_date = max(kept.last_date, m.business_date)


# --- enforcement ---------------------------------------------------------------------


def require_supervisor_id(session: Session, office_id: int, supervisor_id: int | None) -> Operator:
    """The active supervisor of this office with that id, or a refusal."""
    if supervisor_id is None:
        raise PermissionDenied("此操作须由主管确认，请主管登录确认。", code="supervisor_required")
    return require_supervisor(session, supervisor_id, office_id=office_id)


def clean_reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputError(f"请填写{what}。", code="reason_required")
    return text


def mark_overdue_cash_payment(
    session: Session,
    clock: Clock,
    office_id: int,
    *,
    operator_id: int,
    payment_id: int,
) -> OverdueCashPayment | None:
    """Mark a cash payment taken while the deposit state is ``overdue``.

    POLICY.md §7.3 (revised 2026-11): a cash payer is never refused; the rule
    is enforced on the collector. The payment is taken, and this mark (with the
    passed deadline and the amount that was due by then) makes it show on the
    receipt stub, the ledger line and the reports. Returns None when the state
    is not overdue. Call it inside the payment's transaction, before its ledger
    line (the line carries the mark in its memo).
    """
    status = current_deposit_status(session, clock, office_id)
    if status.state != "overdue" or status.deadline is None:
        return None
    now = clock.now()
    mark = OverdueCashPayment(
        office_id=office_id,
        payment_id=payment_id,
        business_date=now.date(),
        deadline=status.deadline,
        overdue_fen=status.amount_due_fen,
        cash_on_hand_fen=status.cash_on_hand_fen,
        operator_id=operator_id,
        created_at=now,
    )
    session.add(mark)
    session.flush()
    from services.audit import record_audit

    record_audit(
        session,
        at=now,
        operator_id=operator_id,
        office_id=office_id,
        action="overdue_cash_payment",
        subject=f"payment:{payment_id}",
        details={
            "deadline": status.deadline.isoformat(),
            "overdue_fen": status.amount_due_fen,
            "cash_on_hand_fen": status.cash_on_hand_fen,
        },
    )
    return mark


def overdue_memo(mark: OverdueCashPayment) -> str:
    """The words a ledger line and a receipt stub carry for an overdue mark."""
    return (
        f"逾期未入库期间收取（{format_fen_grouped(mark.overdue_fen)} 元应于 {mark.deadline} 入库）"
    )


def require_cash_on_hand(
    session: Session, clock: Clock, office_id: int, amount_fen: int, what: str
) -> DepositStatus:
    """Refuse (code ``cash_insufficient``) an outflow that would take cash on
    hand below zero: the drawer can never hold less than nothing."""
    status = current_deposit_status(session, clock, office_id)
    if amount_fen > status.cash_on_hand_fen:
        raise ConflictError(
            f"{what}需付出现金 {format_fen_grouped(amount_fen)} 元，但库存现金只有 "
            f"{format_fen_grouped(max(status.cash_on_hand_fen, 0))} 元，库存现金不能为负数。",
            code="cash_insufficient",
        )
    return status


def state_rank(state: str) -> int:
    """0 for ok … 3 for overdue: for comparing states."""
    return STATES.index(state)
