"""Data for the cash desk's documents (printing/cash_desk.py): the refund slip,
the refund application and the non-cash payment voucher (缴费凭证)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError, NotFound
from common.glossary import channel_label, tier_label
from db.models import Enrollment, Operator, Payment, Receipt, Refund, Resident, Village
from printing.cash_desk import RefundDocData, VoucherData
from services.anchors import refund_code_for, refund_no, voucher_code_for, voucher_no
from services.documents import office_header
from services.refunds import REFUND_CATEGORIES, REFUND_METHODS


def _name(session: Session, operator_id: int | None) -> str:
    if operator_id is None:
        return ""
    row = session.get(Operator, operator_id)
    return row.display_name if row is not None else ""


def _person(session: Session, enrollment_id: int) -> tuple[Enrollment, Resident, str]:
    enrollment = session.get(Enrollment, enrollment_id)
    assert enrollment is not None
    resident = session.get(Resident, enrollment.resident_id)
    assert resident is not None
    village = session.get(Village, resident.village_id) if resident.village_id else None
    return enrollment, resident, village.name if village is not None else ""


def refund_document(session: Session, refund_id: int) -> RefundDocData:
    """The refund slip / application data of a recorded refund."""
    refund = session.get(Refund, refund_id)
    if refund is None:
        raise NotFound(f"没有编号为 {refund_id} 的退费记录。", code="refund_not_found")
    payment = session.get(Payment, refund.payment_id)
    assert payment is not None
    enrollment, resident, village = _person(session, payment.enrollment_id)
    receipt_no = session.scalar(select(Receipt.receipt_no).where(Receipt.payment_id == payment.id))
    return RefundDocData(
        office=office_header(session, refund.office_id),
        refund_no=refund_no(refund.id),
        method=refund.method,
        method_label=REFUND_METHODS.get(refund.method, refund.method),
        resident_name=resident.name,
        id_number=resident.id_number,
        village=village,
        policy_year=enrollment.policy_year,
        tier=tier_label(enrollment.tier),
        paid_on=payment.business_date,
        paid_channel=channel_label(payment.channel),
        proof=receipt_no or payment.reference,
        amount_fen=refund.amount_fen,
        ground=REFUND_CATEGORIES.get(refund.category, refund.category),
        reason=refund.reason,
        why_application=refund.method_note,
        approver=_name(session, refund.approver_id),
        operator=_name(session, refund.operator_id),
        refunded_at=refund.refunded_at,
        payer_name=payment.agent_name or payment.payer_name,
        check_code=refund_code_for(session, refund.id) or "",
    )


def voucher_document(session: Session, payment_id: int) -> VoucherData:
    """The 缴费凭证 of a non-cash payment (a cash payment has its receipt)."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"没有编号为 {payment_id} 的缴费记录。", code="payment_not_found")
    if payment.channel == "cash":
        raise ConflictError("现金缴费开具收据，不打印缴费凭证。", code="cash_has_receipt")
    enrollment, resident, village = _person(session, payment.enrollment_id)
    return VoucherData(
        office=office_header(session, payment.office_id),
        voucher_no=voucher_no(payment.id),
        resident_name=resident.name,
        id_number=resident.id_number,
        village=village,
        policy_year=enrollment.policy_year,
        tier=tier_label(enrollment.tier),
        channel=channel_label(payment.channel),
        reference=payment.reference,
        amount_fen=payment.amount_fen,
        paid_at=payment.paid_at,
        operator=_name(session, payment.operator_id),
        payer_name=payment.agent_name or payment.payer_name,
        benefit_start=enrollment.benefit_start,
        benefit_end=enrollment.benefit_end,
        check_code=voucher_code_for(session, payment.id) or "",
    )


__all__ = ["refund_document", "voucher_document"]
