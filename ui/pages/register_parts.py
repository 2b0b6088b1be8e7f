"""Parts of the registration page: the side-by-side tier table, the facts box,
the eligibility-document choice and the hand-typed identity of a 2017 foreign
permanent residence card.

The tier table answers the resident's question "what does each tier cost and
what does it cover?" for the chosen category, today: one column per tier, a
quote or the reason there is none (``services.quote.quote_all_tiers``), and
every benefit line under it: the lines of the tier whose benefits the category
gets, then the policy's notes for all tiers (a line the same for every tier
spans the columns). The table scrolls when the lines do not fit.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from common.money import format_fen, yuan_text
from services.eligibility import ELIGIBILITY_DOCUMENTS
from services.policy_types import Chongqing2024Waiting, Policy, Tianjin2025Waiting, Unset
from services.quote import PersonFacts, Quote, TierQuote, age_on

ROW_LABELS = ("个人缴费标准", "资助", "应缴", "待遇档次", "待遇起止", "等待期")
DUE_ROW = 2
CHOSEN_BG = QColor("#e3f2fd")
REFUSED_FG = QColor("#c62828")


def waiting_text(q: Quote) -> str:
    if q.waiting_months:
        return f"{q.waiting_months} 个月"
    if q.waiting_days:
        return f"{q.waiting_days} 天"
    return "无"


def cover_text(q: Quote) -> str:
    if not q.covered or q.benefit_start is None:
        return f"本年度无待遇（应自 {q.entitled_from} 起）"
    return f"{q.benefit_start:%Y-%m-%d} 至 {q.benefit_end:%Y-%m-%d}"


def quote_cells(q: Quote) -> list[str]:
    """The six figures of one tier, in ROW_LABELS order."""
    subsidy = yuan_text(q.subsidy_fen) if q.subsidy_fen else "无"
    due = yuan_text(q.personal_due_fen)
    if q.fiscal_surcharge_fen:
        due += f"（含补缴财政补助 {format_fen(q.fiscal_surcharge_fen)}）"
    return [
        yuan_text(q.standard_fen),
        subsidy,
        due,
        q.benefit_tier_label or q.benefit_tier,
        cover_text(q),
        waiting_text(q),
    ]


def benefit_lines(policy: Policy, tier: str) -> tuple[str, ...]:
    """A tier's benefit lines and the policy's notes (as a quote lists them)."""
    benefits = policy.tiers[tier].benefits
    if isinstance(benefits, Unset):
        return (f"（政策文件未载明：{benefits.reason}）",)
    return benefits + policy.benefit_notes


def tier_benefits(policy: Policy, tq: TierQuote) -> tuple[str, ...]:
    """What the tier's column lists: the quote's lines (they follow the benefit
    tier of the category), or the tier's own when there is no quote."""
    if tq.quote is not None and tq.quote.benefits:
        return tq.quote.benefits
    return benefit_lines(policy, tq.tier)


