"""Excel workbooks the office hands upward: the 台账, the 缴费清册, the unpaid
list per village and the enrolment progress.

Real workbooks, not CSV renamed: Chinese sheet names and headers, a title row,
the header row frozen, column widths set, amounts written as exact decimals
(``Decimal`` fen / 100, never float) formatted as money, a totals row, and ID
numbers and phone numbers as text so that Excel never shows them in
scientific notation. Workbooks are streamed (constant-memory mode of
``rvgsrust_xlsxwriter``, a binding of the Rust port of XlsxWriter: a year's
台账 is about 4 million cells, which pure-Python writers take 5-6 µs each to
write, this one about 1.4 µs) and written to a temporary file renamed into place
at the end, so a failed or cancelled export leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from common.errors import InputError, NotFound, ServiceError
from common.glossary import PAYMENT_STATUS_LABELS, channel_label, ledger_kind_label, tier_label
from common.money import fen_to_decimal, format_fen_grouped
from db.models import (
    Enrollment,
    NotEnrolledReason,
    Office,
    Operator,
    Payment,
    Receipt,
    Resident,
    RosterMark,
    Village,
)
from printing.report_data import WeeklyReturn, percent_text
from services.ledger_views import (
    LedgerFilter,
    cash_on_hand_before,
    ledger_rows,
)

__all__ = [
    "EXPORT_KINDS",
    "ExportCancelled",
    "ExportSummary",
    "export_deposit_payments",
    "export_ledger",
    "export_payments",
    "export_progress",
    "export_unpaid",
    "village_id_by_name",
]

EXPORT_KINDS = {
    "ledger": "台账",
    "payments": "缴费清册",
    "unpaid": "未缴费名单",
    "progress": "参保进度",
}
MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
ProgressFn = Callable[[int], bool]  # rows written so far -> go on?


class ExportCancelled(ServiceError):
    code = "export_cancelled"


@dataclasses.dataclass(frozen=True)
class ExportSummary:
    path: Path
    sheet: str
    rows: int  # data rows, without the title, header and totals rows
    totals_fen: dict[str, int]


@dataclasses.dataclass(frozen=True)
class Col:
    header: str
    width: float
    kind: str = "text"  # text | id (digits kept as text) | money | int | date


class SheetWriter:
    """One streamed sheet: title row, frozen header, typed cells, totals row.

    Number formats live on the columns (money, date, text for ID numbers), so
    a data cell carries no style of its own: the writer gives a cell written
    without a format its column's format, and a data row goes to the writer
    in one call. Rows are written in constant-memory mode: each row is
    flushed to disk as soon as the next one starts.
    """

    def __init__(self, book: Any, name: str, title: str, columns: Sequence[Col]) -> None:
        self.sheet = book.add_worksheet(name, constant_memory=True)
        self.columns = list(columns)
        money = book.add_format().set_num_format(MONEY_FORMAT)
        date = book.add_format().set_num_format("yyyy-mm-dd")
        # Strings are text cells anyway; ID and phone columns are also
        # formatted as text, so a number typed into them later stays exact.
        text = book.add_format().set_num_format("@")
        self._bold = book.add_format().set_bold()
        self._date_time = book.add_format().set_num_format("yyyy-mm-dd hh:mm")
        self._bold_money = book.add_format().set_bold().set_num_format(MONEY_FORMAT)
        by_kind = {"money": money, "date": date, "id": text}
        for i, col in enumerate(self.columns):
            self.sheet.set_column_width(i, col.width)
            if col.kind in by_kind:
                self.sheet.set_column_format(i, by_kind[col.kind])
        self.sheet.freeze_panes(2, 0)
        self.sheet.set_repeat_rows(1, 1)
        self.sheet.write(0, 0, title, book.add_format().set_bold().set_font_size(14))
        header = (
            book.add_format()
            .set_bold()
            .set_align("center")
            .set_vertical_align("center")
            .set_text_wrap()
        )
        self.sheet.write_row(1, 0, [col.header for col in self.columns], header)
        self._kinds = [c.kind for c in self.columns]
        self._money = [i for i, c in enumerate(self.columns) if c.kind == "money"]
        self._ids = [i for i, c in enumerate(self.columns) if c.kind == "id"]
        self._dates = [i for i, c in enumerate(self.columns) if c.kind == "date"]
        self._next = 2  # zero-based index of the next row
        self.rows = 0

    def append(self, values: Sequence[Any]) -> None:
        """A data row: money in fen, dates as dates, None or "" for an empty cell."""
        row = list(values)
        if len(row) != len(self._kinds):
            raise ValueError(f"{len(row)} values for {len(self._kinds)} columns")
        for i in self._money:
            if row[i] is not None:
                row[i] = fen_to_decimal(row[i])
        for i in self._ids:
            value = row[i]
            if value is not None and not isinstance(value, str):
                row[i] = str(value)
        stamped = [(i, row[i]) for i in self._dates if isinstance(row[i], dt.datetime)]
        for i, _stamp in stamped:
            row[i] = None
        self.sheet.write_row(self._next, 0, row)
        for i, stamp in stamped:
            self.sheet.write(self._next, i, stamp, self._date_time)
        self._next += 1
        self.rows += 1

    def totals(self, values: Sequence[Any]) -> None:
        """The totals row, in bold (a cell's own format replaces its column's)."""
        row = self._next
        self._next += 1
        for i, (kind, value) in enumerate(zip(self._kinds, values, strict=True)):
            if value is None or value == "":
                continue
            if kind == "money":
                self.sheet.write(row, i, fen_to_decimal(value), self._bold_money)
            else:
                self.sheet.write(row, i, value, self._bold)

    def note(self, column: int, text: str) -> None:
        """A line of text under the list (not a data row)."""
        self.sheet.write(self._next, column, text)
        self._next += 1


def _check_path(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError("导出文件名须以 .xlsx 结尾。", code="export_suffix")
    if not path.parent.is_dir():
        raise InputError(f"文件夹不存在：{path.parent}", code="export_dir")
    return path


@contextlib.contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """A streamed workbook that becomes ``path`` only when complete.

    The workbook is written to a temporary file beside ``path`` and renamed
    into place when the body has finished. If anything failed or the export
    was cancelled the workbook is never closed, so nothing is written, and
    the temporary file is removed. (The writer keeps the rows of a
    constant-memory sheet in anonymous temporary files that go with it.)
    """
    from rvgsrust_xlsxwriter import Workbook

    path = _check_path(path)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book = Workbook(tmp)
        yield book
        try:
            book.close()
            os.replace(tmp, path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(f"无法写入 {path.name}：{reason}", code="export_io") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _office_name(session: Session, office_id: int) -> str:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound("没有这个单位。", code="office_not_found")
    return office.name


def village_id_by_name(session: Session, office_id: int, name: str) -> int:
    vid = session.scalar(
        select(Village.id).where(Village.office_id == office_id, Village.name == name.strip())
    )
    if vid is None:
        raise InputError(f"本单位没有村（社区）“{name}”。", code="village_not_found")
    return vid


def _period_text(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to:
        return f"{date_from:%Y-%m-%d} 至 {date_to:%Y-%m-%d}"
    if date_from:
        return f"{date_from:%Y-%m-%d} 起"
    if date_to:
        return f"至 {date_to:%Y-%m-%d}"
    return "全部日期"


def _clock_time(cache: dict[tuple[int, int], str], moment: dt.datetime) -> str:
    """The clock time of a moment as 09:30, from a cache: strftime on every
    line of a year's ledger cost about a tenth of the export."""
    minute = (moment.hour, moment.minute)
    text = cache.get(minute)
    if text is None:
        text = cache[minute] = f"{moment.hour:02d}:{moment.minute:02d}"
    return text


