"""Open over/short cases after a day close, and annulling a close made under a
wrong clock (POLICY.md §7.3 revised).

A confirmed difference was already booked to the ledger by the close (an
``adjustment`` line), so the drawer's figure is right the next day. What
remains open is *whose* money it is:

* a shortage (短款) stays open against the collector until made up — a
  ``cash_in`` ledger line, cash into the drawer — or written off by a
  supervisor with a reason (no cash moves);
* an overage (长款) is held as 待查 until a supervisor decides: kept with the
  office's cash (it is deposited with the rest; no cash moves now) or handed
  back to whom it belongs — a ``cash_out`` line, never below zero cash on hand.

Every settlement is a row of its own; parts are allowed, never more than is open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.money import format_fen_grouped, parse_amount
from db.models import CashDifference, CashDifferenceSettlement, DayClose, DayCloseAnnulment
from services.accounts import check_approval
from services.audit import record_audit
from services.business_day import ensure_day_open
from services.clock import Clock
from services.concurrency import lock_office
from services.ledger import append_entry
from services.office import require_operator, require_supervisor
from services.overdue_cash import clean_reason, require_cash_on_hand

ACTIONS = {
    "cash_in": "经办人补足短款",
    "write_off": "主管核销短款",
    "over_kept": "长款经查归入库存现金",
    "over_returned": "长款退还",
}
KIND_LABELS = {"short": "短款", "over": "长款"}


@dataclass(frozen=True)
class OpenDifference:
    id: int
    business_date: dt.date
    kind: str  # short | over
    amount_fen: int
    settled_fen: int
    collector_id: int
    reason: str

    @property
    def open_fen(self) -> int:
        return self.amount_fen - self.settled_fen

    @property
    def label(self) -> str:
        word = "短款（未补足）" if self.kind == "short" else "长款（待查）"
        return f"{self.business_date} {word} {format_fen_grouped(self.open_fen)} 元"


def _settled(session: Session, difference_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(CashDifferenceSettlement.amount_fen), 0)).where(
                CashDifferenceSettlement.difference_id == difference_id
            )
        )
        or 0
    )


def differences(
    session: Session, office_id: int, *, open_only: bool = True
) -> list[OpenDifference]:
    """The office's over/short cases, oldest first (only those still open by default)."""
    settled = (
        select(
            CashDifferenceSettlement.difference_id,
            func.sum(CashDifferenceSettlement.amount_fen).label("done"),
        )
        .group_by(CashDifferenceSettlement.difference_id)
        .subquery()
    )
    rows = session.execute(
        select(CashDifference, func.coalesce(settled.c.done, 0))
        .outerjoin(settled, settled.c.difference_id == CashDifference.id)
        .where(CashDifference.office_id == office_id)
        .order_by(CashDifference.business_date, CashDifference.id)
    ).all()
    result = [
        OpenDifference(
            d.id, d.business_date, d.kind, d.amount_fen, int(done), d.collector_id, d.reason
        )
        for d, done in rows
    ]
    return [d for d in result if d.open_fen > 0] if open_only else result


def settle_difference(
    session: Session,
    clock: Clock,
    *,
    difference_id: int,
    action: str,
    amount: str | int | Decimal,
    operator_id: int,
    supervisor_id: int | None = None,
    reason: str = "",
    supervisor_password: str | None = None,
) -> CashDifferenceSettlement:
    """Settle (part of) an open difference; see the module docstring.

    ``cash_in`` may be done by the clerk; ``write_off``, ``over_kept`` and
    ``over_returned`` need a supervisor and a reason.
    """
    now = clock.now()
    today = now.date()
    case = session.get(CashDifference, difference_id)
    if case is None:
        raise NotFound(f"没有编号为 {difference_id} 的长短款记录。", code="difference_not_found")
    office_id = case.office_id
    lock_office(session, office_id)  # what is still open, and the drawer, read under lock
    require_operator(session, operator_id, office_id=office_id)
    fen = _check_settlement(session, case, action, amount)
    text = _settlement_reason(
        session, clock, case, action, reason, supervisor_id, supervisor_password
    )
    ensure_day_open(session, office_id, today, operator_id=operator_id)
    if action == "over_returned":
        require_cash_on_hand(session, clock, office_id, fen, "长款退还")
    row = CashDifferenceSettlement(
        difference_id=case.id,
        action=action,
        amount_fen=fen,
        reason=text,
        operator_id=operator_id,
        supervisor_id=supervisor_id if action != "cash_in" else None,
        business_date=today,
        created_at=now,
    )
    with session.begin_nested():
        session.add(row)
        session.flush()
        if action in ("cash_in", "over_returned"):
            _settlement_line(session, case, row)
    _journal_settlement(session, case, row)
    return row


def _journal_settlement(
    session: Session, case: CashDifference, row: CashDifferenceSettlement
) -> None:
    record_audit(
        session,
        at=row.created_at,
        operator_id=row.operator_id,
        office_id=case.office_id,
        action="cash_difference_settled",
        subject=f"cash_difference:{case.id}",
        details={
            "action": row.action,
            "amount_fen": row.amount_fen,
            "supervisor_id": row.supervisor_id,
            "reason": row.reason,
        },
    )


