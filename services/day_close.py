"""Opening and closing the business day (日结), and the lock on closed days.

* :func:`open_day` records the opening float (备用金), once per office and day.
* The close is a blind count: the clerk counts the drawer by denomination
  (notes 100, 50, 20, 10, 5, 1 yuan; coins 1 yuan, 5 jiao, 1 jiao) and only then
  does :func:`preview_close` reveal the expected figure. There is no other way
  to ask the service for it.
* Expected = opening float + cash received − cash refunded (voids included)
  − deposited. Undeposited cash of earlier days may stay in the drawer (the
  deposit rule allows five days), so it is added as "brought forward"; when
  everything is deposited daily that term is zero. In short: expected = float
  + cash on hand at the close.
* A difference (长短款) needs a reason and a supervisor. While cash is due
  today or overdue (POLICY.md §7.3: the state at the close, after that day's
  deposits) the day closes only with a supervisor's override and its reason,
  recorded as an ``Override`` of kind ``due_today_close``.
* A closed day is locked: nothing may be written dated inside it or before it
  afterwards; corrections go into the next open day. Every write that carries
  a business date (payments, voids, refunds, deposits, opening a day) calls
  :func:`ensure_day_open` inside its transaction.
* Closing a day that was never opened uses a float of 0.00.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from common.denominations import BY_KEY, DENOMINATIONS, Denomination  # noqa: F401 (re-exported)
from common.errors import ConflictError, InputError, ServiceError
from common.money import format_fen_grouped, parse_amount
from db.models import (
    BusinessDay,
    CashDifference,
    DayClose,
    DayCloseAnnulment,
    DrawerClose,
    DrawerDay,
    LedgerEntry,
    Operator,
    Override,
    Payment,
    Receipt,
    Refund,
)
from services.audit import record_audit
from services.clock import Clock
from services.clock_sanity import check_business_date
from services.concurrency import lock_office
from services.day_seal import DaySeal, seal_day
from services.deposit_rule import (
    DepositStatus,
    clean_reason,
    current_deposit_status,
)
from services.drawers import DrawerState, drawer_close_of, drawer_float, office_drawers
from services.ledger import append_entry
from services.office import require_operator, require_supervisor


def live_closes() -> Any:
    """A condition: day closes not annulled (a close made under a wrong clock
    and annulled by a supervisor no longer locks anything)."""
    return ~exists().where(DayCloseAnnulment.day_close_id == DayClose.id)


def ensure_day_open(
    session: Session, office_id: int, business_date: dt.date, *, operator_id: int | None = None
) -> None:
    """Refuse (code ``day_closed``) a write dated on or before a closed day, and
    (codes ``clock_backwards`` / ``clock_ahead``) one dated by a clock that
    disagrees with the database until a supervisor confirms the date. With
    ``operator_id``, also a cash act at a window whose drawer is already
    closed that day (code ``drawer_closed``; issue 11)."""
    closed = session.scalar(
        select(DayClose.business_date)
        .where(
            DayClose.office_id == office_id,
            DayClose.business_date >= business_date,
            live_closes(),
        )
        .order_by(DayClose.business_date.desc())
        .limit(1)
    )
    if closed is None:
        if operator_id is not None:
            drawer_closed = session.scalar(
                select(DrawerClose.business_date)
                .where(
                    DrawerClose.office_id == office_id,
                    DrawerClose.operator_id == operator_id,
                    DrawerClose.business_date >= business_date,
                    # a close of a day whose office close was annulled (a wrong
                    # clock's future date) locks nothing any more
                    ~exists().where(
                        DayClose.office_id == DrawerClose.office_id,
                        DayClose.business_date == DrawerClose.business_date,
                        ~live_closes(),
                    ),
                )
                .limit(1)
            )
            if drawer_closed is not None:
                raise ConflictError(
                    f"本窗口的钱箱 {drawer_closed} 已日结，不能再记入 {business_date}；"
                    "请在下一个营业日办理。",
                    code="drawer_closed",
                )
        check_business_date(session, office_id, business_date)
        return
    if closed == business_date:
        message = f"{business_date} 已日结，不能再记入该日；更正请记入下一个营业日"
    else:
        message = f"{closed} 已日结，不能再记入更早的 {business_date}；更正请记入下一个营业日"
    raise ConflictError(message, code="day_closed")


# --- opening -------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessDayInfo:
    id: int
    business_date: dt.date
    opening_float_fen: int
    opened_at: dt.datetime
    opened_by: int


def _day_info(row: BusinessDay) -> BusinessDayInfo:
    return BusinessDayInfo(
        row.id, row.business_date, row.opening_float_fen, row.opened_at, row.opened_by
    )


def _business_date(clock: Clock, business_date: dt.date | None) -> dt.date:
    today = clock.now().date()
    if business_date is None:
        return today
    if business_date > today:
        raise InputError(f"{business_date} 还没到，不能办理该日业务。", code="date_in_future")
    return business_date


def open_day(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    opening_float: str | int | Decimal,
    business_date: dt.date | None = None,
) -> BusinessDayInfo:
    """Start a business day (today by default) with its opening float (备用金),
    in yuan as typed. Once per office and day; never inside a closed day."""
    lock_office(session, office_id)  # no check-then-write
    operator = require_operator(session, operator_id, office_id=office_id)
    date = _business_date(clock, business_date)
    float_fen = parse_amount(opening_float)
    ensure_day_open(session, office_id, date, operator_id=operator.id)
    existing = business_day(session, office_id, date)
    mine = session.scalar(
        select(DrawerDay.id).where(
            DrawerDay.office_id == office_id,
            DrawerDay.operator_id == operator.id,
            DrawerDay.business_date == date,
        )
    )
    if mine is not None or (existing is not None and existing.opened_by == operator.id):
        own = drawer_float(session, office_id, operator.id, date)
        raise ConflictError(
            f"{date} 已开始营业（备用金 {format_fen_grouped(own)} 元），不能重复开始。",
            code="day_already_open",
        )
    now = clock.now()
    if existing is None:
        # the first window of the day opens the office's day too
        row = BusinessDay(
            office_id=office_id,
            business_date=date,
            opening_float_fen=float_fen,
            opened_at=now,
            opened_by=operator.id,
        )
        session.add(row)
        session.flush()
        existing = _day_info(row)
    # each window's drawer has its own float (issue 11)
    session.add(
        DrawerDay(
            office_id=office_id,
            operator_id=operator.id,
            business_date=date,
            opening_float_fen=float_fen,
            opened_at=now,
        )
    )
    session.flush()
    return BusinessDayInfo(existing.id, date, float_fen, now, operator.id)


def business_day(session: Session, office_id: int, date: dt.date) -> BusinessDayInfo | None:
    row = session.scalars(
        select(BusinessDay).where(
            BusinessDay.office_id == office_id, BusinessDay.business_date == date
        )
    ).first()
    return None if row is None else _day_info(row)


def day_close_of(session: Session, office_id: int, date: dt.date) -> DayClose | None:
    """The close of ``date`` that counts (an annulled one does not)."""
    return session.scalars(
        select(DayClose).where(
            DayClose.office_id == office_id, DayClose.business_date == date, live_closes()
        )
    ).first()


# --- the day's figures ----------------------------------------------------------------


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
        receipts_issued=int(
            session.scalar(
                select(func.count(Receipt.id))
                .join(Payment, Payment.id == Receipt.payment_id)
                .where(
                    Receipt.office_id == office_id,
                    Payment.business_date == business_date,
                    *([] if operator_id is None else [Payment.operator_id == operator_id]),
                )
            )
            or 0
        ),
        refund_applications=_refund_count(
            session, office_id, business_date, "application", operator_id
        ),
        cash_refunds=_refund_count(session, office_id, business_date, "cash", operator_id),
    )


def _refund_count(
    session: Session, office_id: int, date: dt.date, method: str, operator_id: int | None = None
) -> int:
    where = [Refund.office_id == office_id, Refund.business_date == date, Refund.method == method]
    if operator_id is not None:
        where.append(Refund.operator_id == operator_id)
    return int(session.scalar(select(func.count(Refund.id)).where(*where)) or 0)


# --- counting the drawer ---------------------------------------------------------------


_BY_KEY = BY_KEY
MAX_PIECES = 1_000_000


def normalise_count(denominations: Mapping[str, int]) -> dict[str, int]:
    """The count as {key: pieces} for all nine denominations, checked."""
    counts = {d.key: 0 for d in DENOMINATIONS}
    for key, pieces in denominations.items():
        if key not in _BY_KEY:
            known = "、".join(d.label for d in DENOMINATIONS)
            raise InputError(
                f"没有“{key}”这种面额；可点的面额为：{known}。", code="bad_denomination"
            )
        label = _BY_KEY[key].label
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
    return sum(_BY_KEY[key].fen * pieces for key, pieces in counts.items())


def count_for_amount(fen: int) -> dict[str, int]:
    """A count that adds up to ``fen`` using the largest pieces first (demo, tests)."""
    if fen < 0 or fen % 10:
        raise ValueError("the drawer can only hold whole jiao, and not less than nothing")
    counts: dict[str, int] = {}
    for d in DENOMINATIONS:
        counts[d.key], fen = divmod(fen, d.fen)
    return counts


# --- closing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosePreview:
    """The figures of a close, shown only once the drawer has been counted."""

    business_date: dt.date
    counts: Mapping[str, int]
    counted_fen: int
    opening_float_fen: int
    brought_forward_fen: int  # undeposited cash of earlier days still in the drawer
    totals: DayTotals
    expected_fen: int  # float + brought forward + received - refunded - deposited
    deposit_status: DepositStatus
    #: the drawer counted (issue 11); None: the whole office's cash
    drawer: DrawerState | None = None

    @property
    def difference_fen(self) -> int:
        """Counted minus expected: positive is over (长款), negative short (短款)."""
        return self.counted_fen - self.expected_fen

    @property
    def deposit_required(self) -> bool:
        """Cash due today (or overdue) and not yet deposited: the close needs an override."""
        return self.deposit_status.state in ("due_today", "overdue")


@dataclass(frozen=True)
class DayCloseResult:
    #: the office's close of the day, written when this drawer was the last
    #: one used that day still open (a one-window office: always); else None
    id: int | None
    preview: ClosePreview
    override_id: int | None
    #: the anchor and ledger check of this close (services/day_seal.py)
    seal: DaySeal | None = None
    drawer_close_id: int | None = None

    @property
    def office_complete(self) -> bool:
        return self.id is not None

    @property
    def difference_fen(self) -> int:
        return self.preview.difference_fen


def _close_moment(clock: Clock, date: dt.date) -> dt.datetime:
    now = clock.now()
    return now if date == now.date() else dt.datetime.combine(date, dt.time(23, 59, 59))


def preview_close(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    denominations: Mapping[str, int],
    business_date: dt.date | None = None,
    operator_id: int | None = None,
) -> ClosePreview:
    """Expected against counted, for a count already made (the blind count:
    there is no way to ask for the expected figure without giving a count).
    With ``operator_id``: that window's drawer (issue 11); without, the
    office's cash as one drawer."""
    date = _business_date(clock, business_date)
    counts = normalise_count(denominations)
    counted = sum(_BY_KEY[key].fen * pieces for key, pieces in counts.items())
    if operator_id is not None:
        return _drawer_preview(session, clock, office_id, operator_id, date, counts, counted)
    day = business_day(session, office_id, date)
    opening_float = day.opening_float_fen if day is not None else 0
    status = current_deposit_status(session, clock, office_id, at=_close_moment(clock, date))
    totals = day_totals(session, office_id, date)
    return ClosePreview(
        business_date=date,
        counts=counts,
        counted_fen=counted,
        opening_float_fen=opening_float,
        brought_forward_fen=status.cash_on_hand_fen - totals.net_cash_fen,
        totals=totals,
        expected_fen=opening_float + status.cash_on_hand_fen,
        deposit_status=status,
    )


