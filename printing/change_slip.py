"""综合业务处理单: the slip of an information change (POLICY.md §6 revised 2026-11).

One A5 landscape page: the office, the slip number and time, the person, a
table of each changed item (old value → new value), the level of the change
and its state (applied at once, or waiting for review, with who reviewed),
and the signature places of the applicant (resident or agent), the clerk and
the reviewer(s). The resident or agent signs it at the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table

from printing import layout as L
from printing.data import OfficeHeader
from printing.marks import draw_signatures

PAGE_SIZE = landscape(A5)
MARGIN = 10 * mm


@dataclass(frozen=True)
class ChangeSlipItem:
    label: str
    old_value: str
    new_value: str


@dataclass(frozen=True)
class ChangeSlipData:
    office: OfficeHeader
    slip_no: str
    created_at: dt.datetime
    resident_name: str
    id_number: str
    level_label: str  # 基本信息 / 重要信息 / 身份证号
    status_label: str  # 已生效 / 待复核 / 待二级复核 / 已驳回
    items: tuple[ChangeSlipItem, ...]
    asked_by: str
    clerk: str
    reviewers: str = ""
    reason: str = ""
    #: what the clerk tells the resident about when the change takes effect
    note: str = ""
    #: 0 for basic information (no reviewer's signature place)
    reviews_needed: int = 0


def _table(data: ChangeSlipData, width: float) -> Table:
    size = 10
    widths = [width * 0.2, width * 0.4, width * 0.4]
    header = [
        L.cell(h, w, size, "center")
        for h, w in zip(("变更项目", "变更前", "变更后"), widths, strict=True)
    ]
    rows = [header]
    for item in data.items:
        values = (item.label, item.old_value or "（空）", item.new_value or "（空）")
        rows.append([L.cell(v, w, size) for v, w in zip(values, widths, strict=True)])
    table = Table(rows, colWidths=widths, rowHeights=[7.5 * mm] * len(rows))
    table.setStyle(L.boxed_style(("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY)))
    return table


def draw_change_slip(c: Canvas, data: ChangeSlipData) -> None:
    page_w, page_h = PAGE_SIZE
    left, right = MARGIN, page_w - MARGIN
    width = right - left
    y = page_h - MARGIN - 6 * mm
    L.draw_title(c, "城乡居民基本医疗保险综合业务处理单", page_w / 2, y, 15)
    y -= 8 * mm
    L.draw_text(c, f"经办机构：{data.office.full_name}", left, y, 9.5, max_width=width * 0.6)
    L.draw_text(c, f"No. {data.slip_no}", right, y, 10, "right", color=L.VOID_RED)
    y -= 6 * mm
    L.draw_text(c, f"业务类型：信息变更（{data.level_label}）", left, y, 9.5)
    L.draw_text(c, f"办理时间：{L.datetime_cn(data.created_at)}", right, y, 9.5, "right")
    y -= 6 * mm
    L.draw_text(c, f"参保人：{data.resident_name}", left, y, 9.5)
    L.draw_text(c, f"身份证号：{data.id_number}", left + width * 0.35, y, 9.5)
    L.draw_text(c, f"状态：{data.status_label}", right, y, 9.5, "right")
    y -= 3 * mm
    y -= L.draw_table(c, _table(data, width), left, y, width)
    y -= 6 * mm
    if data.reason:
        L.draw_text(c, f"变更原因：{data.reason}", left, y, 9.5, max_width=width)
        y -= 6 * mm
    if data.note:
        L.draw_text(c, data.note, left, y, 9, max_width=width)
        y -= 6 * mm
    L.draw_text(c, "申请人确认以上变更内容真实、准确，由本人（代办人）签字。", left, y, 9.5)
    bottom = MARGIN + 8 * mm
    people = [("申请人（代办人）", data.asked_by), ("经办人", data.clerk)]
    if data.reviews_needed:
        people.append(("复核人", data.reviewers))
    line = (16 if len(people) > 2 else 24) * mm
    draw_signatures(c, tuple(people), left, bottom, size=9, line_width=line, gap=4 * mm)
    L.draw_text(c, "经办机构（盖章）", right, MARGIN, 9, "right")


def render_change_slip(data: ChangeSlipData) -> bytes:
    def draw(c: Canvas) -> None:
        draw_change_slip(c, data)
        c.showPage()

    return L.render_pages(PAGE_SIZE, f"综合业务处理单 {data.slip_no}", draw)
