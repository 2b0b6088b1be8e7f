"""The person's tabs of the 居民 page: information changes, household, re-assessment."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from common.glossary import PAYMENT_CHANNELS, tier_label
from common.idcard import KIND_LABELS
from common.money import format_fen
from printing.change_slip import render_change_slip
from printing.receipt_job import render_receipt_job
from services.find import STATUS_COLOURS
from services.households import (
    HouseholdPayment,
    Member,
    household_members,
    household_receipt_documents,
    pay_for_household,
    record_household_prints,
)
from services.info_change_views import ChangeView, change_slip_document, history_of
from services.info_changes import HOUSEHOLD_TYPES, request_changes
from services.policy_types import Policy
from services.reassess import reassess_enrollment, reassessments_of
from services.registry import enrollments_of
from services.resident_records import EnrollmentRecord, ResidentRecord
from ui.dialogs.household_payment import HouseholdPaymentDialog
from ui.keys import page_shortcut
from ui.operations import ENROLLMENTS, LEDGER, PAYMENTS, RESIDENTS, OperationFailed
from ui.pages.resident_widgets import ResidentTab, TabServices, fill_row, table

NOTE_STYLE = "color: #1565c0;"


# --- 信息变更 -------------------------------------------------------------------------------


class ChangesTab(ResidentTab):
    """Enter a change; basic ones print the slip at once. The history below."""

    def __init__(self, services: TabServices, villages: list[tuple[str, int]]) -> None:
        super().__init__(services)
        self.resident: ResidentRecord | None = None
        self.phone = QLineEdit()
        self.address = QLineEdit()
        self.household_type = QComboBox()
        self.household_type.addItem("（未填）", "")
        for label in HOUSEHOLD_TYPES:
            self.household_type.addItem(label, label)
        self.village = QComboBox()
        for name, _vid in villages:
            self.village.addItem(name, name)
        self.household_no = QLineEdit()
        self.name = QLineEdit()
        self.document_type = QComboBox()
        for label in KIND_LABELS.values():
            self.document_type.addItem(label, label)
        self.id_number = QLineEdit()
        self.asked_by = QLineEdit()
        self.asked_by.setPlaceholderText("本人或代办人姓名")
        self.reason = QLineEdit()
        self.submit_button = QPushButton("办理变更")
        self.submit_button.clicked.connect(self.submit)
        self.result_label = QLabel("")
        self.result_label.setStyleSheet(NOTE_STYLE)
        self.result_label.setWordWrap(True)

        basic = QFormLayout()
        basic.addRow(QLabel("基本信息（即时生效，打印综合业务处理单）"))
        basic.addRow("联系电话", self.phone)
        basic.addRow("住址", self.address)
        basic.addRow("户口性质", self.household_type)
        basic.addRow("村（社区）", self.village)
        basic.addRow("户号", self.household_no)
        important = QFormLayout()
        important.addRow(QLabel("重要信息（须主管复核；身份证号须两名主管复核）"))
        important.addRow("姓名", self.name)
        important.addRow("证件类型", self.document_type)
        important.addRow("身份证号", self.id_number)
        important.addRow("申请人", self.asked_by)
        important.addRow("变更原因", self.reason)
        important.addRow(self.submit_button)
        forms = QHBoxLayout()
        forms.addLayout(basic, 1)
        forms.addLayout(important, 1)
        self.history = table(
            ("处理单号", "时间", "类型", "变更内容", "申请人", "经办", "复核", "状态")
        )
        layout = QVBoxLayout(self)
        layout.addLayout(forms)
        layout.addWidget(self.result_label)
        self.pending_label = QLabel("")
        self.pending_label.setObjectName("pendingChanges")
        self.pending_label.setStyleSheet("color: #e65100; font-weight: bold;")
        layout.addWidget(self.pending_label)
        layout.addWidget(QLabel("变更历史"))
        layout.addWidget(self.history, 1)
        self.setEnabled(False)

    def set_resident(self, record: ResidentRecord) -> None:
        self.resident = record
        self.setEnabled(True)
        self.phone.setText(record.phone)
        self.address.setText(record.address)
        self.household_type.setCurrentIndex(
            max(self.household_type.findData(record.household_type), 0)
        )
        self.village.setCurrentIndex(self.village.findData(record.village_name))
        self.household_no.setText(record.household_no)
        self.name.setText(record.name)
        self.document_type.setCurrentIndex(
            max(self.document_type.findData(record.document_type), 0)
        )
        self.id_number.setText(record.id_number)
        self.asked_by.setText(record.name)
        self.reason.clear()
        self.refresh_history()

    def changes(self) -> dict[str, str]:
        """Every field as shown; the service keeps only those that differ."""
        values = {
            "phone": self.phone.text(),
            "address": self.address.text(),
            "household_type": self.household_type.currentData() or "",
            "household_no": self.household_no.text(),
            "name": self.name.text(),
            "document_type": self.document_type.currentData() or "",
            "id_number": self.id_number.text(),
        }
        if self.village.currentIndex() >= 0:
            values["village"] = self.village.currentData()
        return values

    def submit(self) -> None:
        if self.resident is None:
            return
        try:
            done: list[ChangeView] = self.ops.write(
                RESIDENTS,
                request_changes,
                resident_id=self.resident.id,
                changes=self.changes(),
                asked_by=self.asked_by.text(),
                reason=self.reason.text(),
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                parent=self,
            )
        except OperationFailed as exc:
            self.result_label.setText(exc.message)
            return
        lines = []
        for change in done:
            what = "、".join(i.label for i in change.items)
            lines.append(f"{change.slip_no}：{what} — {change.status_label}")
            self.print_slip(change.id)
        self.result_label.setText("；".join(lines))

    def print_slip(self, change_id: int) -> None:
        try:
            data = self.ops.read(change_slip_document, change_id, parent=self)
        except OperationFailed:
            return
        self.documents.present(
            "change_slip", f"综合业务处理单 {data.slip_no}", render_change_slip(data), self
        )

    def refresh_history(self) -> None:
        if self.resident is None:
            return
        try:
            changes = self.ops.read(history_of, self.resident.id, parent=self)
        except OperationFailed:
            return
        pending = [c for c in changes if c.status == "pending"]
        self.pending_label.setText(
            "待复核："
            + "；".join(f"{c.slip_no}（{'、'.join(i.label for i in c.items)}）" for c in pending)
            + "，复核通过后生效。"
            if pending
            else ""
        )
        self.history.setRowCount(len(changes))
        for row, c in enumerate(changes):
            what = "；".join(f"{i.label}：{i.old_text or '（空）'} → {i.new_text}" for i in c.items)
            state = c.status_label + (f"（{c.reject_reason}）" if c.reject_reason else "")
            fill_row(
                self.history,
                row,
                (
                    c.slip_no,
                    f"{c.created_at:%Y-%m-%d %H:%M}",
                    c.level_label,
                    what,
                    c.asked_by,
                    c.created_by_name,
                    c.reviewers or c.rejected_by_name,
                    state,
                ),
            )


# --- 家庭 ---------------------------------------------------------------------------------


class HouseholdTab(ResidentTab):
    """The members on the same 户号 and one agent paying for several of them."""

    personRequested = Signal(int)

    def __init__(self, services: TabServices, year: int) -> None:
        super().__init__(services)
        self.year = year
        self.members: list[Member] = []
        self.dialog: HouseholdPaymentDialog | None = None
        self.last_payment: HouseholdPayment | None = None
        self.title = QLabel("")
        self.table = table(("姓名", "身份证号", "村（社区）", "档次", "应缴", "本年度状态"))
        self.table.doubleClicked.connect(self._open_member)
        self.pay_button = QPushButton("代缴全部待缴费成员（Ctrl+J）")
        self.pay_button.clicked.connect(self.pay)
        self.result_label = QLabel("")
        self.result_label.setStyleSheet(NOTE_STYLE)
        self.result_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.pay_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.result_label)
        page_shortcut(self, "Ctrl+J", self.pay)
        self.setEnabled(False)

    def set_resident(self, record: ResidentRecord) -> None:
        self.setEnabled(bool(record.household_no))
        if not record.household_no:
            self.members = []
            self.table.setRowCount(0)
            self.title.setText("该居民没有户号；在“信息变更”中填写户号后可按户办理。")
            return
        try:
            self.members = self.ops.read(
                household_members, record.household_no, self.year, parent=self
            )
        except OperationFailed:
            return
        self.title.setText(
            f"户号 {record.household_no}：{len(self.members)} 人（{self.year} 年度）"
        )
        self.table.setRowCount(len(self.members))
        for row, m in enumerate(self.members):
            fill_row(
                self.table,
                row,
                (
                    m.name,
                    m.id_number,
                    m.village_name,
                    tier_label(m.tier) if m.tier else "",
                    format_fen(m.due_fen) if m.status else "",
                    m.status_label,
                ),
                STATUS_COLOURS.get(m.status, STATUS_COLOURS[""]),
            )
        self.pay_button.setEnabled(any(m.payable for m in self.members))

    def _open_member(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.members):
            self.personRequested.emit(self.members[row].resident_id)

    def pay(self) -> None:
        """One confirmation for everyone payable (the refused ones named in it)."""
        if not self.members:
            return
        self.dialog = HouseholdPaymentDialog(self.members, list(PAYMENT_CHANNELS.items()), self)
        self.dialog.accepted.connect(self._pay_confirmed)
        self.dialog.open()

    def _pay_confirmed(self) -> None:
        dialog = self.dialog
        assert dialog is not None
        try:
            result: HouseholdPayment = self.ops.write(
                (PAYMENTS, ENROLLMENTS, LEDGER),
                pay_for_household,
                self.ctx.policies,
                members=self.members,
                channel=dialog.channel(),
                agent_name=dialog.agent_name(),
                reference=dialog.reference(),
                operator_id=self.ctx.operator_id,
                parent=self,
            )
        except OperationFailed as exc:
            self.result_label.setText(exc.message)
            return
        self.last_payment = result
        text = f"已为 {len(result.paid)} 人缴费，合计 {format_fen(result.total_fen)} 元"
        change = dialog.change_fen(result.total_fen)
        if change is not None:
            text += f"，找零 {format_fen(change)} 元"
        if result.refused:
            text += "。未缴：" + "；".join(reason for _n, reason in result.refused)
        self.result_label.setText(text)
        self.print_receipts(result)

    def print_receipts(self, result: HouseholdPayment) -> None:
        ids = [p.receipt_id for p in result.paid if p.receipt_id is not None]
        if not ids:
            return
        try:
            docs = self.ops.read(household_receipt_documents, self.ctx.policies, ids, parent=self)
        except OperationFailed:
            return
        pdf = render_receipt_job(docs)
        title = f"收据 {docs[0].receipt_no} 至 {docs[-1].receipt_no}（共 {len(docs)} 张）"

        def printed() -> None:
            try:
                self.ops.write(
                    PAYMENTS,
                    record_household_prints,
                    receipt_ids=ids,
                    operator_id=self.ctx.operator_id,
                    parent=self,
                )
            except OperationFailed:
                pass  # shown to the clerk already

        self.documents.present("receipt", title, pdf, self, printed)


# --- 重新核定 -------------------------------------------------------------------------------


class ReassessTab(ResidentTab):
    """Change the category or tier of the person's unpaid enrolment of the year."""

    def __init__(self, services: TabServices, policy: Policy) -> None:
        super().__init__(services)
        self.policy = policy
        self.enrollment: EnrollmentRecord | None = None
        self.current = QLabel("")
        self.category = QComboBox()
        for key, category in policy.categories.items():
            self.category.addItem(category.label, key)
        self.tier = QComboBox()
        for key, tier in policy.tiers.items():
            self.tier.addItem(tier.label, key)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：居民改选高档")
        self.button = QPushButton("重新核定（作废原通知单，开具新通知单）")
        self.button.clicked.connect(self.reassess)
        self.result_label = QLabel("")
        self.result_label.setStyleSheet(NOTE_STYLE)
        self.result_label.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("当前登记", self.current)
        form.addRow("参保类别", self.category)
        form.addRow("缴费档次", self.tier)
        form.addRow("原因", self.reason)
        form.addRow(self.button)
        form.addRow(self.result_label)
        self.past = QLabel("")
        self.past.setWordWrap(True)
        form.addRow("核定记录", self.past)
        self.setEnabled(False)

    def set_resident(self, record: ResidentRecord) -> None:
        try:
            enrolments = self.ops.read(enrollments_of, record.id, parent=self)
        except OperationFailed:
            return
        year = [e for e in enrolments if e.policy_year == self.policy.year]
        live = [e for e in year if e.status in ("registered", "paid")]
        self.enrollment = live[0] if live else None
        self.result_label.clear()
        if self.enrollment is None:
            refunded = "（原登记已退费，请在“登记”页新办）" if year else ""
            self.current.setText(f"{self.policy.year} 年度没有有效的参保登记{refunded}")
            self.setEnabled(False)
            return
        e = self.enrollment
        try:
            past = self.ops.read(reassessments_of, e.id, parent=self)
        except OperationFailed:
            past = []
        self.past.setText(
            "\n".join(
                f"{r.created_at:%Y-%m-%d %H:%M} {r.operator_name}：{tier_label(r.old_tier)} "
                f"{format_fen(r.old_due_fen)} 元 → {tier_label(r.new_tier)} "
                f"{format_fen(r.new_due_fen)} 元" + (f"（{r.reason}）" if r.reason else "")
                for r in past
            )
            or "无"
        )
        status = {"registered": "待缴费", "paid": "已缴费"}[e.status]
        self.current.setText(
            f"{self.policy.categories[e.category].label if e.category in self.policy.categories else e.category}"
            f"　{tier_label(e.tier)}　应缴 {format_fen(e.personal_due_fen)} 元　{status}"
        )
        self.category.setCurrentIndex(max(self.category.findData(e.category), 0))
        self.tier.setCurrentIndex(max(self.tier.findData(e.tier), 0))
        self.setEnabled(e.status == "registered")
        if e.status == "paid":
            self.result_label.setText("已缴费：如需改档，请先作废收据（当日）或办理退费。")

    def reassess(self) -> None:
        if self.enrollment is None:
            return
        try:
            result = self.ops.write(
                (ENROLLMENTS, PAYMENTS),
                reassess_enrollment,
                self.ctx.policies,
                enrollment_id=self.enrollment.id,
                category=self.category.currentData(),
                tier=self.tier.currentData(),
                operator_id=self.ctx.operator_id,
                reason=self.reason.text(),
                parent=self,
            )
        except OperationFailed as exc:
            self.result_label.setText(exc.message)
            return
        text = (
            f"已重新核定：{tier_label(result.old_tier)} {format_fen(result.old_due_fen)} 元 → "
            f"{tier_label(result.new_tier)} {format_fen(result.new_due_fen)} 元"
        )
        if result.cancelled_notice_no:
            text += f"；原通知单 {result.cancelled_notice_no} 已作废"
        if result.new_notice_no:
            text += f"，新通知单 {result.new_notice_no}"
        self.result_label.setText(text)
