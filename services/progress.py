"""The weekly enrolment return (参保进度周报).

Per village and for the office: the target, how many are registered, how many
have paid, the completion rate (paid / target), this week's change, and last
year's figure; the hardship groups' rate against their 100 % goal; people not
enrolled, by the reason recorded on them; and the office's paid figure week by
week, for the curve.

Who counts:
- *registered*: a live (not refunded) enrolment of the year made by the end
  of the week, or the person is on the platform's registered list;
- *paid*: a completed (not voided, not refunded) payment of the year by the
  end of the week, or the person is on a paid-elsewhere list imported by
  then; one person counts once;
- *last year*: paid for the year before here, or on last year's list;
- the office's target is the sum of its villages' targets (the office has no
  target of its own in the database).

The figures are read from the payments as they stand now: a payment refunded
since is not counted in earlier weeks either.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from common.errors import InputError, NotFound
from db.models import (
    Enrollment,
    NotEnrolledReason,
    Office,
    Payment,
    Resident,
    RosterMark,
    Village,
)
from printing.report_data import (
    HardshipRate,
    VillageReturn,
    WeeklyReturn,
    WeekPoint,
    percent_text,
)
from services.roster_import import REASON_LABELS

__all__ = [
    "HARDSHIP_CATEGORIES",
    "HardshipRate",
    "VillageReturn",
    "WeekPoint",
    "WeeklyReturn",
    "percent_text",
    "weekly_return",
]

# 困难群体: the groups whose enrolment goal is 100 % (特困、低保、低保边缘、孤儿、重度残疾).
HARDSHIP_CATEGORIES = frozenset(
    {"extreme_poverty", "minimum_living", "low_income_edge", "orphan", "severe_disability"}
)
UNASSIGNED = "未指定村（社区）"


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)


def _first_paid_days(
    session: Session, office_id: int, year: int, until: dt.date
) -> dict[int | None, dict[dt.date, int]]:
    """Village -> day -> people whose first payment of ``year`` fell on that day."""
    first = (
        select(
            Enrollment.resident_id.label("rid"),
            func.min(Payment.business_date).label("day"),
        )
        .join(Payment, Payment.enrollment_id == Enrollment.id)
        .where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == year,
            Payment.status == "completed",
            Payment.business_date <= until,
        )
        .group_by(Enrollment.resident_id)
        .subquery()
    )
    days: dict[int | None, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for village_id, day, people in session.execute(
        select(Resident.village_id, first.c.day, func.count())
        .join(first, first.c.rid == Resident.id)
        .group_by(Resident.village_id, first.c.day)
    ).all():
        days[village_id][day] += int(people)
    paid_here = (
        select(Enrollment.resident_id)
        .join(Payment, Payment.enrollment_id == Enrollment.id)
        .where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == year,
            Payment.status == "completed",
        )
    )
    for village_id, created_at in session.execute(
        select(Resident.village_id, RosterMark.created_at)
        .join(Resident, Resident.id == RosterMark.resident_id)
        .where(
            RosterMark.office_id == office_id,
            RosterMark.kind == "paid_elsewhere",
            RosterMark.policy_year == year,
            RosterMark.created_at <= _end_of(until),
            RosterMark.resident_id.not_in(paid_here),
        )
    ).all():
        days[village_id][created_at.date()] += 1
    return days


def _per_village(session: Session, ids) -> dict[int | None, int]:  # type: ignore[no-untyped-def]
    sub = ids.subquery()
    return {
        vid: int(n)
        for vid, n in session.execute(
            select(Resident.village_id, func.count())
            .join(sub, sub.c.rid == Resident.id)
            .group_by(Resident.village_id)
        ).all()
    }


def _registered(session: Session, office_id: int, year: int, until: dt.date) -> dict:  # type: ignore[type-arg]
    ids = union(
        select(Enrollment.resident_id.label("rid")).where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == year,
            Enrollment.status != "refunded",
            Enrollment.created_at <= _end_of(until),
        ),
        select(RosterMark.resident_id.label("rid")).where(
            RosterMark.office_id == office_id,
            RosterMark.kind == "registered",
            RosterMark.policy_year == year,
            RosterMark.created_at <= _end_of(until),
        ),
    )
    return _per_village(session, ids)


def _last_year(session: Session, office_id: int, year: int) -> dict:  # type: ignore[type-arg]
    ids = union(
        select(Enrollment.resident_id.label("rid")).where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == year - 1,
            Enrollment.status == "paid",
        ),
        select(RosterMark.resident_id.label("rid")).where(
            RosterMark.office_id == office_id,
            RosterMark.kind == "last_year",
            RosterMark.policy_year == year - 1,
        ),
    )
    return _per_village(session, ids)


def _village_rows(
    villages: Sequence[Village],
    days: dict[int | None, dict[dt.date, int]],
    registered: dict,  # type: ignore[type-arg]
    last_year: dict,  # type: ignore[type-arg]
    week_start: dt.date,
) -> list[VillageReturn]:
    """A row per village, and one for people with no village or another office's."""

    def row(village_id: int | None, name: str, target: int | None) -> VillageReturn:
        by_day = days.get(village_id, {})
        return VillageReturn(
            village_id=village_id,
            name=name,
            target=target,
            registered=registered.get(village_id, 0),
            paid=sum(by_day.values()),
            paid_this_week=sum(n for d, n in by_day.items() if d >= week_start),
            last_year=last_year.get(village_id, 0),
        )

    rows = [row(v.id, v.name, v.target) for v in villages]
    known = {v.id for v in villages}
    stray = (set(days) | set(registered) | set(last_year)) - known
    if stray:  # people with no village, or one of another office
        parts = [row(vid, UNASSIGNED, None) for vid in stray]
        rows.append(
            VillageReturn(
                None,
                UNASSIGNED,
                None,
                sum(p.registered for p in parts),
                sum(p.paid for p in parts),
                sum(p.paid_this_week for p in parts),
                sum(p.last_year for p in parts),
            )
        )
    return rows


