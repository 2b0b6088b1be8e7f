"""入库登记 — the register of cash deposits of a period (A4 portrait).

One line per deposit with its bank/tax slip number, channel, operator and the
collection days whose cash it settled (POLICY §7.3: deposits settle the oldest
cash first). Long registers flow over several pages, headings repeated.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, Spacer, Table

from common.money import format_fen
from printing import layout as L
from printing.data import Deposit, DepositRegisterData
from printing.list_table import add_nothing_row, column_widths, heading_row, heading_styles
from printing.marks import draw_signatures

PAGE_SIZE = A4
MARGIN = 12 * mm
HEADER_H = 24 * mm
FOOTER_H = 16 * mm

# (heading, width share, alignment)
COLUMNS = (
    ("序号", 7, "center"),
    ("入库时间", 20, "center"),
    ("入库金额\n（元）", 19, "right"),
    ("入库方式", 22, "center"),
    ("缴款凭证号", 33, "left"),
    ("经办人", 13, "center"),
    ("对应收款日期及金额（元）", 40, "left"),
    ("备注", 32, "left"),
)


def _settled_cell(deposit: Deposit, width: float, size: float) -> Flowable:
    """The settled collection days as a small borderless two-column table."""
    pairs = [
        (f"{day.collection_date:%Y-%m-%d}", format_fen(day.amount_fen)) for day in deposit.settles
    ]
    rest = deposit.amount_fen - deposit.settled_fen
    if rest:
        pairs.append(("未对应收款日", format_fen(rest)))
    if not pairs:
        return L.cell("—", width, size, "center")
    inner = width - 2 * L.PAD_X
    widths = [inner * 0.55, inner * 0.45]
    rows = [
        [L.cell(a, widths[0], size, "left"), L.cell(b, widths[1], size, "right")] for a, b in pairs
    ]
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), L.font()),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
    ]
    if len(rows) > 1:
        style.append(("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.Color(0.6, 0.6, 0.6)))
    return Table(rows, colWidths=widths, style=style)


def _table(data: DepositRegisterData, width: float) -> LongTable:
    widths = column_widths(COLUMNS, width)
    size = 8.5
    rows: list[list[Any]] = [heading_row(COLUMNS, widths, size)]
    for number, d in enumerate(data.deposits, start=1):
        values = (
            str(number),
            f"{d.deposited_at:%Y-%m-%d}\n{d.deposited_at:%H:%M}",
            format_fen(d.amount_fen),
            d.channel,
            d.slip_no,
            d.operator,
            "",
            d.note,
        )
        cells = [
            L.cell(v, w, size, a, min_size=6.5, shrink=i != len(COLUMNS) - 1)
            for i, (v, w, (_, _, a)) in enumerate(zip(values, widths, COLUMNS, strict=True))
        ]
        cells[6] = _settled_cell(d, widths[6], size)
        rows.append(cells)
    styles: list[tuple[Any, ...]] = heading_styles() + [
        ("TOPPADDING", (0, 1), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
    ]
    if not data.deposits:
        add_nothing_row(rows, styles, "本期无入库记录", width, size)
    total = sum(d.amount_fen for d in data.deposits)
    settled = sum(d.settled_fen for d in data.deposits)
    rows.append(
        [
            L.cell(f"合计（{len(data.deposits)} 笔）", widths[0] + widths[1], size, "center"),
            "",
            L.cell(format_fen(total), widths[2], size, "right"),
            "",
            "",
            "",
            L.cell(f"已对应 {format_fen(settled)}", widths[6], size),
            "",
        ]
    )
    r = len(rows) - 1
    styles += [
        ("SPAN", (0, r), (1, r)),
        ("SPAN", (3, r), (5, r)),
        ("BACKGROUND", (0, r), (-1, r), L.LABEL_GREY),
        ("LINEABOVE", (0, r), (-1, r), L.FRAME, colors.black),
    ]
    heights = [9 * mm] + [None] * (len(rows) - 1)
    return LongTable(
        rows, colWidths=widths, rowHeights=heights, repeatRows=1, style=L.boxed_style(*styles)
    )


def render_deposit_register(data: DepositRegisterData) -> bytes:
    """The deposit register of ``data``'s period as an A4 PDF."""
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    total = sum(d.amount_fen for d in data.deposits)
    story = [
        _table(data, width),
        Spacer(1, 4 * mm),
        L.para(
            f"本期入库 {len(data.deposits)} 笔，合计 {L.figures(total)}（{L.capitals(total)}）。",
            10,
        ),
    ]

    def decorate(c: Canvas, page: int, pages: int) -> None:
        left, right = MARGIN, page_w - MARGIN
        top = page_h - MARGIN
        L.draw_title(c, "城乡居民医保费现金入库登记簿", page_w / 2, top - 8 * mm, 16)
        y = top - 16 * mm
        L.draw_text(c, f"单位：{data.office.full_name}", left, y, 9.5, max_width=width * 0.5)
        period = f"期间：{L.date_cn(data.date_from)} 至 {L.date_cn(data.date_to)}"
        L.draw_text(c, period, right, y, 9.5, "right")
        y = MARGIN + 3 * mm
        draw_signatures(
            c, (("登记人", data.clerk), ("复核人", data.reviewer)), left, y, 9.5, 24 * mm
        )
        L.draw_text(c, f"第 {page} 页　共 {pages} 页", right, y, 9, "right")
        if data.printed_at:
            L.draw_text(
                c,
                f"打印时间：{L.datetime_cn(data.printed_at)}",
                right,
                y + 5 * mm,
                8,
                "right",
                color=colors.Color(0.35, 0.35, 0.35),
            )

    margins = (MARGIN, MARGIN, MARGIN + HEADER_H, MARGIN + FOOTER_H)
    title = f"入库登记 {data.date_from:%Y-%m-%d}—{data.date_to:%Y-%m-%d}"
    return L.render_story(PAGE_SIZE, title, story, margins, decorate)
