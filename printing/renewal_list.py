"""续保名单: a village's people paid last year and not yet enrolled this year.

A4 portrait, one line per person with a box to tick when they have been
reached, grouped by 户号, so a village cadre can walk the list in the busy
season. Page numbers and the office in the header of every page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable

from common.money import format_fen
from printing import layout as L
from printing.data import OfficeHeader
from printing.list_table import add_nothing_row, column_widths, heading_row, heading_styles

PAGE_SIZE = A4
MARGIN = 12 * mm
HEADER_H = 20 * mm
FOOTER_H = 10 * mm
COLUMNS = (
    ("序号", 1.0, "center"),
    ("姓名", 1.8, "left"),
    ("身份证号", 3.6, "left"),
    ("户号", 1.6, "left"),
    ("联系电话", 2.4, "left"),
    ("上年类别/档次", 2.6, "left"),
    ("上年缴费", 1.6, "right"),
    ("已联系", 1.2, "center"),
)


@dataclass(frozen=True)
class RenewalLine:
    name: str
    id_number: str
    household_no: str
    phone: str
    last_terms: str
    last_due_fen: int


@dataclass(frozen=True)
class RenewalListData:
    office: OfficeHeader
    village: str
    last_year: int
    year: int
    lines: tuple[RenewalLine, ...]
    printed_at: dt.datetime


def _table(data: RenewalListData, width: float) -> LongTable:
    widths = column_widths(COLUMNS, width)
    size = 8.5
    rows: list[list[Any]] = [heading_row(COLUMNS, widths, size)]
    for number, line in enumerate(data.lines, start=1):
        values = (
            str(number),
            line.name,
            line.id_number,
            line.household_no,
            line.phone,
            line.last_terms,
            format_fen(line.last_due_fen),
            "□",
        )
        rows.append(
            [
                L.cell(v, w, size, a, min_size=6.5)
                for v, w, (_, _, a) in zip(values, widths, COLUMNS, strict=True)
            ]
        )
    styles: list[tuple[Any, ...]] = heading_styles()
    if not data.lines:
        add_nothing_row(rows, styles, "没有待续保人员", width, size)
    return LongTable(
        rows,
        colWidths=widths,
        rowHeights=[8 * mm] + [7 * mm] * (len(rows) - 1),
        repeatRows=1,
        style=L.boxed_style(*styles),
    )


def render_renewal_list(data: RenewalListData) -> bytes:
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    story = [_table(data, width)]

    def decorate(c: Canvas, page: int, pages: int) -> None:
        left, right = MARGIN, page_w - MARGIN
        top = page_h - MARGIN
        L.draw_title(c, f"{data.year} 年度城乡居民医保续保名单", page_w / 2, top - 7 * mm, 15)
        y = top - 15 * mm
        L.draw_text(
            c, f"{data.office.full_name}　{data.village}", left, y, 9.5, max_width=width * 0.6
        )
        L.draw_text(
            c,
            f"{data.last_year} 年度已缴费、{data.year} 年度尚未参保：{len(data.lines)} 人",
            right,
            y,
            9.5,
            "right",
        )
        y = MARGIN + 2 * mm
        L.draw_text(c, f"打印时间：{L.datetime_cn(data.printed_at)}", left, y, 8.5)
        L.draw_text(c, f"第 {page} 页　共 {pages} 页", right, y, 9, "right")

    margins = (MARGIN, MARGIN, MARGIN + HEADER_H, MARGIN + FOOTER_H)
    return L.render_story(
        PAGE_SIZE, f"续保名单 {data.village} {data.year}", story, margins, decorate
    )
