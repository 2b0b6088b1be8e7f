"""One change set per write (issue 14 item 5): one cash payment refreshes each
page that shows it once, in one read — the 缴费 page used to reload the
enrolments twice and the payments three times."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from counter_fixtures import make_id
from test_collect_page import enrol, pay_cash

from services import page_views
from ui.main_window import MainWindow


def spy_reads(monkeypatch, ops) -> Counter:  # type: ignore[no-untyped-def]
    """Count the reads a page asks for, by the service function's name, and
    the reads run off the GUI thread (the 报表 page's BackgroundJob)."""
    counts: Counter = Counter()
    real_read = ops.read

    def read(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts[getattr(fn, "__name__", repr(fn))] += 1
        return real_read(fn, *args, **kwargs)

    monkeypatch.setattr(ops, "read", read)
    real_view = page_views.reports_view

    def reports_view(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts["reports_view"] += 1
        return real_view(*args, **kwargs)

    monkeypatch.setattr(page_views, "reports_view", reports_view)
    monkeypatch.setattr("ui.pages.reports_page.reports_view", reports_view)
    return counts


def test_one_cash_payment_one_read_per_page(
    qtbot, monkeypatch, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    enrollment_id = enrol(
        db, clock, policies, office, "张三", make_id(dt.date(1970, 3, 4), 321), tier="high"
    )
    window = MainWindow(ctx, ops, documents=documents)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    reports = window.page("reports")
    register = window.page("register")
    reports.finish_loading()
    collect = window.show_page("collect")
    collect.show_enrollment(enrollment_id)
    assert collect.cash_button.isEnabled()

    writes: list[frozenset[str]] = []
    ops.changes.connect(writes.append)
    counts = spy_reads(monkeypatch, ops)
    pay_cash(collect)
    assert ops.last_error is None, ops.last_error
    reports.finish_loading()

    assert len(writes) == 1  # the payment announced its topics once
    # 缴费: enrolments, the chosen one's payments and marks in one read
    assert counts["collect_view"] == 1
    assert counts["enrollments_of"] == counts["payments_of"] == 0
    assert counts["enrollment_view"] == 0
    assert collect.enrollment_table.item(0, 4).text() == "已缴费"
    assert collect.payment_table.rowCount() == 1
    # 报表, built but hidden: no read now, one read for all its tabs when shown
    assert counts["reports_view"] == 0
    window.show_page("reports")
    reports.finish_loading()
    assert counts["reports_view"] == 1
    assert reports.day_report is not None and reports.day_report.payments == 1
    # shown, it follows the next write at once, again in one read
    counts.clear()
    window.show_page("collect")
    collect.show_enrollment(enrollment_id)
    window.show_page("reports")
    reports.finish_loading()
    assert counts["reports_view"] == 0  # nothing changed meanwhile
    ops.changes.emit(frozenset({"payments", "ledger", "enrollments"}))  # one write's set
    reports.finish_loading()
    assert counts["reports_view"] == 1
    # 登记 shows nothing a payment changes: no read at all
    assert register is not None
    assert counts["office_info"] == 0


def test_reports_are_read_off_the_gui_thread_and_can_be_cancelled(qtbot, ctx, ops, documents):  # type: ignore[no-untyped-def]
    from ui.pages.reports_page import ReportsPage

    page = ReportsPage(ctx, ops, documents=documents)
    qtbot.addWidget(page)
    page.show()
    assert page.loading and page.cancel_button.isVisible()
    assert page.loading_label.text().startswith("正在统计报表")
    page.finish_loading()
    assert not page.loading and not page.cancel_button.isVisible()
    assert page.loading_label.text() == ""
    shown = page.day_report
    assert shown is not None

    page.refresh()
    page.cancel_loading()
    page.finish_loading()
    assert page.loading_label.text() in ("", "已取消统计，显示的是上次的结果。")
    assert page.day_report is not None
