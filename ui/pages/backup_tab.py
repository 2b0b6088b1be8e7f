"""设置 → 备份与日志: where this machine's backups go, a backup now, the list
of backups in that folder, and where the log file and the database are.

Changing the folder is a per-machine setting (``ui.backup_schedule``); the
settings page leaves the buttons to supervisors.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db.backup import BackupResult
from db.backup_files import KEEP_DAILY, KEEP_MONTHLY, list_backups
from db.engine import sqlite_path
from db.files import data_folder
from services.logs import current_log_file
from ui.backup_schedule import AutoBackup, BackupSettings
from ui.context import AppContext
from ui.file_dialogs import folder_dialog
from ui.journalled_output import journal_event

RECENT = 5


class BackupTab(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        settings: BackupSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings if settings is not None else BackupSettings()
        self.runner = AutoBackup(ctx, self.settings, parent=self)
        self.runner.succeeded.connect(self._done)
        self.runner.failed.connect(self._failed)

        self.folder_label = QLabel()
        self.folder_label.setObjectName("backupFolder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        self.folder_hint = QLabel()
        self.folder_hint.setWordWrap(True)
        self.folder_hint.setStyleSheet("color: #8a6d3b;")
        self.choose_button = QPushButton("选择备份文件夹…")
        self.choose_button.setObjectName("chooseBackupFolder")
        self.choose_button.clicked.connect(self.choose_folder)
        self.backup_button = QPushButton("立即备份(&K)")
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.status = QLabel()
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        self.recent = QLabel()
        self.recent.setObjectName("recentBackups")
        self.recent.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self._build_paths()
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.backup_button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow("备份文件夹", self.folder_label)
        form.addRow("", self.folder_hint)
        form.addRow("", buttons)
        form.addRow("", self.status)
        form.addRow("最近的备份", self.recent)
        form.addRow("数据库", self.database_label)
        form.addRow("数据文件夹", self.data_label)
        form.addRow("日志文件", self.log_label)
        rule = QLabel(
            f"每天第一次登录和每次日结后自动备份；文件夹中保留最近 {KEEP_DAILY} 天每天一份、"
            f"最近 {KEEP_MONTHLY} 个月每月一份。每份备份都先校验（完整性与台账哈希链）再保存。"
            "恢复：关闭所有窗口后运行 main.py restore 备份文件。"
        )
        rule.setWordWrap(True)
        rule.setStyleSheet("color: #666;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(rule)
        layout.addStretch(1)
        self.refresh()

    def _build_paths(self) -> None:
        """Where the log, the database and the data folder are (selectable, for support)."""
        log_path = current_log_file()
        self.log_label = QLabel(
            str(log_path) if log_path else "（日志文件无法写入，仅输出到控制台）"
        )
        self.log_label.setObjectName("logFile")
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        database = sqlite_path(self.ctx.db.url)
        self.database_label = QLabel(str(database) if database else "PostgreSQL 服务器")
        self.database_label.setObjectName("databaseFile")
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_label = QLabel(str(data_folder()))
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def refresh(self) -> None:
        chosen = self.settings.chosen_folder()
        folder = self.settings.folder()
        self.folder_label.setText(str(folder))
        self.folder_hint.setText(
            "尚未选择备份文件夹，备份暂存在本机数据文件夹中。请选择U盘或第二块硬盘上的文件夹。"
            if chosen is None
            else ""
        )
        self.folder_hint.setVisible(chosen is None)
        backups = list_backups(folder)[-RECENT:]
        self.recent.setText(
            "\n".join(f"{when:%Y-%m-%d %H:%M:%S}  {path.name}" for when, path in reversed(backups))
            or "（还没有备份）"
        )

    def choose_folder(self) -> None:
        current = self.settings.chosen_folder()
        dialog = folder_dialog(
            self, "选择备份文件夹", str(current) if current and current.is_dir() else None
        )
        dialog.setObjectName("backupFolderDialog")
        dialog.fileSelected.connect(self.set_folder)
        self.folder_dialog = dialog
        dialog.open()

    def set_folder(self, folder: str) -> None:
        self.settings.set_folder(Path(folder))
        journal_event(self.ctx, "settings_changed", "backup_folder", {"folder": folder})
        self.status.setText(f"备份文件夹已设为：{folder}")
        self.refresh()

    def backup_now(self) -> None:
        if self.runner.start("手动"):
            self.backup_button.setEnabled(False)
            self.status.setText("正在备份并校验…")

    def _done(self, _reason: str, result: BackupResult) -> None:
        self.backup_button.setEnabled(True)
        journal_event(
            self.ctx, "backup", result.path.name, {"reason": "手动", "bytes": result.size}
        )
        rows = result.check.ledger_rows if result.check else 0
        self.status.setStyleSheet("")
        self.status.setText(f"备份已保存并校验通过（台账 {rows} 行）：{result.path}")
        self.refresh()

    def _failed(self, _reason: str, message: str) -> None:
        self.backup_button.setEnabled(True)
        journal_event(self.ctx, "backup_failed", "手动", {"error": message})
        self.status.setStyleSheet("color: #b00000;")
        self.status.setText(message)
