"""Log in: an operator of the office (clerk or supervisor) starts working.

The dialog checks the user name and password through ``services.office`` and
emits ``loggedIn(OperatorSession)`` with the office and the operator; the window is
built from that. Opened with ``open()``; Enter moves from user name to
password and then logs in.

The dialog can be shown before the database is open (``ctx`` None): the
clerk types meanwhile, and :meth:`attach` brings the database; a login asked
for before that runs as soon as it arrives. Nothing here imports the database
layer at module level, so the dialog appears without waiting for SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.context import OperatorSession
from ui.widgets.form import Form, ok_cancel, password_edit

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.operations import Operations

OPENING_TEXT = "正在打开数据库…"


def _log_in(session, clock, username: str, password: str) -> OperatorSession | str:  # type: ignore[no-untyped-def]
    from services.accounts import attempt_login
    from services.office import office_info

    # A write: the attempt is journalled (a failed one too, so the refusal is
    # returned, not raised, and the transaction commits), and an old password
    # hash may be upgraded. Five wrong passwords lock the account.
    attempt = attempt_login(session, clock, username, password)
    if attempt.error is not None:
        return attempt.error.message
    operator = attempt.operator
    assert operator is not None  # no error: the operator is known
    office = office_info(session, operator.office_id)
    return OperatorSession(
        office_id=office.id,
        office_name=office.name,
        operator_id=operator.id,
        operator_name=operator.display_name,
        role=operator.role,
    )


class LoginDialog(QDialog):
    loggedIn = Signal(object)  # ui.context.OperatorSession

    def __init__(
        self,
        ctx: AppContext | None,
        ops: Operations | None,
        parent: QWidget | None = None,
        *,
        training: bool = False,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.session: OperatorSession | None = None
        self._login_pending = False
        self.setWindowTitle("城乡居民医保柜台 — 登录")
        self.setMinimumWidth(380)

        title = QLabel("城乡居民医保柜台")
        title.setStyleSheet("font-size: 20px; font-weight: bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = subtitle = QLabel(OPENING_TEXT)
        subtitle.setObjectName("loginSubtitle")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        form = Form(self, error_name="loginError")
        self.username = form.field("用户名", QLineEdit())
        self.username.setObjectName("loginUsername")
        self.username.setPlaceholderText("用户名")
        self.password = form.field("密码", password_edit("loginPassword", "密码"))
        self.error = form.error
        self.error.setWordWrap(False)
        self.buttons = ok_cancel("登录", "退出", self.try_login, self.reject)

        layout = QVBoxLayout(self)
        if training or (ctx is not None and ctx.training):
            from ui.training import TrainingBand

            layout.addWidget(TrainingBand(self))
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(8)
        layout.addLayout(form.layout)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        # Enter: user name -> password -> log in
        self.enter_chain = form.on_enter(self.try_login)
        self.username.setFocus()
        if ctx is not None and ops is not None:
            self.attach(ctx, ops)

    def attach(self, ctx: AppContext, ops: Operations) -> None:
        """The database is open: show the business date; log in if asked already."""
        self.ctx = ctx
        self.ops = ops
        self.subtitle.setText(f"营业日期：{ctx.business_date():%Y年%m月%d日}")
        if self._login_pending:
            self._login_pending = False
            self.try_login()

    def try_login(self) -> None:
        if not self.username.text().strip():
            self._show_error("请输入用户名。")
            self.username.setFocus()
            return
        if self.ops is None:  # still opening the database: log in when it is ready
            self._login_pending = True
            return
        from ui.operations import OperationFailed

        try:
            session = self.ops.write(
                (), _log_in, self.username.text(), self.password.text(), parent=self, inline=True
            )
        except OperationFailed as exc:
            self._show_error(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        if isinstance(session, str):
            self._show_error(session)
            self.password.clear()
            self.password.setFocus()
            return
        self.session = session
        self.loggedIn.emit(session)
        self.accept()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