def _check_settlement(
    session: Session, case: CashDifference, action: str, amount: str | int | Decimal
) -> int:
    """The action fits the kind of difference, and the amount what is still open."""
    if action not in ACTIONS:
        raise InputError("处理方式不正确。", code="bad_settlement_action")
    wanted_kind = "short" if action in ("cash_in", "write_off") else "over"
    if case.kind != wanted_kind:
        raise ConflictError(
            f"该记录是{KIND_LABELS[case.kind]}，不能“{ACTIONS[action]}”。",
            code="settlement_kind_mismatch",
        )
    fen = parse_amount(amount)
    if fen <= 0:
        raise InputError("金额须大于 0。", code="amount_not_positive")
    open_fen = case.amount_fen - _settled(session, case.id)
    if fen > open_fen:
        raise InputError(
            f"金额 {format_fen_grouped(fen)} 元超过尚未处理的 {format_fen_grouped(open_fen)} 元。",
            code="settlement_exceeds_open",
        )
    return fen


def _settlement_reason(
    session: Session,
    clock: Clock,
    case: CashDifference,
    action: str,
    reason: str,
    supervisor_id: int | None,
    supervisor_password: str | None,
) -> str:
    """``cash_in`` may be done by the clerk; the rest need a supervisor and a reason."""
    if action == "cash_in":
        return (reason or "").strip()
    require_supervisor(session, supervisor_id, office_id=case.office_id)
    text = clean_reason(reason, f"{ACTIONS[action]}的原因")
    # the supervisor decides on the collector's difference: proven by the
    # supervisor's password, and never on their own difference
    check_approval(
        session,
        clock,
        office_id=case.office_id,
        act=action,
        subject=f"cash_difference:{case.id}",
        approver_id=supervisor_id,
        approver_password=supervisor_password,
        requester_id=case.collector_id,
    )
    return text


def _settlement_line(session: Session, case: CashDifference, row: CashDifferenceSettlement) -> None:
    """Cash made up comes into the drawer; an overage returned goes out of it."""
    action, fen, text = row.action, row.amount_fen, row.reason
    cash = fen if action == "cash_in" else -fen
    append_entry(
        session,
        office_id=case.office_id,
        kind=action if action == "cash_in" else "cash_out",
        business_date=row.business_date,
        recorded_at=row.created_at,
        operator_id=row.operator_id,
        channel="cash",
        amount_fen=cash,
        cash_fen=cash,
        memo=(
            f"{ACTIONS[action]} {format_fen_grouped(fen)} 元"
            f"（{case.business_date} {KIND_LABELS[case.kind]}）" + (f"：{text}" if text else "")
        ),
    )


def future_closes(session: Session, clock: Clock, office_id: int) -> list[tuple[int, dt.date]]:
    """Live day closes dated after today (a wrong clock's): (id, date), oldest first."""
    today = clock.now().date()
    rows = session.execute(
        select(DayClose.id, DayClose.business_date)
        .where(
            DayClose.office_id == office_id,
            DayClose.business_date > today,
            ~select(DayCloseAnnulment.id)
            .where(DayCloseAnnulment.day_close_id == DayClose.id)
            .exists(),
        )
        .order_by(DayClose.business_date)
    ).all()
    return [(int(i), d) for i, d in rows]


def _check_annullable(session: Session, close: DayClose, today: dt.date) -> None:
    """Only a close dated in the future, and only once."""
    if close.business_date <= today:
        raise ConflictError(
            f"{close.business_date} 的日结不在未来，不能撤销；只有电脑时钟错误造成的未来日期的日结可以撤销。",
            code="close_not_in_future",
        )
    done = session.scalar(
        select(DayCloseAnnulment.id).where(DayCloseAnnulment.day_close_id == close.id)
    )
    if done is not None:
        raise ConflictError("该日结已撤销。", code="close_already_annulled")


def annul_day_close(
    session: Session,
    clock: Clock,
    *,
    day_close_id: int,
    supervisor_id: int,
    operator_id: int,
    reason: str,
    supervisor_password: str | None = None,
) -> DayCloseAnnulment:
    """Annul a day close dated in the future (a wrong clock): a new row, never
    an edit. The close then no longer locks its day or the days before it."""
    close = session.get(DayClose, day_close_id)
    if close is None:
        raise NotFound(f"没有编号为 {day_close_id} 的日结记录。", code="day_close_not_found")
    lock_office(session, close.office_id)  # one annulment per close
    require_operator(session, operator_id, office_id=close.office_id)
    require_supervisor(session, supervisor_id, office_id=close.office_id)
    text = clean_reason(reason, "撤销日结的原因")
    now = clock.now()
    _check_annullable(session, close, now.date())
    check_approval(
        session,
        clock,
        office_id=close.office_id,
        act="annul_close",
        subject=f"day_close:{close.id}",
        approver_id=supervisor_id,
        approver_password=supervisor_password,
        requester_id=operator_id,
        own_act=True,
    )
    row = DayCloseAnnulment(
        day_close_id=close.id,
        reason=text,
        supervisor_id=supervisor_id,
        operator_id=operator_id,
        annulled_at=now,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        at=now,
        operator_id=operator_id,
        office_id=close.office_id,
        action="day_close_annulled",
        subject=f"day_close:{close.id}",
        details={
            "business_date": close.business_date.isoformat(),
            "supervisor_id": supervisor_id,
            "reason": text,
        },
    )
    return row