def _drawer_preview(
    session: Session,
    clock: Clock,
    office_id: int,
    operator_id: int,
    date: dt.date,
    counts: dict[str, int],
    counted: int,
) -> ClosePreview:
    drawers = office_drawers(session, office_id, date)
    drawer = drawers.drawer(operator_id)
    if drawer is None:  # a window with nothing in its drawer
        drawer = DrawerState(
            operator_id, "", date, drawer_float(session, office_id, operator_id, date),
            0, 0, 0, 0, 0, None, False, None,
        )  # fmt: skip
    status = current_deposit_status(session, clock, office_id, at=_close_moment(clock, date))
    totals = replace(
        day_totals(session, office_id, date, operator_id=operator_id),
        deposited_fen=drawer.deposited_fen,
        deposits=drawer.deposits,
    )
    return ClosePreview(
        business_date=date,
        counts=counts,
        counted_fen=counted,
        opening_float_fen=drawer.opening_float_fen,
        brought_forward_fen=drawer.brought_forward_fen,
        totals=totals,
        expected_fen=drawer.expected_fen,
        deposit_status=status,
        drawer=drawer,
    )


def _approve(
    session: Session,
    clock: Clock,
    office_id: int,
    date: dt.date,
    operator_id: int,
    supervisor_id: int | None,
    password: str | None,
) -> Operator:
    from services.accounts import check_approval

    return check_approval(
        session,
        clock,
        office_id=office_id,
        act="day_close",
        subject=f"day:{date.isoformat()}",
        approver_id=supervisor_id,
        approver_password=password,
        requester_id=operator_id,
    )


