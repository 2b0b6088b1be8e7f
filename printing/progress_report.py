"""参保进度周报 — the weekly enrolment return as an A4 PDF, with its charts.

Page one: the headline figures, bars per village (paid against target) and the
office's paid figure week by week against its target; then the table per
village, the hardship groups against their 100 % goal and the people not
enrolled by reason. Charts are reportlab graphics (vector, embedded font), the
same pictures the 报表 page draws on screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Spacer, Table

from printing import layout as L
from printing.marks import draw_signatures
from printing.report_data import VillageReturn, WeeklyReturn, percent_text

__all__ = ["render_weekly_return"]

PAGE_SIZE = A4
MARGIN = 14 * mm
HEADER_H = 18 * mm
FOOTER_H = 10 * mm
TARGET_GREY = colors.Color(0.78, 0.78, 0.78)
PAID_BLUE = colors.Color(0.16, 0.42, 0.70)
THIS_WEEK = colors.Color(0.90, 0.49, 0.13)


def _chart_title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(
        String(width / 2, height - 12, text, fontName=L.font(), fontSize=10.5, textAnchor="middle")
    )


def village_bars(report: WeeklyReturn, width: float, height: float = 70 * mm) -> Drawing:
    """Bars per village: target (grey) and paid (blue)."""
    rows = [v for v in report.villages if v.target or v.paid]
    drawing = Drawing(width, height, initialFontName=L.font())
    _chart_title(drawing, "各村（社区）已缴费人数与目标任务", width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 34
    chart.width, chart.height = width - 120, height - 62
    chart.data = [[v.target or 0 for v in rows] or [0], [v.paid for v in rows] or [0]]
    chart.categoryAxis.categoryNames = [v.name for v in rows] or ["—"]
    chart.categoryAxis.labels.fontName = L.font()
    chart.categoryAxis.labels.fontSize = 7.5 if len(rows) <= 12 else 6
    chart.categoryAxis.labels.angle = 0 if len(rows) <= 8 else 30
    chart.categoryAxis.labels.boxAnchor = "n" if len(rows) <= 8 else "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = L.font()
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = TARGET_GREY
    chart.bars[1].fillColor = PAID_BLUE
    chart.bars.strokeWidth = 0
    chart.barLabels.fontName = L.font()
    chart.barSpacing = 1
    chart.groupSpacing = 6
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 78, height - 30
    legend.fontName = L.font()
    legend.fontSize = 8
    legend.colorNamePairs = [(TARGET_GREY, "目标任务"), (PAID_BLUE, "已缴费")]
    drawing.add(legend)
    return drawing


def office_curve(report: WeeklyReturn, width: float, height: float = 62 * mm) -> Drawing:
    """The office's paid figure at the end of each week, and its target."""
    points = report.curve
    target = report.total.target or 0
    drawing = Drawing(width, height, initialFontName=L.font())
    _chart_title(drawing, "全单位累计已缴费人数（逐周）", width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 46, 30
    chart.width, chart.height = width - 130, height - 56
    data = [[p.paid for p in points]]
    if target:
        data.append([target] * len(points))
    chart.data = data
    chart.categoryAxis.categoryNames = [f"{p.week_end:%m-%d}" for p in points]
    chart.categoryAxis.labels.fontName = L.font()
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([target, *(p.paid for p in points), 1]) * 1.08
    chart.valueAxis.labels.fontName = L.font()
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = PAID_BLUE
    chart.lines[0].strokeWidth = 1.8
    chart.lines[1].strokeColor = colors.Color(0.75, 0.2, 0.2)
    chart.lines[1].strokeDashArray = (4, 3)
    chart.lineLabels.fontName = L.font()
    chart.joinedLines = 1
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 80, height - 30
    legend.fontName = L.font()
    legend.fontSize = 8
    pairs = [(PAID_BLUE, "累计已缴费")]
    if target:
        pairs.append((colors.Color(0.75, 0.2, 0.2), f"目标 {target}"))
    legend.colorNamePairs = pairs
    drawing.add(legend)
    return drawing


def _village_cells(v: VillageReturn, width: float, widths: list[float]) -> list[Any]:
    values = [
        v.name,
        str(v.target) if v.target is not None else "—",
        str(v.registered),
        str(v.paid),
        v.rate_text,
        f"+{v.paid_this_week}" if v.paid_this_week else "0",
        str(v.last_year),
        str(v.to_go) if v.to_go is not None else "—",
    ]
    return [
        L.cell(text, w, 8.5, "left" if i == 0 else "right")
        for i, (text, w) in enumerate(zip(values, widths, strict=True))
    ]


def _village_table(report: WeeklyReturn, width: float) -> Table:
    shares = [0.2, 0.1, 0.1, 0.1, 0.11, 0.13, 0.13, 0.13]
    widths = [width * s for s in shares]
    headers = [
        "村（社区）",
        "目标任务",
        "已登记",
        "已缴费",
        "完成率",
        "本周新增",
        "上年参保",
        "距目标",
    ]
    rows = [[L.cell(h, w, 8.5, "center") for h, w in zip(headers, widths, strict=True)]]
    rows += [_village_cells(v, width, widths) for v in report.villages]
    rows.append(_village_cells(report.total, width, widths))
    last = len(rows) - 1
    return Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        style=L.boxed_style(
            ("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY),
            ("BACKGROUND", (0, last), (-1, last), L.LABEL_GREY),
            ("LINEABOVE", (0, last), (-1, last), L.FRAME, colors.black),
        ),
    )


def _others_table(report: WeeklyReturn, width: float) -> Table:
    widths = [width * 0.34, width * 0.16, width * 0.5]
    h = report.hardship
    rows = [
        [
            L.cell(t, w, 8.5, "center")
            for t, w in zip(("项目", "人数", "说明"), widths, strict=True)
        ],
        [
            L.cell("困难群体已登记", widths[0], 8.5),
            L.cell(str(h.registered), widths[1], 8.5, "right"),
            L.cell("特困、低保、低保边缘、孤儿、重度残疾", widths[2], 8.5),
        ],
        [
            L.cell("困难群体已缴费", widths[0], 8.5),
            L.cell(str(h.paid), widths[1], 8.5, "right"),
            L.cell(f"完成率 {h.rate_text}（目标 100%）", widths[2], 8.5),
        ],
    ]
    for _key, label, people in report.not_enrolled:
        rows.append(
            [
                L.cell(f"未参保：{label}", widths[0], 8.5),
                L.cell(str(people), widths[1], 8.5, "right"),
                L.cell("", widths[2], 8.5),
            ]
        )
    rows.append(
        [
            L.cell("未参保合计", widths[0], 8.5),
            L.cell(str(report.not_enrolled_total), widths[1], 8.5, "right"),
            L.cell("原因记录在居民名下", widths[2], 8.5),
        ]
    )
    return Table(
        rows,
        colWidths=widths,
        style=L.boxed_style(("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY)),
    )


def headline(report: WeeklyReturn) -> str:
    t = report.total
    target = f"目标任务 {t.target} 人，完成率 {t.rate_text}" if t.target else "未设目标任务"
    return (
        f"截至 {report.week_end:%Y年%m月%d日}：已登记 {t.registered} 人，已缴费 {t.paid} 人，"
        f"{target}；本周新增缴费 {t.paid_this_week} 人；"
        + (
            f"上年参保 {t.last_year} 人（本年已缴费为上年的 {percent_text(t.paid, t.last_year)}）。"
            if t.last_year
            else "上年参保人数未导入。"
        )
        + f"困难群体 {report.hardship.registered} 人，已缴费 {report.hardship.paid} 人"
        f"（{report.hardship.rate_text}，目标 100%）；"
        f"记录未参保原因 {report.not_enrolled_total} 人。"
    )


def render_weekly_return(report: WeeklyReturn, printed_at: dt.datetime | None = None) -> bytes:
    """The weekly return of ``report`` as an A4 PDF."""
    page_w, page_h = PAGE_SIZE
    width = page_w - 2 * MARGIN
    story = [
        L.para(headline(report), 10, leading=15),
        Spacer(1, 3 * mm),
        village_bars(report, width),
        Spacer(1, 2 * mm),
        office_curve(report, width),
        Spacer(1, 3 * mm),
        _village_table(report, width),
        Spacer(1, 4 * mm),
        _others_table(report, width),
    ]

    def decorate(c: Canvas, page: int, pages: int) -> None:
        left, right = MARGIN, page_w - MARGIN
        top = page_h - MARGIN
        L.draw_title(
            c, f"{report.policy_year}年度城乡居民医保参保进度周报", page_w / 2, top - 7 * mm, 15
        )
        y = top - 14 * mm
        L.draw_text(c, f"填报单位：{report.office_name}", left, y, 9.5, max_width=width * 0.55)
        period = f"统计周期：{L.date_cn(report.week_start)} 至 {L.date_cn(report.week_end)}"
        L.draw_text(c, period, right, y, 9.5, "right")
        y = MARGIN + 2 * mm
        draw_signatures(c, (("填报人", ""), ("审核人", "")), left, y, 9.5, 24 * mm)
        L.draw_text(c, f"第 {page} 页　共 {pages} 页", right, y, 9, "right")
        if printed_at:
            L.draw_text(c, f"打印时间：{L.datetime_cn(printed_at)}", right, y + 5 * mm, 8, "right")

    margins = (MARGIN, MARGIN, MARGIN + HEADER_H, MARGIN + FOOTER_H)
    title = f"参保进度周报 {report.week_end:%Y-%m-%d}"
    return L.render_story(PAGE_SIZE, title, story, margins, decorate)
