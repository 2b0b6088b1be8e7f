"""What a day close checks before it writes: whose drawer, that the day may be
closed, and the reasons and the supervisor a late close, a difference (长短款)
or closing with cash due (POLICY.md §7.3) call for."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, ServiceError
from common.money import format_fen_grouped
from db.models import (
    BusinessDay,
    DayClose,
    LedgerEntry,
    Operator,
)
from services.business_day import ensure_day_open, live_closes
from services.clock import Clock
from services.close_preview import ClosePreview
from services.drawers import drawer_close_of
from services.office import require_operator, require_supervisor
from services.overdue_cash import clean_reason


def require_close_approval(
    session: Session,
    clock: Clock,
    office_id: int,
    date: dt.date,
    operator_id: int,
    supervisor_id: int | None,
    password: str | None,
) -> Operator:
    from services.accounts import check_approval

    return check_approval(
        session,
        clock,
        office_id=office_id,
        act="day_close",
        subject=f"day:{date.isoformat()}",
        approver_id=supervisor_id,
        approver_password=password,
        requester_id=operator_id,
    )


def drawer_to_close(
    session: Session, office_id: int, operator_id: int, drawer_operator_id: int | None
) -> tuple[Operator, Operator]:
    """The clerk closing, and whose drawer: their own, or another window's
    counted by a supervisor."""
    operator = require_operator(session, operator_id, office_id=office_id)
    drawer = operator
    if drawer_operator_id is not None and drawer_operator_id != operator.id:
        require_supervisor(session, operator.id, office_id=office_id)
        drawer = require_operator(session, drawer_operator_id, office_id=office_id)
    return operator, drawer


def check_closable(
    session: Session, clock: Clock, office_id: int, drawer: Operator, date: dt.date
) -> None:
    """The day is open, this drawer not closed yet, and no earlier day left unclosed."""
    ensure_day_open(session, office_id, date)
    if drawer_close_of(session, office_id, drawer.id, date) is not None:
        raise ConflictError(
            f"{drawer.display_name}的钱箱 {date} 已日结，不能重复日结；"
            "若是另一窗口刚刚日结，请刷新后查看。",
            code="drawer_already_closed",
        )
    earlier = [d for d in unclosed_days(session, clock, office_id) if d < date]
    if earlier:
        raise ConflictError(
            f"{earlier[0]} 尚未日结，须先由主管补日结该日，再日结 {date}。",
            code="earlier_day_unclosed",
        )


def late_close_text(
    clock: Clock, date: dt.date, late_reason: str | None, approve: Callable[[], Operator]
) -> tuple[str, Operator | None]:
    """补日结: a forgotten day, closed afterwards by a supervisor with a reason,
    approved with the supervisor's password."""
    if date < clock.now().date():
        late_text = clean_reason(late_reason, f"补日结 {date} 的原因")
        return late_text, approve()
    return "", None


def difference_text(
    preview: ClosePreview,
    difference_reason: str | None,
    supervisor: Operator | None,
    approve: Callable[[], Operator],
) -> tuple[str, Operator | None]:
    """A difference (长短款) needs a reason and a supervisor."""
    difference = preview.difference_fen
    if not difference:
        return "", supervisor
    word = "长款" if difference > 0 else "短款"
    reason = clean_reason(
        difference_reason,
        f"{word} {format_fen_grouped(abs(difference))} 元的原因（实点 "
        f"{format_fen_grouped(preview.counted_fen)} 元，应有 "
        f"{format_fen_grouped(preview.expected_fen)} 元）",
    )
    return reason, supervisor or approve()


def deposit_override_text(
    preview: ClosePreview,
    override_reason: str | None,
    supervisor_id: int | None,
    supervisor: Operator | None,
    approve: Callable[[], Operator],
) -> tuple[str, Operator | None]:
    """While cash is due today or overdue, a close needs a supervisor's override
    and its reason (POLICY.md §7.3)."""
    if not preview.deposit_required:
        return "", supervisor
    status = preview.deposit_status
    if not (override_reason or "").strip() and supervisor_id is None:
        raise ServiceError(
            f"{status.label_zh}：须入库现金 {format_fen_grouped(status.due_by_today_fen)} 元"
            f"尚未入库（期限 {status.deadline}），不能日结。请先入库；"
            "确需日结须由主管填写原因后放行。",
            code="deposit_due_at_close",
        )
    override_text = clean_reason(override_reason, "未入库即日结的原因")
    return override_text, supervisor or approve()


def unclosed_days(session: Session, clock: Clock, office_id: int) -> list[dt.date]:
    """Days before today with business (a ledger line or an opened day) that were
    never closed, after the last close: flagged at login, closed late by a supervisor."""
    today = clock.now().date()
    last = session.scalar(
        select(func.max(DayClose.business_date)).where(
            DayClose.office_id == office_id, DayClose.business_date < today, live_closes()
        )
    )
    conditions_l = [LedgerEntry.office_id == office_id, LedgerEntry.business_date < today]
    conditions_b = [BusinessDay.office_id == office_id, BusinessDay.business_date < today]
    if last is not None:
        conditions_l.append(LedgerEntry.business_date > last)
        conditions_b.append(BusinessDay.business_date > last)
    dates = set(session.scalars(select(LedgerEntry.business_date).where(*conditions_l).distinct()))
    dates |= set(session.scalars(select(BusinessDay.business_date).where(*conditions_b)))
    return sorted(dates)