def close_day(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    denominations: Mapping[str, int],
    business_date: dt.date | None = None,
    difference_reason: str | None = None,
    supervisor_id: int | None = None,
    override_reason: str | None = None,
    late_reason: str | None = None,
    supervisor_password: str | None = None,
    drawer_operator_id: int | None = None,
) -> DayCloseResult:
    """Close a business day (today by default) on the clerk's count of the drawer.

    Refused, with nothing written: a day already closed (or before a closed
    day), a bad count, a difference without a reason and a supervisor, and —
    while cash is due today or overdue (POLICY.md §7.3) — a close without a
    supervisor's override and its reason. The override is recorded and shows
    in the reports. Afterwards the day is locked (:func:`ensure_day_open`).

    Several windows (issue 11): this closes one drawer — the operator's own,
    or (``drawer_operator_id``, a supervisor only) another window's drawer
    counted by the supervisor, e.g. when its clerk has gone. The office's day
    is closed and locked when the last drawer used that day is closed.
    """
    lock_office(session, office_id)  # no check-then-write
    operator = require_operator(session, operator_id, office_id=office_id)
    drawer = operator
    if drawer_operator_id is not None and drawer_operator_id != operator.id:
        require_supervisor(session, operator.id, office_id=office_id)
        drawer = require_operator(session, drawer_operator_id, office_id=office_id)
    date = _business_date(clock, business_date)
    ensure_day_open(session, office_id, date)
    if drawer_close_of(session, office_id, drawer.id, date) is not None:
        raise ConflictError(
            f"{drawer.display_name}的钱箱 {date} 已日结，不能重复日结；"
            "若是另一窗口刚刚日结，请刷新后查看。",
            code="drawer_already_closed",
        )
    earlier = [d for d in unclosed_days(session, clock, office_id) if d < date]
    if earlier:
        raise ConflictError(
            f"{earlier[0]} 尚未日结，须先由主管补日结该日，再日结 {date}。",
            code="earlier_day_unclosed",
        )
    late_text = ""
    supervisor: Operator | None = None
    if date < clock.now().date():
        # 补日结: a forgotten day, closed afterwards by a supervisor with a reason,
        # approved with the supervisor's password
        late_text = clean_reason(late_reason, f"补日结 {date} 的原因")
        supervisor = _approve(
            session, clock, office_id, date, operator.id, supervisor_id, supervisor_password
        )
    preview = preview_close(
        session,
        clock,
        office_id=office_id,
        denominations=denominations,
        business_date=date,
        operator_id=drawer.id,
    )
    difference = preview.difference_fen
    reason = ""
    if difference:
        word = "长款" if difference > 0 else "短款"
        reason = clean_reason(
            difference_reason,
            f"{word} {format_fen_grouped(abs(difference))} 元的原因（实点 "
            f"{format_fen_grouped(preview.counted_fen)} 元，应有 "
            f"{format_fen_grouped(preview.expected_fen)} 元）",
        )
        supervisor = supervisor or _approve(
            session, clock, office_id, date, operator.id, supervisor_id, supervisor_password
        )
    override_text = ""
    status = preview.deposit_status
    if preview.deposit_required:
        if not (override_reason or "").strip() and supervisor_id is None:
            raise ServiceError(
                f"{status.label_zh}：须入库现金 {format_fen_grouped(status.due_by_today_fen)} 元"
                f"尚未入库（期限 {status.deadline}），不能日结。请先入库；"
                "确需日结须由主管填写原因后放行。",
                code="deposit_due_at_close",
            )
        override_text = clean_reason(override_reason, "未入库即日结的原因")
        supervisor = supervisor or _approve(
            session, clock, office_id, date, operator.id, supervisor_id, supervisor_password
        )
    now = clock.now()
    totals = preview.totals
    drawer_row = DrawerClose(
        office_id=office_id,
        operator_id=drawer.id,
        closed_by=operator.id,
        business_date=date,
        opening_float_fen=preview.opening_float_fen,
        cash_in_fen=totals.cash_received_fen + totals.cash_made_up_fen,
        cash_out_fen=totals.cash_out_fen + totals.cash_paid_over_fen,
        deposited_fen=totals.deposited_fen,
        expected_fen=preview.expected_fen,
        counted_fen=preview.counted_fen,
        difference_fen=difference,
        denominations=json.dumps(dict(preview.counts), sort_keys=True),
        difference_reason=reason,
        supervisor_id=supervisor.id if supervisor is not None else None,
        closed_at=now,
    )
    session.add(drawer_row)
    session.flush()
    row = _close_office_day_if_complete(
        session, clock, office_id, date, operator.id, supervisor, status, late_text, now
    )
    if difference:
        assert supervisor is not None
        _book_difference(session, drawer_row, row, drawer.id, supervisor.id, reason, now)
    override_id: int | None = None
    if override_text:
        assert supervisor is not None
        override = Override(
            office_id=office_id,
            kind="due_today_close",
            reason=override_text,
            supervisor_id=supervisor.id,
            operator_id=operator.id,
            business_date=date,
            created_at=now,
            day_close_id=row.id if row is not None else None,
        )
        session.add(override)
        session.flush()
        override_id = override.id
    if late_text:
        assert supervisor is not None
        record_audit(
            session,
            at=now,
            operator_id=operator.id,
            office_id=office_id,
            action="day_close_late",
            subject=f"day:{date.isoformat()}",
            details={"supervisor_id": supervisor.id, "reason": late_text},
        )
    seal = seal_day(session, row, at=now) if row is not None else None
    return DayCloseResult(
        id=row.id if row is not None else None,
        preview=preview,
        override_id=override_id,
        seal=seal,
        drawer_close_id=drawer_row.id,
    )


