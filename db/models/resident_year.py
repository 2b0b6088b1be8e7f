"""The resident's year (issue 12): information changes and re-assessments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
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

# --- the resident's year (issue 12): information changes, re-assessment -------------


class InfoChange(Base):
    """A change of a resident's information (POLICY.md §6, revised 2026-11).

    ``level`` says how it is reviewed: ``basic`` (phone, address, household
    type, village, 户号) is applied at once; ``important`` (name, document type,
    sex, birth date) waits for one supervisor's review; ``id_number`` for two
    reviews by two different supervisors. The row keeps who asked (the resident
    or an agent), who entered it, who reviewed it and when; its items keep the
    old and new values. A rejected change keeps its reason.
    """

    __tablename__ = "info_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    # 'pending' -> 'applied' | 'rejected'
    status: Mapped[str] = mapped_column(String(16))
    # the change slip (综合业务处理单) number, taken when the change is entered
    slip_no: Mapped[str] = mapped_column(String(48))
    # who asked: the resident, or the agent's name
    asked_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    first_review_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    first_review_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    second_review_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    second_review_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    rejected_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    rejected_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("office_id", "slip_no", name="info_change_slip_unique"),
        CheckConstraint("level IN ('basic', 'important', 'id_number')", name="info_change_level"),
        CheckConstraint("status IN ('pending', 'applied', 'rejected')", name="info_change_status"),
        Index("ix_info_change_office_status", "office_id", "status"),
    )


class InfoChangeItem(Base):
    """One field of an information change: its old and new value. Append-only."""

    __tablename__ = "info_change_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("info_change.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(String(200))
    new_value: Mapped[str] = mapped_column(String(200))

    # "find the person by the old ID number / old name"
    __table_args__ = (Index("ix_info_change_item_old", "field", "old_value"),)


class Reassessment(Base):
    """重新核定: an unpaid enrolment's category or tier changed (POLICY.md §7.5).

    The notice issued before is cancelled and a new one issued; both stay, and
    this row links them with the old and new assessment. Append-only.
    """

    __tablename__ = "reassessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id"), index=True)
    old_category: Mapped[str] = mapped_column(String(32))
    old_tier: Mapped[str] = mapped_column(String(16))
    old_due_fen: Mapped[int] = mapped_column(Integer)
    new_category: Mapped[str] = mapped_column(String(32))
    new_tier: Mapped[str] = mapped_column(String(16))
    new_due_fen: Mapped[int] = mapped_column(Integer)
    old_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_notice.id"), nullable=True
    )
    new_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_notice.id"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
