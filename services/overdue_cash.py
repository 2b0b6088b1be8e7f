"""Acts on overdue cash: the supervisor's mark on a cash payment taken while
cash was overdue, and the check that there is cash on hand to pay out."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, PermissionDenied
from common.money import format_fen_grouped
from db.models import Operator, OverdueCashPayment
from services.clock import Clock
from services.deposit_rule import DepositStatus
from services.deposit_state import current_deposit_status
from services.office import require_supervisor


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
