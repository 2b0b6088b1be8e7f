"""What a counter page shows, read in one session (issue 14: one change set
per write, and each page refreshes what it shows in one read).

``collect_view`` is the 缴费 page's state for one resident: the enrolments,
which one is chosen, its payments and any "paid elsewhere" mark, so one cash
payment refreshes the page with one read instead of reloading the enrolments
twice and the payments three times. ``reports_view`` is everything the 报表
page shows, in one read (the page runs it off the GUI thread).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from common.errors import ServiceError
from printing.report_data import OverrideRow, PeriodReport, WeeklyReturn
from services.accounts import SelfApprovalLine, self_approvals
from services.cash_reports import CashException, cash_exceptions
from services.payments import PaymentRecord, payments_of
from services.progress import weekly_return
from services.registry import enrollments_of
from services.reports import (
    VillageProgress,
    enrollment_progress,
    month_report,
    override_list,
    period_report,
)
from services.resident_records import EnrollmentRecord
from services.roster_marks import PaidElsewhere, paid_elsewhere


@dataclasses.dataclass(frozen=True)
class EnrollmentView:
    """One enrolment's payments and, while it is unpaid, a "paid elsewhere" mark."""

    payments: list[PaymentRecord]
    paid_elsewhere: PaidElsewhere | None


@dataclasses.dataclass(frozen=True)
class CollectView:
    enrollments: list[EnrollmentRecord]
    #: the enrolment shown (the one asked for when it is still there, else the newest)
    selected: EnrollmentRecord | None
    detail: EnrollmentView


def enrollment_view(session: Session, enrollment: EnrollmentRecord | None) -> EnrollmentView:
    if enrollment is None:
        return EnrollmentView([], None)
    mark = (
        paid_elsewhere(session, enrollment.resident_id, enrollment.policy_year)
        if enrollment.status == "registered"
        else None
    )
    return EnrollmentView(payments_of(session, enrollment.id), mark)


def collect_view(session: Session, resident_id: int, select_id: int | None = None) -> CollectView:
    enrollments = enrollments_of(session, resident_id)
    selected = next((e for e in enrollments if e.id == select_id), None)
    if selected is None and enrollments:
        selected = enrollments[0]
    return CollectView(enrollments, selected, enrollment_view(session, selected))


Progress = Callable[[int, int], bool | None]


class ReportsCancelled(ServiceError):
    """The clerk stopped reading the reports; the page keeps what it showed."""

    code = "reports_cancelled"

    def __init__(self) -> None:
        super().__init__("已取消统计报表", code=self.code)


@dataclasses.dataclass(frozen=True)
class ReportsView:
    """The 报表 page: the day's and the month's takings, the year's progress
    by village and the weekly return, the month's overrides, cash exceptions
    and self-approvals."""

    day: PeriodReport
    month: PeriodReport
    progress_year: int
    progress: list[VillageProgress]
    weekly: WeeklyReturn
    overrides: list[OverrideRow]
    exceptions: list[CashException]
    self_approvals: list[SelfApprovalLine]


def reports_view(
    session: Session,
    office_id: int,
    day: dt.date,
    year: int,
    month: int,
    progress_year: int,
    week_end: dt.date,
    progress: Progress | None = None,
) -> ReportsView:
    """Everything on the 报表 page in one session. ``progress(done, total)``
    is called after each part; ``False`` stops with ``ReportsCancelled``."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None and progress(done, 7) is False:
            raise ReportsCancelled()

    day_report = period_report(session, office_id, day, day)
    step()
    month_r = month_report(session, office_id, year, month)
    step()
    village = enrollment_progress(session, office_id, progress_year)
    step()
    weekly = weekly_return(session, office_id, progress_year, week_end)
    step()
    start, end = dt.date(year, month, 1), month_r.date_to
    overrides = override_list(session, office_id, start, end)
    step()
    exceptions = cash_exceptions(session, office_id, start, end)
    step()
    marks = self_approvals(session, office_id, start, end)
    step()
    return ReportsView(
        day_report, month_r, progress_year, village, weekly, overrides, exceptions, marks
    )
