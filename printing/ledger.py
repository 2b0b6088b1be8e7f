"""台账 — the cash book of a date range on landscape A4 pages.

One line per receipt (refunds and deposits too) with the running cash on hand
and a column where the payer signs (POLICY §7.1, §7.2). Every page repeats the
column headings, starts with the totals brought forward (承前页; 上期结存 on the
first page), and ends with the page totals (本页合计) and the running totals
carried to the next page (过次页; 本期合计 on the last page).

``ledger_pages`` does the arithmetic and pagination without drawing, so the
totals can be checked (and shown on screen) independently of the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table

from common import glossary
from common.glossary import ledger_kind_label
from common.money import format_fen
from printing import layout as L
from printing.data import LedgerPageData, LedgerRow
from printing.list_table import column_widths, heading_row, heading_styles
from printing.marks import draw_signatures

PAGE_SIZE = landscape(A4)
MARGIN = 10 * mm
ROWS_PER_PAGE = 20

# (heading, width in mm, alignment)
COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("序号", 8, "center"),
    ("收据号", 28, "left"),
    ("日期时间", 20, "center"),
    ("姓名", 15, "center"),
    ("身份证号码", 32, "center"),
    ("村（社区）", 17, "center"),
    ("档次", 9, "center"),
    ("缴费方式", 15, "center"),
    ("收款金额\n（元）", 18, "right"),
    ("现金收入\n（元）", 18, "right"),
    ("现金支出\n（元）", 18, "right"),
    ("库存现金\n（元）", 19, "right"),
    ("摘要", 36, "left"),
    ("缴款人签字", 24, "center"),
)
_AMOUNT_COL = 8  # first of the four amount columns


@dataclass(frozen=True)
class Totals:
    """Sums over some rows: contributions received (refunds negative), cash in,
    cash out, and the cash on hand after them."""

    received_fen: int = 0
    cash_in_fen: int = 0
    cash_out_fen: int = 0
    cash_on_hand_fen: int = 0

    def plus(self, row: LedgerRow, cash_on_hand_fen: int) -> Totals:
        return Totals(
            self.received_fen + row.received_fen,
            self.cash_in_fen + row.cash_in_fen,
            self.cash_out_fen + row.cash_out_fen,
            cash_on_hand_fen,
        )


@dataclass(frozen=True)
class LedgerLine:
    number: int
    row: LedgerRow
    cash_on_hand_fen: int


@dataclass(frozen=True)
class LedgerPage:
    number: int
    lines: tuple[LedgerLine, ...]
    brought_forward: Totals  # 承前页 (上期结存 on page 1: zeros + opening cash)
    page_totals: Totals  # 本页合计 (cash_on_hand: at the end of the page)
    carried_forward: Totals  # 过次页 / 本期合计


def ledger_pages(data: LedgerPageData, rows_per_page: int = ROWS_PER_PAGE) -> list[LedgerPage]:
    """Split the rows into pages and compute running balance and totals."""
    if rows_per_page < 1:
        raise ValueError("rows_per_page must be at least 1")
    running = data.opening_cash_fen
    cumulative = Totals(cash_on_hand_fen=running)
    pages: list[LedgerPage] = []
    rows = list(data.rows)
    chunks = [rows[i : i + rows_per_page] for i in range(0, len(rows), rows_per_page)] or [[]]
    number = 0
    for index, chunk in enumerate(chunks, start=1):
        brought = cumulative
        page = Totals(cash_on_hand_fen=running)
        lines: list[LedgerLine] = []
        for row in chunk:
            number += 1
            running += row.cash_in_fen - row.cash_out_fen
            if row.cash_on_hand_fen is not None:
                running = row.cash_on_hand_fen
            lines.append(LedgerLine(number, row, running))
            page = page.plus(row, running)
            cumulative = cumulative.plus(row, running)
        pages.append(LedgerPage(index, tuple(lines), brought, page, cumulative))
    return pages


def _amount(fen: int, blank_zero: bool = True) -> str:
    return "" if (fen == 0 and blank_zero) else format_fen(fen)


def _summary(row: LedgerRow) -> str:
    word = "作废（不计）" if row.voided else ledger_kind_label(row.kind)
    return f"{word} {row.note}".strip() if row.note else word


def _line_cells(
    line: LedgerLine, widths: list[float], size: float, row_h: float, with_year: bool = False
) -> list[Any]:
    color = L.VOID_RED if line.row.voided else colors.black
    row = line.row
    if row.kind in ("deposit", "cash_in", "cash_out"):
        amount = ""
    elif row.kind == "refund":
        amount = format_fen(-row.amount_fen)
    else:
        amount = format_fen(row.amount_fen)
    cash_in = row.cash_fen if row.kind in ("payment", "cash_in") else 0
    cash_out = row.cash_fen if row.kind not in ("payment", "cash_in") else 0
    values = (
        str(line.number),
        row.receipt_no,
        f"{row.time:%Y-%m-%d %H:%M}" if with_year else f"{row.time:%m-%d %H:%M}",
        row.resident_name,
        L.masked_id(row.id_number),
        row.village,
        row.tier,
        row.channel,
        amount,
        _amount(cash_in),
        _amount(cash_out),
        format_fen(line.cash_on_hand_fen),
        _summary(row),
        "",
    )
    return [
        L.cell(v, w, size, COLUMNS[i][2], color=color, height=row_h)
        for i, (v, w) in enumerate(zip(values, widths, strict=True))
    ]


def _totals_cells(
    label: str, totals: Totals, widths: list[float], size: float, cash_on_hand: bool = True
) -> list[Any]:
    cells: list[Any] = [L.cell(label, sum(widths[:_AMOUNT_COL]), size, "center")]
    cells += [""] * (_AMOUNT_COL - 1)
    values = (
        format_fen(totals.received_fen),
        format_fen(totals.cash_in_fen),
        format_fen(totals.cash_out_fen),
        format_fen(totals.cash_on_hand_fen) if cash_on_hand else "",
    )
    cells += [L.cell(v, widths[_AMOUNT_COL + i], size, "right") for i, v in enumerate(values)]
    cells += ["", ""]
    return cells


def _widths(width: float) -> list[float]:
    return column_widths(COLUMNS, width)


def _band_styles(r: int) -> list[tuple[Any, ...]]:
    """A grey band row (上期结存, 承前页, totals): its label spans the text columns."""
    return [
        ("SPAN", (0, r), (_AMOUNT_COL - 1, r)),
        ("SPAN", (_AMOUNT_COL + 4, r), (-1, r)),
        ("BACKGROUND", (0, r), (-1, r), L.LABEL_GREY),
    ]


def _page_table(
    data: LedgerPageData,
    page: LedgerPage,
    last: bool,
    width: float,
    row_h: float,
    rows_per_page: int,
) -> tuple[Table, list[float], list[int]]:
    """The page's table, its row heights and the indexes of voided rows."""
    widths = _widths(width)
    size = 8
    rows: list[list[Any]] = [heading_row(COLUMNS, widths, size)]
    styles: list[tuple[Any, ...]] = heading_styles()

    def totals_row(label: str, totals: Totals, cash_on_hand: bool = True) -> None:
        rows.append(_totals_cells(label, totals, widths, size, cash_on_hand))
        styles.extend(_band_styles(len(rows) - 1))

    if page.number == 1:
        rows.append(
            [L.cell("上期结存（期初库存现金）", sum(widths[:_AMOUNT_COL]), size, "center")]
            + [""] * (_AMOUNT_COL - 1)
            + ["", "", ""]
            + [L.cell(format_fen(data.opening_cash_fen), widths[11], size, "right")]
            + ["", ""]
        )
        styles.extend(_band_styles(len(rows) - 1))
    else:
        totals_row("承前页", page.brought_forward)

    first_line_row = len(rows)
    with_year = data.date_from.year != data.date_to.year
    for line in page.lines:
        rows.append(_line_cells(line, widths, size, row_h, with_year))
    if not page.lines:
        rows.append([L.cell("本期无收付记录", width, size, "center")] + [""] * (len(COLUMNS) - 1))
        styles.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
    elif last and len(page.lines) < rows_per_page:
        rows.append([L.cell("（以下空白）", width, size, "center")] + [""] * (len(COLUMNS) - 1))
        styles.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))

    totals_row("本页合计", page.page_totals, cash_on_hand=False)
    totals_row("本期合计" if last else "过次页", page.carried_forward)
    styles.append(("LINEABOVE", (0, len(rows) - 2), (-1, len(rows) - 2), L.FRAME, colors.black))

    heights = [row_h * 1.45] + [row_h] * (len(rows) - 1)
    table = Table(rows, colWidths=widths, rowHeights=heights, style=L.boxed_style(*styles))
    voided = [first_line_row + i for i, line in enumerate(page.lines) if line.row.voided]
    return table, heights, voided


