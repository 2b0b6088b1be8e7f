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

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from common.errors import NotFound
from common.glossary import PAYMENT_STATUS_LABELS, channel_label, ledger_kind_label, tier_label
from common.money import format_fen_grouped
from db.models import (
    Enrollment,
    Operator,
    Payment,
    Receipt,
    Resident,
    Village,
)
from services.export_workbook import (
    Col,
    ExportSummary,
    ProgressFn,
    SheetWriter,
    clock_time,
    office_name_of,
    open_workbook,
    period_text,
    tick_progress,
)
from services.ledger_views import (
    LedgerFilter,
    cash_on_hand_before,
    ledger_rows,
)

__all__ = [
    "EXPORT_KINDS",
    "export_deposit_payments",
    "export_ledger",
    "export_payments",
]

EXPORT_KINDS = {
    "ledger": "台账",
    "payments": "缴费清册",
    "unpaid": "未缴费名单",
    "progress": "参保进度",
}


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
    name = office_name_of(session, office_id)
    with open_workbook(path) as book:
        title = f"{name} 现金台账（{period_text(date_from, date_to)}）"
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
            kind, amount_fen, cash_fen = row[2], row[6], row[7]
            if running is not None:
                running += cash_fen
            if kind != "deposit":
                amount += amount_fen
            if cash_fen > 0:
                cash_in += cash_fen
            else:
                cash_out -= cash_fen
            sheet.append(_ledger_cells(row, running, tiers, clock_times))
            if sheet.rows % 5_000 == 0:
                tick_progress(progress, sheet.rows)
        tick_progress(progress, sheet.rows)
        sheet.totals(
            [None, None, None, "合计", f"{sheet.rows} 笔", *([None] * 6), amount, cash_in, cash_out]
            + [running, None, None]
        )
    totals = {"amount": amount, "cash_in": cash_in, "cash_out": cash_out}
    if running is not None:
        totals["cash_on_hand"] = running
    return ExportSummary(Path(path), "台账", sheet.rows, totals)


def _ledger_cells(
    row: Any,
    running: int | None,
    tiers: dict[str, str],
    clock_times: dict[tuple[int, int], str],
) -> list[Any]:
    """One ledger line as the 台账's cells (tier labels and clock times cached)."""
    (_id, seq, kind, day, recorded_at, channel, amount_fen, cash_fen, tier) = row[:9]
    (reference, memo, receipt_no, person, number, village, clerk, status, slip_no) = row[9:]
    if tier and tier not in tiers:
        tiers[tier] = tier_label(tier)
    return [
        seq,
        day,
        clock_time(clock_times, recorded_at),
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
    name = office_name_of(session, office_id)
    stmt = _payments_select(office_id, date_from, date_to, village_id, days, cash_only)
    with open_workbook(path) as book:
        title = title or f"{name} 缴费清册（{period_text(date_from, date_to)}）"
        sheet = SheetWriter(book, "缴费清册", title, PAYMENT_COLUMNS)
        standing = 0
        count = 0
        by_channel: dict[str, int] = {}
        clock_times: dict[tuple[int, int], str] = {}
        for row in session.execute(stmt.execution_options(yield_per=5_000)):
            channel, fen, status = row[8], row[10], row[11]
            if status == "completed":
                standing += fen
                count += 1
                by_channel[channel] = by_channel.get(channel, 0) + fen
            sheet.append(_payment_cells(row, clock_times))
            if sheet.rows % 5_000 == 0:
                tick_progress(progress, sheet.rows)
        tick_progress(progress, sheet.rows)
        sheet.totals(
            [None, None, "合计（有效）", f"{count} 笔", *([None] * 6), standing, None, None, None]
        )
        for note in notes:
            sheet.note(2, note)
    totals = {"standing": standing, **{f"channel:{k}": v for k, v in by_channel.items()}}
    return ExportSummary(Path(path), "缴费清册", sheet.rows, totals)


def _payment_cells(row: Any, clock_times: dict[tuple[int, int], str]) -> list[Any]:
    """One payment as the 缴费清册's cells."""
    (day, paid_at, receipt_no, person, number, village, year, tier, channel) = row[:9]
    reference, fen, status, payer, clerk = row[9:]
    return [
        day,
        clock_time(clock_times, paid_at),
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


def _payments_select(
    office_id: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    village_id: int | None,
    days: Sequence[dt.date] | None,
    cash_only: bool,
) -> Any:
    """The payments of the 缴费清册, in the order they were taken."""
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
    return (
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

    name = office_name_of(session, office_id)
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


# --- 参保进度 ----------------------------------------------------------------------------
