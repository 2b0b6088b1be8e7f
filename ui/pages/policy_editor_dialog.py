"""新建年度政策 — the supervisor types a yearly notice; the program checks and previews it.

Two tabs: 填写 asks, in the order a notice gives them, for the year, the notice
(number, title, date), the collection and late-payment periods, each tier's
personal standard, fiscal subsidy and benefits, the subsidy classes (full,
quota percent or a fixed amount) and the waiting-period rule set (chosen, never
typed); each figure has a field for its own source (document number and
section), left blank for the year's notice. 预览 lists every figure with its
source beside last year's, and the quote of every category and tier on the
first and last day of the collection period and a late day beside the
previous year's. 保存 is possible only for the content
previewed; where the office has a second supervisor, that supervisor confirms
with user name and password. Everything is checked by ``services`` — this
dialog only collects text.

The dialog opens with ``open()``; tests drive it through its fields and the
``preview_draft()`` / ``save()`` methods.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from common.errors import ServiceError
from services.policy_confirmation import needs_confirmation
from services.policy_editor import check_draft, previous_policy
from services.policy_form import (
    RULE_SET_LABELS,
    YearForm,
    build_draft,
    default_key,
    form_from_policy,
)
from services.policy_preview import (
    PolicyPreview,
    PreviewFigure,
    PreviewRow,
    preview,
)
from services.policy_store import SavedPolicy, save_policy_file
from services.policy_types import Policy
from ui.context import AppContext
from ui.models.table_model import RowsTableModel, table_view
from ui.operations import OFFICE, OperationFailed, Operations
from ui.pages.policy_editor_parts import (
    FIGURE_COLUMNS,
    PREVIEW_COLUMNS,
    SubsidyRow,
    TierBox,
    preview_splitter,
)

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #c0392b;"


def _parse_date(text: str, label: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"{label}“{text}”不是正确的日期，应为 YYYY-MM-DD") from None


class PolicyEditorDialog(QDialog):
    """Make a new policy year from ``base``; emits ``saved`` with the SavedPolicy."""

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        base: Policy,
        office_dir: Any,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.base = base
        self.office_dir = office_dir
        self.draft: dict[str, Any] | None = None
        self.checked: Policy | None = None
        self.result_preview: PolicyPreview | None = None
        self.setWindowTitle(f"新建年度政策 — 以 {base.name} 为基础")
        self.resize(1100, 760)
        form = form_from_policy(base)

        # --- 填写 ----------------------------------------------------------------
        self._build_fields(form)
        top, periods = self._build_top()
        tiers_box = self._build_tiers(form)
        subsidy_box = self._build_subsidies(form)
        rules_box = QGroupBox("五、待遇等待期规则（从本程序已有的规则中选择）")
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(self.rules)

        fill = QWidget()
        fill_layout = QVBoxLayout(fill)
        for section in (top, periods, tiers_box, subsidy_box, rules_box):
            fill_layout.addWidget(section)
        fill_layout.addStretch(1)
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(fill)

        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, "填写(&F)")
        self.tabs.addTab(self._build_preview(), "预览(&R)")
        buttons = self._build_buttons()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.confirm_box)
        layout.addLayout(buttons)

        # Any change after a preview needs a new preview before saving.
        for edit in self.findChildren(QLineEdit):
            if edit not in (self.confirm_user, self.confirm_password):
                edit.textChanged.connect(self._invalidate)
        for text in self.findChildren(QPlainTextEdit):
            text.textChanged.connect(self._invalidate)
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self._invalidate)

    # --- reading the form ------------------------------------------------------------

    def _build_fields(self, form: YearForm) -> None:
        """The fields of 一、二、五, filled from the base year's policy."""
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(form.year)
        self.key = QLineEdit(form.key)
        self.name = QLineEdit(form.name)
        self.year.valueChanged.connect(self._year_changed)
        self.document_no = QLineEdit()
        self.document_no.setPlaceholderText("例如 津医保发〔2026〕1号；无文号则留空")
        self.document_title = QLineEdit()
        self.document_issued = QLineEdit()
        self.document_issued.setPlaceholderText("YYYY-MM-DD")
        self.collection_start = QLineEdit(f"{form.collection_start:%Y-%m-%d}")
        self.collection_end = QLineEdit(f"{form.collection_end:%Y-%m-%d}")
        self.late_start = QLineEdit(f"{form.late_start:%Y-%m-%d}" if form.late_start else "")
        self.late_end = QLineEdit(f"{form.late_end:%Y-%m-%d}" if form.late_end else "")
        for edit in (self.collection_start, self.collection_end, self.late_start, self.late_end):
            edit.setPlaceholderText("YYYY-MM-DD")
        self.rules = QComboBox()
        for key, label in RULE_SET_LABELS.items():
            self.rules.addItem(label, key)
        if self.rules.findData(self.base.rules) < 0:
            self.rules.addItem(f"沿用 {self.base.rules}", self.base.rules)
        self.rules.setCurrentIndex(self.rules.findData(self.base.rules))

    def _build_buttons(self) -> QHBoxLayout:
        """A second supervisor's confirmation (where the office needs one), the message, the buttons."""
        self.confirm_user = QLineEdit()
        self.confirm_user.setPlaceholderText("另一名主管的用户名")
        self.confirm_password = QLineEdit()
        self.confirm_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_password.setPlaceholderText("密码")
        self.confirm_box = QGroupBox("第二名主管确认")
        confirm_layout = QHBoxLayout(self.confirm_box)
        confirm_layout.addWidget(self.confirm_user)
        confirm_layout.addWidget(self.confirm_password)
        try:
            self.needs_confirmation = bool(
                self.ops.read(needs_confirmation, self.ctx.office_id, parent=self)
            )
        except OperationFailed:
            self.needs_confirmation = True
        self.confirm_box.setVisible(self.needs_confirmation)

        self.message = QLabel()
        self.message.setObjectName("policyEditorMessage")
        self.message.setWordWrap(True)
        self.preview_button = QPushButton("检查并预览(&P)")
        self.preview_button.clicked.connect(self.preview_draft)
        self.save_button = QPushButton("保存政策文件(&S)")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("关闭")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        return buttons

    def _build_preview(self) -> QWidget:
        """The preview tab: every figure with its source, and the quotes, beside last year's."""
        self.preview_title = QLabel()
        self.preview_title.setWordWrap(True)
        self.preview_title.setStyleSheet("font-weight: bold;")
        self.preview_model: RowsTableModel[PreviewRow] = RowsTableModel(
            PREVIEW_COLUMNS, self, negative=lambda r: r.new.quote is None
        )
        self.preview_view = table_view(self.preview_model, stretch=False)
        self.figures_model: RowsTableModel[PreviewFigure] = RowsTableModel(FIGURE_COLUMNS, self)
        self.figures_view = table_view(self.figures_model, stretch=False)
        preview_page = QWidget()
        preview_layout = QVBoxLayout(preview_page)
        preview_layout.addWidget(self.preview_title)
        preview_layout.addWidget(preview_splitter(self.figures_view, self.preview_view), 1)
        return preview_page

    def _build_top(self) -> tuple[QGroupBox, QGroupBox]:
        """一、year and notice; 二、the collection and late periods."""
        top = QGroupBox("一、年度与通知")
        top_form = QFormLayout(top)
        top_form.addRow("政策年度", self.year)
        top_form.addRow("政策代码", self.key)
        top_form.addRow("政策名称", self.name)
        top_form.addRow("通知文号", self.document_no)
        top_form.addRow("通知标题", self.document_title)
        top_form.addRow("发文日期", self.document_issued)

        periods = QGroupBox("二、缴费期")
        period_grid = QGridLayout(periods)
        period_grid.addWidget(QLabel("集中缴费期"), 0, 0)
        period_grid.addWidget(self.collection_start, 0, 1)
        period_grid.addWidget(QLabel("至"), 0, 2)
        period_grid.addWidget(self.collection_end, 0, 3)
        period_grid.addWidget(QLabel("补缴期"), 1, 0)
        period_grid.addWidget(self.late_start, 1, 1)
        period_grid.addWidget(QLabel("至"), 1, 2)
        period_grid.addWidget(self.late_end, 1, 3)
        period_grid.addWidget(QLabel("（通知未规定补缴期则两格都留空）"), 2, 1, 1, 3)
        return top, periods

    def _build_subsidies(self, form: YearForm) -> QGroupBox:
        """四、each category's subsidy, and the share a percentage subsidy leaves to pay."""
        subsidy_box = QGroupBox(
            "四、资助类别（定额资助固定金额：个人应缴 = 缴费标准 − 资助金额；资助不能超过缴费标准）"
        )
        subsidy_grid = QGridLayout(subsidy_box)
        for col, head in enumerate(("类别", "资助方式", "定额资助金额（元）", "依据")):
            subsidy_grid.addWidget(QLabel(f"<b>{head}</b>"), 0, col)
        self.subsidies: dict[str, SubsidyRow] = {}
        for index, (key, category) in enumerate(self.base.categories.items(), start=1):
            kind = form.subsidies.get(key, "unset")
            self.subsidies[key] = SubsidyRow(subsidy_grid, index, category.label, kind)
        self.quota_percent = QLineEdit(form.quota_percent)
        self.quota_percent.setPlaceholderText("0–100；通知未给出则留空")
        self.quota_source = QLineEdit()
        self.quota_source.setPlaceholderText("依据；留空则用通知文号")
        last = len(self.base.categories) + 1
        subsidy_grid.addWidget(QLabel("按比例定额资助的个人缴费比例（%）"), last, 0, 1, 2)
        subsidy_grid.addWidget(self.quota_percent, last, 2)
        subsidy_grid.addWidget(self.quota_source, last, 3)
        subsidy_grid.setColumnStretch(3, 1)
        return subsidy_box

    def _build_tiers(self, form: YearForm) -> QGroupBox:
        """三、the figures of each tier and the notes all tiers share."""
        tiers_box = QGroupBox("三、各档次标准（留空 = 通知未给出，报价时拒绝并说明）")
        tiers_outer = QVBoxLayout(tiers_box)
        tiers_layout = QHBoxLayout()
        self.tier_boxes: dict[str, TierBox] = {}
        for key, tier in self.base.tiers.items():
            box = TierBox(key, tier.label)
            self.tier_boxes[key] = box
            tiers_layout.addWidget(box)
        tiers_outer.addLayout(tiers_layout)
        self.benefit_notes = QPlainTextEdit(form.benefit_notes or "")
        self.benefit_notes.setPlaceholderText(
            "各档次共同的待遇说明，每行一项（沿用上一年度，请按通知核对）"
        )
        self.benefit_notes.setFixedHeight(64)
        tiers_outer.addWidget(QLabel("共同待遇说明（沿用上一年度，请按通知核对）"))
        tiers_outer.addWidget(self.benefit_notes)
        return tiers_box

    def _year_changed(self, year: int) -> None:
        self.key.setText(default_key(self.base.key, year, self.base.year))
        self.name.setText(self.base.name.replace(str(self.base.year), str(year)))

    def _invalidate(self, *_: object) -> None:
        if self.draft is not None:
            self.draft = None
            self.checked = None
            self.save_button.setEnabled(False)
            self._say("内容已修改，请重新检查并预览后再保存。")
        elif self.message.text():
            self._say("")  # the earlier refusal may no longer hold

    def form(self) -> YearForm:
        return YearForm(
            base_key=self.base.key,
            year=self.year.value(),
            key=self.key.text().strip(),
            name=self.name.text().strip(),
            collection_start=_parse_date(self.collection_start.text(), "集中缴费期开始日期"),
            collection_end=_parse_date(self.collection_end.text(), "集中缴费期结束日期"),
            late_start=_parse_date(self.late_start.text(), "补缴期开始日期"),
            late_end=_parse_date(self.late_end.text(), "补缴期结束日期"),
            tiers=[box.figures() for box in self.tier_boxes.values()],
            subsidies={key: row.kind.currentData() for key, row in self.subsidies.items()},
            subsidy_amounts={key: row.amount.text() for key, row in self.subsidies.items()},
            subsidy_sources={key: row.source.text() for key, row in self.subsidies.items()},
            quota_percent=self.quota_percent.text(),
            quota_source=self.quota_source.text(),
            rules=self.rules.currentData(),
            document_no=self.document_no.text(),
            document_title=self.document_title.text(),
            document_issued=_parse_date(self.document_issued.text(), "发文日期"),
            benefit_notes=self.benefit_notes.toPlainText(),
        )

    # --- actions ---------------------------------------------------------------------

    def preview_draft(self) -> PolicyPreview | None:
        """Check the form; on success show the preview and allow saving."""
        try:
            draft = build_draft(self.base, self.form(), self.ctx.policies)
            policy = check_draft(draft, self.ctx.policies)
        except ServiceError as exc:
            self._say(exc.message, error=True)
            self.tabs.setCurrentIndex(0)
            return None
        result = preview(policy, previous_policy(policy, self.ctx.policies))
        self.draft, self.checked, self.result_preview = draft, policy, result
        self.preview_model.set_rows(result.rows)
        self.preview_view.resizeColumnsToContents()
        self.figures_model.set_rows(result.figures)
        self.figures_view.resizeColumnsToContents()
        days = result.days
        late = days["late"] or "无"
        self.preview_title.setText(
            f"{result.policy_name}（{result.policy}）：集中缴费期第一天 {days['first']}，"
            f"最后一天 {days['last']}，补缴日 {late}。对照：{result.previous_name or '无上一年度政策'}。"
            "请与通知逐项核对后再保存。"
        )
        self.tabs.setCurrentIndex(1)
        self.save_button.setEnabled(True)
        self._say("检查通过。请核对预览，确认无误后保存。")
        return result

    def save(self) -> SavedPolicy | None:
        if self.draft is None:
            self._say("请先检查并预览。", error=True)
            return None
        try:
            saved: SavedPolicy = self.ops.write(
                OFFICE,
                save_policy_file,
                parent=self,
                office_id=self.ctx.office_id,
                operator_id=self.ctx.operator_id,
                data=self.draft,
                book=self.ctx.policies,
                folder=self.office_dir,
                origin="editor",
                based_on=self.base.key,
                confirm_username=self.confirm_user.text() or None,
                confirm_password=self.confirm_password.text() or None,
            )
        except OperationFailed as exc:
            self._say(exc.message, error=True)
            return None
        self.confirm_password.clear()
        self.saved.emit(saved)
        self._say(f"已保存为 {saved.key}（{saved.path}）。")
        self.save_button.setEnabled(False)
        return saved

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
