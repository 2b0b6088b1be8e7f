"""Locks that hold (issue 10, item 8).

Opening Qt's save dialog on the folder that holds the database used to read
the ``-wal`` and ``-shm`` files to guess their type, which drops every POSIX
lock the process holds on them (``ui/file_dialogs.py``). These tests open the
program's save dialog on the database's own folder, let it list and draw the
folder, and check in ``/proc/locks`` that the process still holds exactly the
locks it held before.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlalchemy import text

from db.engine import Database
from ui.file_dialogs import NameOnlyIconProvider, documents_folder, file_dialog, folder_dialog

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the POSIX locks from /proc/locks"
)


def _my_locks(*paths: Path) -> list[tuple[str, str, str, str]]:
    """(file, kind, mode, byte range) of this process's locks on ``paths``."""
    inodes = {p.stat().st_ino: p.name for p in paths if p.exists()}
    found = []
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if parts[1] == "->":  # a blocked waiter
            continue
        pid, where = parts[4], parts[5]
        inode = int(where.split(":")[2])
        if pid == str(os.getpid()) and inode in inodes:
            found.append((inodes[inode], parts[1], parts[3], f"{parts[6]}-{parts[7]}"))
    return sorted(found)


def _pump(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


@pytest.fixture
def live_db(db: Database, db_path: Path):  # type: ignore[no-untyped-def]
    """The database in WAL mode with a read transaction open, as a window has it."""
    with db.write() as s:
        s.execute(text("CREATE TABLE scratch (x INTEGER)"))
        s.execute(text("INSERT INTO scratch VALUES (1)"))
    conn = db.engine.connect()
    trans = conn.begin()
    conn.execute(text("SELECT count(*) FROM scratch")).scalar()
    files = (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"))
    yield files
    trans.rollback()
    conn.close()


def _listed(dialog: QFileDialog) -> None:
    """Switch to the detail view too, so types and icons of every file are asked for."""
    dialog.setViewMode(QFileDialog.ViewMode.Detail)


def test_save_dialog_on_the_database_folder_keeps_the_locks(qtbot, live_db, db_path: Path):
    before = _my_locks(*live_db)
    assert any(name.endswith("-shm") for name, *_ in before), before
    app = QApplication.instance()
    dialog = file_dialog(
        None, "另存为 PDF", save=True, name_filter="PDF 文件 (*.pdf)", directory=str(db_path.parent)
    )
    qtbot.addWidget(dialog)
    _listed(dialog)
    dialog.open()
    _pump(app, 2.0)
    assert dialog.directory().absolutePath() == str(db_path.parent)
    assert _my_locks(*live_db) == before
    dialog.reject()


def test_the_print_preview_save_button_uses_the_safe_dialog(qtbot, live_db, db_path: Path):
    from printing.receipt import render_receipt
    from tools.samples import sample_receipt
    from ui.printing.print_preview import PrintPreviewDialog

    before = _my_locks(*live_db)
    preview = PrintPreviewDialog(
        render_receipt(sample_receipt()),
        title="收据",
        printers=lambda: ["PDF"],
        default_printer=lambda: "PDF",
        print_job=lambda *_: None,
    )
    qtbot.addWidget(preview)
    preview.show()
    preview.save_button.click()
    dialog = preview.save_dialog
    assert isinstance(dialog.iconProvider(), NameOnlyIconProvider)
    assert dialog.directory().absolutePath() == str(Path(documents_folder()).resolve())
    # The clerk walks to the data folder in the dialog.
    dialog.setDirectory(str(db_path.parent))
    _listed(dialog)
    _pump(QApplication.instance(), 2.0)
    assert _my_locks(*live_db) == before
    dialog.reject()
    preview.close()


def test_folder_dialog_starts_in_documents(qtbot):
    dialog = folder_dialog(None, "选择备份文件夹")
    qtbot.addWidget(dialog)
    assert dialog.fileMode() == QFileDialog.FileMode.Directory
    assert dialog.directory().absolutePath() == str(Path(documents_folder()).resolve())
    assert isinstance(dialog.iconProvider(), NameOnlyIconProvider)
