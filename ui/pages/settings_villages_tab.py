"""设置 › 村（社区）: the office's villages and their enrolment targets."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from services.office import VillageInfo, add_village, set_village_target
from ui.context import AppContext
from ui.models import ObjectRole
from ui.models.table_model import RIGHT, Column, RowsTableModel, table_view
from ui.operations import Operations
from ui.pages.settings_tab import SettingsTab
from ui.widgets.enter_chain import EnterChain

NO_TARGET = -1  # the target spin box's "未设" value

VILLAGE_COLUMNS: list[Column[VillageInfo]] = [
    Column("村（社区）", lambda v: v.name),
    Column("参保目标（人）", lambda v: str(v.target) if v.target is not None else "未设", RIGHT),
    Column("状态", lambda v: "在用" if v.active else "停用"),
]


def target_spin() -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(NO_TARGET, 1_000_000)
    spin.setSpecialValueText("未设")
    spin.setValue(NO_TARGET)
    spin.setSuffix(" 人")
    return spin


class VillagesTab(SettingsTab):
    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ctx, ops, parent)
        self.villages = RowsTableModel(VILLAGE_COLUMNS, self, muted=lambda v: not v.active)
        self.village_view = table_view(self.villages)
        self.village_view.selectionModel().currentRowChanged.connect(self._village_selected)
        self.new_village = QLineEdit()
        self.new_village.setPlaceholderText("新村（社区）名称")
        self.new_target = target_spin()
        self.add_village_button = QPushButton("添加(&A)")
        self.add_village_button.clicked.connect(self.add_village)
        self.target = target_spin()
        self.target_button = QPushButton("设定所选村的目标(&T)")
        self.target_button.clicked.connect(self.set_target)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_village, 1)
        add_row.addWidget(QLabel("目标"))
        add_row.addWidget(self.new_target)
        add_row.addWidget(self.add_village_button)
        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("所选村（社区）目标"))
        target_row.addWidget(self.target)
        target_row.addWidget(self.target_button)
        target_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.village_view, 1)
        layout.addLayout(target_row)
        layout.addLayout(add_row)
        self.village_chain = EnterChain(self)
        self.village_chain.set_fields([self.new_village, self.new_target], self.add_village)
        self.target_chain = EnterChain(self)
        self.target_chain.set_fields([self.target], self.set_target)

    def show_villages(self, villages: Sequence[VillageInfo]) -> None:
        self.villages.set_rows(villages)

    def add_village(self) -> None:
        target = self.new_target.value()
        if self.write(
            add_village,
            f"已添加“{self.new_village.text().strip()}”。",
            office_id=self.ctx.office_id,
            name=self.new_village.text(),
            operator_id=self.ctx.operator_id,
            target=None if target == NO_TARGET else target,
        ):
            self.new_village.clear()
            self.new_target.setValue(NO_TARGET)
            self.new_village.setFocus()

    def set_target(self) -> None:
        village = self.selected(self.village_view)
        if village is None:
            self.say("请先在表中选择一个村（社区）。", error=True)
            return
        target = self.target.value()
        self.write(
            set_village_target,
            f"“{village.name}”的目标已设定。",
            village_id=village.id,
            target=None if target == NO_TARGET else target,
            operator_id=self.ctx.operator_id,
        )

    def _village_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        village = current.data(ObjectRole) if current.isValid() else None
        if village is not None:
            self.target.setValue(village.target if village.target is not None else NO_TARGET)
