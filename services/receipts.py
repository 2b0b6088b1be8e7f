"""Cash receipts (收据): what a printed receipt shows, and the record of prints.

A receipt row is never changed (``db/immutability.py``). Every print is a
:class:`ReceiptPrint` row; all prints after the first are reprints (重打) and
the printed copy says so. A voided receipt keeps its number and prints with
its void mark.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import NotFound
from common.glossary import PAYMENT_CHANNELS, tier_label
from common.money import fen_in_words, format_fen
from db.models import (
    Enrollment,
    Office,
    Operator,
    Payment,
    Receipt,
    ReceiptPrint,
    ReceiptVoid,
    Resident,
    Village,
)
from services.audit import record_audit
from services.clock import Clock
from services.info_change_views import identity_as_of
from services.office import require_operator
from services.reassess import terms_as_of


@dataclasses.dataclass(frozen=True)
class PrintRecord:
    print_id: int
    receipt_id: int
    is_reprint: bool
    print_count: int  # prints so far, this one included
    printed_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class ReceiptView:
    """Everything a printed receipt needs (stub copy and payer copy alike)."""

    receipt_id: int
    receipt_no: str
    office_name: str
    office_address: str
    office_phone: str
    issued_at: dt.datetime
    business_date: dt.date
    payer_name: str
    agent_name: str
    resident_name: str
    id_number: str
    village_name: str
    policy_year: int
    policy_key: str
    category: str
    tier: str
    tier_label: str
    benefit_tier: str
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    amount_fen: int
    channel: str
    channel_label: str
    reference: str
    collector_name: str
    voided: bool
    void_reason: str
    voided_at: dt.datetime | None
    print_count: int
    reprint: bool  # the latest recorded print was not the first

    @property
    def amount_text(self) -> str:
        return format_fen(self.amount_fen)

    @property
    def amount_words(self) -> str:
        return fen_in_words(self.amount_fen)


def _receipt(session: Session, receipt_id: int) -> Receipt:
    row = session.get(Receipt, receipt_id)
    if row is None:
        raise NotFound(f"没有编号为 {receipt_id} 的收据。", code="receipt_not_found")
    return row


def find_receipt(session: Session, office_id: int, receipt_no: str) -> int:
    """The id of the receipt with that number in the office."""
    receipt_id = session.scalar(
        select(Receipt.id).where(
            Receipt.office_id == office_id, Receipt.receipt_no == receipt_no.strip()
        )
    )
    if receipt_id is None:
        raise NotFound(f"本单位没有收据号为 {receipt_no} 的收据。", code="receipt_not_found")
    return receipt_id


def _print_count(session: Session, receipt_id: int) -> int:
    count = session.scalar(
        select(func.count(ReceiptPrint.id)).where(ReceiptPrint.receipt_id == receipt_id)
    )
    return int(count or 0)


def record_print(
    session: Session, clock: Clock, *, receipt_id: int, operator_id: int
) -> PrintRecord:
    """Record that the receipt is being printed; the second and later are reprints."""
    receipt = _receipt(session, receipt_id)
    require_operator(session, operator_id, office_id=receipt.office_id)
    before = _print_count(session, receipt_id)
    row = ReceiptPrint(
        receipt_id=receipt_id,
        is_reprint=before > 0,
        printed_at=clock.now(),
        operator_id=operator_id,
    )
    session.add(row)
    session.flush()
    record_audit(
        session,
        at=row.printed_at,
        operator_id=operator_id,
        office_id=receipt.office_id,
        action="document_reprinted" if row.is_reprint else "document_printed",
        subject=f"receipt:{receipt_id}",
        details={"receipt_no": receipt.receipt_no, "print": before + 1},
    )
    return PrintRecord(row.id, receipt_id, row.is_reprint, before + 1, row.printed_at)


def _last_print_was_reprint(session: Session, receipt_id: int) -> bool:
    last_print = session.scalars(
        select(ReceiptPrint)
        .where(ReceiptPrint.receipt_id == receipt_id)
        .order_by(ReceiptPrint.id.desc())
        .limit(1)
    ).first()
    return last_print is not None and last_print.is_reprint


def receipt_view(session: Session, receipt_id: int) -> ReceiptView:
    row = session.execute(
        select(Receipt, Payment, Enrollment, Resident, Office, Operator)
        .join(Payment, Payment.id == Receipt.payment_id)
        .join(Enrollment, Enrollment.id == Payment.enrollment_id)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .join(Office, Office.id == Receipt.office_id)
        .join(Operator, Operator.id == Receipt.operator_id)
        .where(Receipt.id == receipt_id)
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {receipt_id} 的收据。", code="receipt_not_found")
    receipt, payment, enrollment, resident, office, collector = row
    # A reprint says what the paper said when it was issued, whatever changed
    # since (POLICY.md §6: an information change never rewrites history).
    resident_name, id_number = identity_as_of(
        session, resident.id, resident.name, resident.id_number, receipt.issued_at
    )
    category, tier = terms_as_of(
        session, enrollment.id, enrollment.category, enrollment.tier, receipt.issued_at
    )
    village_name = (
        session.scalar(select(Village.name).where(Village.id == resident.village_id))
        if resident.village_id is not None
        else None
    )
    void = session.scalars(select(ReceiptVoid).where(ReceiptVoid.receipt_id == receipt_id)).first()
    reprint = _last_print_was_reprint(session, receipt_id)
    return ReceiptView(
        receipt_id=receipt.id,
        receipt_no=receipt.receipt_no,
        office_name=office.name,
        office_address=office.address,
        office_phone=office.phone,
        issued_at=receipt.issued_at,
        business_date=payment.business_date,
        payer_name=receipt.payer_name,
        agent_name=receipt.agent_name,
        resident_name=resident_name,
        id_number=id_number,
        village_name=village_name or "",
        policy_year=enrollment.policy_year,
        policy_key=enrollment.policy_key,
        category=category,
        tier=tier,
        tier_label=tier_label(tier),
        benefit_tier=enrollment.benefit_tier,
        benefit_start=enrollment.benefit_start,
        benefit_end=enrollment.benefit_end,
        amount_fen=receipt.amount_fen,
        channel=payment.channel,
        channel_label=PAYMENT_CHANNELS[payment.channel],
        reference=payment.reference,
        collector_name=collector.display_name,
        voided=void is not None,
        void_reason=void.reason if void is not None else "",
        voided_at=void.voided_at if void is not None else None,
        print_count=_print_count(session, receipt_id),
        reprint=reprint,
    )


def print_receipt(
    session: Session, clock: Clock, *, receipt_id: int, operator_id: int
) -> ReceiptView:
    """Record a print and return the view to print (marked as a reprint if it is one)."""
    record_print(session, clock, receipt_id=receipt_id, operator_id=operator_id)
    return receipt_view(session, receipt_id)
