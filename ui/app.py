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
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from common.errors import ServiceError
from db.engine import Database, resolve_database_url, sqlite_path
from db.errors import describe_database_error
from db.files import DatabaseMissing, check_database_file, create_database_file, data_folder
from db.migrate import upgrade_database
from services import office as office_service
from services.clock import Clock, SystemClock
from services.logs import install_fault_handlers, log_hint
from services.policy import PolicyBook, policy_dirs_from_env
from services.policy_store import load_office_book, office_policy_dir, restore_missing_files
from ui.backup_schedule import AutoBackup
from ui.context import AppContext, OperatorSession
from ui.first_run import FirstRunDialog
from ui.login_dialog import LoginDialog
from ui.operations import OperationFailed, Operations
from ui.style import APP_STYLE, CJK_FAMILIES, WQY_FILE, ensure_chinese_font, style_app  # noqa: F401
from ui.training import is_training_url, training_database_url

if TYPE_CHECKING:
    # The window and its pages are imported while the login dialog waits for
    # the password (see AppController.show_login), so the dialog shows sooner.
    from db.backup import BackupResult
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
        backups: AutoBackup | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        # Automatic backups (first login of the day, after each day close);
        # None in tests that are not about them.
        self.backups = backups
        if backups is not None:
            backups.setParent(self)
            backups.succeeded.connect(self._backup_saved)
            backups.failed.connect(self._backup_failed)
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

    def open_window(self, session: OperatorSession) -> MainWindow:
        self.ctx.session = session
        log.info("operator %s logged in at office %s", session.operator_id, session.office_id)
        from ui.main_window import MainWindow

        window = MainWindow(self.ctx, self.ops, documents=self.documents)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.logoutRequested.connect(self.log_out)
        window.destroyed.connect(self._window_gone)
        self.window = window
        window.show()
        if self.backups is not None:
            window.dayClosed.connect(lambda _result: self._back_up_after_close())
            self.backups.after_login()
        self.windowShown.emit(window)
        return window

    def _back_up_after_close(self) -> None:
        if self.backups is not None:
            self.backups.after_day_close()

    def _backup_saved(self, reason: str, result: BackupResult) -> None:
        from ui.journalled_output import journal_event

        journal_event(
            self.ctx, "backup", str(result.path.name), {"reason": reason, "bytes": result.size}
        )
        if self.window is not None:
            self.window.statusBar().showMessage(f"已自动备份（{reason}）：{result.path}", 15_000)

    def _backup_failed(self, reason: str, message: str) -> None:
        from ui.journalled_output import journal_event

        journal_event(self.ctx, "backup_failed", reason, {"error": message})
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "自动备份失败",
            f"自动备份（{reason}）没有完成：{message}\n请在“设置 → 备份与日志”中检查备份文件夹"
            "（U盘是否接上），然后点“立即备份”。",
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setObjectName("backupFailed")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.backup_box = box  # kept: a box nobody references vanishes before it shows
        box.open()

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
    from ui.main_window import preload_pages, warm_up_widgets

    preload_pages()
    warm_up_widgets()


def open_context(
    db_url: str | None,
    policy_dirs: Sequence[str],
    clock: Clock | None = None,
    *,
    confirm_create: Callable[[Path], bool] | None = None,
    training: bool = False,
) -> AppContext | None:
    """Open and migrate the database and load the policies (may raise ServiceError).

    A missing SQLite file is created only when ``confirm_create(path)`` says
    so (the clerk saw the path and chose 新建); otherwise it is refused, and
    None is returned when the clerk declined. The office's own policy files
    are loaded beside the built-in ones; a file another window
    saved into the shared database is first written into this window's folder.
    """
    url = resolve_database_url(db_url)
    if training or is_training_url(url):
        url = training_database_url(url)
        training = True
        log.warning("training mode: practice database %s", url)
    try:
        check_database_file(url)
    except DatabaseMissing:
        path = sqlite_path(url)
        if path is None:
            raise
        # --training asks for the practice database explicitly: made without asking
        if not training:
            if confirm_create is None:
                raise
            if not confirm_create(path):
                return None
        create_database_file(url)
        log.info("new database created at %s", path)
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


#: Error dialogs on screen. A QMessageBox with no parent whose Python wrapper
#: goes out of scope is deleted at once — it used to vanish before it showed.
_ERROR_BOXES: list[QMessageBox] = []


def show_program_error() -> QMessageBox:
    """Tell the clerk plainly that something went wrong, where the log is."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "程序错误",
        f"程序出现内部错误，刚才的操作可能没有完成。请联系管理员。\n{log_hint()}",
        QMessageBox.StandardButton.Ok,
    )
    box.setObjectName("programError")
    _ERROR_BOXES.append(box)

    def gone(_result: int) -> None:
        if box in _ERROR_BOXES:
            _ERROR_BOXES.remove(box)
        box.deleteLater()

    box.finished.connect(gone)
    box.open()
    return box


def _install_excepthook(app: QApplication) -> None:
    """An unexpected error in a slot: into the log file (``faulthandler`` for
    hard crashes), and a dialog for the clerk; the program keeps running."""

    def dialog(_kind: type[BaseException], _exc: BaseException, _tb: TracebackType | None) -> None:
        show_program_error()

    install_fault_handlers(data_folder(), then=dialog)


def ask_create_database(path: Path) -> bool:
    """The explicit first-run step: show where the new database would go."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "新建数据库",
        f"数据库文件不存在：\n{path}\n\n如果这是第一次使用本程序，请选择“新建”，"
        "将在此位置新建一个空的数据库。\n如果本应已有数据（路径输错、U盘或网络盘没有接上），"
        "请选择“退出”并检查路径。",
    )
    box.setObjectName("createDatabase")
    create = box.addButton("新建", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(QMessageBox.StandardButton.NoButton)
    loop = QEventLoop()
    box.finished.connect(loop.quit)
    box.open()
    loop.exec()
    chosen = box.clickedButton() is create
    box.deleteLater()
    return chosen


def run_app(args: Any) -> int:
    """Run the counter window (login first, database behind it: ui/startup.py)."""
    from ui import startup

    return startup.run_app(args)
