"""The weekly return PDF: the figures, both charts and the tables, in Chinese."""

from __future__ import annotations

import datetime as dt

from printing.progress_report import render_weekly_return
from printing.report_data import HardshipRate, VillageReturn, WeeklyReturn, WeekPoint


def report(villages: int = 3) -> WeeklyReturn:
    rows = tuple(
        VillageReturn(i, f"第{i}村", 100 + i, 90, 80 + i, 5, 85) for i in range(1, villages + 1)
    )
    total = VillageReturn(
        None,
        "合计",
        sum(r.target or 0 for r in rows),
        sum(r.registered for r in rows),
        sum(r.paid for r in rows),
        sum(r.paid_this_week for r in rows),
        sum(r.last_year for r in rows),
    )
    return WeeklyReturn(
        office_name="芦台街道办事处",
        policy_year=2024,
        week_start=dt.date(2023, 11, 6),
        week_end=dt.date(2023, 11, 12),
        villages=rows,
        total=total,
        hardship=HardshipRate(40, 39),
        not_enrolled=(("military", "参军", 2), ("deceased", "死亡", 1)),
        curve=(WeekPoint(dt.date(2023, 10, 29), 100), WeekPoint(dt.date(2023, 11, 12), total.paid)),
    )


def test_weekly_return_pdf_has_figures_charts_and_tables(poppler) -> None:  # type: ignore[no-untyped-def]
    pdf = render_weekly_return(report(), dt.datetime(2023, 11, 13, 9))
    text = poppler.compact_text(pdf)
    assert "2024年度城乡居民医保参保进度周报" in text
    assert "各村（社区）已缴费人数与目标任务" in text
    assert "全单位累计已缴费人数（逐周）" in text
    assert "第1村" in text and "合计" in text and "80.2%" in text  # 81 / 101 paid
    assert "97.5%" in text  # hardship 39 / 40
    assert "参军" in text and "未参保合计" in text
    assert "Helvetica" not in poppler.fonts(pdf)
    page = poppler.pages(pdf, dpi=40, color=True)[0]
    blue = page.count(lambda p: p[2] > 140 and p[0] < 90)
    assert blue > 50  # the paid bars and the curve are drawn


def test_many_villages_flow_onto_a_second_page(poppler) -> None:  # type: ignore[no-untyped-def]
    pdf = render_weekly_return(report(60))
    pages = poppler.page_texts(pdf)
    assert len(pages) >= 2 and "共" in pages[-1]
