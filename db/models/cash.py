"""Cash: the ledger and its chain head, deposits, business days, day closes, overrides."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

# --- cash: ledger, deposits, days ---------------------------------------------------


class LedgerEntry(Base):
    """One line of the cash ledger (台账). Append-only, hash-chained per office.

    ``amount_fen`` is the money of the act (positive for a payment, negative for
    its reversal or a refund); ``cash_fen`` is its effect on cash on hand (zero
    for non-cash channels; negative for a deposit).
    """

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … within the office
    # payment | void | refund | deposit | adjustment (over/short) | cash_in | cash_out
    kind: Mapped[str] = mapped_column(String(16))
    business_date: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    channel: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Integer)
    cash_fen: Mapped[int] = mapped_column(Integer)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), nullable=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"), nullable=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refund.id"), nullable=True)
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("deposit.id"), nullable=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), nullable=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), nullable=True)
    tier: Mapped[str] = mapped_column(String(16), default="")
    reference: Mapped[str] = mapped_column(String(100), default="")
    memo: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("office_id", "seq", name="ledger_seq_unique"),
        Index("ix_ledger_office_date", "office_id", "business_date"),
        CheckConstraint(
            "kind IN ('payment', 'void', 'refund', 'deposit', 'adjustment', 'cash_in', 'cash_out')",
            name="ledger_kind",
        ),
    )


class LedgerHead(Base):
    """The last line of an office's ledger chain. Updated in the same
    transaction as each new line, which also serialises writers on PostgreSQL."""

    __tablename__ = "ledger_head"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Deposit(Base):
    """入库: cash handed to the bank / tax collection."""

    __tablename__ = "deposit"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32))
    slip_no: Mapped[str] = mapped_column(String(64))
    business_date: Mapped[dt.date] = mapped_column(Date)
    deposited_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))

    __table_args__ = (CheckConstraint("amount_fen > 0", name="deposit_amount_positive"),)


class BusinessDay(Base):
    """A working day of an office: opened with a float, closed once."""

    __tablename__ = "business_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    opening_float_fen: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    opened_by: Mapped[int] = mapped_column(ForeignKey("operator.id"))

    __table_args__ = (
        UniqueConstraint("office_id", "business_date", name="business_day_unique"),
        CheckConstraint("opening_float_fen >= 0", name="business_day_float"),
    )


class DayClose(Base):
    """日结: the count of the drawer and the lock on the day. Append-only."""

    __tablename__ = "day_close"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    opening_float_fen: Mapped[int] = mapped_column(Integer)
    cash_received_fen: Mapped[int] = mapped_column(Integer)
    cash_refunded_fen: Mapped[int] = mapped_column(Integer)
    deposited_fen: Mapped[int] = mapped_column(Integer)
    expected_fen: Mapped[int] = mapped_column(Integer)
    counted_fen: Mapped[int] = mapped_column(Integer)
    difference_fen: Mapped[int] = mapped_column(Integer)
    # JSON object: denomination in fen (as a string) -> count of pieces
    denominations: Mapped[str] = mapped_column(Text)
    difference_reason: Mapped[str] = mapped_column(Text, default="")
    deposit_state: Mapped[str] = mapped_column(String(16))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # cash desk (issue 9): a day closed after its date (补日结), with the supervisor's reason
    late_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (UniqueConstraint("office_id", "business_date", name="day_close_unique"),)


class Override(Base):
    """A supervisor's override of the deposit rule or of a count difference.
    Kept for ever and shown in the reports."""

    __tablename__ = "override"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    # 'overdue_cash_payment' | 'due_today_close'
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), nullable=True)
    day_close_id: Mapped[int | None] = mapped_column(ForeignKey("day_close.id"), nullable=True)


# --- several windows, one office (issue 11) ----------------------------------------
# Each uniqueness a window checks before writing is also the database's own
# guarantee, so that two windows racing can never both store it. (One close per
# office-day is ``day_close_unique`` above; one enrolment per person-year is
# the enrollment table's own constraint.)

#: A bank slip (缴款单号) is recorded once per office.
Index("uq_deposit_office_slip", Deposit.office_id, Deposit.slip_no, unique=True)
