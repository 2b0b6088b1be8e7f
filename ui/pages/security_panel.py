"""账号与安全 (a tab of 设置): idle lock, one-person point, own password, audit journal.

Everyone may change their own password here. Only a supervisor changes the
idle lock time and the one-person collection point setting, and reads, filters
and prints the audit journal (``services/audit.py``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from printing.audit_journal import AuditJournalData, AuditRow, render_audit_journal
from services.audit import ACTION_LABELS, AuditLine, list_audit, record_audit
from services.security_settings import security_settings, update_security_settings
from ui.context import AppContext
from ui.dialogs.change_password import ChangePasswordDialog
from ui.operations import OFFICE, OperationFailed, Operations
from ui.printing_bridge import DocumentOutput

JOURNAL_LIMIT = 2000


def _print_record(
    session, clock, *, office_id: int, operator_id: int, rows: int, what: str
) -> None:  # type: ignore[no-untyped-def]
    record_audit(
        session,
        at=clock.now(),
        operator_id=operator_id,
        office_id=office_id,
        action="document_printed",
        subject="audit_journal",
        details={"rows": rows, "filter": what},
    )


class AuditJournalDialog(QDialog):
    """The journal, newest first, filtered by action and dates; printable."""

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        documents: DocumentOutput | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert ctx.session is not None and ctx.session.is_supervisor
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.lines: list[AuditLine] = []
        self.setWindowTitle("审计日志")
        self.resize(1000, 600)
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItem("全部事项", "")
        for key, label in ACTION_LABELS.items():
            self.action.addItem(label, key)
        today = ctx.business_date()
        self.since = QDateEdit(QDate(today.year, today.month, 1))
        self.until = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.search = QPushButton("查询")
        self.search.clicked.connect(self.refresh)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printAudit")
        self.print_button.clicked.connect(self.print_journal)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels(["序号", "时间", "经办人", "事项", "对象", "详情"])
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.count = QLabel()
        bar = QHBoxLayout()
        for widget in (
            QLabel("事项"),
            self.action,
            QLabel("从"),
            self.since,
            QLabel("到"),
            self.until,
        ):
            bar.addWidget(widget)
        bar.addWidget(self.search)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.refresh()

    def _range(self) -> tuple[dt.datetime, dt.datetime]:
        since = self.since.date().toPython()
        until = self.until.date().toPython()
        return (
            dt.datetime.combine(since, dt.time()),  # type: ignore[arg-type]
            dt.datetime.combine(until, dt.time()) + dt.timedelta(days=1),  # type: ignore[arg-type]
        )

    def filter_text(self) -> str:
        since, until = self._range()
        return f"{self.action.currentText()}，{since:%Y-%m-%d} 至 {until - dt.timedelta(days=1):%Y-%m-%d}"

    def refresh(self) -> None:
        assert self.ctx.session is not None
        since, until = self._range()
        key = self.action.currentData()
        try:
            self.lines = self.ops.read(
                list_audit,
                office_id=self.ctx.session.office_id,
                actions=(key,) if key else (),
                since=since,
                until=until,
                limit=JOURNAL_LIMIT,
                parent=self,
            )
        except OperationFailed:
            return
        self.table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            values = (
                str(line.seq),
                f"{line.at:%Y-%m-%d %H:%M:%S}",
                line.operator_name or "—",
                line.action_label,
                line.subject,
                line.details_text(),
            )
            for col, value in enumerate(values):
                self.table.setItem(r, col, QTableWidgetItem(value))
        more = "（只显示最新的 2000 条，请缩小范围）" if len(self.lines) >= JOURNAL_LIMIT else ""
        self.count.setText(f"共 {len(self.lines)} 条{more}")

    def journal_pdf(self) -> bytes:
        assert self.ctx.session is not None
        data = AuditJournalData(
            office_name=self.ctx.session.office_name,
            filter_text=self.filter_text(),
            printed_at=self.ctx.clock.now(),
            printed_by=self.ctx.session.operator_name,
            rows=tuple(
                AuditRow(x.seq, x.at, x.operator_name, x.action_label, x.subject, x.details_text())
                for x in self.lines
            ),
        )
        return render_audit_journal(data)

    def print_journal(self) -> None:
        assert self.ctx.session is not None
        pdf = self.journal_pdf()
        try:
            self.ops.write(
                OFFICE,
                _print_record,
                office_id=self.ctx.session.office_id,
                operator_id=self.ctx.session.operator_id,
                rows=len(self.lines),
                what=self.filter_text(),
                parent=self,
            )
        except OperationFailed:
            return
        if self.documents is not None:
            self.documents.present("audit_journal", "审计日志", pdf, self)


class SecurityPanel(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        documents: DocumentOutput | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        assert ctx.session is not None
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.dialog: QDialog | None = None
        supervisor = ctx.session.is_supervisor

        self.idle = QSpinBox()
        self.idle.setObjectName("idleLockMinutes")
        self.idle.setRange(1, 240)
        self.idle.setSuffix(" 分钟")
        self.single = QCheckBox(
            "单人收款点（只有一名主管，自行授权的作废、退费、放行、日结在报表中标出）"
        )
        self.single.setObjectName("singleOperator")
        self.save = QPushButton("保存安全设置")
        self.save.clicked.connect(self.save_settings)
        for widget in (self.idle, self.single, self.save):
            widget.setEnabled(supervisor)
        box = QGroupBox("锁屏与授权")
        form = QFormLayout(box)
        form.addRow("无操作自动锁屏", self.idle)
        form.addRow(self.single)
        form.addRow(self.save)

        self.password_button = QPushButton("修改本人密码…")
        self.password_button.setObjectName("changeOwnPassword")
        self.password_button.clicked.connect(self.change_password)
        self.journal_button = QPushButton("审计日志…")
        self.journal_button.setObjectName("openAuditJournal")
        self.journal_button.setEnabled(supervisor)
        self.journal_button.clicked.connect(self.open_journal)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.password_button)
        buttons.addWidget(self.journal_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        assert self.ctx.session is not None
        try:
            settings = self.ops.read(security_settings, self.ctx.session.office_id, parent=self)
        except OperationFailed:
            return
        self.idle.setValue(settings.idle_lock_minutes)
        self.single.setChecked(settings.single_operator)

    def save_settings(self) -> None:
        assert self.ctx.session is not None
        try:
            self.ops.write(
                OFFICE,
                update_security_settings,
                office_id=self.ctx.session.office_id,
                operator_id=self.ctx.session.operator_id,
                idle_lock_minutes=self.idle.value(),
                single_operator=self.single.isChecked(),
                parent=self,
            )
        except OperationFailed as exc:
            self.message.setText(exc.message)
            return
        self.message.setText("安全设置已保存；锁屏时间在下次登录后生效。")

    def change_password(self) -> ChangePasswordDialog:
        dialog = ChangePasswordDialog(self.ctx, self.ops, parent=self)
        dialog.accepted.connect(lambda: self.message.setText("密码已修改。"))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_journal(self) -> AuditJournalDialog:
        dialog = AuditJournalDialog(self.ctx, self.ops, self.documents, parent=self)
        self.dialog = dialog
        dialog.open()
        return dialog
