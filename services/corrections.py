"""Corrections never edit: a void (作废) or a refund (退费) is a record of its own.

* A void is done on the payment's own business day, approved by a supervisor,
  with a reason. The receipt keeps its number; a :class:`ReceiptVoid` marks it,
  a reversing ledger line (kind ``void``, negative amount) is written, the
  payment becomes ``voided`` and the enrolment ``registered`` again, so the
  resident can pay again.
* A refund (POLICY.md §6) is :mod:`services.refunds`; this module holds the
  steps both share (approval, the cash-back rule, the savepoint).

As in :mod:`services.payments`, every check runs before the first write and the
writes run in a savepoint: a refusal leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.glossary import PAYMENT_CHANNELS
from common.money import format_fen_grouped
from db.models import Enrollment, Payment, PaymentNotice, Receipt, ReceiptVoid, Resident
from services.accounts import check_approval
from services.audit import record_audit
from services.business_day import ensure_day_open
from services.clock import Clock
from services.concurrency import lock_office
from services.deposit_rule import DepositStatus
from services.deposit_state import current_deposit_status
from services.ledger import append_entry
from services.office import require_operator

REASON_MAX = 500


T = TypeVar("T")


def undeposited_of_day(status: DepositStatus, day: dt.date) -> int:
    """Cash collected on ``day`` that is still in the drawer (not yet deposited)."""
    return sum(b.remaining_fen for b in status.buckets if b.collection_date == day)


def cash_back_refusal(status: DepositStatus, payment: Payment) -> str | None:
    """Why this payment's cash cannot leave the drawer, or None when it can:
    only a cash payment whose cash is still undeposited here, and never more
    than the cash on hand (POLICY.md §6 revised)."""
    amount = payment.amount_fen
    if payment.channel != "cash":
        return f"原缴费为{PAYMENT_CHANNELS[payment.channel]}，款项不在本柜台现金中"
    if undeposited_of_day(status, payment.business_date) < amount:
        return f"该笔现金（{payment.business_date} 收取）已入库，不在本柜台"
    if status.cash_on_hand_fen < amount:
        return (
            f"库存现金只有 {format_fen_grouped(max(status.cash_on_hand_fen, 0))} 元，"
            f"不足 {format_fen_grouped(amount)} 元"
        )
    return None


@dataclasses.dataclass(frozen=True)
class VoidResult:
    void_id: int
    receipt_id: int
    receipt_no: str
    payment_id: int
    enrollment_id: int
    amount_fen: int
    ledger_seq: int
    voided_at: dt.datetime


def clean_reason(reason: str | None, label: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputError(f"请填写{label}。", code="reason_required")
    if len(text) > REASON_MAX:
        raise InputError(f"{label}过长（最多 {REASON_MAX} 个字）。", code="reason_too_long")
    return text


def in_savepoint(session: Session, write: Callable[[], T]) -> T:
    try:
        with session.begin_nested():
            return write()
    except BaseException:
        session.expire_all()
        raise


def conditional_status(
    session: Session, model: type[Payment] | type[Enrollment], row_id: int, old: str, new: str
) -> None:
    """Move a row from ``old`` to ``new`` status, or refuse if another window did first."""
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(model).where(model.id == row_id, model.status == old).values(status=new)
    )
    if done.rowcount != 1:
        raise ConflictError("该记录刚被另一窗口更改，请刷新后重试。", code="concurrent_change")


def approved_correction(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    act: str,
    subject: str,
    approver_id: int,
    approver_password: str | None,
    reason: str,
    reason_label: str,
) -> str:
    """The steps every correction starts with: lock the office, check the clerk,
    the reason and the supervisor's approval. Returns the cleaned reason."""
    lock_office(session, office_id)  # no check-then-write
    require_operator(session, operator_id, office_id=office_id)
    text = clean_reason(reason, reason_label)
    check_approval(
        session,
        clock,
        office_id=office_id,
        act=act,
        subject=subject,
        approver_id=approver_id,
        approver_password=approver_password,
        requester_id=operator_id,
    )
    return text


@dataclasses.dataclass(frozen=True)
class CorrectionAct:
    """Who corrects what, when: the parts of a correction every write step needs."""

    office_id: int
    operator_id: int
    approver_id: int
    now: dt.datetime
    reason: str
    payment: Payment
    enrollment: Enrollment
    resident: Resident

    @property
    def today(self) -> dt.date:
        return self.now.date()


def enrolment_of(session: Session, payment: Payment) -> tuple[Enrollment, Resident]:
    enrollment = session.get(Enrollment, payment.enrollment_id)
    resident = session.get(Resident, enrollment.resident_id) if enrollment else None
    assert enrollment is not None and resident is not None
    return enrollment, resident


