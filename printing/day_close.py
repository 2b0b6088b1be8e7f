"""日结单 — the end-of-day cash count and reconciliation, on one A4 page.

Sections: the count by denomination, the reconciliation (opening float + cash
received − refunded − deposited = expected; counted − expected = over/short
with its reason), the day's deposits, the deposit state of POLICY §7.3, and
signature places for the clerk and the reviewer.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table

from common import glossary
from common.money import format_fen
from printing import layout as L
from printing.anchor_block import place_anchor_block
from printing.data import DENOMINATIONS, DayCloseData
from printing.marks import draw_signatures

PAGE_SIZE = A4
MARGIN = 15 * mm
URGENT_STATES = ("due_today", "overdue")


def _section(c: Canvas, text: str, x: float, y: float) -> float:
    L.draw_text(c, text, x, y, 11)
    return float(y - 2.5 * mm)


def _count_table(data: DayCloseData, width: float) -> Table:
    widths = [w * width for w in (0.16, 0.22, 0.26, 0.36)]
    size = 10
    counts = {(d.kind, d.value_fen): d for d in data.counts}
    header = ["类别", "券别", "张（枚）数", "金额（元）"]
    rows: list[list[Any]] = [
        [L.cell(h, w, size, "center") for h, w in zip(header, widths, strict=True)]
    ]
    styles: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY)]
    kinds = {"note": "纸币", "coin": "硬币"}
    start: dict[str, int] = {}
    for kind, value, label in DENOMINATIONS:
        entry = counts.get((kind, value))
        count = entry.count if entry else None
        rows.append(
            [
                L.cell(kinds[kind], widths[0], size, "center"),
                L.cell(label, widths[1], size, "center"),
                L.cell("" if count is None else str(count), widths[2], size, "right"),
                L.cell(
                    "" if count is None else format_fen(count * value), widths[3], size, "right"
                ),
            ]
        )
        start.setdefault(kind, len(rows) - 1)
    end = {"note": start["coin"] - 1, "coin": len(rows) - 1}
    for kind, first in start.items():
        styles.append(("SPAN", (0, first), (0, end[kind])))
    rows.append(
        [
            L.cell("合计", widths[0] + widths[1], size, "center"),
            "",
            L.cell(L.capitals(data.counted_fen), widths[2] + widths[3] * 0.45, size - 1),
            L.cell(L.figures(data.counted_fen), widths[3] * 0.55, size + 1, "right"),
        ]
    )
    r = len(rows) - 1
    styles += [
        ("SPAN", (0, r), (1, r)),
        ("BACKGROUND", (0, r), (-1, r), L.LABEL_GREY),
        ("LINEABOVE", (0, r), (-1, r), L.FRAME, colors.black),
    ]
    heights = [(6 if _crowded(data) else 7) * mm] * len(rows)
    table = Table(rows, colWidths=widths, rowHeights=heights, style=L.boxed_style(*styles))
    return table


def _crowded(data: DayCloseData) -> bool:
    """The issue-9 lines (late close, refunds apart, overdue, open differences)
    make a full page: rows get a little lower so that all still fit."""
    return bool(
        data.late_reason
        or data.open_differences
        or data.overdue_payments
        or data.cash_refunds is not None
    )


def _over_short(fen: int) -> str:
    if fen > 0:
        return f"长款 {L.figures(fen)}（{L.capitals(fen)}）"
    if fen < 0:
        return f"短款 {L.figures(-fen)}（{L.capitals(-fen)}）"
    return "无长短款（账实相符）"


def _reconciliation_table(data: DayCloseData, width: float) -> Table:
    lw = 0.30 * width
    vw = width - lw
    size = 10
    lines = [
        ("期初备用金", L.figures(data.opening_float_fen)),
        ("加：上日结存未入库现金", L.figures(data.carried_in_fen)),
        ("加：本日现金收款", L.figures(data.cash_received_fen)),
        ("减：本日现金退费", L.figures(data.cash_refunded_fen)),
        ("减：本日现金入库", L.figures(data.cash_deposited_fen)),
        (
            "应有库存现金",
            f"{L.figures(data.expected_fen)}（{L.signed_capitals(data.expected_fen)}）",
        ),
        ("实点库存现金", f"{L.figures(data.counted_fen)}（{L.capitals(data.counted_fen)}）"),
        ("长短款（实点 − 应有）", _over_short(data.difference_fen)),
        ("长短款原因", data.difference_reason or ("—" if not data.difference_fen else "")),
    ]
    extra = []
    if data.receipts_issued is not None:
        text = f"{data.receipts_issued} 张"
        if data.receipts_voided:
            text += f"（其中作废 {data.receipts_voided} 张）"
        extra.append(("本日开具收据", text))
    if data.cash_refunds is not None or data.refund_applications is not None:
        extra.append(
            (
                "本日退费",
                f"柜台现金退付 {data.cash_refunds or 0} 笔；"
                f"退费申请 {data.refund_applications or 0} 笔（由税务部门退付，不动库存现金）",
            )
        )
    if data.overdue_payments:
        extra.append(("逾期未入库期间收款", f"{data.overdue_payments} 笔（已在存根和台账上标注）"))
    if data.open_differences:
        extra.append(("未了结的长短款", "；".join(data.open_differences)))
    if data.non_cash_received_fen is not None:
        extra.append(
            (
                "本日非现金收款",
                f"{L.figures(data.non_cash_received_fen)}（POS、扫码、银行代收，不计入库存现金）",
            )
        )
    lines += extra
    rows = [[L.cell(a, lw, size, "left"), L.cell(b, vw, size, "left")] for a, b in lines]
    styles: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, r), (0, r), L.LABEL_GREY) for r in range(len(rows))
    ]
    styles.append(("LINEABOVE", (0, 5), (-1, 5), L.FRAME, colors.black))
    row_h = (6.2 if _crowded(data) else 7) * mm
    return Table(
        rows, colWidths=[lw, vw], rowHeights=[row_h] * len(rows), style=L.boxed_style(*styles)
    )


def _deposit_table(data: DayCloseData, width: float) -> Table:
    widths = [w * width for w in (0.16, 0.30, 0.22, 0.18, 0.14)]
    size = 9.5
    header = ["入库时间", "缴款凭证号", "入库方式", "金额（元）", "经办人"]
    rows: list[list[Any]] = [
        [L.cell(h, w, size, "center") for h, w in zip(header, widths, strict=True)]
    ]
    styles: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY)]
    for d in data.deposits:
        values = (
            f"{d.deposited_at:%H:%M}",
            d.slip_no,
            d.channel,
            format_fen(d.amount_fen),
            d.operator,
        )
        aligns = ("center", "left", "center", "right", "center")
        rows.append([L.cell(v, w, size, a) for v, w, a in zip(values, widths, aligns, strict=True)])
    if not data.deposits:
        rows.append([L.cell("本日无入库", width, size, "center"), "", "", "", ""])
        styles.append(("SPAN", (0, 1), (-1, 1)))
    total = sum(d.amount_fen for d in data.deposits)
    rows.append(
        [
            L.cell("合计", sum(widths[:3]), size, "center"),
            "",
            "",
            L.cell(format_fen(total), widths[3], size, "right"),
            "",
        ]
    )
    r = len(rows) - 1
    styles += [("SPAN", (0, r), (2, r)), ("BACKGROUND", (0, r), (-1, r), L.LABEL_GREY)]
    return Table(
        rows, colWidths=widths, rowHeights=[6.5 * mm] * len(rows), style=L.boxed_style(*styles)
    )


def draw_day_close(c: Canvas, data: DayCloseData) -> None:
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    width = right - left
    y = page_h - MARGIN - 8 * mm
    L.draw_title(c, "城乡居民医保费现金日结单", page_w / 2, y, 17)
    y -= 9 * mm
    L.draw_text(c, f"单位：{data.office.full_name}", left, y, 10, max_width=width * 0.55)
    L.draw_text(c, f"日结日期：{L.date_cn(data.date)}", right, y, 10, "right")
    if data.closed_at or data.drawer:
        y -= 5.5 * mm
    if data.drawer:
        L.draw_text(c, f"钱箱：{data.drawer}", left, y, 10, max_width=width * 0.55)
    if data.closed_at:
        L.draw_text(c, f"结账时间：{L.datetime_cn(data.closed_at)}", right, y, 9, "right")
    if data.late_reason:
        y -= 5.5 * mm
        L.draw_text(
            c,
            f"补日结（迟于当日结账）：{data.late_reason}",
            left,
            y,
            10,
            max_width=width,
            color=L.VOID_RED,
        )
    y -= 7 * mm

    y = _section(c, "一、库存现金清点", left, y)
    y -= L.draw_table(c, _count_table(data, width), left, y, width) + 8 * mm
    y = _section(c, "二、轧账", left, y)
    y -= L.draw_table(c, _reconciliation_table(data, width), left, y, width) + 8 * mm
    y = _section(c, "三、本日入库", left, y)
    y -= L.draw_table(c, _deposit_table(data, width), left, y, width) + 8 * mm

    state = f"四、入库状态：{data.deposit_state_label}"
    urgent = data.deposit_state in URGENT_STATES
    L.draw_text(c, state, left, y, 11, color=L.VOID_RED if urgent else colors.black)
    if data.undeposited_fen is not None:
        y -= 6 * mm
        text = f"结账后未入库现金 {L.figures(data.undeposited_fen)}"
        if data.deposit_due is not None and data.undeposited_fen > 0:
            text += f"，最迟应于 {L.date_cn(data.deposit_due)} 入库"
        L.draw_text(c, text + "。", left + 5 * mm, y, 10, max_width=width - 5 * mm)

    if data.anchor is not None:
        place_anchor_block(c, data.anchor, f"日结单（续） {L.date_cn(data.date)}", left, y, width)
    y = MARGIN + 6 * mm
    x = draw_signatures(
        c, ((glossary.OPERATOR, data.clerk), (glossary.REVIEWER, data.reviewer)), left, y, 10
    )
    L.draw_text(c, "日期：", x, y, 10)
    c.setLineWidth(0.5)
    c.line(x + L.text_width("日期：", 10) + 1, y - 1.5, right, y - 1.5)


def render_day_close(data: DayCloseData) -> bytes:
    """The day-close sheet as a one-page A4 PDF."""

    def draw(c: Canvas) -> None:
        draw_day_close(c, data)
        c.showPage()

    return L.render_pages(PAGE_SIZE, f"日结单 {data.date:%Y-%m-%d}", draw)