def _tick(progress: ProgressFn | None, rows: int) -> None:
    if progress is not None and not progress(rows):
        raise ExportCancelled("导出已取消，没有写入文件。")


# --- 台账 -------------------------------------------------------------------------------

LEDGER_COLUMNS = (
    Col("序号", 8, "int"),
    Col("日期", 11, "date"),
    Col("时间", 7),
    Col("摘要", 9),
    Col("票据号/入库单号", 18),
    Col("姓名", 9),
    Col("公民身份号码", 21, "id"),
    Col("村（社区）", 11),
    Col("档次", 6),
    Col("渠道", 10),
    Col("交易参考号", 16),
    Col("金额（元）", 12, "money"),
    Col("现金收入（元）", 13, "money"),
    Col("现金支出（元）", 13, "money"),
    Col("库存现金（元）", 14, "money"),
    Col("经办人", 8),
    Col("状态/备注", 14),
)


def export_ledger(
    session: Session,
    office_id: int,
    path: Path,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    village_id: int | None = None,
    progress: ProgressFn | None = None,
) -> ExportSummary:
    """The 台账 of a period, with receipt numbers and running cash on hand.

    Running cash starts from the cash carried into the first day (上期结存);
    it is left out when the ledger is narrowed to one village, where it would
    mean nothing.
    """
    flt = LedgerFilter(date_from=date_from, date_to=date_to, village_id=village_id)
    name = _office_name(session, office_id)
    with _workbook(path) as book:
        title = f"{name} 现金台账（{_period_text(date_from, date_to)}）"
        sheet = SheetWriter(book, "台账", title, LEDGER_COLUMNS)
        running: int | None = None
        if village_id is None:
            running = cash_on_hand_before(session, office_id, date_from) if date_from else 0
            sheet.append([None, None, None, "上期结存", *([None] * 10), running, None, None])
            sheet.rows -= 1
        amount = cash_in = cash_out = 0
        tiers: dict[str, str] = {}
        clock_times: dict[tuple[int, int], str] = {}
        for row in ledger_rows(session, office_id, flt):
            (_id, seq, kind, day, recorded_at, channel, amount_fen, cash_fen, tier) = row[:9]
            (reference, memo, receipt_no, person, number, village, clerk, status, slip_no) = row[9:]
            if running is not None:
                running += cash_fen
            if kind != "deposit":
                amount += amount_fen
            if cash_fen > 0:
                cash_in += cash_fen
            else:
                cash_out -= cash_fen
            if tier and tier not in tiers:
                tiers[tier] = tier_label(tier)
            sheet.append(
                [
                    seq,
                    day,
                    _clock_time(clock_times, recorded_at),
                    ledger_kind_label(kind),
                    receipt_no or slip_no,
                    person,
                    number,
                    village,
                    tiers.get(tier) if tier else None,
                    channel_label(channel),
                    reference,
                    amount_fen if kind != "deposit" else None,
                    cash_fen if cash_fen > 0 else None,
                    -cash_fen if cash_fen < 0 else None,
                    running,
                    clerk,
                    PAYMENT_STATUS_LABELS.get(status, status) if kind == "payment" else memo,
                ]
            )
            if sheet.rows % 5_000 == 0:
                _tick(progress, sheet.rows)
        _tick(progress, sheet.rows)
        sheet.totals(
            [None, None, None, "合计", f"{sheet.rows} 笔", *([None] * 6), amount, cash_in, cash_out]
            + [running, None, None]
        )
    totals = {"amount": amount, "cash_in": cash_in, "cash_out": cash_out}
    if running is not None:
        totals["cash_on_hand"] = running
    return ExportSummary(Path(path), "台账", sheet.rows, totals)


