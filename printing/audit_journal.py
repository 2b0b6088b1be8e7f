"""审计日志 — the audit journal printed for a supervisor, A4 landscape.

A data object in, PDF bytes out; one row per journal line, newest first as
filtered on screen, with the page number and the filter on every page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing import layout as L

PAGE_SIZE = landscape(A4)
MARGIN = 12 * mm
ROW_H = 6 * mm
COLUMNS = (
    ("序号", 0.07),
    ("时间", 0.16),
    ("经办人", 0.11),
    ("事项", 0.14),
    ("对象", 0.14),
    ("详情", 0.38),
)


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    operator: str
    action: str
    subject: str
    details: str


@dataclass(frozen=True)
class AuditJournalData:
    office_name: str
    filter_text: str
    printed_at: dt.datetime
    printed_by: str
    rows: tuple[AuditRow, ...]


def _header(c: Canvas, data: AuditJournalData, page: int, total: int) -> float:
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    y = page_h - MARGIN - 6 * mm
    L.draw_title(c, "审计日志", page_w / 2, y, 15)
    y -= 7 * mm
    L.draw_text(
        c,
        f"单位：{data.office_name}　筛选：{data.filter_text}",
        left,
        y,
        9,
        max_width=(right - left) * 0.7,
    )
    L.draw_text(
        c,
        f"打印：{data.printed_by} {L.datetime_cn(data.printed_at)}　第 {page} 页 共 {total} 页",
        right,
        y,
        9,
        "right",
    )
    y -= 5 * mm
    x = left
    width = right - left
    for title, share in COLUMNS:
        L.draw_text(c, title, x + 1 * mm, y, 9.5)
        x += share * width
    c.setLineWidth(0.6)
    c.line(left, y - 1.8 * mm, right, y - 1.8 * mm)
    return float(y - ROW_H)


def render_audit_journal(data: AuditJournalData) -> bytes:
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    width = right - left
    per_page = int((page_h - 2 * MARGIN - 25 * mm) // ROW_H)
    chunks = [data.rows[i : i + per_page] for i in range(0, len(data.rows), per_page)] or [()]

    def draw(c: Canvas) -> None:
        for number, chunk in enumerate(chunks, start=1):
            y = _header(c, data, number, len(chunks))
            if not chunk:
                L.draw_text(c, "没有符合条件的记录", page_w / 2, y, 10, "center")
            for row in chunk:
                values = (
                    str(row.seq),
                    f"{row.at:%Y-%m-%d %H:%M:%S}",
                    row.operator or "—",
                    row.action,
                    row.subject,
                    row.details,
                )
                x = left
                for (_title, share), value in zip(COLUMNS, values, strict=True):
                    L.draw_text(c, value, x + 1 * mm, y, 8.5, max_width=share * width - 2 * mm)
                    x += share * width
                y -= ROW_H
            c.showPage()

    return L.render_pages(PAGE_SIZE, "审计日志", draw)
