"""Corrections never edit: a void (作废) or a refund (退费) is a record of its own.

* A void is done on the payment's own business day, approved by a supervisor,
  with a reason. The receipt keeps its number; a :class:`ReceiptVoid` marks it,
  a reversing ledger line (kind ``void``, negative amount) is written, the
  payment becomes ``voided`` and the enrolment ``registered`` again, so the
  resident can pay again.
* A refund (POLICY.md §6) is allowed only before benefits start, unless its
  ground is one that allows a refund for a year already covered (duplicate
  cover in another province, or employee insurance for the whole year). It
  needs a reason and a supervisor as approver, and writes a :class:`Refund`,
  a ledger line (kind ``refund``) and the statuses; the receipt is not touched.

As in :mod:`services.payments`, every check runs before the first write and the
writes run in a savepoint: a refusal leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.money import format_fen, format_fen_grouped, parse_amount
from db.models import Enrollment, Payment, PaymentNotice, Receipt, ReceiptVoid, Refund, Resident
from services.accounts import check_approval
from services.audit import record_audit
from services.clock import Clock
from services.concurrency import lock_office
from services.day_close import ensure_day_open
from services.deposit_rule import DepositStatus, current_deposit_status
from services.ledger import append_entry
from services.office import require_operator
from services.payments import CHANNELS, clean_channel
from services.references import clean_reference

REASON_MAX = 500
#: Grounds for a refund (POLICY.md §6, 000 §6).
REFUND_CATEGORIES = {
    "withdraw": "本人申请退保（待遇享受期开始前）",
    "death": "参保人死亡（待遇享受期开始前）",
    "subsidy_withdrawn": "放弃资助身份，改按较高档次缴费",
    "duplicate_other_province": "全年在外省参保（重复参保）",
    "employee_insurance": "全年参加职工医保",
    "other": "其他（待遇享受期开始前）",
}
#: Grounds that allow a refund after benefits started: the whole year is
#: covered elsewhere, so this cover was never needed.
REFUND_AFTER_START = frozenset({"duplicate_other_province", "employee_insurance"})

#: How a refund is paid (POLICY.md §6 revised): from this drawer, or by an
#: application (退费申请) the tax department pays; then no cash moves here.
REFUND_METHODS = {"cash": "柜台现金退付", "application": "退费申请（由税务部门退付）"}

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
        return f"原缴费为{CHANNELS[payment.channel]}，款项不在本柜台现金中"
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


@dataclasses.dataclass(frozen=True)
class RefundResult:
    refund_id: int
    payment_id: int
    enrollment_id: int
    amount_fen: int
    channel: str
    category: str
    business_date: dt.date
    refunded_at: dt.datetime
    ledger_seq: int
    method: str = "cash"  # cash | application (REFUND_METHODS)
    cash_out_fen: int = 0  # cash that left the drawer (0 for an application)
    why_application: str = ""  # why no cash could be paid back here


def clean_reason(reason: str | None, label: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputError(f"请填写{label}。", code="reason_required")
    if len(text) > REASON_MAX:
        raise InputError(f"{label}过长（最多 {REASON_MAX} 个字）。", code="reason_too_long")
    return text


def _in_savepoint(session: Session, write: Callable[[], T]) -> T:
    try:
        with session.begin_nested():
            return write()
    except BaseException:
        session.expire_all()
        raise


def _conditional_status(
    session: Session, model: type[Payment] | type[Enrollment], row_id: int, old: str, new: str
) -> None:
    """Move a row from ``old`` to ``new`` status, or refuse if another window did first."""
    done: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(model).where(model.id == row_id, model.status == old).values(status=new)
    )
    if done.rowcount != 1:
        raise ConflictError("该记录刚被另一窗口更改，请刷新后重试。", code="concurrent_change")


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
    today = now.date()
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound(f"没有编号为 {receipt_id} 的收据。", code="receipt_not_found")
    office_id = receipt.office_id
    lock_office(session, office_id)  # no check-then-write
    require_operator(session, operator_id, office_id=office_id)
    text = clean_reason(reason, "作废原因")
    check_approval(
        session,
        clock,
        office_id=office_id,
        act="void",
        subject=f"receipt:{receipt_id}",
        approver_id=supervisor_id,
        approver_password=supervisor_password,
        requester_id=operator_id,
    )
    existing = session.scalars(
        select(ReceiptVoid).where(ReceiptVoid.receipt_id == receipt_id)
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
    ensure_day_open(session, office_id, today, operator_id=operator_id)
    refusal = cash_back_refusal(current_deposit_status(session, clock, office_id), payment)
    if refusal is not None:
        raise ConflictError(
            f"收据 {receipt.receipt_no} 不能作废：{refusal}，库存现金不能为负数。"
            "请改为办理退费（退费申请）。",
            code="cash_not_in_drawer",
        )
    enrollment = session.get(Enrollment, payment.enrollment_id)
    resident = session.get(Resident, enrollment.resident_id) if enrollment else None
    assert enrollment is not None and resident is not None

    def write() -> VoidResult:
        # The void row first: the database accepts the payment's 'voided'
        # status only when it exists (db/payment_guard.py).
        mark = ReceiptVoid(
            receipt_id=receipt.id,
            reason=text,
            supervisor_id=supervisor_id,
            operator_id=operator_id,
            voided_at=now,
        )
        session.add(mark)
        session.flush()
        _conditional_status(session, Payment, payment.id, "completed", "voided")
        _conditional_status(session, Enrollment, enrollment.id, "paid", "registered")
        if payment.notice_id is not None:
            # The slip is valid again: the resident may pay with it once more.
            session.execute(
                update(PaymentNotice)
                .where(PaymentNotice.id == payment.notice_id, PaymentNotice.status == "paid")
                .values(status="issued")
            )
        entry = append_entry(
            session,
            office_id=office_id,
            kind="void",
            business_date=today,
            recorded_at=now,
            operator_id=operator_id,
            channel=payment.channel,
            amount_fen=-receipt.amount_fen,
            cash_fen=-receipt.amount_fen,
            payment_id=payment.id,
            receipt_id=receipt.id,
            resident_id=resident.id,
            village_id=resident.village_id,
            tier=enrollment.tier,
            reference=payment.reference,
            memo=f"作废收据 {receipt.receipt_no}：{text}",
        )
        record_audit(
            session,
            at=now,
            operator_id=operator_id,
            office_id=office_id,
            action="receipt_voided",
            subject=f"receipt:{receipt.id}",
            details={"supervisor_id": supervisor_id, "amount_fen": receipt.amount_fen},
        )
        return VoidResult(
            void_id=mark.id,
            receipt_id=receipt.id,
            receipt_no=receipt.receipt_no,
            payment_id=payment.id,
            enrollment_id=enrollment.id,
            amount_fen=receipt.amount_fen,
            ledger_seq=entry.seq,
            voided_at=now,
        )

    return _in_savepoint(session, write)


# --- refund -----------------------------------------------------------------------------


def refund_payment(
    session: Session,
    clock: Clock,
    *,
    payment_id: int,
    reason: str,
    approver_id: int,
    operator_id: int,
    channel: str | None = None,
    category: str = "withdraw",
    reference: str = "",
    method: str | None = None,
    amount: str | int | Decimal | None = None,
    approver_password: str | None = None,
) -> RefundResult:
    """Refund a payment in full (退费, POLICY.md §6 revised).

    Cash leaves the drawer (``method="cash"``) only for a cash payment whose
    cash is still undeposited here, before 01-01 of the policy year, and never
    below zero cash on hand. Otherwise — already deposited, a non-cash payment,
    or from 01-01 of the policy year — the counter records a refund
    **application** (``method="application"``): grounds, approver and payment
    are kept, the application form is printed for the tax department, and no
    cash moves. ``method=None`` chooses by those rules; ``"cash"`` asked for
    where it is not allowed is refused with the reason. ``channel`` is the
    older way to ask: ``"cash"`` means the drawer, anything else an
    application. ``amount``, when given, must be the payment's amount
    (refunds are whole).
    """
    now = clock.now()
    today = now.date()
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"没有编号为 {payment_id} 的缴费记录。", code="payment_not_found")
    office_id = payment.office_id
    lock_office(session, office_id)  # no check-then-write
    require_operator(session, operator_id, office_id=office_id)
    text = clean_reason(reason, "退费原因")
    check_approval(
        session,
        clock,
        office_id=office_id,
        act="refund",
        subject=f"payment:{payment_id}",
        approver_id=approver_id,
        approver_password=approver_password,
        requester_id=operator_id,
    )
    if category not in REFUND_CATEGORIES:
        raise InputError(f"退费类别不正确：{category}", code="bad_refund_category")
    if method is None and channel is not None:
        method = "cash" if clean_channel(channel) == "cash" else "application"
    if method is not None and method not in REFUND_METHODS:
        raise InputError("退费方式只能是柜台现金退付或退费申请。", code="bad_refund_method")
    ref = clean_reference(payment.channel, reference, refund=True)
    if amount is not None:
        asked = parse_amount(amount)
        if asked > payment.amount_fen:
            raise InputError(
                f"退费金额 {format_fen(asked)} 元大于原缴费金额 {format_fen(payment.amount_fen)} 元。",
                code="refund_exceeds_payment",
            )
        if asked != payment.amount_fen:
            raise InputError(
                f"只能全额退费：原缴费 {format_fen(payment.amount_fen)} 元。",
                code="refund_not_whole",
            )
    if payment.status == "voided":
        raise ConflictError("该缴费的收据已作废，无需退费。", code="payment_voided")
    if payment.status == "refunded":
        refunded = session.scalars(select(Refund).where(Refund.payment_id == payment.id)).first()
        when = f"于 {refunded.refunded_at:%Y-%m-%d %H:%M} " if refunded is not None else ""
        raise ConflictError(f"该缴费已{when}退费，不能重复退费。", code="already_refunded")
    enrollment = session.get(Enrollment, payment.enrollment_id)
    assert enrollment is not None
    start = enrollment.benefit_start
    if category not in REFUND_AFTER_START and start is not None and start <= today:
        raise ConflictError(
            f"待遇享受期已于 {start} 开始，原则上不予退费（全年在外省参保或全年参加职工医保的除外）。",
            code="benefits_started",
        )
    ensure_day_open(session, office_id, today, operator_id=operator_id)
    resident = session.get(Resident, enrollment.resident_id)
    assert resident is not None
    refusal = cash_back_refusal(current_deposit_status(session, clock, office_id), payment)
    if refusal is None and today >= dt.date(enrollment.policy_year, 1, 1):
        refusal = f"{enrollment.policy_year} 年度已开始，退费须向税务部门申请"
    if method == "cash" and refusal is not None:
        raise ConflictError(
            f"不能从柜台现金退付：{refusal}。请办理退费申请，由税务部门退付。",
            code="cash_refund_not_possible",
        )
    how = "cash" if refusal is None and method != "application" else "application"
    cash_out = payment.amount_fen if how == "cash" else 0
    note = "" if how == "cash" else (refusal or "按申请人要求由税务部门退付")

    def write() -> RefundResult:
        # The refund row first: the database accepts the payment's 'refunded'
        # status only when it exists (db/payment_guard.py).
        row = Refund(
            office_id=office_id,
            payment_id=payment.id,
            amount_fen=payment.amount_fen,
            channel="cash" if how == "cash" else payment.channel,
            category=category,
            reference=ref,
            reason=text,
            approver_id=approver_id,
            operator_id=operator_id,
            business_date=today,
            refunded_at=now,
            method=how,
            method_note=note,
        )
        session.add(row)
        session.flush()
        _conditional_status(session, Payment, payment.id, "completed", "refunded")
        _conditional_status(session, Enrollment, enrollment.id, "paid", "refunded")
        memo = (
            f"退费 {format_fen(payment.amount_fen)} 元（{REFUND_METHODS[how]}，"
            f"{REFUND_CATEGORIES[category]}）：{text}"
        )
        entry = append_entry(
            session,
            office_id=office_id,
            kind="refund",
            business_date=today,
            recorded_at=now,
            operator_id=operator_id,
            # An application moves no money at this counter: its line records
            # the act (amount and cash 0), the refund row holds the amount.
            channel="cash" if how == "cash" else payment.channel,
            amount_fen=-cash_out,
            cash_fen=-cash_out,
            payment_id=payment.id,
            refund_id=row.id,
            resident_id=resident.id,
            village_id=resident.village_id,
            tier=enrollment.tier,
            reference=ref,
            memo=memo,
        )
        record_audit(
            session,
            at=now,
            operator_id=operator_id,
            office_id=office_id,
            action="payment_refunded",
            subject=f"refund:{row.id}",
            details={
                "payment_id": payment.id,
                "amount_fen": payment.amount_fen,
                "method": how,
                "approver_id": approver_id,
                "category": category,
            },
        )
        return RefundResult(
            refund_id=row.id,
            payment_id=payment.id,
            enrollment_id=enrollment.id,
            amount_fen=payment.amount_fen,
            channel=row.channel,
            category=category,
            business_date=today,
            refunded_at=now,
            ledger_seq=entry.seq,
            method=how,
            cash_out_fen=cash_out,
            why_application=note,
        )

    return _in_savepoint(session, write)
