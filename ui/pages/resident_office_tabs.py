"""The office-wide tabs of the 居民 page: the review list and the renewal list."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from common.glossary import tier_label
from common.money import format_fen
from printing.renewal_list import render_renewal_list
from services.info_change_views import ChangeView, pending_changes
from services.info_changes import review_change
from services.policy_types import Policy
from services.renewal import (
    RenewalRow,
    renew,
    renewal_list,
    renewal_list_document,
    renewal_proposal,
)
from ui.keys import page_shortcut
from ui.operations import ENROLLMENTS, RESIDENTS, OperationFailed
from ui.pages.resident_widgets import ResidentTab, TabServices, fill_row, table

NOTE_STYLE = "color: #1565c0;"


class ReviewTab(ResidentTab):
    """待复核: changes waiting for a supervisor; approve, or reject with a reason."""

    def __init__(self, services: TabServices) -> None:
        super().__init__(services)
        ctx = self.ctx
        self.changes: list[ChangeView] = []
        assert ctx.session is not None
        self.table = table(("处理单号", "居民", "类型", "变更内容", "录入", "已复核", "状态"))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("驳回原因（驳回时必填）")
        self.approve_button = QPushButton("复核通过")
        self.approve_button.clicked.connect(lambda: self.review(True))
        self.reject_button = QPushButton("驳回")
        self.reject_button.clicked.connect(lambda: self.review(False))
        self.result_label = QLabel("")
        self.result_label.setStyleSheet(NOTE_STYLE)
        self.result_label.setWordWrap(True)
        who = QLabel(
            "复核人：" + ctx.session.operator_name
            if ctx.session.is_supervisor
            else "只有主管可以复核；请主管登录后办理。"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        for button in (self.approve_button, self.reject_button):
            button.setEnabled(ctx.session.is_supervisor)

    def refresh(self) -> None:
        try:
            self.changes = self.ops.read(pending_changes, self.ctx.office_id, parent=self)
        except OperationFailed:
            return
        self.table.setRowCount(len(self.changes))
        for row, c in enumerate(self.changes):
            what = "；".join(f"{i.label}：{i.old_text} → {i.new_text}" for i in c.items)
            fill_row(
                self.table,
                row,
                (
                    c.slip_no,
                    f"{c.resident_name} {c.id_number}",
                    c.level_label,
                    what,
                    c.created_by_name,
                    c.reviewers,
                    c.status_label,
                ),
                "#e65100",
            )
        if self.changes and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def review(self, approve: bool) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.changes):
            return
        change = self.changes[row]
        try:
            done = self.ops.write(
                RESIDENTS,
                review_change,
                change_id=change.id,
                reviewer_id=self.ctx.operator_id,
                approve=approve,
                reason=self.reason.text(),
                parent=self,
            )
        except OperationFailed as exc:
            self.result_label.setText(exc.message)
            return
        self.reason.clear()
        self.result_label.setText(f"{done.slip_no}：{done.status_label}")
        self.refresh()


class RenewalTab(ResidentTab):
    """续保名单: a village's payers of last year not yet enrolled; Enter renews one."""

    personRequested = Signal(int)

    def __init__(
        self, services: TabServices, policy: Policy, villages: list[tuple[str, int]]
    ) -> None:
        super().__init__(services)
        self.policy = policy
        self.rows: list[RenewalRow] = []
        self.village = QComboBox()
        self.village.addItem("全部村（社区）", None)
        for name, vid in villages:
            self.village.addItem(name, vid)
        self.show_button = QPushButton("生成名单")
        self.show_button.clicked.connect(self.refresh)
        self.print_button = QPushButton("打印名单")
        self.print_button.clicked.connect(self.print_list)
        self.renew_button = QPushButton("续保登记所选（Ctrl+Enter）")
        self.renew_button.clicked.connect(self.renew_selected)
        self.title = QLabel(f"{policy.year - 1} 年度已缴费、{policy.year} 年度尚未参保的居民")
        self.table = table(("姓名", "身份证号", "户号", "联系电话", "上年类别/档次", "上年缴费"))
        self.table.doubleClicked.connect(self._open_person)
        self.table.itemSelectionChanged.connect(self.show_proposal)
        self.proposal_label = QLabel("")
        self.proposal_label.setWordWrap(True)
        self.result_label = QLabel("")
        self.result_label.setStyleSheet(NOTE_STYLE)
        self.result_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("村（社区）"))
        top.addWidget(self.village)
        top.addWidget(self.show_button)
        top.addWidget(self.print_button)
        top.addStretch(1)
        top.addWidget(self.renew_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.proposal_label)
        layout.addWidget(self.result_label)
        page_shortcut(self, "Ctrl+Return", self.renew_selected)

    def select_village(self, village_id: int | None) -> None:
        self.village.setCurrentIndex(max(self.village.findData(village_id), 0))

    def refresh(self) -> None:
        try:
            self.rows = self.ops.read(
                renewal_list,
                office_id=self.ctx.office_id,
                village_id=self.village.currentData(),
                last_year=self.policy.year - 1,
                year=self.policy.year,
                parent=self,
            )
        except OperationFailed:
            return
        self.title.setText(
            f"{self.policy.year - 1} 年度已缴费、{self.policy.year} 年度尚未参保：{len(self.rows)} 人"
        )
        self.table.setRowCount(len(self.rows))
        for row, r in enumerate(self.rows):
            label = (
                self.policy.categories[r.last_category].label
                if r.last_category in self.policy.categories
                else r.last_category
            )
            fill_row(
                self.table,
                row,
                (
                    r.name,
                    r.id_number,
                    r.household_no,
                    r.phone,
                    f"{label}/{tier_label(r.last_tier)}",
                    format_fen(r.last_due_fen),
                ),
            )
        if self.rows:
            self.table.selectRow(0)

    def print_list(self) -> None:
        try:
            data = self.ops.read(
                renewal_list_document,
                self.ctx.policies,
                office_id=self.ctx.office_id,
                village_id=self.village.currentData(),
                policy_key=self.policy.key,
                printed_at=self.ctx.clock.now(),
                parent=self,
            )
        except OperationFailed:
            return
        self.documents.present(
            "renewal_list", f"续保名单 {data.village}", render_renewal_list(data), self
        )

    def _label(self, category: str) -> str:
        known = self.policy.categories
        return known[category].label if category in known else category

    def show_proposal(self) -> None:
        """What Ctrl+Enter will enrol: last year's choice, re-checked for this year."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            self.proposal_label.clear()
            return
        try:
            p = self.ops.read(
                renewal_proposal,
                self.policy,
                resident_id=self.rows[row].resident_id,
                today=self.ctx.business_date(),
                parent=self,
            )
        except OperationFailed as exc:
            self.proposal_label.setText(exc.message)
            return
        if p.problem:
            self.proposal_label.setText(f"{p.name}：{p.problem}")
            self.proposal_label.setStyleSheet("color: #c62828;")
            return
        assert p.quote is not None
        moved = (
            f"（上年{self._label(p.last_category)}，按年龄改为{self._label(p.category)}）"
            if p.category_changed
            else ""
        )
        self.proposal_label.setStyleSheet("")
        self.proposal_label.setText(
            f"续保确认：{p.name}　{self._label(p.category)}　{tier_label(p.quote.tier)}"
            f"　应缴 {format_fen(p.quote.personal_due_fen)} 元{moved}　— 按 Ctrl+Enter 登记"
        )

    def _open_person(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.personRequested.emit(self.rows[row].resident_id)

    def renew_selected(self) -> None:
        """Enrol the selected person on last year's choice, re-checked for this year."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            return
        person = self.rows[row]
        try:
            record, q = self.ops.write(
                (RESIDENTS, ENROLLMENTS),
                renew,
                self.ctx.policies,
                policy_key=self.policy.key,
                resident_id=person.resident_id,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                parent=self,
            )
        except OperationFailed as exc:
            self.result_label.setText(f"{person.name}：{exc.message}")
            return
        moved = (
            f"（上年{self._label(person.last_category)}，按年龄改为{self._label(record.category)}）"
            if record.category != person.last_category
            else ""
        )
        self.result_label.setText(
            f"{person.name} 已续保登记：{tier_label(record.tier)}，"
            f"应缴 {format_fen(q.personal_due_fen)} 元{moved}"
        )
        self.refresh()
