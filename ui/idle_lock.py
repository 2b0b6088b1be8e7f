"""Lock the window after a time without keyboard or mouse (设置 → 账号与安全).

:class:`IdleLock` watches the application's input events; when none came for
the office's idle time it records ``screen_locked`` in the audit journal and
emits ``locked``, on which the window logs out to the login dialog — the
next person must type their own password.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from services.audit import record_audit
from ui.context import AppContext
from ui.operations import OperationFailed, Operations

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
    }
)


def _journal(session, clock, *, office_id: int, operator_id: int, minutes: int) -> None:  # type: ignore[no-untyped-def]
    record_audit(
        session,
        at=clock.now(),
        operator_id=operator_id,
        office_id=office_id,
        action="screen_locked",
        details={"idle_minutes": minutes},
    )


class IdleLock(QObject):
    locked = Signal()

    def __init__(self, ctx: AppContext, ops: Operations, minutes: int, parent: QObject) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.minutes = minutes
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(self.lock_now)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _INPUT:
            self.timer.start()
        return False

    def lock_now(self) -> None:
        session = self.ctx.session
        if session is not None:
            try:
                self.ops.write(
                    (),
                    _journal,
                    office_id=session.office_id,
                    operator_id=session.operator_id,
                    minutes=self.minutes,
                )
            except OperationFailed:
                pass  # the lock matters more than its journal line; the failure is shown
        self.locked.emit()
