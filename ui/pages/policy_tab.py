"""设置 → 政策: the policies the office can use, the one in use, and the yearly routine.

Lists every policy (built-in, office files, ``--policy-dir`` folders) with its
state today and who saved and confirmed it. A supervisor can start
新建年度政策 from the policy in use (``PolicyEditorDialog``), import a file
another office exported (checked and previewed the same way before saving),
export a policy's file, and choose the policy for new enrolments. Enrolments
already made keep the policy (revision) they were quoted on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.errors import ServiceError
from services.office import office_info
from services.policy_confirmation import needs_confirmation
from services.policy_editor import (
    check_draft,
    previous_policy,
)
from services.policy_listing import PolicyListing, list_policies
from services.policy_preview import (
    PolicyPreview,
    preview,
)
from services.policy_store import (
    SavedPolicy,
    export_policy,
    load_office_book,
    office_policy_dir,
    read_import,
    save_policy_file,
    switch_policy_in_use,
)
from services.policy_types import Policy
from ui.context import AppContext
from ui.journalled_output import journal_event
from ui.models import ObjectRole
from ui.models.table_model import Column, RowsTableModel, table_view
from ui.operations import OFFICE, OperationFailed, Operations
from ui.pages.policy_editor_dialog import PolicyEditorDialog
from ui.pages.policy_editor_parts import FIGURE_COLUMNS, PREVIEW_COLUMNS, preview_splitter

log = logging.getLogger(__name__)

POLICY_COLUMNS: list[Column[PolicyListing]] = [
    Column("政策代码", lambda p: p.key),
    Column("名称", lambda p: p.name),
    Column("年度", lambda p: str(p.year)),
    Column("来源", lambda p: p.origin_label),
    Column("今天", lambda p: p.state_label),
    Column("执行", lambda p: "● 执行中" if p.in_use else ""),
    Column("保存人", lambda p: p.saved_by),
    Column("确认人", lambda p: p.confirmed_by),
]


def _ask_open_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "导入政策文件", "", "政策文件 (*.toml)")
    return Path(name) if name else None


def _ask_folder(parent: QWidget) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, "导出到文件夹")
    return Path(name) if name else None


class ImportDialog(QDialog):
    """A file from another office: its preview beside the previous year, then 保存."""

    def __init__(
        self,
        result: PolicyPreview,
        confirm: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"导入政策文件 — {result.policy_name}")
        self.resize(1000, 640)
        title = QLabel(
            f"{result.policy_name}（{result.policy}）已通过检查。对照："
            f"{result.previous_name or '无上一年度政策'}。请与通知核对后再导入。"
        )
        title.setWordWrap(True)
        self.model: RowsTableModel[Any] = RowsTableModel(
            PREVIEW_COLUMNS, self, negative=lambda r: r.new.quote is None
        )
        self.model.set_rows(result.rows)
        view = table_view(self.model, stretch=False)
        view.resizeColumnsToContents()
        self.figures: RowsTableModel[Any] = RowsTableModel(FIGURE_COLUMNS, self)
        self.figures.set_rows(result.figures)
        figures_view = table_view(self.figures, stretch=False)
        figures_view.resizeColumnsToContents()
        self.confirm_user = QLineEdit()
        self.confirm_user.setPlaceholderText("另一名主管的用户名")
        self.confirm_password = QLineEdit()
        self.confirm_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_password.setPlaceholderText("密码")
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(QLabel("第二名主管确认"))
        confirm_row.addWidget(self.confirm_user)
        confirm_row.addWidget(self.confirm_password)
        for widget in (self.confirm_user, self.confirm_password):
            widget.setVisible(confirm)
        ok = QPushButton("导入并保存(&S)")
        ok.clicked.connect(self.accept)
        cancel = QPushButton("取消")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(ok)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(preview_splitter(figures_view, view), 1)
        if confirm:
            layout.addLayout(confirm_row)
        layout.addLayout(buttons)


class PolicyTab(QWidget):
    policiesChanged = Signal()

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        ask_open_file: Callable[[QWidget], Path | None] = _ask_open_file,
        ask_folder: Callable[[QWidget], Path | None] = _ask_folder,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.ask_open_file = ask_open_file
        self.ask_folder = ask_folder
        self.office_dir = ctx.office_policy_dir or office_policy_dir(ctx.db.url)
        self.editor: PolicyEditorDialog | None = None
        self.importer: ImportDialog | None = None

        self.in_use = QLabel()
        self.in_use.setObjectName("policyInUse")
        self.in_use.setWordWrap(True)
        self.in_use.setStyleSheet("font-weight: bold;")
        self.model: RowsTableModel[PolicyListing] = RowsTableModel(
            POLICY_COLUMNS, self, muted=lambda p: p.state == "closed"
        )
        self.view = table_view(self.model, stretch=False)
        self.new_button = QPushButton("新建年度政策(&N)…")
        self.new_button.clicked.connect(self.open_editor)
        self.import_button = QPushButton("导入…")
        self.import_button.clicked.connect(lambda: self.import_file())
        self.export_button = QPushButton("导出…")
        self.export_button.clicked.connect(lambda: self.export_selected())
        self.use_button = QPushButton("设为执行政策")
        self.use_button.clicked.connect(self.use_selected)
        self.message = QLabel()
        self.message.setObjectName("policyTabMessage")
        self.message.setWordWrap(True)
        routine = QLabel(
            "每年的步骤：① 新建年度政策，按通知填写；② 检查并预览，与通知和上一年度核对；"
            "③ 保存（另一名主管确认）；④ 导出给各村（社区），各村导入；"
            "⑤ 集中缴费期开始时“设为执行政策”。已登记的参保仍按原政策补缴、退费和重打。"
        )
        routine.setWordWrap(True)
        routine.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.import_button, self.export_button, self.use_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.in_use)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(routine)
        layout.addWidget(self.message)
        ops.changed.connect(lambda topic: self.refresh() if topic == OFFICE else None)
        self.refresh()

    # --- reading ---------------------------------------------------------------------

    def current_policy(self) -> Policy | None:
        try:
            office = self.ops.read(office_info, self.ctx.office_id, parent=self)
        except OperationFailed:
            return None
        return self.ctx.policies.policies.get(office.policy_key)

    def refresh(self) -> None:
        today = self.ctx.business_date()
        try:
            rows = self.ops.read(
                list_policies,
                self.ctx.policies,
                today,
                office_dir=self.office_dir,
                office_id=self.ctx.office_id,
                parent=self,
            )
        except OperationFailed:
            return
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        current = next((r for r in rows if r.in_use), None)
        self.in_use.setText(
            f"本单位执行政策（新登记按此报价）：{current.name}（{current.key}），今天{current.state_label}"
            if current
            else "本单位的执行政策不在已加载的政策中，请新建、导入或选择一个政策。"
        )

    def selected(self) -> PolicyListing | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        row = self.model.data(index, ObjectRole)
        return row if isinstance(row, PolicyListing) else None

    def select_key(self, key: str) -> None:
        for row, listing in enumerate(self.model.rows()):
            if listing.key == key:
                self.view.selectRow(row)
                return

    # --- actions ---------------------------------------------------------------------

    def open_editor(self) -> PolicyEditorDialog | None:
        base = self.current_policy()
        selected = self.selected()
        if selected is not None:
            base = self.ctx.policies.policies.get(selected.key, base)
        if base is None:
            self._say("没有可作基础的政策。", error=True)
            return None
        dialog = PolicyEditorDialog(self.ctx, self.ops, base, self.office_dir, self)
        dialog.saved.connect(self._after_save)
        self.editor = dialog
        dialog.open()
        return dialog

    def _reload_book(self) -> None:
        self.ctx.policies = load_office_book(self.ctx.policy_dirs, self.office_dir)
        self.policiesChanged.emit()

    def _after_save(self, saved: SavedPolicy) -> None:
        self._reload_book()
        self.refresh()
        self.select_key(saved.key)
        note = f"（更正 {saved.replaced_key}，原文件保留）" if saved.replaced_key else ""
        self._say(f"已保存政策文件 {saved.key}{note}。要用于新登记，请选中后点“设为执行政策”。")

    def import_file(self, path: Path | None = None) -> ImportDialog | None:
        path = path or self.ask_open_file(self)
        if path is None:
            return None
        try:
            data = read_import(path)
            policy = check_draft(data, self.ctx.policies)
        except ServiceError as exc:
            self._say(exc.message, error=True)
            return None
        result = preview(policy, previous_policy(policy, self.ctx.policies))
        try:
            confirm = bool(self.ops.read(needs_confirmation, self.ctx.office_id, parent=self))
        except OperationFailed:
            return None
        dialog = ImportDialog(result, confirm, self)
        dialog.accepted.connect(lambda: self._save_import(data, dialog))
        self.importer = dialog
        dialog.open()
        return dialog

    def _save_import(self, data: dict[str, Any], dialog: ImportDialog) -> None:
        try:
            saved = self.ops.write(
                OFFICE,
                save_policy_file,
                parent=self,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                data=data,
                book=self.ctx.policies,
                folder=self.office_dir,
                origin="import",
                confirm_username=dialog.confirm_user.text() or None,
                confirm_password=dialog.confirm_password.text() or None,
            )
        except OperationFailed as exc:
            self._say(exc.message, error=True)
            return
        self._after_save(saved)

    def export_selected(self, folder: Path | None = None) -> Path | None:
        selected = self.selected()
        if selected is None:
            self._say("请先选中要导出的政策。", error=True)
            return None
        folder = folder or self.ask_folder(self)
        if folder is None:
            return None
        try:
            path = export_policy(self.ctx.policies.get(selected.key), folder)
        except (ServiceError, OSError) as exc:
            self._say(getattr(exc, "message", None) or f"导出失败：{exc}", error=True)
            return None
        # every export goes to the audit journal (issue 10), the policy file too
        journal_event(
            self.ctx,
            "export",
            f"policy:{selected.key}",
            {"file": str(path), "policy": selected.key},
        )
        self._say(f"已导出到 {path}。各村（社区）在“设置 → 政策 → 导入”中选择此文件。")
        return path

    def use_selected(self) -> bool:
        selected = self.selected()
        if selected is None:
            self._say("请先选中要执行的政策。", error=True)
            return False
        try:
            self.ops.write(
                OFFICE,
                switch_policy_in_use,
                parent=self,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                policy_key=selected.key,
                book=self.ctx.policies,
            )
        except OperationFailed as exc:
            self._say(exc.message, error=True)
            return False
        self._say(f"新登记自即日起按 {selected.name} 报价；此前的参保仍按原政策补缴、退费和重打。")
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c0392b;" if error else "")