# --- 缴费清册 ----------------------------------------------------------------------------

PAYMENT_COLUMNS = (
    Col("缴费日期", 11, "date"),
    Col("时间", 7),
    Col("票据号", 18),
    Col("姓名", 9),
    Col("公民身份号码", 21, "id"),
    Col("村（社区）", 11),
    Col("参保年度", 8, "int"),
    Col("档次", 6),
    Col("渠道", 10),
    Col("交易参考号", 18),
    Col("金额（元）", 12, "money"),
    Col("状态", 8),
    Col("缴款人", 9),
    Col("经办人", 8),
)


def export_payments(
    session: Session,
    office_id: int,
    path: Path,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    village_id: int | None = None,
    progress: ProgressFn | None = None,
    days: Sequence[dt.date] | None = None,
    cash_only: bool = False,
    title: str | None = None,
    notes: Sequence[str] = (),
) -> ExportSummary:
    """The 缴费清册 of a period: every payment with its channel and reference.

    Voided and refunded payments are listed with their status; the totals row
    counts only the payments that stand. ``days``/``cash_only``/``title``/
    ``notes`` serve :func:`export_deposit_payments`.
    """
    name = _office_name(session, office_id)
    operator = aliased(Operator)
    conditions = [Payment.office_id == office_id]
    if days is not None:
        conditions.append(Payment.business_date.in_(list(days)))
    if cash_only:
        conditions.append(Payment.channel == "cash")
    if date_from:
        conditions.append(Payment.business_date >= date_from)
    if date_to:
        conditions.append(Payment.business_date <= date_to)
    if village_id is not None:
        conditions.append(Resident.village_id == village_id)
    stmt = (
        select(
            Payment.business_date,
            Payment.paid_at,
            Receipt.receipt_no,
            Resident.name,
            Resident.id_number,
            Village.name,
            Enrollment.policy_year,
            Enrollment.tier,
            Payment.channel,
            Payment.reference,
            Payment.amount_fen,
            Payment.status,
            Payment.payer_name,
            operator.display_name,
        )
        .join(Enrollment, Enrollment.id == Payment.enrollment_id)
        .join(Resident, Resident.id == Enrollment.resident_id)
        .outerjoin(Village, Village.id == Resident.village_id)
        .outerjoin(Receipt, Receipt.payment_id == Payment.id)
        .join(operator, operator.id == Payment.operator_id)
        .where(*conditions)
        .order_by(Payment.business_date, Payment.paid_at, Payment.id)
    )
    with _workbook(path) as book:
        title = title or f"{name} 缴费清册（{_period_text(date_from, date_to)}）"
        sheet = SheetWriter(book, "缴费清册", title, PAYMENT_COLUMNS)
        standing = 0
        count = 0
        by_channel: dict[str, int] = {}
        clock_times: dict[tuple[int, int], str] = {}
        for row in session.execute(stmt.execution_options(yield_per=5_000)):
            (day, paid_at, receipt_no, person, number, village, year, tier, channel) = row[:9]
            reference, fen, status, payer, clerk = row[9:]
            if status == "completed":
                standing += fen
                count += 1
                by_channel[channel] = by_channel.get(channel, 0) + fen
            sheet.append(
                [
                    day,
                    _clock_time(clock_times, paid_at),
                    receipt_no or "",
                    person,
                    number,
                    village or "",
                    year,
                    tier_label(tier),
                    channel_label(channel),
                    reference,
                    fen,
                    PAYMENT_STATUS_LABELS.get(status, status),
                    payer,
                    clerk,
                ]
            )
            if sheet.rows % 5_000 == 0:
                _tick(progress, sheet.rows)
        _tick(progress, sheet.rows)
        sheet.totals(
            [None, None, "合计（有效）", f"{count} 笔", *([None] * 6), standing, None, None, None]
        )
        for note in notes:
            sheet.note(2, note)
    totals = {"standing": standing, **{f"channel:{k}": v for k, v in by_channel.items()}}
    return ExportSummary(Path(path), "缴费清册", sheet.rows, totals)