def _hardship_rate(session: Session, office_id: int, policy_year: int) -> HardshipRate:
    """How many of the hardship categories enrolled, and how many of them paid."""
    hardship = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Enrollment.status == "paid", 1), else_=0)), 0),
        ).where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == policy_year,
            Enrollment.status != "refunded",
            Enrollment.category.in_(HARDSHIP_CATEGORIES),
        )
    ).one()
    return HardshipRate(int(hardship[0]), int(hardship[1]))


def _not_enrolled(
    session: Session, office_id: int, policy_year: int
) -> tuple[tuple[str, str, int], ...]:
    """The reasons recorded for not enrolling, counted, in the glossary's order."""
    reasons = dict(
        session.execute(
            select(NotEnrolledReason.reason, func.count())
            .where(
                NotEnrolledReason.office_id == office_id,
                NotEnrolledReason.policy_year == policy_year,
            )
            .group_by(NotEnrolledReason.reason)
        ).all()
    )
    return tuple((key, label, int(reasons.get(key, 0))) for key, label in REASON_LABELS.items())


def weekly_return(
    session: Session, office_id: int, policy_year: int, week_end: dt.date
) -> WeeklyReturn:
    """The return for the week ending on ``week_end`` (the seven days up to it)."""
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound("没有这个单位。", code="office_not_found")
    if not 2000 <= policy_year <= 2100:
        raise InputError(f"参保年度 {policy_year} 不合理。", code="bad_year")
    week_start = week_end - dt.timedelta(days=6)
    days = _first_paid_days(session, office_id, policy_year, week_end)
    registered = _registered(session, office_id, policy_year, week_end)
    last_year = _last_year(session, office_id, policy_year)
    villages = session.scalars(
        select(Village).where(Village.office_id == office_id).order_by(Village.name)
    ).all()
    rows = _village_rows(villages, days, registered, last_year, week_start)
    target = sum(v.target or 0 for v in villages)
    total = VillageReturn(
        None,
        "合计",
        target or None,
        sum(r.registered for r in rows),
        sum(r.paid for r in rows),
        sum(r.paid_this_week for r in rows),
        sum(r.last_year for r in rows),
    )
    hardship = _hardship_rate(session, office_id, policy_year)
    not_enrolled = _not_enrolled(session, office_id, policy_year)
    return WeeklyReturn(
        office_name=office.name,
        policy_year=policy_year,
        week_start=week_start,
        week_end=week_end,
        villages=tuple(rows),
        total=total,
        hardship=hardship,
        not_enrolled=not_enrolled,
        curve=_curve(days, week_end),
    )


def _curve(days: dict[int | None, dict[dt.date, int]], week_end: dt.date) -> tuple[WeekPoint, ...]:
    """The office's paid figure at the end of each week, up to ``week_end``."""
    daily: dict[dt.date, int] = defaultdict(int)
    for by_day in days.values():
        for day, n in by_day.items():
            daily[day] += n
    if not daily:
        return (WeekPoint(week_end, 0),)
    first = min(daily)
    # Week ends fall on the same weekday as week_end.
    end = week_end - dt.timedelta(days=((week_end - first).days // 7) * 7)
    points: list[WeekPoint] = []
    ordered = sorted(daily.items())
    running, i = 0, 0
    while end <= week_end:
        while i < len(ordered) and ordered[i][0] <= end:
            running += ordered[i][1]
            i += 1
        points.append(WeekPoint(end, running))
        end += dt.timedelta(days=7)
    return tuple(points)
