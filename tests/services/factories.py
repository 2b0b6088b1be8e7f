"""Row factories for cash-desk tests: offices, operators, residents, enrolments.

They insert rows directly (no services), so each test sets up exactly the
state it needs. Passwords are hashed once per test session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.idcard import check_character
from db.models import (
    DayClose,
    Enrollment,
    LedgerEntry,
    Office,
    Operator,
    Override,
    Payment,
    PaymentNotice,
    Receipt,
    ReceiptVoid,
    Refund,
    Resident,
    Village,
)
from services.clock import Clock
from services.clock_sanity import confirm_business_date
from services.operator_history import record_operator_state
from services.policy import PolicyBook, load_policies

PASSWORD = "correct-horse-42"
CREATED = dt.datetime(2023, 10, 1, 8, 0)
_serial = itertools.count(1)


@functools.cache
def policies() -> PolicyBook:
    return load_policies()


@functools.cache
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


@dataclasses.dataclass(frozen=True)
class Desk:
    """An office with two villages, a clerk and a supervisor (ids only)."""

    office_id: int
    village_ids: tuple[int, ...]
    clerk_id: int
    supervisor_id: int


def make_desk(
    session: Session,
    *,
    code: str = "LT",
    name: str = "芦台街道办事处",
    policy_key: str = "tianjin-2024",
) -> Desk:
    office = Office(
        code=code,
        name=name,
        level="street_office",
        policy_key=policy_key,
        receipt_prefix=code,
        deposit_days=5,
        deposit_limit_fen=1_000_000,
        created_at=CREATED,
    )
    session.add(office)
    session.flush()
    villages = [Village(office_id=office.id, name=n, active=True) for n in ("东村", "西村")]
    session.add_all(villages)
    clerk = make_operator(session, office.id, f"clerk-{code.lower()}", "王丽", "clerk")
    boss = make_operator(session, office.id, f"boss-{code.lower()}", "张强", "supervisor")
    session.flush()
    return Desk(office.id, tuple(v.id for v in villages), clerk, boss)


def make_operator(
    session: Session, office_id: int, username: str, display_name: str, role: str
) -> int:
    row = Operator(
        office_id=office_id,
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash(),
        active=True,
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    record_operator_state(session, row, at=CREATED, action="created", by=None)
    session.flush()
    return row.id


def id_number(serial: int, birth: str = "19800101") -> str:
    body = f"120221{birth}{serial % 1000:03d}"
    return body + check_character(body)


def make_enrollment(
    session: Session,
    desk: Desk,
    *,
    name: str = "李明",
    category: str = "adult",
    tier: str = "low",
    due_fen: int = 38_000,
    standard_fen: int | None = None,
    birth: str | None = None,
    policy_key: str = "tianjin-2024",
    policy_year: int = 2024,
) -> int:
    """A resident in the desk's first village, enrolled and not yet paid."""
    number = ""
    while not number or session.scalar(select(Resident.id).where(Resident.id_number == number)):
        serial = next(_serial)
        # 1000 sequence numbers per birth date: move the date on for more people.
        born = birth or f"{dt.date(1980, 1, 1) + dt.timedelta(days=serial // 1000):%Y%m%d}"
        number = id_number(serial, born)
    resident = Resident(
        id_number=number,
        id_tail=number[-4:],
        name=name,
        name_initials="lm",
        sex="M" if int(number[16]) % 2 else "F",
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        document_type="居民身份证",
        village_id=desk.village_ids[0],
        office_id=desk.office_id,
        created_at=CREATED,
    )
    session.add(resident)
    session.flush()
    enrollment = Enrollment(
        resident_id=resident.id,
        office_id=desk.office_id,
        policy_key=policy_key,
        policy_year=policy_year,
        category=category,
        tier=tier,
        benefit_tier=tier,
        standard_fen=standard_fen if standard_fen is not None else due_fen,
        subsidy_fen=0,
        personal_due_fen=due_fen,
        benefit_start=dt.date(policy_year, 1, 1),
        benefit_end=dt.date(policy_year, 12, 31),
        status="registered",
        created_at=CREATED,
    )
    session.add(enrollment)
    session.flush()
    return enrollment.id


COUNTED = (Payment, Receipt, LedgerEntry, ReceiptVoid, Refund, PaymentNotice, Override)


def row_counts(session: Session) -> dict[str, int]:
    """How many rows the money tables hold: compared before and after a refusal."""
    return {
        model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in COUNTED
    }


def close_day_row(session: Session, desk: Desk, day: dt.date) -> None:
    """A day-close row as B's close_day would leave it (only the lock matters here)."""
    session.add(
        DayClose(
            office_id=desk.office_id,
            business_date=day,
            opening_float_fen=0,
            cash_received_fen=0,
            cash_refunded_fen=0,
            deposited_fen=0,
            expected_fen=0,
            counted_fen=0,
            difference_fen=0,
            denominations="{}",
            deposit_state="ok",
            operator_id=desk.clerk_id,
            supervisor_id=desk.supervisor_id,
            closed_at=dt.datetime.combine(day, dt.time(18, 0)),
        )
    )
    session.flush()


def confirm_date(
    session: Session,
    clock: Clock,
    desk: Desk,
    reason: str,
    *,
    supervisor_id: int | None = None,
    password: str = PASSWORD,
) -> None:
    """A supervisor (the desk's, unless named) confirms the date the clock shows (issue 9)."""
    confirm_business_date(
        session,
        clock,
        office_id=desk.office_id,
        supervisor_id=desk.supervisor_id if supervisor_id is None else supervisor_id,
        supervisor_password=password,
        operator_id=desk.clerk_id,
        reason=reason,
    )
