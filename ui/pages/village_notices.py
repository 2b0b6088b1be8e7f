"""批量打印缴费通知单: the notices of a whole village in one PDF.

The clerk picks a village; every unpaid enrolment of the office's policy year
gets its notice (a valid one is reused, never issued twice), then the PDF is
built a few notices at a time with a progress dialog that can be cancelled,
and handed to the same print output as every other document.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from common.errors import InputError
from services.documents import notice_documents
from services.notices import issue_village_notices
from services.office import office_info
from ui.context import AppContext
from ui.operations import ENROLLMENTS, OperationFailed, Operations
from ui.pages.collect_dialogs import _FormDialog
from ui.printing.batch_print import BatchPrintDialog
from ui.printing_bridge import DocumentOutput


class VillageChoiceDialog(_FormDialog):
    def __init__(self, villages: list[tuple[int, str]], year: int, parent: QWidget | None) -> None:
        super().__init__(
            "按村批量打印缴费通知单",
            f"为所选村（社区）每位尚未缴费的 {year} 年度参保人打印缴费通知单；"
            "已开具且有效的通知单直接重打，不重复开具。",
            parent,
        )
        self.village = QComboBox()
        self.village.setObjectName("batchVillage")
        for village_id, name in villages:
            self.village.addItem(name, village_id)
        self.form.addRow("村（社区）", self.village)
        self.set_ok_text("生成通知单")
        self.enter_chain.set_fields([self.village], self.try_submit)
        self.village.setFocus()

    def values(self) -> dict:
        if self.village.currentData() is None:
            raise InputError("本单位还没有村（社区），请先在“设置”中添加。", code="no_village")
        return {"village_id": self.village.currentData(), "village": self.village.currentText()}


class VillageNoticeBatch(QObject):
    """Drives the choice dialog, the notices and the progress dialog."""

    message = Signal(str)
    dialogOpened = Signal(object)  # every dialog, so tests can drive it

    def __init__(
        self, ctx: AppContext, ops: Operations, documents: DocumentOutput, widget: QWidget
    ) -> None:
        super().__init__(widget)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.widget = widget
        self.dialog: QWidget | None = None

    def start(self) -> VillageChoiceDialog | None:
        try:
            office = self.ops.read(office_info, self.ctx.office_id, parent=self.widget)
        except OperationFailed:
            return None
        year = self.ctx.policies.get(office.policy_key).year
        villages = [(v.id, v.name) for v in office.villages if v.active]
        dialog = VillageChoiceDialog(villages, year, self.widget)
        dialog.submitted.connect(lambda values: self._chosen(values, year))
        self._show(dialog)
        dialog.open()
        return dialog

    def _chosen(self, values: dict, year: int) -> None:
        try:
            notice_ids = self.ops.write(
                ENROLLMENTS,
                issue_village_notices,
                self.ctx.policies,
                office_id=self.ctx.office_id,
                village_id=values["village_id"],
                policy_year=year,
                operator_id=self.ctx.operator_id,
                parent=self.widget,
            )
            notices = self.ops.read(
                notice_documents, self.ctx.policies, notice_ids, parent=self.widget
            )
        except OperationFailed:
            return
        if not notices:
            self.message.emit(
                f"{values['village']}没有待缴费的 {year} 年度参保人，无需打印通知单。"
            )
            return
        title = f"{values['village']} {year} 年度缴费通知单（{len(notices)} 份）"
        progress = BatchPrintDialog(notices, self.widget, open_preview=False, title=title)
        progress.pdf_ready.connect(
            lambda pdf: self.documents.present("notices", title, pdf, self.widget)
        )
        progress.pdf_ready.connect(
            lambda _pdf: self.message.emit(f"已生成{title}，共 {len(notices)} 份。")
        )
        progress.cancelled_by_clerk.connect(
            lambda done, total: self.message.emit(
                f"已取消：生成了 {done}/{total} 份，未打印；通知单已开具，可随时重打。"
            )
        )
        self._show(progress)
        progress.start()

    def _show(self, dialog: QWidget) -> None:
        self.dialog = dialog
        self.dialogOpened.emit(dialog)
