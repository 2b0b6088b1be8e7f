"""登记 — register a resident and enrol them for the office's policy year.

Type or scan the ID number (a scanner types 18 characters and Enter): sex,
birth date and document type fill in, and a resident already on the register
brings their name, phone and village along. Choose the category and the tier;
the table on the right shows what every tier costs and covers, side by side,
as of today. Ctrl+S (or Enter on 保存登记) saves through ``ops.write``; a
refusal (a second enrolment in the same year, say) is shown in the clerk's
words and nothing is written. After saving, 去缴费 (F9) opens the collect page
with the new enrolment selected.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.errors import ServiceError
from common.idcard import ParsedId
from services.eligibility import ELIGIBILITY_DOCUMENTS, suggested_document
from services.office import OfficeInfo, office_info
from services.policy_types import Policy
from services.quote import fitting_category, tiers_for
from services.registry import (
    ResidentInput,
    enrollments_of,
    find_by_id_number,
    register_and_enroll,
)
from services.resident_records import EnrollmentRecord, ResidentRecord
from ui.context import AppContext
from ui.keys import page_shortcut
from ui.operations import (
    ENROLLMENTS,
    OFFICE,
    RESIDENTS,
    ChangeSet,
    OperationFailed,
    Operations,
)
from ui.pages.base import Page
from ui.pages.register_boxes import QuoteTableBox, ResultFrame, VillageChooser
from ui.pages.register_parts import (
    FactsBox,
    ManualIdentityBox,
    age_text,
    fill_eligibility,
)
from ui.widgets.enter_chain import EnterChain
from ui.widgets.form import Form
from ui.widgets.id_input import IdNumberInput

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c62828;"


def _line(name: str, max_length: int) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setMaxLength(max_length)
    return edit


class RegisterPage(Page):
    collectRequested = Signal(int)  # enrollment id
    registered = Signal(int)  # enrollment id

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ctx, ops, parent)
        self.office: OfficeInfo | None = None
        self.policy: Policy | None = None
        self.last_enrollment_id: int | None = None
        self.known_resident: ResidentRecord | None = None
        self._category_touched = False
        self._build()
        self.load_office()
        # one change set per write (ui/operations.py): the form shows the office's
        # villages and policy, nothing that a payment changes
        self.watch({OFFICE}, self._on_changes)

    # --- building -----------------------------------------------------------------

    def _build(self) -> None:
        self.policy_label = QLabel()
        self.policy_label.setObjectName("policyLabel")
        self.policy_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.save_button = QPushButton("保存登记（Ctrl+S）")
        self.save_button.setObjectName("saveButton")
        self.save_button.setMinimumHeight(34)
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton("清空（Ctrl+N）")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.clear_button.clicked.connect(self.new_registration)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button, 2)
        buttons.addWidget(self.clear_button, 1)
        self.result_frame = ResultFrame()
        self.result_label = self.result_frame.result_label
        self.result_frame.collect_button.clicked.connect(self.go_collect)
        person, choice = self._build_person(), self._build_choice()
        self.error_label = self.person_form.error
        self.error_label.setObjectName("registerError")
        left = QVBoxLayout()
        for widget in (self.policy_label, person, choice):
            left.addWidget(widget)
        left.addLayout(buttons)
        left.addWidget(self.error_label)
        left.addWidget(self.result_frame)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(500)
        self.table_box = QuoteTableBox()
        self.tier_table = self.table_box.tier_table
        self.tier_table.tierClicked.connect(self.choose_tier)
        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addWidget(self.table_box, 1)
        self._build_keys()

    def _build_person(self) -> QGroupBox:
        """参保人信息: the ID number first, then what a known resident brings along."""
        form = self.person_form = Form(self)
        self.id_input = form.field("证件号码", IdNumberInput(today=self.ctx.business_date))
        self.id_input.parsed.connect(self._on_id_parsed)
        self.id_input.cleared.connect(self._on_id_cleared)
        self.id_input.rejected.connect(lambda _m: self._on_id_cleared())
        self.id_input.manualNeeded.connect(self._on_manual_needed)
        form.row("", self.id_input.message_label)
        self.manual_identity = ManualIdentityBox()
        self.manual_identity.changed.connect(self._on_manual_changed)
        self.manual_identity.hide()
        form.row("", self.manual_identity)
        self.name = form.field("姓名", _line("residentName", 32))
        self.identity_label = QLabel("—")
        self.identity_label.setObjectName("identityLabel")
        form.row("性别/出生", self.identity_label)
        self.known_label = QLabel()
        self.known_label.setObjectName("knownResident")
        self.known_label.setWordWrap(True)
        self.known_label.hide()
        form.row("", self.known_label)
        self.phone = form.field("联系电话", _line("residentPhone", 20))
        self.villages = VillageChooser()
        self.village, self.village_filter = self.villages.village, self.villages.village_filter
        form.row("村（社区）", self.villages)
        form.chained.append(self.village)
        self.address = form.field("住址", _line("residentAddress", 200))
        self.household_no = form.field("户号", _line("residentHouseholdNo", 40))
        self.household_no.setPlaceholderText("户口簿户号（可不填）")
        person = QGroupBox("参保人信息")
        person.setLayout(form.layout)
        return person

    def _build_choice(self) -> QGroupBox:
        """参保选择: category, tier, the eligibility document and the facts that move the price."""
        form = self.choice_form = Form(self)
        self.category = form.field("参保类别", QComboBox())
        self.category.setObjectName("categoryCombo")
        self.category.activated.connect(self._on_category_chosen)
        self.category.currentIndexChanged.connect(self._on_category_changed)
        self.tier = form.field("缴费档次", QComboBox())
        self.tier.setObjectName("tierCombo")
        self.tier.setPlaceholderText("请选择档次")
        self.tier.currentIndexChanged.connect(self._on_tier_changed)
        self.eligibility = form.field("资格依据", QComboBox())
        self.eligibility.setObjectName("eligibilityCombo")
        fill_eligibility(self.eligibility)
        self.facts_box = FactsBox()
        self.facts_box.changed.connect(self.refresh_quotes)
        form.layout.addRow(self.facts_box)
        choice = QGroupBox("参保选择")
        choice.setLayout(form.layout)
        return choice

    def _build_keys(self) -> None:
        """Enter moves field to field and saves on the button; the page's shortcuts."""
        EnterChain.mark_custom(self.id_input)
        self.enter_chain = self.person_form.on_enter(
            self.save, *self.choice_form.chained, *self.facts_box.fields, self.save_button
        )
        self.id_input.accepted.connect(lambda: self.enter_chain.advance_from(self.id_input))
        for seq, slot in (
            ("Ctrl+S", self.save),
            ("Ctrl+N", self.new_registration),
            # F8 is the 居民 page's key; B for 补缴
            ("Ctrl+B", lambda: self.facts_box.set_expanded(not self.facts_box.body.isVisible())),
            ("F9", self.go_collect),
        ):
            page_shortcut(self, seq, slot)

    # --- office and policy ------------------------------------------------------------

    def load_office(self) -> None:
        try:
            office = self.ops.read(office_info, self.ctx.office_id, parent=self)
        except OperationFailed as exc:
            self._fatal(exc.message)
            return
        self.office = office
        try:
            self.policy = self.ctx.policies.get(office.policy_key)
        except ServiceError as exc:
            self.policy = None
            self._fatal(f"本单位执行的政策无法使用：{exc.message}")
            return
        self.policy_label.setText(f"参保登记 — {self.policy.name}")
        self.facts_box.set_policy(self.policy)
        self.villages.set_office(office)
        current_category = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        for key, category in self.policy.categories.items():
            self.category.addItem(category.label, key)
        index = self.category.findData(current_category or "adult")
        self.category.setCurrentIndex(max(index, 0))
        self.category.blockSignals(False)
        self.save_button.setEnabled(True)
        self._refill_tiers()

    def _fatal(self, message: str) -> None:
        self.policy_label.setText(message)
        self.policy_label.setStyleSheet("font-size: 15px; font-weight: bold; " + ERROR_STYLE)
        self.save_button.setEnabled(False)

    def _on_changes(self, _changes: ChangeSet) -> None:
        self.load_office()

    # --- reacting to input ------------------------------------------------------------------

    def _on_id_parsed(self, parsed: ParsedId) -> None:
        today = self.ctx.business_date()
        sex = "男" if parsed.sex == "M" else "女"
        self.identity_label.setText(
            f"{sex}　{parsed.birth_date:%Y-%m-%d}（{age_text(parsed.birth_date, today)}）"
            f"　{parsed.kind_label}"
        )
        self.manual_identity.setVisible(parsed.manual)
        self._look_up(parsed)
        suggested = suggested_document(parsed.kind)
        if suggested is not None and self.eligibility.currentData() is None:
            self.eligibility.setCurrentIndex(self.eligibility.findData(suggested))
        if not self._category_touched:
            self._suggest_category(parsed)
        self._refill_tiers()

    def _on_manual_needed(self, _number: str) -> None:
        """A 2017 foreign permanent residence card: birth date and sex by hand."""
        self.manual_identity.show()
        if self.manual_identity.values() is not None:
            self._on_manual_changed()

    def _on_manual_changed(self) -> None:
        self.id_input.set_manual_identity(self.manual_identity.values())
        self.id_input.reparse()

    def _on_id_cleared(self) -> None:
        self.identity_label.setText("—")
        self.known_resident = None
        self.known_label.hide()
        self.refresh_quotes()

    def _look_up(self, parsed: ParsedId) -> None:
        """A resident already on the register: bring their details along."""
        self.known_resident = None
        self.known_label.hide()
        try:
            found = self.ops.read(
                find_by_id_number, parsed.number, today=self.ctx.business_date(), parent=self
            )
            enrolments = self.ops.read(enrollments_of, found.id) if found is not None else []
        except OperationFailed:
            return
        if found is None:
            return
        self.known_resident = found
        self.name.setText(found.name)
        if found.phone:
            self.phone.setText(found.phone)
        if found.address:
            self.address.setText(found.address)
        if found.household_no:
            self.household_no.setText(found.household_no)
        index = self.village.findData(found.village_id)
        if index >= 0:
            self.village.setCurrentIndex(index)
        text = f"已在册居民：{found.name}（{found.village_name or '未指定村'}）。"
        same_year = [
            e for e in enrolments if self.policy is not None and e.policy_year == self.policy.year
        ]
        style = "color: #1565c0;"
        if same_year:
            e = same_year[0]
            text += (
                f"已于 {e.created_at:%Y-%m-%d} 在{e.office_name or '其他单位'}登记 "
                f"{e.policy_year} 年度参保，不能重复登记。"
            )
            style = ERROR_STYLE
            self.last_enrollment_id = e.id
        self.known_label.setText(text)
        self.known_label.setStyleSheet(style)
        self.known_label.show()

    def _suggest_category(self, parsed: ParsedId) -> None:
        """The age category the person fits (newborn, minor or adult); the clerk may
        choose another that fits (student, a subsidised group)."""
        if self.policy is None:
            return
        key = fitting_category(self.policy, self.ctx.business_date(), parsed.birth_date)
        index = self.category.findData(key)
        if index >= 0:
            self.category.setCurrentIndex(index)

    def _on_category_chosen(self, _index: int) -> None:
        self._category_touched = True

    def _on_category_changed(self, _index: int) -> None:
        self._refill_tiers()

    def _on_tier_changed(self, _index: int) -> None:
        self.tier_table.set_chosen(self.tier.currentData())
        self._show_note()

    def choose_tier(self, tier: str) -> None:
        index = self.tier.findData(tier)
        if index >= 0:
            self.tier.setCurrentIndex(index)

    def _facts(self):  # type: ignore[no-untyped-def]
        parsed = self.id_input.result
        return self.facts_box.facts(parsed.birth_date if parsed is not None else None)

    def _refill_tiers(self) -> None:
        """The tiers the category may choose (a student of 18 outside school: as adult)."""
        if self.policy is None:
            return
        category = self.category.currentData()
        chosen = self.tier.currentData()
        self.tier.blockSignals(True)
        self.tier.clear()
        if category is not None:
            try:
                keys = tiers_for(self.policy, category, self.ctx.business_date(), self._facts())
            except ServiceError:
                keys = list(self.policy.categories[category].tiers)
            for key in keys:
                self.tier.addItem(self.policy.tiers[key].label, key)
            default = self.policy.categories[category].default_tier
            if chosen in keys:
                self.tier.setCurrentIndex(keys.index(chosen))
            elif len(keys) == 1:
                self.tier.setCurrentIndex(0)
            elif default in keys:
                self.tier.setCurrentIndex(keys.index(default))
            else:
                self.tier.setCurrentIndex(-1)
        self.tier.blockSignals(False)
        self.refresh_quotes()

    def refresh_quotes(self) -> None:
        if self.policy is None:
            return
        self.table_box.show_quotes(
            self.policy,
            self.category.currentData(),
            self.ctx.business_date(),
            self._facts(),
            self.tier.currentData(),
        )

    def _show_note(self) -> None:
        if self.policy is not None:
            self.table_box.show_note(self.policy, self.tier.currentData())

    # --- saving -------------------------------------------------------------------------

    def save(self) -> None:
        if self.policy is None or self.office is None:
            return
        self.error_label.hide()
        parsed = self.id_input.result
        if parsed is None:
            self.id_input._enter()  # shows why the number is wrong, if it is
            if self.id_input.result is None:
                self._show_error("请先输入正确的身份证号码。")
                self.id_input.setFocus()
                return
            parsed = self.id_input.result
        tier = self.tier.currentData()
        if tier is None:
            self._show_error("请选择缴费档次。")
            self.tier.setFocus()
            return
        document = self.eligibility.currentData()
        if document is None:
            choices = "、".join(ELIGIBILITY_DOCUMENTS.values())
            self._show_error(f"请选择参保资格依据（{choices}）。")
            self.eligibility.setFocus()
            return
        data = ResidentInput(
            id_number=parsed.number,
            name=self.name.text(),
            village_id=self.village.currentData(),
            phone=self.phone.text(),
            address=self.address.text(),
            household_no=self.household_no.text(),
            birth_date=parsed.birth_date if parsed.manual else None,
            sex=parsed.sex if parsed.manual else None,
        )
        try:
            resident, enrollment, q = self.ops.write(
                (RESIDENTS, ENROLLMENTS),
                register_and_enroll,
                policies=self.ctx.policies,
                policy_key=self.office.policy_key,
                data=data,
                category=self.category.currentData(),
                tier=tier,
                facts=self._facts(),
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                eligibility_document=document,
                parent=self,
                inline=True,
            )
        except OperationFailed as exc:
            self._show_error(exc.message)
            return
        log.info("registered resident %s, enrollment %s", resident.id, enrollment.id)
        self._show_result(resident, enrollment, q.notice)
        self.registered.emit(enrollment.id)
        self.new_registration(keep_result=True)

    def _show_error(self, message: str) -> None:
        """One refusal, in one place: the red line under the buttons (the warning
        about a known resident's enrolment says the same, so it gives way)."""
        self.known_label.hide()
        self.result_frame.hide()
        self.error_label.setText(message)
        self.error_label.show()

    def _show_result(self, r: ResidentRecord, e: EnrollmentRecord, notice: str) -> None:
        self.last_enrollment_id = e.id
        assert self.policy is not None
        self.result_frame.show_result(self.policy, r, e, notice)

    def new_registration(self, keep_result: bool = False) -> None:
        """Clear the form for the next person; focus the ID-number field."""
        self.id_input.reset()
        for field in (self.name, self.phone, self.address, self.household_no):
            field.clear()
        self.village.setCurrentIndex(0)
        self.facts_box.reset()
        self.eligibility.setCurrentIndex(-1)
        self.manual_identity.reset()
        self._category_touched = False
        index = self.category.findData("adult")
        if index >= 0:
            self.category.setCurrentIndex(index)
        self.identity_label.setText("—")
        self.known_label.hide()
        self.known_label.clear()
        self.known_resident = None
        self.error_label.hide()
        self.error_label.clear()
        self.village_filter.clear()
        if not keep_result:
            self.result_frame.hide()
            self.result_label.clear()
            self.last_enrollment_id = None
        # forget the tier chosen for the last person: the category's default again
        self.tier.blockSignals(True)
        self.tier.setCurrentIndex(-1)
        self.tier.blockSignals(False)
        self.table_box.forget()
        self._refill_tiers()
        self.id_input.setFocus()

    def go_collect(self) -> None:
        if self.last_enrollment_id is not None:
            self.collectRequested.emit(self.last_enrollment_id)

    def activate(self) -> None:
        """Called when the page is shown: ready for the next ID number."""
        self.id_input.setFocus()
