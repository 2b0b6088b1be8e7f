"""The office server is down (issue 11): the window says 无法连接数据库 and
writes nothing — at start, and for a write while the window is open."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text

from db.engine import Database
from ui.app import EXIT_REFUSED, run_app
from ui.context import AppContext
from ui.operations import OperationFailed, Operations


def _nowhere(tmp_path: Path) -> str:
    # A Unix-socket folder where no server listens: the connection is refused.
    return f"postgresql+psycopg://clerk@/office?host={tmp_path}&port=5432"


def test_a_write_while_the_server_is_down_is_refused_in_chinese(qtbot, tmp_path, clock, policies):  # type: ignore[no-untyped-def]
    db = Database(_nowhere(tmp_path))
    ops = Operations(AppContext(db=db, clock=clock, policies=policies))
    ops.show_dialogs = False
    seen: list[tuple[str, str]] = []
    ops.failed.connect(lambda code, message: seen.append((code, message)))
    with pytest.raises(OperationFailed):
        ops.write("payments", lambda session, _clock: session.execute(text("SELECT 1")))
    db.dispose()
    assert seen and seen[0][0] == "db_unreachable"
    assert seen[0][1].startswith("无法连接数据库") and "没有保存" in seen[0][1]


def test_starting_while_the_server_is_down_says_cannot_connect(qtbot, tmp_path):  # type: ignore[no-untyped-def]
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
    args = argparse.Namespace(db=_nowhere(tmp_path), policy_dir=[])
    try:
        assert run_app(args) == EXIT_REFUSED
    finally:
        app.setStyleSheet("")
    assert seen and seen[0].startswith("无法连接数据库")