def export_deposit_payments(
    session: Session,
    office_id: int,
    path: Path,
    *,
    slip_no: str,
    progress: ProgressFn | None = None,
) -> ExportSummary:
    """The 缴费清册 that goes with one deposit (入库单 ``slip_no``): the cash
    payments of the collection days the deposit settled (deposits settle the
    oldest cash first). A day the deposit settled only in part is named in a
    note under the list, with how much of it this deposit took."""
    from db.models import Deposit
    from services.deposits import deposit_register

    name = _office_name(session, office_id)
    deposit = session.scalars(
        select(Deposit).where(Deposit.office_id == office_id, Deposit.slip_no == slip_no.strip())
    ).first()
    if deposit is None:
        raise NotFound(f"没有入库单号为“{slip_no}”的入库记录。", code="deposit_not_found")
    rows = deposit_register(session, office_id, deposit.business_date, deposit.business_date)
    settled = next((r.settled for r in rows if r.deposit_id == deposit.id), ())
    by_day: dict[dt.date, int] = {}
    for bucket in settled:
        by_day[bucket.collection_date] = (
            by_day.get(bucket.collection_date, 0) + bucket.remaining_fen
        )
    day_cash = dict(
        session.execute(
            select(Payment.business_date, func.sum(Payment.amount_fen))
            .where(
                Payment.office_id == office_id,
                Payment.channel == "cash",
                Payment.status == "completed",
                Payment.business_date.in_(list(by_day)),
            )
            .group_by(Payment.business_date)
        ).all()
    )
    notes = [
        f"{day:%Y-%m-%d} 当日现金 {format_fen_grouped(int(day_cash.get(day) or 0))} 元，"
        f"本次入库对应 {format_fen_grouped(fen)} 元"
        for day, fen in sorted(by_day.items())
        if fen != int(day_cash.get(day) or 0)
    ]
    title = (
        f"{name} 缴费清册（入库单 {deposit.slip_no}，{deposit.business_date:%Y-%m-%d} 入库 "
        f"{format_fen_grouped(deposit.amount_fen)} 元）"
    )
    return export_payments(
        session,
        office_id,
        path,
        days=sorted(by_day),
        cash_only=True,
        title=title,
        notes=notes,
        progress=progress,
    )


# --- 未缴费名单 --------------------------------------------------------------------------

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
    name = _office_name(session, office_id)
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
    with _workbook(path) as book:
        title = f"{name} {policy_year} 年度未缴费名单"
        sheet = SheetWriter(book, "未缴费名单", title, UNPAID_COLUMNS)
        due = 0
        for i, row in enumerate(rows, start=1):
            sheet.append([row[0] or "未指定", *row[1:7], row[7]])
            due += row[7] or 0
            if i % 5_000 == 0:
                _tick(progress, i)
        sheet.totals(["合计", None, f"{len(rows)} 人", None, None, None, None, due])
    return ExportSummary(Path(path), "未缴费名单", sheet.rows, {"due": due})


# --- 参保进度 ----------------------------------------------------------------------------

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
    with _workbook(path) as book:
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