def _close_office_day_if_complete(
    session: Session,
    clock: Clock,
    office_id: int,
    date: dt.date,
    operator_id: int,
    supervisor: Operator | None,
    status: DepositStatus,
    late_text: str,
    now: dt.datetime,
) -> DayClose | None:
    """Write the office's close of ``date`` (the lock on the day) once every
    drawer used that day is closed: the sums of the drawers' closes."""
    drawers = office_drawers(session, office_id, date)
    if not drawers.complete:
        return None
    closes = list(
        session.scalars(
            select(DrawerClose)
            .where(DrawerClose.office_id == office_id, DrawerClose.business_date == date)
            .order_by(DrawerClose.id)
        )
    )
    counts: dict[str, int] = {}
    for c in closes:
        for key, pieces in json.loads(c.denominations).items():
            counts[key] = counts.get(key, 0) + int(pieces)
    reasons = [c.difference_reason for c in closes if c.difference_reason]
    if len(closes) > 1:
        names = dict(
            session.execute(
                select(Operator.id, Operator.display_name).where(
                    Operator.id.in_([c.operator_id for c in closes])
                )
            ).all()
        )
        reasons = [
            f"{names.get(c.operator_id, c.operator_id)}：{c.difference_reason}"
            for c in closes
            if c.difference_reason
        ]
    totals = day_totals(session, office_id, date)
    row = DayClose(
        office_id=office_id,
        business_date=date,
        opening_float_fen=sum(c.opening_float_fen for c in closes),
        cash_received_fen=totals.cash_received_fen,
        cash_refunded_fen=totals.cash_out_fen,
        deposited_fen=totals.deposited_fen,
        expected_fen=sum(c.expected_fen for c in closes),
        counted_fen=sum(c.counted_fen for c in closes),
        difference_fen=sum(c.difference_fen for c in closes),
        denominations=json.dumps(normalise_count(counts), sort_keys=True),
        difference_reason="；".join(reasons),
        deposit_state=status.state,
        operator_id=operator_id,
        supervisor_id=supervisor.id if supervisor is not None else None,
        closed_at=now,
        late_reason=late_text,
    )
    session.add(row)
    session.flush()
    return row


