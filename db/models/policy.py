"""Policy years (issue 17): stored policy files and the switch between years."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base

# --- policy years (issue 17) ---------------------------------------------------------


class PolicyFileRecord(Base):
    """A policy file an office saved or imported (services/policy_editor.py).

    The file itself lives in the office's data folder; this row keeps its exact
    text, who saved it and which second supervisor confirmed it. A key is never
    reused: a corrected file is a new revision with a key of its own
    (``tianjin-2026-r2``), so an enrolment keeps the revision it was quoted on.
    Append-only.
    """

    __tablename__ = "policy_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    base_key: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # 'editor' (made in the window) | 'import' (a file from elsewhere)
    origin: Mapped[str] = mapped_column(String(16))
    based_on: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    saved_by: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # None where the office has only one supervisor
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("base_key", "revision", name="policy_file_revision_unique"),
        CheckConstraint("origin IN ('editor', 'import')", name="policy_file_origin"),
        CheckConstraint("revision >= 1", name="policy_file_revision_positive"),
    )


class PolicySwitch(Base):
    """The office changed the policy in use for new enrolments. Append-only."""

    __tablename__ = "policy_switch"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    from_key: Mapped[str] = mapped_column(String(64))
    to_key: Mapped[str] = mapped_column(String(64))
    switched_by: Mapped[int] = mapped_column(ForeignKey("operator.id"))
    switched_at: Mapped[dt.datetime] = mapped_column(DateTime)
