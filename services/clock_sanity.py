"""Clock sanity: a wrong PC clock must not write money into
the wrong year.

Before every write that carries a business date (:func:`check_business_date`,
called by ``services.business_day.ensure_day_open``) and at login
(:func:`clock_check`), the date is compared with the newest business date in
the database (ledger lines, opened days and day closes that were not
annulled). A date *before* it (the clock went backwards) or more than
:data:`MAX_FORWARD_DAYS` after it (the clock jumped ahead) stops the write
until a supervisor confirms the date (:func:`confirm_business_date`, a row of
its own with who and why; the audit journal should record it too).

After a confirmation, the dates the wrong clock wrote (after the confirmed
date, up to the newest date seen then) no longer count as "the newest": so a
deposit written in 2031 does not block 2026 for ever. A day close written in
the future is annulled separately (``services.over_short.annul_day_close``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, not_, select
from sqlalchemy.orm import Session

from common.errors import ConflictError
from db.models import BusinessDay, ClockConfirmation, DayClose, DayCloseAnnulment, LedgerEntry
from services.clock import Clock
from services.office import require_operator, require_supervisor

#: A jump forward by more than this many days since the newest business date
#: asks for a supervisor's confirmation (longer than the Spring Festival break).
MAX_FORWARD_DAYS = 10


@dataclass(frozen=True)
class ClockCheck:
    state: str  # ok | backwards | ahead
    today: dt.date
    newest: dt.date | None  # newest business date that counts
    message: str  # Chinese, "" when ok

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def _latest_confirmation(session: Session, office_id: int) -> ClockConfirmation | None:
    return session.scalars(
        select(ClockConfirmation)
        .where(ClockConfirmation.office_id == office_id)
        .order_by(ClockConfirmation.id.desc())
        .limit(1)
    ).first()


def newest_business_date(
    session: Session, office_id: int, *, excuse: ClockConfirmation | None = None
) -> dt.date | None:
    """The newest business date written for the office; with ``excuse``, the
    dates a wrong clock wrote before that confirmation are left out."""

    def newest(column: Any, *conditions: Any) -> dt.date | None:
        wanted = list(conditions)
        if excuse is not None and excuse.newest_seen is not None:
            wanted.append(not_(and_(column > excuse.confirmed_date, column <= excuse.newest_seen)))
        return session.scalar(select(func.max(column)).where(*wanted))

    dates = [
        newest(LedgerEntry.business_date, LedgerEntry.office_id == office_id),
        newest(BusinessDay.business_date, BusinessDay.office_id == office_id),
        newest(
            DayClose.business_date,
            DayClose.office_id == office_id,
            ~exists().where(DayCloseAnnulment.day_close_id == DayClose.id),
        ),
    ]
    if excuse is not None:
        dates.append(excuse.confirmed_date)
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def assess_date(session: Session, office_id: int, date: dt.date) -> ClockCheck:
    excuse = _latest_confirmation(session, office_id)
    newest = newest_business_date(session, office_id, excuse=excuse)
    if newest is None:
        return ClockCheck("ok", date, None, "")
    if date < newest:
        return ClockCheck(
            "backwards",
            date,
            newest,
            f"电脑日期 {date} 早于系统中最新的业务日期 {newest}：电脑时钟可能被调回。"
            "请核对日期；如日期无误，须由主管确认后才能继续记账。",
        )
    if (date - newest).days > MAX_FORWARD_DAYS:
        return ClockCheck(
            "ahead",
            date,
            newest,
            f"电脑日期 {date} 比系统中最新的业务日期 {newest} 晚 {(date - newest).days} 天，"
            "电脑时钟可能不准。请核对日期；如日期无误，须由主管确认后才能继续记账。",
        )
    return ClockCheck("ok", date, newest, "")


def clock_check(session: Session, clock: Clock, office_id: int) -> ClockCheck:
    """At login: does the clock agree with the database?"""
    return assess_date(session, office_id, clock.now().date())


def check_business_date(session: Session, office_id: int, date: dt.date) -> None:
    """Refuse a write dated ``date`` when the clock looks wrong (see module)."""
    check = assess_date(session, office_id, date)
    if not check.ok:
        raise ConflictError(check.message, code=f"clock_{check.state}")


def confirm_business_date(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    supervisor_id: int,
    operator_id: int,
    reason: str,
    supervisor_password: str | None = None,
) -> ClockConfirmation:
    """A supervisor confirms that today's date on the clock is right (the
    supervisor's password checked here, the confirmation journalled)."""
    from services.accounts import check_approval
    from services.overdue_cash import clean_reason

    require_operator(session, operator_id, office_id=office_id)
    require_supervisor(session, supervisor_id, office_id=office_id)
    text = clean_reason(reason, "确认日期的原因")
    now = clock.now()
    check = assess_date(session, office_id, now.date())
    if check.ok:
        raise ConflictError(
            "电脑日期与系统中的业务日期相符，无需确认。", code="clock_needs_no_confirmation"
        )
    check_approval(
        session,
        clock,
        office_id=office_id,
        act="business_date",
        subject=f"clock:{now.date().isoformat()}",
        approver_id=supervisor_id,
        approver_password=supervisor_password,
        requester_id=operator_id,
        own_act=True,
    )
    row = ClockConfirmation(
        office_id=office_id,
        confirmed_date=now.date(),
        newest_seen=newest_business_date(session, office_id),
        clock_reading=now,
        reason=text,
        supervisor_id=supervisor_id,
        operator_id=operator_id,
    )
    session.add(row)
    session.flush()
    _journal_confirmation(session, row, check)
    return row


def _journal_confirmation(session: Session, row: ClockConfirmation, check: ClockCheck) -> None:
    from services.audit import record_audit

    record_audit(
        session,
        at=row.clock_reading,
        operator_id=row.operator_id,
        office_id=row.office_id,
        action="business_date_confirmed",
        subject=f"clock_confirmation:{row.id}",
        details={
            "supervisor_id": row.supervisor_id,
            "state": check.state,
            "newest": str(check.newest),
            "reason": row.reason,
        },
    )