class TierComparison(QTableWidget):
    """Tiers side by side; clicking a column chooses that tier."""

    tierClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tierTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the tier combo is the keyboard path
        self.setWordWrap(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        # rows of wrapped benefit text are tall: scroll by pixel, not by row
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # as high as its lines, and scrolling when the page is not high enough
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self._tiers: list[str] = []
        self._chosen: str | None = None
        self.cellClicked.connect(self._on_click)

    @property
    def tiers(self) -> list[str]:
        return list(self._tiers)

    def show_message(self, text: str) -> None:
        """No table, only a sentence (no category yet, or a refusal for all tiers)."""
        self._tiers = []
        self.clear()
        self.clearSpans()
        self.setRowCount(1)
        self.setColumnCount(1)
        self.setHorizontalHeaderLabels([""])
        self.setVerticalHeaderLabels([""])
        item = QTableWidgetItem(text)
        item.setForeground(QBrush(REFUSED_FG))
        self.setItem(0, 0, item)

    def show_quotes(self, policy: Policy, quotes: list[TierQuote]) -> None:
        self.clear()
        self.clearSpans()
        self._tiers = [tq.tier for tq in quotes]
        lines = {tq.tier: tier_benefits(policy, tq) for tq in quotes}
        n_benefits = max((len(v) for v in lines.values()), default=0)
        self.setColumnCount(len(quotes))
        self.setRowCount(len(ROW_LABELS) + n_benefits)
        self.setHorizontalHeaderLabels([tq.tier_label for tq in quotes])
        self.setVerticalHeaderLabels([*ROW_LABELS, *(f"待遇 {i + 1}" for i in range(n_benefits))])
        bold = QFont(self.font())
        bold.setBold(True)
        for col, tq in enumerate(quotes):
            if tq.quote is None:
                item = QTableWidgetItem(tq.error_message or "不能办理")
                item.setForeground(QBrush(REFUSED_FG))
                self.setItem(0, col, item)
                self.setSpan(0, col, len(ROW_LABELS), 1)
            else:
                for row, text in enumerate(quote_cells(tq.quote)):
                    item = QTableWidgetItem(text)
                    if row == DUE_ROW:
                        item.setFont(bold)
                    if row == 4 and not tq.quote.covered:
                        item.setForeground(QBrush(REFUSED_FG))
                    self.setItem(row, col, item)
            for i, line in enumerate(lines[tq.tier]):
                self.setItem(len(ROW_LABELS) + i, col, QTableWidgetItem(line))
        for i in range(n_benefits):
            texts = {
                tier_lines[i] if i < len(tier_lines) else None for tier_lines in lines.values()
            }
            if len(quotes) > 1 and len(texts) == 1:  # the same for every tier: one wide cell
                self.setSpan(len(ROW_LABELS) + i, 0, 1, len(quotes))
        self.set_chosen(self._chosen)
        self.resizeRowsToContents()

    def set_chosen(self, tier: str | None) -> None:
        """Shade the chosen tier's column."""
        self._chosen = tier
        for col, key in enumerate(self._tiers):
            bg = QBrush(CHOSEN_BG) if key == tier else QBrush()
            for row in range(self.rowCount()):
                item = self.item(row, col)
                if item is not None:
                    item.setBackground(bg)

    def _on_click(self, _row: int, col: int) -> None:
        if 0 <= col < len(self._tiers):
            self.tierClicked.emit(self._tiers[col])

    def column_text(self, tier: str) -> list[str]:
        """Texts of a tier's column (tests)."""
        col = self._tiers.index(tier)
        return [
            item.text() if (item := self.item(row, col)) is not None else ""
            for row in range(self.rowCount())
        ]


class FactsBox(QWidget):
    """补缴/连续参保情况: folded away until the clerk needs it (Ctrl+B or a click)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setObjectName("factsToggle")
        self.toggle.setText("补缴/连续参保情况（Ctrl+B 展开）")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.toggled.connect(self.set_expanded)

        self.continuous_years = QSpinBox()
        self.continuous_years.setRange(0, 60)
        self.continuous_years.setSuffix(" 年")
        self.gap_months = QSpinBox()
        self.gap_months.setRange(0, 600)
        self.gap_months.setSuffix(" 个月")
        self.gap_years = QSpinBox()
        self.gap_years.setRange(0, 50)
        self.gap_years.setSuffix(" 年")
        self.repaired_years = QSpinBox()
        self.repaired_years.setRange(0, 50)
        self.repaired_years.setSuffix(" 年")
        self.via_school = QCheckBox("经学校（托育机构）统一参保")
        self.job_change = QCheckBox("职工医保/失业/灵活就业转入（3个月内）")
        # Tianjin 2025 only (002 §1(4)); Chongqing's groups are categories (004 §6)
        self.hardship = QCheckBox("本市新认定的困难人员（002 §1(4)）")
        self.hardship.setObjectName("hardshipCheck")
        # Chongqing only (004 §5(4))
        self.freshman = QCheckBox("高校新生入学时参加下一年度医保（004 §5(4)）")
        self.freshman.setObjectName("freshmanCheck")

        self.body = QFrame()
        self.body.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(self.body)
        form.setContentsMargins(8, 6, 8, 6)
        form.addRow("连续参保年数", self.continuous_years)
        form.addRow("本次断缴月数", self.gap_months)
        form.addRow("断缴年数", self.gap_years)
        form.addRow("已补缴年数", self.repaired_years)
        form.addRow(self.via_school)
        form.addRow(self.job_change)
        form.addRow(self.hardship)
        form.addRow(self.freshman)
        self.body.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.toggle)
        head.addStretch(1)
        layout.addLayout(head)
        layout.addWidget(self.body)

        for spin in self.spins:
            spin.valueChanged.connect(self.changed)
        for box in self.checks:
            box.toggled.connect(self.changed)

    @property
    def spins(self) -> list[QSpinBox]:
        return [self.continuous_years, self.gap_months, self.gap_years, self.repaired_years]

    @property
    def checks(self) -> list[QCheckBox]:
        return [self.via_school, self.job_change, self.hardship, self.freshman]

    def set_policy(self, policy: Policy | None) -> None:
        """Show only the facts the policy's rules use, in its own words."""
        waiting = policy.waiting if policy is not None else None
        self.hardship.setVisible(isinstance(waiting, Tianjin2025Waiting))
        self.freshman.setVisible(
            isinstance(waiting, Chongqing2024Waiting) and waiting.freshman_payable_from is not None
        )
        for box in (self.hardship, self.freshman):
            if box.isHidden():
                box.setChecked(False)

    @property
    def fields(self) -> list[QWidget]:
        return [*self.spins, *self.checks]

    def set_expanded(self, expanded: bool) -> None:
        self.toggle.setChecked(expanded)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.toggle.setText(
            "补缴/连续参保情况（Ctrl+B 收起）" if expanded else "补缴/连续参保情况（Ctrl+B 展开）"
        )
        self.body.setVisible(expanded)
        if expanded:
            self.continuous_years.setFocus()

    def facts(self, birth_date: dt.date | None) -> PersonFacts:
        return PersonFacts(
            birth_date=birth_date,
            continuous_years=self.continuous_years.value(),
            gap_months=self.gap_months.value(),
            gap_years=self.gap_years.value(),
            repaired_years=self.repaired_years.value(),
            via_school=self.via_school.isChecked(),
            job_change=self.job_change.isChecked(),
            hardship_certified=self.hardship.isChecked(),
            freshman=self.freshman.isChecked(),
        )

    def reset(self) -> None:
        for spin in self.spins:
            spin.setValue(0)
        for box in self.checks:
            box.setChecked(False)
        self.set_expanded(False)


def fill_eligibility(combo: QComboBox) -> None:
    """The eligibility documents of POLICY.md §2 (revised 2026-11), none chosen."""
    combo.clear()
    for key, label in ELIGIBILITY_DOCUMENTS.items():
        combo.addItem(label, key)
    combo.setPlaceholderText("请选择参保资格依据")
    combo.setCurrentIndex(-1)


class ManualIdentityBox(QWidget):
    """Birth date and sex typed from a 2017 foreign permanent residence card, whose
    number does not give them (POLICY.md §2, revised 2026-11)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.birth = QDateEdit()
        self.birth.setObjectName("manualBirthDate")
        self.birth.setDisplayFormat("yyyy-MM-dd")
        self.birth.setCalendarPopup(True)
        self.birth.setMinimumDate(QDate(1900, 1, 1))
        self.birth.setDate(QDate(1980, 1, 1))
        self.sex = QComboBox()
        self.sex.setObjectName("manualSex")
        self.sex.addItem("男", "M")
        self.sex.addItem("女", "F")
        self.sex.setPlaceholderText("性别")
        self.sex.setCurrentIndex(-1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("按证件填写 出生日期"))
        layout.addWidget(self.birth, 2)
        layout.addWidget(self.sex, 1)
        self.birth.dateChanged.connect(self.changed)
        self.sex.currentIndexChanged.connect(self.changed)

    def values(self) -> tuple[dt.date, str] | None:
        """(birth date, 'M'/'F') once the sex is chosen, else None."""
        sex = self.sex.currentData()
        if sex is None:
            return None
        return self.birth.date().toPython(), sex  # type: ignore[return-value]

    def reset(self) -> None:
        self.blockSignals(True)
        self.birth.setDate(QDate(1980, 1, 1))
        self.sex.setCurrentIndex(-1)
        self.blockSignals(False)
        self.hide()


def age_text(birth: dt.date, today: dt.date) -> str:
    """年龄 as a clerk says it: a baby in months (and days under a month)."""
    years = age_on(birth, today)
    if years >= 3:
        return f"{years} 岁"
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    if months < 1:
        return f"出生 {(today - birth).days} 天"
    return f"{months} 个月"
