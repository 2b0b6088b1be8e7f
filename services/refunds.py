"""Refunds (退费, POLICY.md §6 revised): a record of their own, never an edit.

A refund is allowed only before benefits start, unless its ground is one that
allows a refund for a year already covered. It needs a reason and a supervisor
as approver, and writes a :class:`Refund`, a ledger line (kind ``refund``) and
the statuses; the receipt is not touched. Cash leaves the drawer only when it is
still here; otherwise the counter records an application the tax department pays."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from common.money import format_fen, parse_amount
from db.models import Enrollment, Payment, Refund
from services.audit import record_audit
from services.business_day import ensure_day_open
from services.clock import Clock
from services.corrections import (
    CorrectionAct,
    approved_correction,
    cash_back_refusal,
    conditional_status,
    enrolment_of,
    in_savepoint,
)
from services.deposit_state import current_deposit_status
from services.ledger import append_entry
from services.payments import clean_channel
from services.references import clean_reference

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
    text = approved_correction(
        session,
        clock,
        office_id=office_id,
        operator_id=operator_id,
        act="refund",
        subject=f"payment:{payment_id}",
        approver_id=approver_id,
        approver_password=approver_password,
        reason=reason,
        reason_label="退费原因",
    )
    method = _refund_method(category, method, channel)
    ref = clean_reference(payment.channel, reference, refund=True)
    _check_whole_amount(payment, amount)
    _check_refundable(session, payment)
    _check_benefits_not_started(session, payment, category, today)
    ensure_day_open(session, office_id, today, operator_id=operator_id)
    enrollment, resident = enrolment_of(session, payment)
    how, note = _refund_how(session, clock, payment, enrollment, method, today)
    act = CorrectionAct(
        office_id, operator_id, approver_id, now, text, payment, enrollment, resident
    )
    return in_savepoint(session, lambda: _write_refund(session, act, category, ref, how, note))


def _refund_method(category: str, method: str | None, channel: str | None) -> str | None:
    """The refund's ground and the way asked for, checked (None: choose by the rules)."""
    if category not in REFUND_CATEGORIES:
        raise InputError(f"退费类别不正确：{category}", code="bad_refund_category")
    if method is None and channel is not None:
        method = "cash" if clean_channel(channel) == "cash" else "application"
    if method is not None and method not in REFUND_METHODS:
        raise InputError("退费方式只能是柜台现金退付或退费申请。", code="bad_refund_method")
    return method


def _check_whole_amount(payment: Payment, amount: str | int | Decimal | None) -> None:
    """Refunds are whole: an amount given must be the payment's."""
    if amount is None:
        return
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


def _check_refundable(session: Session, payment: Payment) -> None:
    """Neither voided nor refunded already."""
    if payment.status == "voided":
        raise ConflictError("该缴费的收据已作废，无需退费。", code="payment_voided")
    if payment.status == "refunded":
        refunded = session.scalars(select(Refund).where(Refund.payment_id == payment.id)).first()
        when = f"于 {refunded.refunded_at:%Y-%m-%d %H:%M} " if refunded is not None else ""
        raise ConflictError(f"该缴费已{when}退费，不能重复退费。", code="already_refunded")


def _check_benefits_not_started(
    session: Session, payment: Payment, category: str, today: dt.date
) -> None:
    """Before benefits start, unless the ground allows a refund of a covered year."""
    enrollment = session.get(Enrollment, payment.enrollment_id)
    assert enrollment is not None
    start = enrollment.benefit_start
    if category not in REFUND_AFTER_START and start is not None and start <= today:
        raise ConflictError(
            f"待遇享受期已于 {start} 开始，原则上不予退费（全年在外省参保或全年参加职工医保的除外）。",
            code="benefits_started",
        )


def _refund_how(
    session: Session,
    clock: Clock,
    payment: Payment,
    enrollment: Enrollment,
    method: str | None,
    today: dt.date,
) -> tuple[str, str]:
    """Cash from the drawer or an application, and why not cash (POLICY.md §6 revised)."""
    refusal = cash_back_refusal(current_deposit_status(session, clock, payment.office_id), payment)
    if refusal is None and today >= dt.date(enrollment.policy_year, 1, 1):
        refusal = f"{enrollment.policy_year} 年度已开始，退费须向税务部门申请"
    if method == "cash" and refusal is not None:
        raise ConflictError(
            f"不能从柜台现金退付：{refusal}。请办理退费申请，由税务部门退付。",
            code="cash_refund_not_possible",
        )
    how = "cash" if refusal is None and method != "application" else "application"
    note = "" if how == "cash" else (refusal or "按申请人要求由税务部门退付")
    return how, note


def _write_refund(
    session: Session, act: CorrectionAct, category: str, ref: str, how: str, note: str
) -> RefundResult:
    payment, enrollment, resident = act.payment, act.enrollment, act.resident
    cash_out = payment.amount_fen if how == "cash" else 0
    # The refund row first: the database accepts the payment's 'refunded'
    # status only when it exists (db/payment_guard.py).
    row = _add_refund_row(session, act, category, ref, how, note)
    conditional_status(session, Payment, payment.id, "completed", "refunded")
    conditional_status(session, Enrollment, enrollment.id, "paid", "refunded")
    memo = (
        f"退费 {format_fen(payment.amount_fen)} 元（{REFUND_METHODS[how]}，"
        f"{REFUND_CATEGORIES[category]}）：{act.reason}"
    )
    entry = append_entry(
        session,
        office_id=act.office_id,
        kind="refund",
        business_date=act.today,
        recorded_at=act.now,
        operator_id=act.operator_id,
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
    _journal_refund(session, act, row)
    return RefundResult(
        refund_id=row.id,
        payment_id=payment.id,
        enrollment_id=enrollment.id,
        amount_fen=payment.amount_fen,
        channel=row.channel,
        category=category,
        business_date=act.today,
        refunded_at=act.now,
        ledger_seq=entry.seq,
        method=how,
        cash_out_fen=cash_out,
        why_application=note,
    )


def _add_refund_row(
    session: Session, act: CorrectionAct, category: str, ref: str, how: str, note: str
) -> Refund:
    payment = act.payment
    row = Refund(
        office_id=act.office_id,
        payment_id=payment.id,
        amount_fen=payment.amount_fen,
        channel="cash" if how == "cash" else payment.channel,
        category=category,
        reference=ref,
        reason=act.reason,
        approver_id=act.approver_id,
        operator_id=act.operator_id,
        business_date=act.today,
        refunded_at=act.now,
        method=how,
        method_note=note,
    )
    session.add(row)
    session.flush()
    return row


def _journal_refund(session: Session, act: CorrectionAct, row: Refund) -> None:
    record_audit(
        session,
        at=act.now,
        operator_id=act.operator_id,
        office_id=act.office_id,
        action="payment_refunded",
        subject=f"refund:{row.id}",
        details={
            "payment_id": act.payment.id,
            "amount_fen": act.payment.amount_fen,
            "method": row.method,
            "approver_id": act.approver_id,
            "category": row.category,
        },
    )
