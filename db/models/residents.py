"""The register: residents (参保人) and their enrolments, one per person-year."""

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
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.office import Office, Village

# --- the register ------------------------------------------------------------------


#: the unique index that lets a person enrol once per policy year (among live
#: enrolments); services.registry tells a duplicate enrolment by this name
ENROLMENT_ONCE_PER_YEAR = "enrollment_once_per_year_live"


class Resident(Base):
    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    # last four characters of the ID number, for "search by last digits"
    id_tail: Mapped[str] = mapped_column(String(4), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    # pinyin initials of the name, lower case ("zs" for 张三), for quick search
    name_initials: Mapped[str] = mapped_column(String(32), index=True)
    sex: Mapped[str] = mapped_column(String(1))  # 'M' | 'F'
    birth_date: Mapped[dt.date] = mapped_column(Date)
    document_type: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    household_no: Mapped[str] = mapped_column(String(40), default="")
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), nullable=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    # --- issue 12 (migration 0009): 户口性质, a basic field of POLICY.md §6 ---
    household_type: Mapped[str] = mapped_column(String(16), default="", server_default="")

    village: Mapped[Village | None] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="resident")

    __table_args__ = (CheckConstraint("sex IN ('M', 'F')", name="resident_sex"),)


class Enrollment(Base):
    """One resident enrolled for one policy year. Never twice: the unique
    constraint on (resident, policy year) is the database's own guarantee."""

    __tablename__ = "enrollment"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), nullable=True)
    policy_key: Mapped[str] = mapped_column(String(64))
    policy_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16))
    benefit_tier: Mapped[str] = mapped_column(String(16))
    standard_fen: Mapped[int] = mapped_column(Integer)
    subsidy_fen: Mapped[int] = mapped_column(Integer)
    personal_due_fen: Mapped[int] = mapped_column(Integer)
    # benefit dates as quoted at registration; fixed from the real payment date
    # when the payment is taken
    benefit_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    benefit_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    waiting_months: Mapped[int] = mapped_column(Integer, default=0)
    # 'registered' -> 'paid' -> ('refunded'); a voided payment returns it to 'registered'
    status: Mapped[str] = mapped_column(String(16), default="registered")
    # the person's facts the quote depends on, kept to re-quote at payment time
    continuous_years: Mapped[int] = mapped_column(Integer, default=0)
    gap_months: Mapped[int] = mapped_column(Integer, default=0)
    gap_years: Mapped[int] = mapped_column(Integer, default=0)
    repaired_years: Mapped[int] = mapped_column(Integer, default=0)
    via_school: Mapped[bool] = mapped_column(Boolean, default=False)
    job_change: Mapped[bool] = mapped_column(Boolean, default=False)
    hardship_certified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    # --- policy corrections (issue 8, migration 0002) ---
    # Chongqing university freshman enrolling at admission (004 §5(4)), kept to re-quote
    freshman: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # what makes the person eligible here (POLICY.md §2, revised 2026-11):
    # a key of services.eligibility.ELIGIBILITY_DOCUMENTS; '' for enrolments made before
    eligibility_document: Mapped[str] = mapped_column(String(32), default="", server_default="")

    resident: Mapped[Resident] = relationship(back_populates="enrollments")
    office: Mapped[Office | None] = relationship()

    __table_args__ = (
        # once per year among *live* enrolments: a refunded one no longer counts
        # (POLICY.md §7.5, revised 2026-11)
        Index(
            ENROLMENT_ONCE_PER_YEAR,
            "resident_id",
            "policy_year",
            unique=True,
            sqlite_where=text("status != 'refunded'"),
            postgresql_where=text("status != 'refunded'"),
        ),
        CheckConstraint("status IN ('registered', 'paid', 'refunded')", name="enrollment_status"),
        CheckConstraint("personal_due_fen >= 0", name="enrollment_due_not_negative"),
        Index("ix_enrollment_office_year", "office_id", "policy_year", "status"),
    )


# Find anyone (issue 12): by 户号.
Index("ix_resident_household_no", Resident.household_no)

# Every enrolment of one resident (the 缴费 and 登记 pages): the partial unique
# index above covers live enrolments only, which SQLite cannot use for this (issue 14).
Index("ix_enrollment_resident", Enrollment.resident_id)