def _strike_voided(
    c: Canvas, x: float, top: float, widths: list[float], heights: list[float], rows: list[int]
) -> None:
    """A red line through a voided entry: still readable, plainly not counted."""
    if not rows:
        return
    c.saveState()
    c.setStrokeColor(L.VOID_RED)
    c.setLineWidth(0.6)
    x0 = x + widths[0]
    x1 = x + sum(widths[: _AMOUNT_COL + 3])
    for r in rows:
        y = top - sum(heights[:r]) - heights[r] / 2
        c.line(x0 + 1, y, x1 - 1, y)
    c.restoreState()


def draw_ledger_page(
    c: Canvas,
    data: LedgerPageData,
    page: LedgerPage,
    total_pages: int,
    rows_per_page: int = ROWS_PER_PAGE,
) -> None:
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    width = right - left
    top = page_h - MARGIN
    last = page.number == total_pages

    L.draw_title(c, "城乡居民基本医疗保险费收缴台账", page_w / 2, top - 7 * mm, 15)
    y = top - 14 * mm
    L.draw_text(c, f"单位：{data.office.full_name}", left, y, 9, max_width=width * 0.45)
    period = f"期间：{L.date_cn(data.date_from)} 至 {L.date_cn(data.date_to)}"
    L.draw_text(c, period, page_w / 2, y, 9, "center")
    L.draw_text(c, f"第 {page.number} 页　共 {total_pages} 页", right, y, 9, "right")

    footer_h = 12 * mm
    table_top = y - 2.5 * mm
    available = table_top - (MARGIN + footer_h)
    # header 1.45 rows + brought forward + lines + blank marker + 2 totals
    row_h = min(7 * mm, available / (rows_per_page + 4.45 + 0.2))
    table, heights, voided = _page_table(data, page, last, width, row_h, rows_per_page)
    used = L.draw_table(c, table, left, table_top, width)
    _strike_voided(c, left, table_top, _widths(width), heights, voided)

    y = table_top - used - 6 * mm
    if last:
        t = page.carried_forward
        summary = (
            f"本期收款合计 {L.figures(t.received_fen)}（{L.signed_capitals(t.received_fen)}）；"
            f"现金收入 {L.figures(t.cash_in_fen)}，现金支出 {L.figures(t.cash_out_fen)}，"
            f"期末库存现金 {L.figures(t.cash_on_hand_fen)}。"
        )
        L.draw_text(c, summary, left, y, 8.5, max_width=width)
    y = MARGIN + 2 * mm
    draw_signatures(
        c,
        ((glossary.OPERATOR, data.clerk), (glossary.REVIEWER, data.reviewer)),
        left,
        y,
        9,
        30 * mm,
        12 * mm,
    )
    if data.printed_at:
        L.draw_text(c, f"打印时间：{L.datetime_cn(data.printed_at)}", right, y, 8.5, "right")


def render_ledger(data: LedgerPageData, rows_per_page: int = ROWS_PER_PAGE) -> bytes:
    """The ledger for ``data``'s date range as a landscape A4 PDF."""
    pages = ledger_pages(data, rows_per_page)

    def draw(c: Canvas) -> None:
        for page in pages:
            draw_ledger_page(c, data, page, len(pages), rows_per_page)
            c.showPage()

    title = f"台账 {data.date_from:%Y-%m-%d}—{data.date_to:%Y-%m-%d}"
    return L.render_pages(PAGE_SIZE, title, draw)
