"""Drawers (issue 11, migration 0010): one per window and business day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class DrawerDay(Base):
    """An operator's drawer opened for a business day with its float (备用金).

    A drawer is an operator's cash at their window: every cash ledger line is
    in the drawer of its ``operator_id`` (the window where the cash moved),
    and a deposit takes its cash from drawers as its :class:`DepositShare`
    rows say. Days opened before migration 0010 have no row: their
    :class:`BusinessDay` float belongs to the drawer of ``opened_by``.
    """

    __tablename__ = "drawer_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    opening_float_fen: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("office_id", "operator_id", "business_date", name="drawer_day_unique"),
        CheckConstraint("opening_float_fen >= 0", name="drawer_day_float"),
    )


class DrawerClose(Base):
    """日结 of one drawer: its blind count against its expected cash. Append-only.

    The office's :class:`DayClose` (the lock on the day) is written when the
    last drawer used that day is closed; a one-window office writes both at once.
    """

    __tablename__ = "drawer_close"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))  # the drawer
    business_date: Mapped[dt.date] = mapped_column(Date)
    opening_float_fen: Mapped[int] = mapped_column(Integer)
    cash_in_fen: Mapped[int] = mapped_column(Integer)
    cash_out_fen: Mapped[int] = mapped_column(Integer)
    deposited_fen: Mapped[int] = mapped_column(Integer)  # this drawer's share of deposits
    expected_fen: Mapped[int] = mapped_column(Integer)
    counted_fen: Mapped[int] = mapped_column(Integer)
    difference_fen: Mapped[int] = mapped_column(Integer)
    denominations: Mapped[str] = mapped_column(Text)
    difference_reason: Mapped[str] = mapped_column(Text, default="")
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    # who counted: the drawer's operator, or a supervisor for a window whose clerk left
    closed_by: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        # one close per drawer-day: two windows cannot both close one drawer
        UniqueConstraint("office_id", "operator_id", "business_date", name="drawer_close_unique"),
    )


class DepositShare(Base):
    """The cash a deposit took from one drawer (oldest cash first). Append-only.
    Deposits made before migration 0010 have none: they are replayed oldest first."""

    __tablename__ = "deposit_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("deposit.id"), index=True)
    drawer_operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("deposit_id", "drawer_operator_id", name="deposit_share_unique"),
        CheckConstraint("amount_fen > 0", name="deposit_share_amount"),
    )
