"""Start-up: first run, login, the window, logging out; a database the
program cannot open is a Chinese message and exit code 2."""

from __future__ import annotations

import argparse
from pathlib import Path

from counter_fixtures import CLERK, PASSWORD, SUPERVISOR
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text

from db.engine import Database
from services.office import office_info
from ui.app import EXIT_REFUSED, AppController, office_exists, run_app
from ui.context import AppContext
from ui.first_run import FirstRunDialog, split_villages
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.operations import Operations


def bare_ops(db, clock, policies) -> Operations:  # type: ignore[no-untyped-def]
    ops = Operations(AppContext(db=db, clock=clock, policies=policies))
    ops.show_dialogs = False
    return ops


def test_first_run_then_login_then_window(qtbot, db, clock, policies, documents):  # type: ignore[no-untyped-def]
    ops = bare_ops(db, clock, policies)
    assert not office_exists(ops)
    controller = AppController(ops.ctx, ops, documents=documents)
    shown: list[MainWindow] = []
    controller.windowShown.connect(shown.append)
    controller.start()
    dialog = controller.dialog
    assert isinstance(dialog, FirstRunDialog)  # deletes itself when accepted
    dialog.code.setText("WY01")
    dialog.name.setText("乌杨街道便民服务中心")
    dialog.policy.setCurrentIndex(dialog.policy.findData("chongqing-zhongxian-2024"))
    dialog.prefix.setText("wy")
    dialog.villages.setPlainText("乌杨村\n花桥社区、将军村")
    dialog.username.setText("chenzg")
    dialog.display_name.setText("陈主管")
    dialog.password.setText("abc-12345")
    dialog.password2.setText("abc-1234")
    dialog.try_create()
    assert "不一致" in dialog.error.text()
    dialog.password2.setText("abc-12345")
    dialog.try_create()
    assert ops.last_error is None, ops.last_error

    login = controller.dialog
    assert isinstance(login, LoginDialog)
    login.username.setText("chenzg")
    login.password.setText("nope-nope")
    login.try_login()
    assert "用户名或密码错误" in login.error.text()
    login.password.setText("abc-12345")
    login.try_login()
    (window,) = shown  # closed and deleted by logging out below
    assert ops.ctx.session is not None and ops.ctx.session.role == "supervisor"
    assert "乌杨街道便民服务中心" in window.windowTitle()
    with db.read() as s:
        info = office_info(s, ops.ctx.session.office_id)
    assert info.receipt_prefix == "WY"
    assert [v.name for v in info.villages] == sorted(["乌杨村", "花桥社区", "将军村"])
    assert office_exists(ops)

    window.logoutRequested.emit()
    assert ops.ctx.session is None
    assert isinstance(controller.dialog, LoginDialog)
    qtbot.addWidget(controller.dialog)


def test_login_as_clerk_of_existing_office(qtbot, db, clock, policies, office, documents):  # type: ignore[no-untyped-def]
    ops = bare_ops(db, clock, policies)
    controller = AppController(ops.ctx, ops, documents=documents)
    controller.start()
    login = controller.dialog
    assert isinstance(login, LoginDialog)
    login.username.setText(CLERK.upper())  # user names are not case-sensitive
    login.password.setText(PASSWORD)
    login.try_login()
    assert controller.window is not None
    qtbot.addWidget(controller.window)
    assert ops.ctx.session.operator_name == "李经办"
    assert SUPERVISOR != CLERK


def test_split_villages() -> None:
    assert split_villages(" 东村\n\n西村，南村、北村 ") == ["东村", "西村", "南村", "北村"]


def test_database_too_new_is_a_message_and_exit_2(qtbot, db_path: Path):  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{db_path}")
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    database.dispose()
    app = QApplication.instance()
    seen: list[str] = []

    def close_box() -> None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append(widget.text())
                widget.accept()
                return
        QTimer.singleShot(20, close_box)

    QTimer.singleShot(20, close_box)
    args = argparse.Namespace(db=f"sqlite:///{db_path}", policy_dir=[])
    try:
        assert run_app(args) == EXIT_REFUSED
    finally:
        app.setStyleSheet("")
    assert seen and "比本程序新" in seen[0]
