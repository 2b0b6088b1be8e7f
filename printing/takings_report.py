"""收款汇总 — the 报表 page's takings as an A4 PDF: each period (the day, the
month) by village, tier and channel, net of voids and refunds, and the
supervisors' overrides of the deposit rule in the month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table

from common.money import format_fen_grouped
from printing import layout as L
from printing.marks import draw_signatures
from printing.report_data import GroupTotal, OverrideRow, PeriodReport

__all__ = ["render_takings"]

PAGE_SIZE = A4
MARGIN = 14 * mm
GROUPS = (("by_village", "村（社区）"), ("by_tier", "档次"), ("by_channel", "渠道"))


def _group_table(label: str, rows: Sequence[GroupTotal], width: float) -> Table:
    widths = [width * 0.4, width * 0.18, width * 0.18, width * 0.24]
    header = [label, "收款笔数", "冲销笔数", "净额（元）"]
    body = [[L.cell(h, w, 8.5, "center") for h, w in zip(header, widths, strict=True)]]
    for g in rows:
        values = [
            g.label,
            str(g.payments),
            str(g.reversals or ""),
            format_fen_grouped(g.amount_fen),
        ]
        body.append(
            [
                L.cell(v, w, 8.5, "left" if i == 0 else "right")
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            ]
        )
    total = [
        "合计",
        str(sum(g.payments for g in rows)),
        str(sum(g.reversals for g in rows) or ""),
        format_fen_grouped(sum(g.amount_fen for g in rows)),
    ]
    body.append(
        [
            L.cell(v, w, 8.5, "left" if i == 0 else "right")
            for i, (v, w) in enumerate(zip(total, widths, strict=True))
        ]
    )
    last = len(body) - 1
    return Table(
        body,
        colWidths=widths,
        repeatRows=1,
        style=L.boxed_style(
            ("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY),
            ("BACKGROUND", (0, last), (-1, last), L.LABEL_GREY),
        ),
    )


def _period(title: str, report: PeriodReport, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        L.para(
            f"{title}：收款 {report.payments} 笔，净额 {format_fen_grouped(report.amount_fen)} 元",
            11,
        ),
        Spacer(1, 2 * mm),
    ]
    for attr, label in GROUPS:
        story += [_group_table(label, getattr(report, attr), width), Spacer(1, 3 * mm)]
    return story


def _overrides(rows: Sequence[OverrideRow], width: float) -> list[Flowable]:
    if not rows:
        return [L.para("本月无主管放行记录。", 9.5)]
    widths = [width * s for s in (0.14, 0.2, 0.36, 0.15, 0.15)]
    header = ["日期", "类型", "原因", "放行主管", "经办人"]
    body = [[L.cell(h, w, 8.5, "center") for h, w in zip(header, widths, strict=True)]]
    for o in rows:
        values = [
            o.business_date.isoformat(),
            o.kind_label,
            o.reason,
            o.supervisor_name,
            o.operator_name,
        ]
        body.append([L.cell(v, w, 8.5) for v, w in zip(values, widths, strict=True)])
    return [
        L.para(f"本月主管放行 {len(rows)} 次", 11),
        Spacer(1, 2 * mm),
        Table(
            body,
            colWidths=widths,
            repeatRows=1,
            style=L.boxed_style(("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY)),
        ),
    ]


def render_takings(
    office_name: str,
    day: PeriodReport,
    month: PeriodReport,
    overrides: Sequence[OverrideRow],
    printed_at: dt.datetime | None = None,
) -> bytes:
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    story: list[Flowable] = [
        *_period(f"当日 {day.date_from:%Y-%m-%d}", day, width),
        Spacer(1, 3 * mm),
        *_period(f"当月 {month.date_from:%Y年%m月}", month, width),
        Spacer(1, 3 * mm),
        *_overrides(overrides, width),
    ]

    def decorate(c: Canvas, page: int, pages: int) -> None:
        top = page_h - MARGIN
        L.draw_title(c, "城乡居民医保费收款汇总", page_w / 2, top - 7 * mm, 15)
        L.draw_text(c, f"单位：{office_name}", MARGIN, top - 14 * mm, 9.5)
        L.draw_text(c, "金额已扣除作废与退费", page_w - MARGIN, top - 14 * mm, 9, "right")
        y = MARGIN + 2 * mm
        draw_signatures(c, (("制表人", ""), ("审核人", "")), MARGIN, y, 9.5, 24 * mm)
        L.draw_text(c, f"第 {page} 页　共 {pages} 页", page_w - MARGIN, y, 9, "right")
        if printed_at:
            L.draw_text(
                c,
                f"打印时间：{L.datetime_cn(printed_at)}",
                page_w - MARGIN,
                y + 5 * mm,
                8,
                "right",
                color=colors.Color(0.35, 0.35, 0.35),
            )

    margins = (MARGIN, MARGIN, MARGIN + 18 * mm, MARGIN + 10 * mm)
    return L.render_story(PAGE_SIZE, f"收款汇总 {day.date_from:%Y-%m-%d}", story, margins, decorate)