def _book_difference(
    session: Session,
    close: DrawerClose,
    office_close: DayClose | None,
    collector_id: int,
    supervisor_id: int,
    reason: str,
    now: dt.datetime,
) -> CashDifference:
    """Write a confirmed 长款/短款 to the ledger (POLICY.md §7.3 revised).

    The adjustment line makes the cash on hand equal to what was counted, so
    the next day's expected drawer is the counted one; the difference itself
    stays open as a :class:`CashDifference` (a shortage against the collector,
    an overage as 待查) until settled (services/over_short.py).
    """
    difference = close.counted_fen - close.expected_fen
    kind = "over" if difference > 0 else "short"
    case = CashDifference(
        office_id=close.office_id,
        day_close_id=office_close.id if office_close is not None else None,
        drawer_close_id=close.id,
        business_date=close.business_date,
        kind=kind,
        amount_fen=abs(difference),
        collector_id=collector_id,
        supervisor_id=supervisor_id,
        reason=reason,
        created_at=now,
    )
    session.add(case)
    session.flush()
    word = "长款（待查）" if kind == "over" else "短款（由经办人补足或主管核销）"
    append_entry(
        session,
        office_id=close.office_id,
        kind="adjustment",
        business_date=close.business_date,
        recorded_at=now,
        operator_id=collector_id,
        channel="cash",
        amount_fen=difference,
        cash_fen=difference,
        memo=f"日结{word} {format_fen_grouped(abs(difference))} 元：{reason}",
    )
    record_audit(
        session,
        at=now,
        operator_id=collector_id,
        office_id=close.office_id,
        action="cash_difference_booked",
        subject=f"cash_difference:{case.id}",
        details={
            "kind": kind,
            "amount_fen": abs(difference),
            "supervisor_id": supervisor_id,
            "business_date": close.business_date.isoformat(),
        },
    )
    return case


def unclosed_days(session: Session, clock: Clock, office_id: int) -> list[dt.date]:
    """Days before today with business (a ledger line or an opened day) that were
    never closed, after the last close: flagged at login, closed late by a supervisor."""
    today = clock.now().date()
    last = session.scalar(
        select(func.max(DayClose.business_date)).where(
            DayClose.office_id == office_id, DayClose.business_date < today, live_closes()
        )
    )
    conditions_l = [LedgerEntry.office_id == office_id, LedgerEntry.business_date < today]
    conditions_b = [BusinessDay.office_id == office_id, BusinessDay.business_date < today]
    if last is not None:
        conditions_l.append(LedgerEntry.business_date > last)
        conditions_b.append(BusinessDay.business_date > last)
    dates = set(session.scalars(select(LedgerEntry.business_date).where(*conditions_l).distinct()))
    dates |= set(session.scalars(select(BusinessDay.business_date).where(*conditions_b)))
    return sorted(dates)
