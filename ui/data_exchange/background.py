"""Long imports and exports off the window's thread, with progress and cancel.

A :class:`BackgroundJob` runs ``work(session, progress)`` in a ``QThread`` with
its own database session (one transaction for a write); the window keeps
repainting and the clerk can cancel. ``progress(done, total)`` returns False
once cancel was pressed; the service then raises, its transaction is rolled
back and nothing is written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal
from sqlalchemy.orm import Session

from common.errors import ServiceError
from db.engine import Database
from db.errors import describe_database_error

log = logging.getLogger(__name__)

Work = Callable[[Session, Callable[[int, int], bool]], Any]


class BackgroundJob(QThread):
    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str, str)  # code, Chinese message

    def __init__(self, db: Database, work: Work, *, write: bool, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self._db = db
        self._work = work
        self._write = write
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self._cancel.is_set()

    def run(self) -> None:  # the worker thread
        try:
            opened = self._db.write() if self._write else self._db.read()
            with opened as session:
                result = self._work(session, self._progress)
        except ServiceError as exc:
            self.failed.emit(exc.code, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, logged
            described = describe_database_error(exc)
            if described is not None:
                self.failed.emit(*described)
            else:
                log.exception("background job failed", exc_info=exc)
                self.failed.emit("internal_error", f"程序出现内部错误，没有保存：{exc}")
            return
        self.succeeded.emit(result)
