"""The office, its villages and the people working in it (经办人, 主管)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base

# --- office and people working in it -------------------------------------------


class Office(Base):
    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))  # 'village' | 'street_office'
    policy_key: Mapped[str] = mapped_column(String(64))
    receipt_prefix: Mapped[str] = mapped_column(String(16))
    deposit_days: Mapped[int] = mapped_column(Integer, default=5)
    deposit_limit_fen: Mapped[int] = mapped_column(Integer, default=1_000_000)
    payment_link_template: Mapped[str] = mapped_column(Text, default="")
    payment_instructions: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    printer_name: Mapped[str] = mapped_column(String(200), default="")
    # cash desk (issue 9): the office's bank is closed on Saturdays and Sundays
    bank_closed_weekends: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # who changed the settings last, and when (services/office.py)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # an operator id; no foreign key, which would make office <-> operator a cycle
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)

    villages: Mapped[list[Village]] = relationship(back_populates="office", order_by="Village.name")

    __table_args__ = (
        CheckConstraint("level IN ('village', 'street_office')", name="office_level"),
        CheckConstraint("deposit_days >= 0", name="office_deposit_days"),
        CheckConstraint("deposit_limit_fen > 0", name="office_deposit_limit"),
    )


class Village(Base):
    """A village or community served by an office."""

    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    name: Mapped[str] = mapped_column(String(100))
    target: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # who added the village or last set its target, and when
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)

    office: Mapped[Office] = relationship(back_populates="villages")

    __table_args__ = (UniqueConstraint("office_id", "name", name="village_name_unique"),)


class Operator(Base):
    __tablename__ = "operator"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))  # 'clerk' | 'supervisor'
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # None only for an office's first supervisor, created when the office is set up
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)

    __table_args__ = (CheckConstraint("role IN ('clerk', 'supervisor')", name="operator_role"),)
