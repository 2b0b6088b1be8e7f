"""收据 — the receipt for one payment, on one A4 sheet holding its copies
(存根联 and 缴款人联, optionally 记账联) separated by dashed cut lines.

Each copy carries the confirmation sentence of POLICY §7.2 with signature
places for the payer (or agent) and the collector. A voided receipt gets a big
diagonal 作废 mark on every copy, a reprint a 重打 mark.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Table

from common import glossary
from printing import layout as L
from printing.data import ReceiptData
from printing.marks import draw_cut_line, draw_stamp, draw_vertical_label

PAGE_SIZE = A4
MARGIN = 10 * mm
CONFIRMATION = "双方确认参保人员姓名、身份证号码、参保档次无误。"
RECEIPT_RED = colors.Color(0.72, 0.05, 0.05)

#: (copy name printed at the edge, whether the copy stays in the office)
STUB = ("第一联　存根联（收款单位留存）", True)
PAYER = ("第二联　缴款人联（缴款人收执）", False)
ACCOUNTING = ("第三联　记账联（财务记账）", True)


def copies(data: ReceiptData) -> list[tuple[str, bool]]:
    return [STUB, PAYER, ACCOUNTING] if data.with_accounting_copy else [STUB, PAYER]


def _payer_text(data: ReceiptData) -> tuple[str, str]:
    if data.agent_name:
        agent = data.agent_name
        if data.agent_relation:
            agent += f"（{data.agent_relation}）"
        # the 参保人 is the 缴款人; the agent only pays for them (it
        # used to be printed as both)
        return data.resident_name, agent
    return f"{data.resident_name}（本人）", "无"


def _table(data: ReceiptData, width: float, row_h: float, size: float, office_copy: bool) -> Table:
    lw = 24 * mm
    vw = width / 2 - lw
    widths = [lw, vw, lw, vw]

    def label(text: str) -> Flowable:
        return L.cell(text, lw, size, "center", height=row_h)

    def value(text: str, s: float = size, align: str = "left") -> Flowable:
        return L.cell(text, vw, s, align, height=row_h)

    id_text = (
        data.id_number
        if office_copy and data.full_id_on_office_copies
        else L.masked_id(data.id_number)
    )
    payer, agent = _payer_text(data)
    channel = data.channel + (f"（{data.channel_ref}）" if data.channel_ref else "")
    rows = [
        [
            label("参保人姓名"),
            value(data.resident_name, size + 1.5),
            label("身份证号码"),
            value(id_text, size + 0.5),
        ],
        [
            label("村（社区）"),
            value(data.village),
            label("参保年度"),
            value(f"{data.policy_year}年度"),
        ],
        [
            label("参保类别"),
            value(data.category or "—"),
            label("缴费档次"),
            value(data.tier, size + 1.5),
        ],
        [label(glossary.PAYER), value(payer), label(glossary.AGENT), value(agent)],
        [
            label("金额（大写）"),
            value(L.capitals(data.amount_fen), size + 1.5),
            label("金额（小写）"),
            value(L.figures(data.amount_fen), size + 2.5),
        ],
        [label("缴费方式"), value(channel), label(glossary.OPERATOR), value(data.collector)],
    ]
    fills: list[tuple[Any, ...]] = [
        ("BACKGROUND", (col, r), (col, r), L.LABEL_GREY) for r in range(len(rows)) for col in (0, 2)
    ]
    if data.notice_no:
        rows.append([label("缴费通知单号"), L.cell(data.notice_no, width - lw, size), "", ""])
        fills.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
        fills.append(("BACKGROUND", (0, len(rows) - 1), (0, len(rows) - 1), L.LABEL_GREY))
    return Table(
        rows, colWidths=widths, rowHeights=[row_h] * len(rows), style=L.boxed_style(*fills)
    )


def _draw_copy(
    c: Canvas, data: ReceiptData, copy: tuple[str, bool], top: float, bottom: float
) -> None:
    page_w, _ = PAGE_SIZE
    left = MARGIN
    strip = 8 * mm  # vertical copy name at the right edge
    right = page_w - MARGIN - strip
    width = right - left
    height = top - bottom
    compact = height < 110 * mm
    size = 9 if compact else 10.5
    row_h = (6.3 if compact else 9.2) * mm
    name, office_copy = copy

    y = top - (7 if compact else 9) * mm
    L.draw_title(c, "城乡居民基本医疗保险费收据", page_w / 2 - strip / 2, y, 14 if compact else 16)
    L.draw_text(
        c, f"No. {data.receipt_no}", right, y + 1, 11, "right", max_width=44 * mm, color=RECEIPT_RED
    )
    y -= (6 if compact else 8) * mm
    L.draw_text(c, f"收款单位：{data.office.full_name}", left, y, size, max_width=width * 0.6)
    issued = f"开票时间：{L.datetime_cn(data.issued_at)}"
    if data.check_code:
        issued += f"　校验码：{data.check_code}"
    L.draw_text(c, issued, right, y, size, "right", max_width=width * 0.45)
    y -= 2 * mm
    y -= L.draw_table(c, _table(data, width, row_h, size, office_copy), left, y, width)

    y -= (5 if compact else 8) * mm
    L.draw_text(c, CONFIRMATION, left, y, size + 0.5)
    y -= (7 if compact else 13) * mm
    line_w = 34 * mm
    x = left
    for caption in (f"{glossary.PAYER}（{glossary.AGENT}）签字：", f"{glossary.OPERATOR}签字："):
        L.draw_text(c, caption, x, y, size)
        start = x + L.text_width(caption, size) + 1
        c.setLineWidth(0.5)
        c.line(start, y - 1.5, start + line_w, y - 1.5)
        x = start + line_w + 8 * mm
    L.draw_text(c, "收款单位（盖章）", right, y, size, "right")

    draw_vertical_label(c, name, page_w - MARGIN - strip / 2, top - 2 * mm, bottom + 2 * mm, 8.5)
    c.saveState()
    c.setLineWidth(0.4)
    c.setStrokeColor(colors.Color(0.5, 0.5, 0.5))
    c.line(right + 2 * mm, bottom + 3 * mm, right + 2 * mm, top - 3 * mm)
    c.restoreState()

    if office_copy and data.stub_note:
        L.draw_text(
            c,
            data.stub_note,
            left,
            y - (5 if compact else 8) * mm,
            size,
            max_width=width,
            color=L.VOID_RED,
        )
    _draw_marks(c, data, left, bottom, width, height)


def _draw_marks(
    c: Canvas, data: ReceiptData, left: float, bottom: float, width: float, height: float
) -> None:
    """The 作废 stamp and its reason, or the 重打 stamp and its note."""
    compact = height < 110 * mm
    size = 9 if compact else 10.5
    centre_x, centre_y = left + width / 2, bottom + height * 0.45
    if data.voided:
        draw_stamp(c, "作废", centre_x, centre_y, 64 if compact else 84, L.VOID_RED)
        why = "作废" + (f"原因：{data.void_reason}" if data.void_reason else "")
        if data.voided_at:
            why += f"　作废时间：{L.datetime_cn(data.voided_at)}"
        L.draw_text(c, why, left, bottom + 3.5 * mm, size - 0.5, max_width=width, color=L.VOID_RED)
    elif data.reprint_count:
        draw_stamp(
            c,
            "重打",
            centre_x + width * 0.3,
            centre_y + height * 0.18,
            36 if compact else 46,
            L.REPRINT_GREY,
            angle=20,
            alpha=0.4,
        )
        note = f"重打（第{data.reprint_count}次），与原收据同号同内容"
        if data.reprinted_at:
            note += f"　重打时间：{L.datetime_cn(data.reprinted_at)}"
        L.draw_text(
            c, note, left, bottom + 3.5 * mm, size - 0.5, max_width=width, color=L.REPRINT_GREY
        )


def draw_receipt(c: Canvas, data: ReceiptData) -> None:
    """Draw all copies of the receipt on the current page."""
    page_w, page_h = PAGE_SIZE
    parts = copies(data)
    band = (page_h - 2 * MARGIN) / len(parts)
    for i, copy in enumerate(parts):
        top = page_h - MARGIN - i * band
        bottom = top - band
        _draw_copy(c, data, copy, top, bottom + 2 * mm)
        if i < len(parts) - 1:
            draw_cut_line(c, bottom, MARGIN, page_w - MARGIN)


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as a one-page A4 PDF."""

    def draw(c: Canvas) -> None:
        draw_receipt(c, data)
        c.showPage()

    title = f"收据 {data.receipt_no}" + ("（作废）" if data.voided else "")
    return L.render_pages(PAGE_SIZE, title, draw)