# --- void -------------------------------------------------------------------------------


def void_receipt(
    session: Session,
    clock: Clock,
    *,
    receipt_id: int,
    supervisor_id: int,
    reason: str,
    operator_id: int,
    supervisor_password: str | None = None,
) -> VoidResult:
    """Void a cash receipt on its own business day (作废)."""
    now = clock.now()
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound(f"没有编号为 {receipt_id} 的收据。", code="receipt_not_found")
    office_id = receipt.office_id
    text = approved_correction(
        session,
        clock,
        office_id=office_id,
        operator_id=operator_id,
        act="void",
        subject=f"receipt:{receipt_id}",
        approver_id=supervisor_id,
        approver_password=supervisor_password,
        reason=reason,
        reason_label="作废原因",
    )
    payment = _voidable_payment(session, receipt, now.date())
    ensure_day_open(session, office_id, now.date(), operator_id=operator_id)
    refusal = cash_back_refusal(current_deposit_status(session, clock, office_id), payment)
    if refusal is not None:
        raise ConflictError(
            f"收据 {receipt.receipt_no} 不能作废：{refusal}，库存现金不能为负数。"
            "请改为办理退费（退费申请）。",
            code="cash_not_in_drawer",
        )
    enrollment, resident = enrolment_of(session, payment)
    act = CorrectionAct(
        office_id, operator_id, supervisor_id, now, text, payment, enrollment, resident
    )
    return in_savepoint(session, lambda: _write_void(session, act, receipt))


def _voidable_payment(session: Session, receipt: Receipt, today: dt.date) -> Payment:
    """The receipt's payment, when it may still be voided today."""
    existing = session.scalars(
        select(ReceiptVoid).where(ReceiptVoid.receipt_id == receipt.id)
    ).first()
    if existing is not None:
        raise ConflictError(
            f"收据 {receipt.receipt_no} 已于 {existing.voided_at:%Y-%m-%d %H:%M} 作废。",
            code="already_voided",
        )
    payment = session.get(Payment, receipt.payment_id)
    assert payment is not None
    if payment.status == "refunded":
        raise ConflictError(
            f"收据 {receipt.receipt_no} 的缴费已退费，不能再作废。", code="already_refunded"
        )
    if payment.business_date != today:
        raise ConflictError(
            f"收据 {receipt.receipt_no} 是 {payment.business_date} 开具的，只能在开具当日作废；"
            "跨日更正请办理退费。",
            code="void_not_same_day",
        )
    return payment


def _write_void(session: Session, act: CorrectionAct, receipt: Receipt) -> VoidResult:
    payment, enrollment, resident = act.payment, act.enrollment, act.resident
    # The void row first: the database accepts the payment's 'voided'
    # status only when it exists (db/payment_guard.py).
    mark = ReceiptVoid(
        receipt_id=receipt.id,
        reason=act.reason,
        supervisor_id=act.approver_id,
        operator_id=act.operator_id,
        voided_at=act.now,
    )
    session.add(mark)
    session.flush()
    conditional_status(session, Payment, payment.id, "completed", "voided")
    conditional_status(session, Enrollment, enrollment.id, "paid", "registered")
    if payment.notice_id is not None:
        # The slip is valid again: the resident may pay with it once more.
        session.execute(
            update(PaymentNotice)
            .where(PaymentNotice.id == payment.notice_id, PaymentNotice.status == "paid")
            .values(status="issued")
        )
    entry = append_entry(
        session,
        office_id=act.office_id,
        kind="void",
        business_date=act.today,
        recorded_at=act.now,
        operator_id=act.operator_id,
        channel=payment.channel,
        amount_fen=-receipt.amount_fen,
        cash_fen=-receipt.amount_fen,
        payment_id=payment.id,
        receipt_id=receipt.id,
        resident_id=resident.id,
        village_id=resident.village_id,
        tier=enrollment.tier,
        reference=payment.reference,
        memo=f"作废收据 {receipt.receipt_no}：{act.reason}",
    )
    record_audit(
        session,
        at=act.now,
        operator_id=act.operator_id,
        office_id=act.office_id,
        action="receipt_voided",
        subject=f"receipt:{receipt.id}",
        details={"supervisor_id": act.approver_id, "amount_fen": receipt.amount_fen},
    )
    return VoidResult(
        void_id=mark.id,
        receipt_id=receipt.id,
        receipt_no=receipt.receipt_no,
        payment_id=payment.id,
        enrollment_id=enrollment.id,
        amount_fen=receipt.amount_fen,
        ledger_seq=entry.seq,
        voided_at=act.now,
    )
