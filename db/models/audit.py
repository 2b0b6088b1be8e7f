"""Audit journal, day anchors, operator history, office security and self-approvals (issue 10)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

# --- audit journal, anchors and operator history (issue 10) ------------------------------


class AuditEntry(Base):
    """One line of the audit journal (审计日志): who did what sensitive act, when.

    Append-only and hash-chained across the whole database (not per office: a
    failed login may name no office); see ``services/audit.py``.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    office_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # None for acts without a known operator (a failed login with an unknown name)
    operator_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    # what the act concerns, e.g. "receipt:12" or "operator:3"
    subject: Mapped[str] = mapped_column(String(80), default="")
    # JSON object with the act's particulars (never a password or a full ID number)
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last line of the audit chain; one row (id 1), locked by each writer."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class OperatorChange(Base):
    """Every state an operator row has had (created, password, role, active).

    The database lets an ``operator`` row change only into the state of its
    latest change row, and each change row is sealed by an audit line
    (``audit_seq``); verify-ledger checks both.
    """

    __tablename__ = "operator_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"), index=True)
    # created | password_changed | password_reset | password_rehashed | role_changed |
    # disabled | enabled | baseline
    action: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    password_hash: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    changed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_seq: Mapped[int] = mapped_column(Integer)


class EnrollmentStatusChange(Base):
    """Each change of an enrolment's status, written by a database trigger."""

    __tablename__ = "enrollment_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(Integer, index=True)
    old_status: Mapped[str] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))


class DayAnchor(Base):
    """The state of the chains at a day close, printed on the 日结单.

    ``code`` is a short code of the ledger and audit chain positions and
    hashes and of the perpetual grand totals; the paper copy is what makes a
    rewritten or cut chain detectable (``services/anchors.py``). The ledger
    check run at the close is kept with it (``check_ok``, ``check_message``).
    """

    __tablename__ = "day_anchor"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    day_close_id: Mapped[int] = mapped_column(ForeignKey("day_close.id"), unique=True)
    ledger_seq: Mapped[int] = mapped_column(Integer)
    ledger_hash: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))
    total_collected_fen: Mapped[int] = mapped_column(Integer)
    total_voided_fen: Mapped[int] = mapped_column(Integer)
    total_refunded_fen: Mapped[int] = mapped_column(Integer)
    total_deposited_fen: Mapped[int] = mapped_column(Integer)
    # net over/short cash booked (issue 9's adjustment, cash_in, cash_out lines)
    total_adjusted_fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    code: Mapped[str] = mapped_column(String(40))
    check_ok: Mapped[bool] = mapped_column(Boolean)
    check_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("office_id", "business_date", name="day_anchor_unique"),)


class OfficeSecurity(Base):
    """An office's account settings: idle lock and the one-person collection
    point (单人收款点), where a sole supervisor may approve their own acts and
    every such self-approval is marked."""

    __tablename__ = "office_security"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    single_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        CheckConstraint("idle_lock_minutes BETWEEN 1 AND 240", name="office_security_idle"),
    )


class SelfApproval(Base):
    """An approval given by the person who did the act, allowed only at a
    one-person collection point; shown in the reports. Append-only."""

    __tablename__ = "self_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    # void | refund | override | day_close
    act: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(80))
    business_date: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
