"""Days the bank is closed, for the 5-day deposit deadline (POLICY.md §7.3 revised).

A deadline that falls on a day the office cannot deposit moves to the next day
it can (Civil Code art. 203). Closed are: the statutory holidays of the
maintained ``chinesecalendar`` package (which also knows the 调休 working
days), the days the office lists in 设置, and — only when the office says its
bank is closed on them — Saturdays and Sundays that are not 调休 working days.
Years the package has no data for count their statutory holidays as unknown:
only the office's own list applies there (the settings page says so).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import InputError
from db.models import Office, OfficeClosedDay
from services.clock import Clock

_ONE_DAY = dt.timedelta(days=1)
#: A deadline is never moved further than this (a safety stop for a bad list).
MAX_SHIFT_DAYS = 31
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def statutory_holiday(day: dt.date) -> str | None:
    """The English name of the statutory holiday on ``day``, or None (also for
    a year the calendar package does not cover)."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return name if is_holiday and name else None


def is_adjusted_workday(day: dt.date) -> bool:
    """A weekend day that is a working day by 调休."""
    if day.weekday() < 5:
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return False


def calendar_covers(year: int) -> bool:
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class BankCalendar:
    """Which days an office can deposit on."""

    closed_weekends: bool = False
    office_closed: frozenset[dt.date] = field(default_factory=frozenset)

    def is_open(self, day: dt.date) -> bool:
        if day in self.office_closed:
            return False
        if statutory_holiday(day) is not None:
            return False
        if self.closed_weekends and day.weekday() >= 5 and not is_adjusted_workday(day):
            return False
        return True

    def next_open(self, day: dt.date) -> dt.date:
        """``day`` itself if the bank is open then, else the next open day."""
        moved = day
        for _ in range(MAX_SHIFT_DAYS):
            if self.is_open(moved):
                return moved
            moved += _ONE_DAY
        return day


def weekday_zh(day: dt.date) -> str:
    return WEEKDAYS_ZH[day.weekday()]


def office_calendar(session: Session, office_id: int) -> BankCalendar:
    office = session.get(Office, office_id)
    closed = session.scalars(
        select(OfficeClosedDay.closed_date).where(OfficeClosedDay.office_id == office_id)
    ).all()
    weekends = bool(office.bank_closed_weekends) if office is not None else False
    return BankCalendar(closed_weekends=weekends, office_closed=frozenset(closed))


def set_office_closed_days(
    session: Session, office_id: int, days: Iterable[dt.date], note: str = ""
) -> None:
    """Replace the office's list of closed days (设置)."""
    wanted = set(days)
    rows = session.scalars(
        select(OfficeClosedDay).where(OfficeClosedDay.office_id == office_id)
    ).all()
    for row in rows:
        if row.closed_date not in wanted:
            session.delete(row)
    have = {row.closed_date for row in rows}
    for day in sorted(wanted - have):
        session.add(OfficeClosedDay(office_id=office_id, closed_date=day, note=note))
    session.flush()


def parse_closed_days(text: str) -> list[tuple[dt.date, str]]:
    """Lines of ``YYYY-MM-DD [note]`` as (date, note); a bad line is refused in words."""
    days: dict[dt.date, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        head, _, note = line.partition(" ")
        try:
            day = dt.date.fromisoformat(head)
        except ValueError:
            raise InputError(
                f"第 {number} 行“{line}”不是日期，请写成 2026-10-09 这样的格式。",
                code="bad_closed_day",
            ) from None
        days[day] = note.strip()[:100]
    return sorted(days.items())


def office_weekends(session: Session, office_id: int) -> bool:
    office = session.get(Office, office_id)
    return bool(office.bank_closed_weekends) if office is not None else False


def closed_days_text(session: Session, office_id: int) -> str:
    rows = session.scalars(
        select(OfficeClosedDay)
        .where(OfficeClosedDay.office_id == office_id)
        .order_by(OfficeClosedDay.closed_date)
    ).all()
    return "\n".join(f"{r.closed_date.isoformat()} {r.note}".strip() for r in rows)


def update_bank_days(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    closed_weekends: bool,
    closed_days: str,
) -> BankCalendar:
    """A supervisor sets whether the bank is closed on weekends and lists the
    office's own closed days (设置); deadlines move off them from now on."""
    from services.office import require_supervisor
    from services.write_clock import check_write_clock

    require_supervisor(session, operator_id, office_id=office_id)
    check_write_clock(session, clock, office_id, "settings")
    days = parse_closed_days(closed_days)
    office = session.get(Office, office_id)
    if office is None:  # pragma: no cover - require_supervisor found its operator
        raise InputError("单位不存在。", code="office_not_found")
    office.bank_closed_weekends = bool(closed_weekends)
    office.updated_at = clock.now()
    office.updated_by = operator_id
    existing = {
        r.closed_date: r
        for r in session.scalars(
            select(OfficeClosedDay).where(OfficeClosedDay.office_id == office_id)
        ).all()
    }
    wanted = dict(days)
    for day, row in existing.items():
        if day not in wanted:
            session.delete(row)
        else:
            row.note = wanted[day]
    for day, note in days:
        if day not in existing:
            session.add(OfficeClosedDay(office_id=office_id, closed_date=day, note=note))
    session.flush()
    from services.audit import record_audit

    record_audit(
        session,
        at=clock.now(),
        operator_id=operator_id,
        office_id=office_id,
        action="settings_changed",
        subject="bank_days",
        details={
            "closed_weekends": bool(closed_weekends),
            "closed_days": [d.isoformat() for d, _note in days],
        },
    )
    return office_calendar(session, office_id)


DeadlineShift = Callable[[dt.date], dt.date]
