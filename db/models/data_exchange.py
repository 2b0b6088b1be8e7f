"""Data exchange (issue 13): imported rosters, their marks and changes, not-enrolled reasons."""

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

# --- data exchange (issue 13): imported rosters, not-enrolled reasons -----------------

ROSTER_KINDS = ("last_year", "registered", "paid_elsewhere")
NOT_ENROLLED_REASONS = (
    "military",
    "prison",
    "deceased",
    "lost_contact",
    "elsewhere",
    "employee_insurance",
    "declined",
)


class RosterImport(Base):
    """One import of a list from outside (last year's list, the platform's
    registered list, people paid through other channels). Kept for ever: the
    file's SHA-256 and what the import did."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    kind: Mapped[str] = mapped_column(String(20))
    policy_year: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows_total: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('last_year', 'registered', 'paid_elsewhere')", name="roster_import_kind"
        ),
    )


class RosterMark(Base):
    """A person found on an imported list for a policy year (once per list kind)."""

    __tablename__ = "roster_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    kind: Mapped[str] = mapped_column(String(20))
    policy_year: Mapped[int] = mapped_column(Integer)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id"))
    # paid elsewhere: the channel and reference the list gives (e.g. "微信 4200…")
    reference: Mapped[str] = mapped_column(String(200), default="")
    tier: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("resident_id", "kind", "policy_year", name="roster_mark_once"),
        Index("ix_roster_mark_office_kind_year", "office_id", "kind", "policy_year"),
        CheckConstraint(
            "kind IN ('last_year', 'registered', 'paid_elsewhere')", name="roster_mark_kind"
        ),
    )


class RosterChange(Base):
    """A basic-information field an import changed: old and new value kept."""

    __tablename__ = "roster_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str] = mapped_column(String(200))
    new_value: Mapped[str] = mapped_column(String(200))


class NotEnrolledReason(Base):
    """Why a person is not enrolled in a policy year (参军、服刑、死亡 …)."""

    __tablename__ = "not_enrolled_reason"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    policy_year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("roster_import.id"), nullable=True)

    __table_args__ = (
        UniqueConstraint("resident_id", "policy_year", name="not_enrolled_once"),
        Index("ix_not_enrolled_office_year", "office_id", "policy_year"),
        CheckConstraint(
            "reason IN ('military', 'prison', 'deceased', 'lost_contact', 'elsewhere', "
            "'employee_insurance', 'declined')",
            name="not_enrolled_reason_kind",
        ),
    )
