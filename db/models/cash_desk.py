"""Cash desk (issue 9): over/short, overdue cash marks, clock checks, closed days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

# --- cash desk (issue 9): over/short, overdue marks, clock, closed days ---
# (migration 0004; it also adds Refund.method, DayClose.late_reason,
# Office.bank_closed_weekends and the new ledger kinds, marked in place above)


class CashDifference(Base):
    """长款 / 短款 confirmed at a day close (POLICY.md §7.3 revised). Append-only.

    The day close writes an ``adjustment`` ledger line for it, so the next
    day's expected cash is what was counted. A shortage stays open against the
    collector until made up (``cash_in``) or written off; an overage is held as
    待查 until a supervisor decides it (see :class:`CashDifferenceSettlement`).
    """

    __tablename__ = "cash_difference"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    # the office's close of the day when this drawer's close completed it;
    # NULL when another drawer of the office was still open (issue 11)
    day_close_id: Mapped[int | None] = mapped_column(
        ForeignKey("day_close.id"), unique=True, nullable=True
    )
    # the drawer close that found it (issue 11; NULL before migration 0010)
    drawer_close_id: Mapped[int | None] = mapped_column(
        ForeignKey("drawer_close.id"), nullable=True
    )
    business_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # 'short' | 'over'
    amount_fen: Mapped[int] = mapped_column(Integer)
    collector_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("kind IN ('short', 'over')", name="cash_difference_kind"),
        CheckConstraint("amount_fen > 0", name="cash_difference_amount"),
    )


class CashDifferenceSettlement(Base):
    """How an open difference was settled, in part or whole. Append-only.

    ``cash_in``: the collector made up (part of) a shortage, a ledger line;
    ``write_off``: a supervisor wrote (the rest of) a shortage off;
    ``over_kept``: a supervisor decided an overage stays with the office's cash;
    ``over_returned``: an overage was handed back (a ``cash_out`` ledger line).
    """

    __tablename__ = "cash_difference_settlement"

    id: Mapped[int] = mapped_column(primary_key=True)
    difference_id: Mapped[int] = mapped_column(ForeignKey("cash_difference.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint(
            "action IN ('cash_in', 'write_off', 'over_kept', 'over_returned')",
            name="settlement_action",
        ),
        CheckConstraint("amount_fen > 0", name="settlement_amount"),
    )


class OverdueCashPayment(Base):
    """A cash payment taken while the deposit state was ``overdue`` (POLICY.md
    §7.3 revised: the payer is never refused; the collector's lateness is marked)."""

    __tablename__ = "overdue_cash_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), unique=True)
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    deadline: Mapped[dt.date] = mapped_column(Date)  # the passed deadline
    overdue_fen: Mapped[int] = mapped_column(Integer)  # cash that was due by then
    cash_on_hand_fen: Mapped[int] = mapped_column(Integer)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ClockConfirmation(Base):
    """A supervisor confirmed the business date when the clock looked wrong. Append-only."""

    __tablename__ = "clock_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    confirmed_date: Mapped[dt.date] = mapped_column(Date)
    # the newest business date in the database when confirmed: dates after the
    # confirmed one up to this are the wrong clock's and no longer count
    newest_seen: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    clock_reading: Mapped[dt.datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))


class DayCloseAnnulment(Base):
    """A day close made under a wrong (future) clock, annulled by a supervisor.
    The close row stays; this row makes it no longer count. Append-only."""

    __tablename__ = "day_close_annulment"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_close_id: Mapped[int] = mapped_column(ForeignKey("day_close.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    annulled_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OfficeClosedDay(Base):
    """A day the office's bank is closed, listed in 设置 (beyond the statutory calendar)."""

    __tablename__ = "office_closed_day"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    closed_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    note: Mapped[str] = mapped_column(String(100), default="")
