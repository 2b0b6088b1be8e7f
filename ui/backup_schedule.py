"""Automatic backups from the window: at the first login of the day and after
each day close, into the folder chosen in 设置 (a USB stick or a second disk).

The folder is a setting of this machine (``QSettings``), not of the office:
each window backs up to the stick plugged into it. When none is chosen the
backups go to ``backups`` in the data folder, and 设置 says that a second disk
is better. The backup itself (``db.backup.make_backup``: online backup API,
verified, pruned to 30 daily + 12 monthly) runs on a worker thread so the
window stays responsive; the result comes back as a signal.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

from common.errors import ServiceError
from db.backup import BackupResult
from db.backup_files import list_backups
from db.files import data_folder
from services.backups import make_backup
from ui.context import AppContext

log = logging.getLogger(__name__)

FOLDER_KEY = "backup/folder"


def machine_settings() -> QSettings:
    from ui.machine_settings import APPLICATION, ORGANIZATION

    return QSettings(ORGANIZATION, APPLICATION)


class BackupSettings:
    """Where this machine's backups go."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings if settings is not None else machine_settings()

    def chosen_folder(self) -> Path | None:
        value = self.settings.value(FOLDER_KEY, "")
        return Path(str(value)) if value else None

    def folder(self) -> Path:
        return self.chosen_folder() or default_backup_folder()

    def set_folder(self, folder: Path) -> None:
        self.settings.setValue(FOLDER_KEY, str(folder))
        self.settings.sync()


def default_backup_folder() -> Path:
    return data_folder() / "backups"


def has_backup_on(folder: Path, day: dt.date) -> bool:
    return any(when.date() == day for when, _path in list_backups(folder))


class AutoBackup(QObject):
    """Runs backups off the GUI thread; one at a time."""

    #: (reason, BackupResult) after a verified backup was saved
    succeeded = Signal(str, object)
    #: (reason, Chinese message) when a backup could not be made
    failed = Signal(str, str)

    def __init__(
        self, ctx: AppContext, settings: BackupSettings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings
        self._thread: threading.Thread | None = None
        self.last_result: BackupResult | None = None
        self.last_error: str | None = None

    def after_login(self) -> bool:
        """The first login of the day makes a backup; True when one was started."""
        folder = self.settings.folder()
        if has_backup_on(folder, self.ctx.business_date()):
            return False
        return self.start("首次登录")

    def after_day_close(self) -> bool:
        return self.start("日结后")

    def start(self, reason: str) -> bool:
        if self.running:
            log.info("backup (%s) skipped: another one is running", reason)
            return False
        folder = self.settings.folder()
        now = self.ctx.clock.now()
        url = self.ctx.db.url
        self._thread = threading.Thread(
            target=self._run, args=(reason, url, folder, now), name="backup", daemon=True
        )
        self._thread.start()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the running backup ends (tests); True when it did."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self, reason: str, url: str, folder: Path, now: dt.datetime) -> None:
        try:
            result = make_backup(url, folder, now)
        except ServiceError as exc:
            log.warning("automatic backup (%s) into %s failed: %s", reason, folder, exc.message)
            self.last_error = exc.message
            self.failed.emit(reason, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - a thread must not die silently
            log.exception("automatic backup (%s) into %s failed", reason, folder)
            self.last_error = f"备份失败：{exc}"
            self.failed.emit(reason, self.last_error)
            return
        log.info("backup (%s) saved: %s (%d bytes)", reason, result.path, result.size)
        self.last_result = result
        self.last_error = None
        self.succeeded.emit(reason, result)
