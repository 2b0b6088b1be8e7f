"""The enrolment workbooks: the unpaid list per village and the enrolment progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from db.models import (
    Enrollment,
    NotEnrolledReason,
    Resident,
    RosterMark,
    Village,
)
from printing.report_data import WeeklyReturn, percent_text
from services.export_workbook import (
    Col,
    ExportSummary,
    ProgressFn,
    SheetWriter,
    office_name_of,
    open_workbook,
    tick_progress,
)

UNPAID_COLUMNS = (
    Col("村（社区）", 11),
    Col("户号", 12),
    Col("姓名", 9),
    Col("公民身份号码", 21, "id"),
    Col("联系电话", 14, "id"),
    Col("住址", 24),
    Col("情况", 18),
    Col("应缴金额（元）", 13, "money"),
)


def export_unpaid(
    session: Session,
    office_id: int,
    path: Path,
    *,
    policy_year: int,
    village_id: int | None = None,
    progress: ProgressFn | None = None,
) -> ExportSummary:
    """Who to visit: registered but unpaid for ``policy_year``, and people on
    last year's or the platform's list with no enrolment yet — unless they
    paid elsewhere or have a reason recorded for not enrolling. Sorted by
    village, household number and name."""
    name = office_name_of(session, office_id)
    rows = _unpaid_rows(session, office_id, policy_year, village_id)
    with open_workbook(path) as book:
        title = f"{name} {policy_year} 年度未缴费名单"
        sheet = SheetWriter(book, "未缴费名单", title, UNPAID_COLUMNS)
        due = 0
        for i, row in enumerate(rows, start=1):
            sheet.append([row[0] or "未指定", *row[1:7], row[7]])
            due += row[7] or 0
            if i % 5_000 == 0:
                tick_progress(progress, i)
        sheet.totals(["合计", None, f"{len(rows)} 人", None, None, None, None, due])
    return ExportSummary(Path(path), "未缴费名单", sheet.rows, {"due": due})


def _unpaid_rows(
    session: Session, office_id: int, policy_year: int, village_id: int | None
) -> list[tuple[Any, ...]]:
    """The registered-but-unpaid and the listed-but-not-enrolled, sorted by
    village, household number and name."""
    vill = [Resident.village_id == village_id] if village_id is not None else []
    paid_elsewhere = exists().where(
        RosterMark.resident_id == Resident.id,
        RosterMark.kind == "paid_elsewhere",
        RosterMark.policy_year == policy_year,
    )
    has_reason = exists().where(
        NotEnrolledReason.resident_id == Resident.id,
        NotEnrolledReason.policy_year == policy_year,
    )
    live = exists().where(
        Enrollment.resident_id == Resident.id,
        Enrollment.policy_year == policy_year,
        Enrollment.status != "refunded",
    )
    on_list = exists().where(
        RosterMark.resident_id == Resident.id,
        RosterMark.office_id == office_id,
        or_(
            and_(RosterMark.kind == "last_year", RosterMark.policy_year == policy_year - 1),
            and_(RosterMark.kind == "registered", RosterMark.policy_year == policy_year),
        ),
    )
    columns = (
        Village.name,
        Resident.household_no,
        Resident.name,
        Resident.id_number,
        Resident.phone,
        Resident.address,
    )
    registered = session.execute(
        select(*columns, Enrollment.personal_due_fen)
        .join(Enrollment, Enrollment.resident_id == Resident.id)
        .outerjoin(Village, Village.id == Resident.village_id)
        .where(
            Enrollment.office_id == office_id,
            Enrollment.policy_year == policy_year,
            Enrollment.status == "registered",
            ~paid_elsewhere,
            *vill,
        )
    ).all()
    listed = session.execute(
        select(*columns)
        .outerjoin(Village, Village.id == Resident.village_id)
        .where(on_list, ~live, ~paid_elsewhere, ~has_reason, *vill)
    ).all()
    rows: list[tuple[Any, ...]] = [(*r[:6], "已登记未缴费", r[6]) for r in registered]
    rows += [(*r, "名单内、本年未登记", None) for r in listed]
    rows.sort(key=lambda r: (r[0] or "", r[1] or "", r[2], r[3]))
    return rows


PROGRESS_COLUMNS = (
    Col("村（社区）", 14),
    Col("目标任务（人）", 12, "int"),
    Col("已登记（人）", 12, "int"),
    Col("已缴费（人）", 12, "int"),
    Col("完成率", 10),
    Col("本周新增缴费（人）", 14, "int"),
    Col("上年参保（人）", 12, "int"),
    Col("距目标（人）", 12, "int"),
)


def _progress_cells(r: Any) -> list[Any]:
    return [r.name, r.target, r.registered, r.paid, r.rate_text, r.paid_this_week]


def export_progress(report: WeeklyReturn, path: Path) -> ExportSummary:
    """The weekly return as a workbook: villages, hardship groups, reasons, weeks."""
    with open_workbook(path) as book:
        title = (
            f"{report.office_name} {report.policy_year} 年度参保进度周报"
            f"（{report.week_start:%Y-%m-%d} 至 {report.week_end:%Y-%m-%d}）"
        )
        sheet = SheetWriter(book, "参保进度", title, PROGRESS_COLUMNS)
        for r in report.villages:
            sheet.append([*_progress_cells(r), r.last_year, r.to_go])
        t = report.total
        sheet.totals([*_progress_cells(t), t.last_year, t.to_go])

        other = SheetWriter(
            book,
            "困难群体与未参保原因",
            f"{report.office_name} {report.policy_year} 年度 困难群体参保与未参保原因",
            (Col("项目", 24), Col("人数", 10, "int"), Col("说明", 30)),
        )
        h = report.hardship
        other.append(["困难群体已登记", h.registered, "特困、低保、低保边缘、孤儿、重度残疾"])
        other.append(["困难群体已缴费", h.paid, f"完成率 {h.rate_text}（目标 100%）"])
        for _key, label, people in report.not_enrolled:
            other.append([f"未参保：{label}", people, ""])
        other.totals(["未参保合计", report.not_enrolled_total, None])

        weeks = SheetWriter(
            book,
            "逐周进度",
            f"{report.office_name} {report.policy_year} 年度 逐周累计缴费人数",
            (Col("周末日期", 12, "date"), Col("累计已缴费（人）", 16, "int"), Col("完成率", 10)),
        )
        for point in report.curve:
            weeks.append([point.week_end, point.paid, percent_text(point.paid, t.target)])
    return ExportSummary(Path(path), "参保进度", sheet.rows, {})
