"""The database schema, as typed SQLAlchemy 2 models.

Conventions:
- money is integer fen (``*_fen`` columns), never float;
- times are the office's naive local time, taken from the injected clock;
- every row that records an act keeps who did it (``*_by`` / ``operator_id``)
  and when (``created_at`` / ``recorded_at``);
- ledger, receipt and day-close rows are append-only: the database refuses
  UPDATE and DELETE on them (see ``db/immutability.py``). A void, a reprint or a
  refund is a row of its own that points at the original.
"""

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so that Alembic migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: the unique index that lets a person enrol once per policy year (among live
#: enrolments); services.registry tells a duplicate enrolment by this name
ENROLMENT_ONCE_PER_YEAR = "enrollment_once_per_year_live"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    # cash desk: the office's bank is closed on Saturdays and Sundays
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


# --- the register ------------------------------------------------------------------


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
    # --- migration 0009: 户口性质, a basic field of POLICY.md §6 ---
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
    # --- policy corrections (migration 0002) ---
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
    # cash desk: 'cash' from the drawer, or 'application' (退费申请) for
    # the tax department, when the money is no longer in this drawer
    method: Mapped[str] = mapped_column(String(16), default="cash", server_default="cash")
    # why no cash could be paid back here (an application), in Chinese
    method_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (CheckConstraint("amount_fen > 0", name="refund_amount_positive"),)


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
    # cash desk: a day closed after its date (补日结), with the supervisor's reason
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


# --- policy years ---------------------------------------------------------


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


# --- several windows, one office ----------------------------------------
# Each uniqueness a window checks before writing is also the database's own
# guarantee, so that two windows racing can never both store it. (One close per
# office-day is ``day_close_unique`` above; one enrolment per person-year is
# the enrollment table's own constraint.)

#: A bank slip (缴款单号) is recorded once per office.
Index("uq_deposit_office_slip", Deposit.office_id, Deposit.slip_no, unique=True)


# --- cash desk: over/short, overdue marks, clock, closed days ---
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
    day_close_id: Mapped[int] = mapped_column(ForeignKey("day_close.id"), unique=True)
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


# --- data exchange: imported rosters, not-enrolled reasons -----------------

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


# --- the resident's year: information changes, re-assessment -------------


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


# Find anyone: by 户号 and by a non-cash payment's reference.
Index("ix_resident_household_no", Resident.household_no)
Index("ix_payment_reference", Payment.reference)


# --- audit journal, anchors and operator history ------------------------------


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
    # net over/short cash booked (the adjustment, cash_in and cash_out lines)
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
