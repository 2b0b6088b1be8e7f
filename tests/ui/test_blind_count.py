"""Issue 9 item 1: the blind count is a state of the window, kept on every page.

A count started on 日结 hides every cash-on-hand figure — the status bar, the
banner, 入库, 台账, the tooltips — until it is confirmed or abandoned.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from test_main_window import cash_payment, make_window

from ui.blind import BLIND_NOTICE
from ui.main_window import MainWindow

CASH = "1,010.00"  # one high-tier adult paid in cash: the drawer holds this


def visible_texts(window: MainWindow) -> str:
    """Every label and button text the clerk can see, and every tooltip."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        tip = widget.toolTip()
        if tip:
            texts.append(tip)
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
    # the ledger's lines are a table: its cells count when the table shows
    ledger = window._pages.get("ledger")
    if ledger is not None and ledger.view.isVisibleTo(window):
        model = ledger.view.model()
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                texts.append(str(model.index(row, column).data() or ""))
    return "\n".join(texts)


def test_a_count_hides_cash_on_every_page_until_confirmed(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 3)
    window = make_window(qtbot, ctx, ops, documents)
    # before the count, 入库 and 台账 show the cash (the test sees figures)
    window.show_page("deposit")
    assert CASH in visible_texts(window)
    window.show_page("ledger")
    assert CASH in visible_texts(window)

    qtbot.keyClick(window, Qt.Key.Key_F5)  # 日结: the count starts
    close = window.page("day_close")
    assert close.counting and window.blind_count
    close.count.set_count("note", 10000, 10)  # pieces entered: a count under way

    for key in ("deposit", "ledger", "register", "day_close"):
        window.show_page(key)
        assert window.blind_count, key
        shown = visible_texts(window)
        assert CASH not in shown, key
        assert "库存现金 ¥" not in shown, key
        if key in ("deposit", "ledger"):
            page = window.page(key)
            assert page.blind_cover.notice.isVisibleTo(window)
            assert BLIND_NOTICE in shown
    assert "点钞中" in window.clock.detail_label.text()
    # printing the ledger would show the cash: refused while counting
    ledger = window.page("ledger")
    assert not ledger.print_button.isEnabled()
    ledger.print_ledger()
    assert not [d for d in documents.documents if d.kind == "ledger"]
    assert ledger.message.text() == BLIND_NOTICE

    window.show_page("day_close")
    close.confirm_count()
    assert not close.counting and not window.blind_count
    for key in ("deposit", "ledger"):
        window.show_page(key)
        shown = visible_texts(window)
        assert CASH in shown, key
        assert BLIND_NOTICE not in shown, key
    assert window.page("ledger").print_button.isEnabled()
    assert CASH in window.clock.detail_label.text()


def test_leaving_an_untouched_count_abandons_it(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    cash_payment(db, clock, policies, office, 3)
    window = make_window(qtbot, ctx, ops, documents)
    window.show_page("day_close")
    close = window.page("day_close")
    assert window.blind_count
    window.show_page("deposit")  # nothing counted: no count is under way
    assert not window.blind_count
    assert CASH in visible_texts(window)
    # counted pieces keep it blind; 清零 (clearing them) abandons it
    window.show_page("day_close")
    close.count.set_count("coin", 100, 5)
    window.show_page("ledger")
    assert window.blind_count and CASH not in visible_texts(window)
    window.show_page("day_close")
    close.count_box.clear_button.click()
    window.show_page("ledger")
    assert not window.blind_count
    assert CASH in visible_texts(window)
