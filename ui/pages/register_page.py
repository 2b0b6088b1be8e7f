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
    QFormLayout,
    QFrame,
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
from common.money import format_fen
from services.eligibility import ELIGIBILITY_DOCUMENTS, suggested_document
from services.office import OfficeInfo, office_info
from services.policy_types import Policy
from services.quote import fitting_category, quote_all_tiers, tiers_for
from services.registry import (
    ResidentInput,
    enrollments_of,
    find_by_id_number,
    name_initials,
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
from ui.pages.register_parts import (
    FactsBox,
    ManualIdentityBox,
    TierComparison,
    age_text,
    fill_eligibility,
)
from ui.widgets.enter_chain import EnterChain
from ui.widgets.id_input import IdNumberInput

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c62828;"
RESULT_STYLE = (
    "#registerResult { background: #e8f5e9; border: 1px solid #66bb6a; border-radius: 4px; }"
)


class RegisterPage(QWidget):
    collectRequested = Signal(int)  # enrollment id
    registered = Signal(int)  # enrollment id

    def __init__(self, ctx: AppContext, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.office: OfficeInfo | None = None
        self.policy: Policy | None = None
        self.last_enrollment_id: int | None = None
        self.known_resident: ResidentRecord | None = None
        self._category_touched = False
        self._build()
        self.load_office()
        # one change set per write (ui/operations.py): the form shows the office's
        # villages and policy, nothing that a payment changes
        ops.subscribe({OFFICE}, self._on_changes, self)

    # --- building -----------------------------------------------------------------

    def _build(self) -> None:
        self.policy_label = QLabel()
        self.policy_label.setObjectName("policyLabel")
        self.policy_label.setStyleSheet("font-size: 15px; font-weight: bold;")

        self.id_input = IdNumberInput(today=self.ctx.business_date)
        self.id_input.parsed.connect(self._on_id_parsed)
        self.id_input.cleared.connect(self._on_id_cleared)
        self.id_input.rejected.connect(lambda _m: self._on_id_cleared())
        self.id_input.manualNeeded.connect(self._on_manual_needed)
        self.manual_identity = ManualIdentityBox()
        self.manual_identity.changed.connect(self._on_manual_changed)
        self.manual_identity.hide()
        self.name = QLineEdit()
        self.name.setObjectName("residentName")
        self.name.setMaxLength(32)
        self.identity_label = QLabel("—")
        self.identity_label.setObjectName("identityLabel")
        self.known_label = QLabel()
        self.known_label.setObjectName("knownResident")
        self.known_label.setWordWrap(True)
        self.known_label.hide()
        self.phone = QLineEdit()
        self.phone.setObjectName("residentPhone")
        self.phone.setMaxLength(20)
        self.village = QComboBox()
        self.village.setObjectName("villageCombo")
        self.village_filter = QLineEdit()
        self.village_filter.setObjectName("villageFilter")
        self.village_filter.setPlaceholderText("拼音首字母筛选，如 dc")
        self.village_filter.setMaximumWidth(150)
        self.village_filter.textChanged.connect(self._filter_villages)
        self._villages: list[tuple[str, int, str]] = []  # name, id, pinyin initials
        self.address = QLineEdit()
        self.address.setObjectName("residentAddress")
        self.address.setMaxLength(200)
        self.household_no = QLineEdit()
        self.household_no.setObjectName("residentHouseholdNo")
        self.household_no.setMaxLength(40)
        self.household_no.setPlaceholderText("户口簿户号（可不填）")

        person = QGroupBox("参保人信息")
        form = QFormLayout(person)
        form.addRow("证件号码", self.id_input)
        form.addRow("", self.id_input.message_label)
        form.addRow("", self.manual_identity)
        form.addRow("姓名", self.name)
        form.addRow("性别/出生", self.identity_label)
        form.addRow("", self.known_label)
        form.addRow("联系电话", self.phone)
        village_row = QHBoxLayout()
        village_row.addWidget(self.village, 1)
        village_row.addWidget(self.village_filter)
        form.addRow("村（社区）", village_row)
        form.addRow("住址", self.address)
        form.addRow("户号", self.household_no)

        self.category = QComboBox()
        self.category.setObjectName("categoryCombo")
        self.category.activated.connect(self._on_category_chosen)
        self.category.currentIndexChanged.connect(self._on_category_changed)
        self.tier = QComboBox()
        self.tier.setObjectName("tierCombo")
        self.tier.setPlaceholderText("请选择档次")
        self.tier.currentIndexChanged.connect(self._on_tier_changed)
        self.eligibility = QComboBox()
        self.eligibility.setObjectName("eligibilityCombo")
        fill_eligibility(self.eligibility)
        self.facts_box = FactsBox()
        self.facts_box.changed.connect(self.refresh_quotes)
        choice = QGroupBox("参保选择")
        choice_form = QFormLayout(choice)
        choice_form.addRow("参保类别", self.category)
        choice_form.addRow("缴费档次", self.tier)
        choice_form.addRow("资格依据", self.eligibility)
        choice_form.addRow(self.facts_box)

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
        self.error_label = QLabel()
        self.error_label.setObjectName("registerError")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.result_frame = QFrame()
        self.result_frame.setObjectName("registerResult")
        self.result_frame.setStyleSheet(RESULT_STYLE)
        self.result_label = QLabel()
        self.result_label.setObjectName("registerResultText")
        self.result_label.setWordWrap(True)
        self.collect_button = QPushButton("去缴费（F9）")
        self.collect_button.setObjectName("goCollectButton")
        self.collect_button.clicked.connect(self.go_collect)
        result_layout = QHBoxLayout(self.result_frame)
        result_layout.addWidget(self.result_label, 1)
        result_layout.addWidget(self.collect_button)
        self.result_frame.hide()

        left = QVBoxLayout()
        left.addWidget(self.policy_label)
        left.addWidget(person)
        left.addWidget(choice)
        left.addLayout(buttons)
        left.addWidget(self.error_label)
        left.addWidget(self.result_frame)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setFixedWidth(500)

        self.tier_table = TierComparison()
        self.tier_table.tierClicked.connect(self.choose_tier)
        self.quote_note = QLabel()
        self.quote_note.setObjectName("quoteNote")
        self.quote_note.setWordWrap(True)
        self.table_box = QGroupBox("各档次缴费与待遇对比")
        # the category goes in a wrapping line, not the title: a long title made
        # the page wider than a 1,024 screen
        self.table_caption = QLabel()
        self.table_caption.setObjectName("tierTableCaption")
        self.table_caption.setWordWrap(True)
        table_layout = QVBoxLayout(self.table_box)
        table_layout.addWidget(self.table_caption)
        table_layout.addWidget(self.tier_table)
        table_layout.addWidget(self.quote_note)
        table_layout.addStretch(1)  # a short table ends where its lines end

        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addWidget(self.table_box, 1)

        # Keyboard: Enter moves field to field and saves on the button.
        self.enter_chain = EnterChain(self)
        EnterChain.mark_custom(self.id_input)
        self.id_input.accepted.connect(lambda: self.enter_chain.advance_from(self.id_input))
        self.enter_chain.set_fields(
            [
                self.id_input,
                self.name,
                self.phone,
                self.village,
                self.address,
                self.household_no,
                self.category,
                self.tier,
                self.eligibility,
                *self.facts_box.fields,
                self.save_button,
            ],
            self.save,
        )
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
        self._villages = [
            (v.name, v.id, name_initials(v.name)) for v in office.villages if v.active
        ]
        self._filter_villages(self.village_filter.text())
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

    def _filter_villages(self, text: str) -> None:
        """Villages whose pinyin initials (or name) start with what was typed;
        with one left it is chosen, so ``dc`` Enter picks 东村."""
        typed = text.strip().lower()
        current = self.village.currentData()
        shown = [
            (name, vid)
            for name, vid, initials in self._villages
            if not typed or initials.startswith(typed) or name.startswith(text.strip())
        ]
        self.village.blockSignals(True)
        self.village.clear()
        if not typed:
            self.village.addItem("（未指定）", None)
        for name, vid in shown:
            self.village.addItem(name, vid)
        index = self.village.findData(current)
        self.village.setCurrentIndex(index if index >= 0 else 0)
        self.village.blockSignals(False)

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
        category = self.category.currentData()
        if category is None:
            self.tier_table.show_message("请选择参保类别。")
            return
        label = self.policy.categories[category].label
        self.table_caption.setText(f"{label}（按今日缴费计算）")
        try:
            quotes = quote_all_tiers(self.policy, category, self.ctx.business_date(), self._facts())
        except ServiceError as exc:
            self.tier_table.show_message(exc.message)
            self.quote_note.clear()
            return
        self.tier_table.show_quotes(self.policy, quotes)
        self.tier_table.set_chosen(self.tier.currentData())
        self._quotes = {tq.tier: tq for tq in quotes}
        self._show_note()

    def _show_note(self) -> None:
        tq = getattr(self, "_quotes", {}).get(self.tier.currentData())
        if tq is None or tq.quote is None:
            notes = self.policy.benefit_notes if self.policy is not None else ()
            self.quote_note.setText("\n".join(notes))
            return
        self.quote_note.setText(tq.quote.notice)

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
        category = self.policy.categories[e.category].label
        tier = self.policy.tiers[e.tier].label
        due = (
            "无需缴费（全额资助）"
            if e.personal_due_fen == 0
            else f"应缴 {format_fen(e.personal_due_fen)} 元"
        )
        self.result_label.setText(
            f"已登记：{r.name}（{r.id_number}）\n{e.policy_year} 年度 {category}，{tier}，{due}。\n"
            f"待遇：{cover_text_of(e)}\n{notice}"
        )
        self.collect_button.setEnabled(e.personal_due_fen > 0)
        self.result_frame.show()

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
        self._quotes = {}
        self.quote_note.clear()
        self._refill_tiers()
        self.id_input.setFocus()

    def go_collect(self) -> None:
        if self.last_enrollment_id is not None:
            self.collectRequested.emit(self.last_enrollment_id)

    def activate(self) -> None:
        """Called when the page is shown: ready for the next ID number."""
        self.id_input.setFocus()


def cover_text_of(e: EnrollmentRecord) -> str:
    if e.benefit_start is None:
        return "按今日缴费，本年度无待遇"
    text = f"{e.benefit_start:%Y-%m-%d} 至 {e.benefit_end:%Y-%m-%d}"
    if e.waiting_months:
        text += f"（等待期 {e.waiting_months} 个月）"
    return text + "（以实际缴费日为准）"
