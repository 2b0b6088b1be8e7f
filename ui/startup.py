"""Start the counter window fast: the login window first, the database behind it.

Importing SQLAlchemy and the models takes most of a second; the clerk should
not stare at nothing meanwhile. :func:`run_app` shows the login window (which
imports nothing of the database layer), and only once it is on screen opens
and migrates the database, loads the policies and hands both to the login
window (:meth:`ui.login_dialog.LoginDialog.attach`). The clerk types the user
name and password meanwhile; Enter pressed early logs in as soon as the
database is ready. A first run (no office yet) swaps the login for the set-up
form. A database the program cannot use closes the login and says why.

``--training`` (or a database file marked as a training one) opens the
separate practice database: see :mod:`ui.training`.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from services.logs import log_hint
from ui.login_dialog import LoginDialog
from ui.style import style_app

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REFUSED = 2
#: Set by the packaged program's smoke test: quit by itself after this many ms.
SMOKE_QUIT_ENV = "YIBAO_SMOKE_QUIT_MS"


def run_app(args: Any) -> int:
    """Run the counter window; returns the process exit code."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("yibao-counter")
    app.setApplicationDisplayName("城乡居民医保柜台")
    style_app(app)
    training = bool(getattr(args, "training", False))
    login = LoginDialog(None, None, training=training)
    login.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    code = {"value": EXIT_OK, "done": False}
    held: dict[str, Any] = {}
    # A local loop rather than app.exec()/quit() (as show_fatal does): quitting
    # the application would leave it unable to activate windows in the same
    # process afterwards (tests run many windows in one process).
    loop = QEventLoop()

    def finish(value: int) -> None:
        if not code["done"]:
            code["value"] = value
            code["done"] = True
        loop.quit()

    # 退出 before the database is open: leave at once
    def rejected() -> None:
        if held.get("controller") is None:
            finish(EXIT_OK)

    login.rejected.connect(rejected)
    login.open()
    app.processEvents()  # paint the login window before anything heavy is imported
    # then open the database, from the event loop
    QTimer.singleShot(0, lambda: _open_behind(app, args, login, finish, held))
    if quit_ms := os.environ.get(SMOKE_QUIT_ENV):
        # packaging/smoke_test.py: open, then leave by itself after a moment
        QTimer.singleShot(int(quit_ms), lambda: finish(EXIT_OK))
    if not code["done"]:
        loop.exec()
    controller = held.get("controller")
    if controller:  # False: the database could not be opened (already disposed)
        if controller.backups is not None:
            controller.backups.wait()  # a backup in progress finishes before the database closes
        controller.ctx.db.dispose()
    return int(code["value"])


def _open_behind(app: QApplication, args: Any, login: LoginDialog, finish, held) -> None:  # type: ignore[no-untyped-def]
    if code_done(login):
        return
    # the database layer is imported here, behind the login window
    from ui import app as start
    from ui.operations import Operations

    try:
        ctx = start.open_context(
            getattr(args, "db", None),
            getattr(args, "policy_dir", None) or [],
            confirm_create=start.ask_create_database,
            training=bool(getattr(args, "training", False)),
        )
    except Exception as exc:  # noqa: BLE001 - every start failure becomes a message
        message = start._start_error(exc)
        if message is None:
            log.exception("cannot start")
            message = f"程序启动失败，请联系管理员。{log_hint()}"
        else:
            log.error("cannot start: %s", message)
        held["controller"] = False  # the login's 退出 no longer decides
        login.close()
        finish(start.show_fatal(app, message))
        return
    if ctx is None:  # no database file, and the clerk chose 退出 rather than 新建
        held["controller"] = False
        login.close()
        finish(EXIT_OK)
        return
    from ui.backup_schedule import AutoBackup, BackupSettings

    ops = Operations(ctx)
    controller = start.AppController(ctx, ops, backups=AutoBackup(ctx, BackupSettings()))
    held["controller"] = controller
    controller.finished.connect(finish)
    start._install_excepthook(app)
    controller.start(login=login)


def code_done(login: LoginDialog) -> bool:
    """The clerk left (closed the login) before the database was opened."""
    try:
        return not login.isVisible()
    except RuntimeError:  # already deleted
        return True
