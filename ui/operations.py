"""One path for every write (STYLE.md, after Anki's aqt/operations).

A page never opens a transaction itself. It calls ``Operations.write(topic,
fn, *args)``: the service function runs inside one ``db.write()`` transaction
with the session and clock; a refusal (``ServiceError``) or database trouble
(locked, disk full, read-only…) is shown to the clerk in Chinese and nothing is
written; on success the write announces what it changed once, as one change
set (``changes(frozenset)``): a page subscribed to several of its topics
refreshes once, in one read, not once per topic. ``changed(topic)`` is still
emitted per topic for pages not yet moved to change sets. Reads go through
``Operations.read`` with the same error handling.

A form that shows a refusal in its own error line passes ``inline=True``: the
clerk then sees the message once, not in the form and in a box as well.

Anything else is a program error: it is logged with its traceback and the
clerk sees a short apology, not the traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from common.errors import ServiceError
from db.engine import sqlite_path
from db.errors import describe_database_error
from services.logs import log_hint
from ui.context import AppContext

log = logging.getLogger(__name__)

T = TypeVar("T")

# Topics announced after a write; pages refresh on the ones they show.
RESIDENTS = "residents"
ENROLLMENTS = "enrollments"
PAYMENTS = "payments"
LEDGER = "ledger"
DEPOSITS = "deposits"
DAY = "day"
OFFICE = "office"


ChangeSet = frozenset[str]


class _Subscription(QObject):
    """A page's interest in some topics; a child of the page, so it dies with it."""

    def __init__(
        self, topics: frozenset[str], slot: Callable[[ChangeSet], None], owner: QObject
    ) -> None:
        super().__init__(owner)
        self.topics = topics
        self.slot = slot

    def deliver(self, change_set: ChangeSet) -> None:
        if change_set & self.topics:
            self.slot(change_set)


class OperationFailed(Exception):
    """Raised to the caller after the error was already shown to the clerk."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Operations(QObject):
    #: every topic a write changed, once per write (a ChangeSet)
    changes = Signal(object)
    changed = Signal(str)
    # (code, Chinese message) of every refusal shown, for the status bar and tests
    failed = Signal(str, str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # Tests and scripted runs switch the modal box off and read `failed`.
        self.show_dialogs = True
        self.last_error: tuple[str, str] | None = None

    def write(
        self,
        topics: str | tuple[str, ...],
        fn: Callable[..., T],
        *args: Any,
        parent: QWidget | None = None,
        inline: bool = False,
        **kwargs: Any,
    ) -> T:
        """Run ``fn(session, clock, *args, **kwargs)`` in one transaction.

        ``inline``: the page shows a refusal itself, next to the form, so it is
        not shown a second time in a message box or the status bar (one
        refusal, shown once); ``last_error`` is set all the same."""
        try:
            with self.ctx.db.write() as session:
                result = fn(session, self.ctx.clock, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure is shown, none escapes
            raise self._fail(exc, parent, inline) from exc
        self.last_error = None
        ordered = tuple(dict.fromkeys((topics,) if isinstance(topics, str) else topics))
        if ordered:
            self.changes.emit(frozenset(ordered))
        for topic in ordered:
            self.changed.emit(topic)
        return result

    def subscribe(
        self,
        topics: frozenset[str] | set[str],
        slot: Callable[[ChangeSet], None],
        owner: QObject | None = None,
    ) -> None:
        """Call ``slot(change_set)`` once for every write that touched any of ``topics``.

        The subscription lives as long as ``owner`` (a page): once the page is
        gone, nothing is called on it.
        """
        subscription = _Subscription(frozenset(topics), slot, owner or self)
        self.changes.connect(subscription.deliver)

    def read(
        self,
        fn: Callable[..., T],
        *args: Any,
        parent: QWidget | None = None,
        inline: bool = False,
        **kwargs: Any,
    ) -> T:
        """Run ``fn(session, *args, **kwargs)`` for reading."""
        try:
            with self.ctx.db.read() as session:
                return fn(session, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, parent, inline) from exc

    def _fail(
        self, exc: BaseException, parent: QWidget | None, inline: bool = False
    ) -> OperationFailed:
        if isinstance(exc, ServiceError):
            code, message = exc.code, exc.message
            log.info("refused (%s): %s", code, message)
        elif (described := describe_database_error(exc, sqlite_path(self.ctx.db.url))) is not None:
            code, message = described
            log.warning("database trouble (%s): %s", code, exc)
        else:
            code, message = (
                "internal_error",
                f"程序出现内部错误，本次操作没有保存。请联系管理员。{log_hint()}",
            )
            log.exception("unexpected error in an operation", exc_info=exc)
        self.last_error = (code, message)
        if inline and code != "internal_error":
            return OperationFailed(code, message)
        self.failed.emit(code, message)
        if self.show_dialogs:  # inline forms returned above, except for program errors
            box = QMessageBox(
                QMessageBox.Icon.Warning, "无法完成", message, QMessageBox.StandardButton.Ok, parent
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        return OperationFailed(code, message)
