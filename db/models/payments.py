"""Numbering, payment notices, payments, receipts, voids, reprints and refunds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.residents import Enrollment

# --- numbering -----------------------------------------------------------------------


class NumberSeries(Base):
    """The next number of a gapless series (receipts, payment notices).

    The counter row is read and advanced inside the transaction that uses the
    number, so a rolled-back payment gives its number back and two windows can
    never take the same one.
    """

    __tablename__ = "number_series"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


# --- notices, payments, receipts --------------------------------------------------


class PaymentNotice(Base):
    __tablename__ = "payment_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    notice_no: Mapped[str] = mapped_column(String(40))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"))
    amount_due_fen: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="issued")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    enrollment: Mapped[Enrollment] = relationship()

    __table_args__ = (
        UniqueConstraint("office_id", "notice_no", name="notice_no_unique"),
        CheckConstraint("status IN ('issued', 'paid', 'cancelled')", name="notice_status"),
    )


class Payment(Base):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("payment_notice.id"), nullable=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))  # cash | pos | qr | bank | other
    reference: Mapped[str] = mapped_column(String(100), default="")
    payer_name: Mapped[str] = mapped_column(String(64), default="")
    agent_name: Mapped[str] = mapped_column(String(64), default="")
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    paid_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    # 'completed' -> 'voided' (same day, supervisor) or 'refunded'
    status: Mapped[str] = mapped_column(String(16), default="completed")

    enrollment: Mapped[Enrollment] = relationship()

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="payment_amount_positive"),
        CheckConstraint(
            "channel IN ('cash', 'pos', 'qr', 'bank', 'other')", name="payment_channel"
        ),
        CheckConstraint("status IN ('completed', 'voided', 'refunded')", name="payment_status"),
    )


class Receipt(Base):
    """A numbered cash receipt. Append-only: never updated, never deleted."""

    __tablename__ = "receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    series: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    receipt_no: Mapped[str] = mapped_column(String(48))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    payer_name: Mapped[str] = mapped_column(String(64))
    agent_name: Mapped[str] = mapped_column(String(64), default="")
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))

    payment: Mapped[Payment] = relationship()

    __table_args__ = (
        UniqueConstraint("office_id", "series", "number", name="receipt_number_unique"),
        UniqueConstraint("office_id", "receipt_no", name="receipt_no_unique"),
    )


class ReceiptVoid(Base):
    """The mark that voids a receipt (作废): the receipt keeps its number."""

    __tablename__ = "receipt_void"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    voided_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ReceiptPrint(Base):
    """Every time a receipt is printed; all but the first are reprints (重打)."""

    __tablename__ = "receipt_print"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), index=True)
    is_reprint: Mapped[bool] = mapped_column(Boolean)
    printed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))


class Refund(Base):
    """退费 (POLICY.md §6): its own entry with a reason and an approver."""

    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    # the POLICY.md §6 ground: see services/corrections.py REFUND_CATEGORIES
    category: Mapped[str] = mapped_column(String(32), default="withdraw")
    reference: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    approver_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    refunded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # cash desk (issue 9): 'cash' from the drawer, or 'application' (退费申请) for
    # the tax department, when the money is no longer in this drawer
    method: Mapped[str] = mapped_column(String(16), default="cash", server_default="cash")
    # why no cash could be paid back here (an application), in Chinese
    method_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (CheckConstraint("amount_fen > 0", name="refund_amount_positive"),)


# Find anyone (issue 12): by a non-cash payment's reference.
Index("ix_payment_reference", Payment.reference)
