"""Starting the window: database, policies, first run, login, main window.

``run_app(args)`` is what ``python main.py`` runs. ``args`` carries ``db`` (a
SQLAlchemy URL or None for the default file) and ``policy_dir`` (extra policy
folders). A database the program cannot use (made by a newer version, locked,
unreadable) or a broken policy file is reported in Chinese and the program
exits with code 2; the clerk never sees a traceback.

The sequence after start is driven by :class:`AppController` with signals
(first-run form → login → main window; Ctrl+L logs out back to the login), so
tests can walk it without a blocking ``exec()`` anywhere.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from db.engine import Database, resolve_database_url
from db.errors import describe_database_error
from db.migrate import upgrade_database
from services import office as office_service
from services.clock import Clock, SystemClock
from services.errors import ServiceError
from services.policy import PolicyBook, policy_dirs_from_env
from services.policy_store import load_office_book, office_policy_dir, restore_missing_files
from ui.context import AppContext, Session
from ui.first_run import FirstRunDialog
from ui.login_dialog import LoginDialog
from ui.operations import OperationFailed, Operations
from ui.style import APP_STYLE, CJK_FAMILIES, WQY_FILE, ensure_chinese_font, style_app  # noqa: F401
from ui.training import is_training_url, training_database_url

if TYPE_CHECKING:
    # The window and its pages are imported while the login dialog waits for
    # the password (see AppController.show_login), so the dialog shows sooner.
    from ui.main_window import MainWindow
    from ui.printing_bridge import DocumentOutput

log = logging.getLogger(__name__)

PRELOAD_DELAY_MS = 100
EXIT_OK = 0
EXIT_REFUSED = 2


def office_exists(ops: Operations) -> bool:
    """Whether the database already has an office (else: first run)."""
    return bool(ops.read(office_service.list_offices))


class AppController(QObject):
    """First run → login → main window, by signals."""

    windowShown = Signal(object)  # MainWindow
    finished = Signal(int)  # exit code

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        *,
        documents: DocumentOutput | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.window: MainWindow | None = None
        self.dialog: FirstRunDialog | LoginDialog | None = None

    def start(self, login: LoginDialog | None = None) -> None:
        """``login``: a login window already on screen (ui/startup.py) to adopt."""
        try:
            has_office = office_exists(self.ops)
        except OperationFailed as exc:
            if login is not None:
                login.close()
            self.finished.emit(EXIT_REFUSED)
            log.error("cannot read offices: %s", exc.message)
            return
        if has_office and login is not None:
            self._adopt_login(login)
        elif has_office:
            self.show_login()
        else:
            if login is not None:
                login.hide()
                login.deleteLater()
            self.show_first_run()

    def _adopt_login(self, dialog: LoginDialog) -> None:
        dialog.loggedIn.connect(self.open_window)
        dialog.rejected.connect(lambda: self.finished.emit(EXIT_OK))
        self.dialog = dialog
        dialog.attach(self.ctx, self.ops)
        QTimer.singleShot(PRELOAD_DELAY_MS, preload_window)

    def show_first_run(self) -> None:
        dialog = FirstRunDialog(self.ctx, self.ops)
        dialog.officeCreated.connect(lambda _o, _s: self.show_login())
        dialog.rejected.connect(lambda: self.finished.emit(EXIT_OK))
        self._open(dialog)

    def show_login(self) -> None:
        dialog = LoginDialog(self.ctx, self.ops)
        dialog.loggedIn.connect(self.open_window)
        dialog.rejected.connect(lambda: self.finished.emit(EXIT_OK))
        self._open(dialog)
        QTimer.singleShot(PRELOAD_DELAY_MS, preload_window)

    def _open(self, dialog: FirstRunDialog | LoginDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_window(self, session: Session) -> MainWindow:
        self.ctx.session = session
        log.info("operator %s logged in at office %s", session.operator_id, session.office_id)
        from ui.main_window import MainWindow

        window = MainWindow(self.ctx, self.ops, documents=self.documents)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.logoutRequested.connect(self.log_out)
        window.destroyed.connect(self._window_gone)
        self.window = window
        window.show()
        self.windowShown.emit(window)
        return window

    def log_out(self) -> None:
        window = self.window
        self.window = None
        self.ctx.session = None
        if window is not None:
            window.destroyed.disconnect(self._window_gone)
            window.close()
        self.show_login()

    def _window_gone(self) -> None:
        if self.window is not None:
            self.window = None
            self.finished.emit(EXIT_OK)


def preload_window() -> None:
    """Import the main window and its pages (while the clerk types the password)."""
    from ui.main_window import preload_pages

    preload_pages()


def open_context(
    db_url: str | None,
    policy_dirs: Sequence[str],
    clock: Clock | None = None,
    *,
    training: bool = False,
) -> AppContext:
    """Open and migrate the database and load the policies (may raise ServiceError).

    The office's own policy files (issue 17) are loaded beside the built-in
    ones; a file another window saved into the shared database is first
    written into this window's folder.
    """
    url = resolve_database_url(db_url)
    if training or is_training_url(url):
        url = training_database_url(url)
        training = True
        log.warning("training mode: practice database %s", url)
    db = Database(url)
    dirs = tuple([*policy_dirs_from_env(), *(Path(d) for d in policy_dirs)])
    office_dir = office_policy_dir(url)
    try:
        upgrade_database(db)
        try:
            with db.read() as session:
                restore_missing_files(session, office_dir)
        except OSError as exc:  # a read-only folder must not stop the counter
            log.warning("cannot write policy files to %s: %s", office_dir, exc)
        policies: PolicyBook = load_office_book(dirs, office_dir)
    except BaseException:
        db.dispose()
        raise
    return AppContext(
        db=db,
        clock=clock or SystemClock(),
        policies=policies,
        policy_dirs=dirs,
        office_policy_dir=office_dir,
        training=training,
    )


def _start_error(exc: BaseException) -> str | None:
    """The Chinese message for a failure at start, or None for a program error."""
    if isinstance(exc, ServiceError):
        return exc.message
    described = describe_database_error(exc)
    return described[1] if described is not None else None


def show_fatal(app: QApplication, message: str) -> int:
    """Show ``message`` and return EXIT_REFUSED once the clerk has read it."""
    box = QMessageBox(QMessageBox.Icon.Critical, "无法启动", message, QMessageBox.StandardButton.Ok)
    box.setObjectName("startupError")
    # A local loop rather than app.exec()/quit(): quitting the application
    # would also close every other window of the process.
    loop = QEventLoop()
    box.finished.connect(loop.quit)
    box.open()
    loop.exec()
    box.deleteLater()
    return EXIT_REFUSED


def _install_excepthook(app: QApplication) -> None:
    """An unexpected error in a slot: log it, tell the clerk plainly, keep running."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "程序错误",
            "程序出现内部错误，刚才的操作可能没有完成。已记录日志，请联系管理员。",
            QMessageBox.StandardButton.Ok,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    sys.excepthook = hook


def run_app(args: Any) -> int:
    """Run the counter window (login first, database behind it: ui/startup.py)."""
    from ui import startup

    return startup.run_app(args)
