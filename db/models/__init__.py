"""The database schema, as typed SQLAlchemy 2 models.

Conventions:
- money is integer fen (``*_fen`` columns), never float;
- times are the office's naive local time, taken from the injected clock;
- every row that records an act keeps who did it (``*_by`` / ``operator_id``)
  and when (``created_at`` / ``recorded_at``);
- ledger, receipt and day-close rows are append-only: the database refuses
  UPDATE and DELETE on them (see ``db/immutability.py``). A void, a reprint or a
  refund is a row of its own that points at the original.

The tables live in one module per area; this package gathers them so that
``from db.models import X`` is the one way to name a table, and so that
``Base.metadata`` (what Alembic and the agreement test read) holds every table.

- ``base``: the declarative base and the naming convention;
- ``office``: office, villages, operators;
- ``residents``: residents and enrolments;
- ``payments``: numbering, notices, payments, receipts, voids, reprints, refunds;
- ``cash``: ledger, deposits, business days, day closes, overrides;
- ``policy``: stored policy files and year switches;
- ``cash_desk``: over/short, overdue cash, clock checks, closed days;
- ``data_exchange``: imported rosters and not-enrolled reasons;
- ``resident_year``: information changes and re-assessments;
- ``drawers``: a drawer per window and day, its close, deposits' shares;
- ``audit``: audit journal, anchors, operator history, security, self-approvals.
"""

from __future__ import annotations

from db.models.audit import (
    AuditEntry,
    AuditHead,
    DayAnchor,
    EnrollmentStatusChange,
    OfficeSecurity,
    OperatorChange,
    SelfApproval,
)
from db.models.base import (
    NAMING_CONVENTION,
    Base,
)
from db.models.cash import (
    BusinessDay,
    DayClose,
    Deposit,
    LedgerEntry,
    LedgerHead,
    Override,
)
from db.models.cash_desk import (
    CashDifference,
    CashDifferenceSettlement,
    ClockConfirmation,
    DayCloseAnnulment,
    OfficeClosedDay,
    OverdueCashPayment,
)
from db.models.data_exchange import (
    NOT_ENROLLED_REASONS,
    ROSTER_KINDS,
    NotEnrolledReason,
    RosterChange,
    RosterImport,
    RosterMark,
)
from db.models.drawers import (
    DepositShare,
    DrawerClose,
    DrawerDay,
)
from db.models.office import (
    Office,
    Operator,
    Village,
)
from db.models.payments import (
    NumberSeries,
    Payment,
    PaymentNotice,
    Receipt,
    ReceiptPrint,
    ReceiptVoid,
    Refund,
)
from db.models.policy import (
    PolicyFileRecord,
    PolicySwitch,
)
from db.models.resident_year import (
    InfoChange,
    InfoChangeItem,
    Reassessment,
)
from db.models.residents import (
    ENROLMENT_ONCE_PER_YEAR,
    Enrollment,
    Resident,
)

__all__ = [
    "ENROLMENT_ONCE_PER_YEAR",
    "DrawerDay",
    "DrawerClose",
    "DepositShare",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BusinessDay",
    "CashDifference",
    "CashDifferenceSettlement",
    "ClockConfirmation",
    "DayAnchor",
    "DayClose",
    "DayCloseAnnulment",
    "Deposit",
    "Enrollment",
    "EnrollmentStatusChange",
    "InfoChange",
    "InfoChangeItem",
    "LedgerEntry",
    "LedgerHead",
    "NAMING_CONVENTION",
    "NOT_ENROLLED_REASONS",
    "NotEnrolledReason",
    "NumberSeries",
    "Office",
    "OfficeClosedDay",
    "OfficeSecurity",
    "Operator",
    "OperatorChange",
    "OverdueCashPayment",
    "Override",
    "Payment",
    "PaymentNotice",
    "PolicyFileRecord",
    "PolicySwitch",
    "ROSTER_KINDS",
    "Reassessment",
    "Receipt",
    "ReceiptPrint",
    "ReceiptVoid",
    "Refund",
    "Resident",
    "RosterChange",
    "RosterImport",
    "RosterMark",
    "SelfApproval",
    "Village",
]
