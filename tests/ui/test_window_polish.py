"""The small things of issue 14: one change set per write, a refusal shown
once, Enter through the first-run form."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from services.office import list_offices
from ui.context import AppContext
from ui.first_run import FirstRunDialog
from ui.login_dialog import LoginDialog
from ui.operations import DAY, DEPOSITS, LEDGER, OFFICE, PAYMENTS, RESIDENTS, Operations
from ui.pages.ledger_page import LedgerPage


def _nothing(_session, _clock) -> None:  # type: ignore[no-untyped-def]
    return None


def test_a_write_announces_its_changes_once(qtbot, ops) -> None:
    seen: list[frozenset[str]] = []
    called: list[frozenset[str]] = []
    ops.changes.connect(seen.append)
    ops.subscribe({LEDGER, DEPOSITS}, called.append)
    ops.write((PAYMENTS, LEDGER, DAY, LEDGER), _nothing)
    assert seen == [frozenset({PAYMENTS, LEDGER, DAY})]
    assert called == seen  # once, although two of its topics were touched
    ops.write(RESIDENTS, _nothing)
    assert len(seen) == 2 and len(called) == 1  # not one of ours: no call


def test_ledger_page_refreshes_once_per_write(qtbot, ctx, ops, documents, monkeypatch) -> None:
    page = LedgerPage(ctx, ops, documents=documents)
    qtbot.addWidget(page)
    page.show()
    refreshes: list[int] = []
    original = page.refresh
    monkeypatch.setattr(page, "refresh", lambda *a, **k: (refreshes.append(1), original(*a, **k)))
    ops.write((PAYMENTS, LEDGER, DEPOSITS), _nothing)
    assert len(refreshes) == 1


def test_a_refusal_in_a_form_is_shown_once(qtbot, ctx, office) -> None:
    ops = Operations(ctx)  # message boxes on, as in the window
    login = LoginDialog(ctx, ops)
    qtbot.addWidget(login)
    login.show()
    login.username.setText("nobody")
    login.password.setText("wrong-password")
    login.try_login()
    assert "用户名或密码错误" in login.error.text()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert [b for b in boxes if b.isVisible()] == []  # the form's own line only


def test_enter_goes_on_from_the_receipt_prefix(qtbot, db, clock, policies) -> None:
    ops = Operations(AppContext(db=db, clock=clock, policies=policies))
    ops.show_dialogs = False
    assert ops.read(list_offices) == []
    dialog = FirstRunDialog(ops.ctx, ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.prefix.setFocus()
    qtbot.keyClick(dialog.prefix, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.villages
    assert ops.read(list_offices) == []  # nothing created by that Enter
    assert OFFICE  # topic names are shared with the pages


def test_every_page_fits_a_1024_by_768_screen(qtbot, ctx, ops, documents) -> None:
    from ui.main_window import MainWindow
    from ui.page_registry import PAGES

    window = MainWindow(ctx, ops, documents=documents)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    too_big = {}
    viewport = 1024 - window.nav.width()
    for spec in PAGES:
        page = window.show_page(spec.key)
        hint = window.minimumSizeHint()
        if hint.width() > 1024 or hint.height() > 768:
            too_big[spec.key] = (hint.width(), hint.height())
        # and no page needs to scroll sideways at that size
        if page.minimumSizeHint().width() > viewport:
            too_big[f"{spec.key} page"] = page.minimumSizeHint().width()
        finish = getattr(page, "finish_loading", None)
        if callable(finish):
            finish()
        QApplication.processEvents()
        if window._frames[spec.key].horizontalScrollBar().isVisible():
            too_big[f"{spec.key} scrolls sideways"] = page.minimumSizeHint().width()
    assert too_big == {}
    assert (window.width(), window.height()) == (1024, 768)
    window.close()


def test_a_banner_appearing_does_not_move_the_page(qtbot, ctx, ops, documents) -> None:
    from PySide6.QtCore import QPoint

    from ui.main_window import MainWindow

    window = MainWindow(ctx, ops, documents=documents)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.show_page("ledger")
    before = page.mapTo(window, QPoint(0, 0))
    window.banner.text_label.setText("今日须入库：现金 380.00 元")
    window.banner.show()
    window.policy_banner.show()
    QApplication.processEvents()
    assert page.mapTo(window, QPoint(0, 0)) == before
    window.close()


def test_deposit_words_line_keeps_its_place(qtbot, ctx, ops, documents) -> None:
    from ui.pages.deposit_page import DepositPage

    page = DepositPage(ctx, ops, documents=documents)
    qtbot.addWidget(page)
    page.resize(1024 - 132, 700)
    page.show()
    channel_y = page.channel.mapTo(page, page.channel.rect().topLeft()).y()
    page.amount.setText("760")
    QApplication.processEvents()
    assert page.amount_words.text() == "人民币柒佰陆拾元整"
    assert page.channel.mapTo(page, page.channel.rect().topLeft()).y() == channel_y
    assert page.amount.width() >= page.amount.fontMetrics().horizontalAdvance("9,999,999.99")


def test_a_subscription_ends_with_its_page(qtbot, ops) -> None:
    from PySide6.QtWidgets import QWidget

    calls: list[frozenset[str]] = []
    page = QWidget()
    ops.subscribe({LEDGER}, calls.append, page)
    ops.write(LEDGER, _nothing)
    page.deleteLater()
    qtbot.waitUntil(lambda: _deleted(page))
    ops.write(LEDGER, _nothing)  # the page is gone: nothing is called on it
    assert len(calls) == 1


def _deleted(obj) -> bool:  # type: ignore[no-untyped-def]
    from shiboken6 import isValid

    return not isValid(obj)


def test_the_status_bar_is_not_cut_off_at_1024(qtbot, ctx, ops, documents, tmp_path) -> None:
    """Issue 14: at 1,024 pixels the status bar's words were clipped. Now every
    label there either has the room its text needs or ends in "…" with the
    whole text in its tooltip; the deposit state word always shows whole."""
    from PySide6.QtWidgets import QLabel

    from ui.main_window import MainWindow
    from ui.widgets.elided_label import ElidedLabel

    window = MainWindow(ctx, ops, documents=documents)
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    long_office = "单位：天津市宁河区芦台街道社区服务中心城乡居民医保缴费窗口"
    window.office_label.setText(long_office)
    window.clock.detail_label.setText("库存现金 ¥7,720.00　今日须入库 ¥2,530.00")
    window.clock.state_label.setText("入库：今日须入库")
    window.clock.state_label.setMinimumWidth(window.clock.state_label.sizeHint().width())
    QApplication.processEvents()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 768
    assert (window.width(), window.height()) == (1024, 768)
    bar = window.statusBar()
    right_edge = bar.mapTo(window, bar.rect().topRight()).x()
    cut = {}
    for label in bar.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        left = label.mapTo(window, label.rect().topLeft()).x()
        if left + label.width() > right_edge + 1:
            cut[label.objectName() or label.text()] = "beyond the window"
        elif isinstance(label, ElidedLabel):
            if label.width() < label.minimumSizeHint().width():
                cut[label.objectName()] = "narrower than its shortest form"
            if label.is_elided():
                assert label.shown_text().endswith("…") and label.toolTip() == label.text()
        elif label.width() < label.sizeHint().width():
            cut[label.objectName() or label.text()] = (
                f"{label.width()} < {label.sizeHint().width()}"
            )
    assert cut == {}
    assert window.office_label.is_elided()  # the office gives way first
    assert not window.operator_label.is_elided() and not window.date_label.is_elided()
    assert not window.clock.detail_label.is_elided()  # the money shows whole
    assert window.clock.state_label.width() >= window.clock.state_label.sizeHint().width()
    bar.grab().save(str(tmp_path / "statusbar-1024.png"))  # to look at
    window.close()
