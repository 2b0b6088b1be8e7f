"""Boxes of the 登记 page, one job each: the village chooser with its pinyin
filter, the tier comparison on the right, and the green line that reports a
saved registration."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
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
from common.money import format_fen
from services.office import OfficeInfo
from services.policy_types import Policy
from services.quote import PersonFacts, TierQuote, quote_all_tiers
from services.registry import name_initials
from services.resident_records import EnrollmentRecord, ResidentRecord
from ui.pages.register_parts import TierComparison

RESULT_STYLE = (
    "#registerResult { background: #e8f5e9; border: 1px solid #66bb6a; border-radius: 4px; }"
)


class VillageChooser(QHBoxLayout):
    """The villages of the office, filtered by pinyin initials as typed."""

    def __init__(self) -> None:
        super().__init__()
        self.village = QComboBox()
        self.village.setObjectName("villageCombo")
        self.village_filter = QLineEdit()
        self.village_filter.setObjectName("villageFilter")
        self.village_filter.setPlaceholderText("拼音首字母筛选，如 dc")
        self.village_filter.setMaximumWidth(150)
        self.village_filter.textChanged.connect(self.filter)
        self.villages: list[tuple[str, int, str]] = []  # name, id, pinyin initials
        self.addWidget(self.village, 1)
        self.addWidget(self.village_filter)

    def set_office(self, office: OfficeInfo) -> None:
        self.villages = [(v.name, v.id, name_initials(v.name)) for v in office.villages if v.active]
        self.filter(self.village_filter.text())

    def filter(self, text: str) -> None:
        """Villages whose pinyin initials (or name) start with what was typed;
        with one left it is chosen, so ``dc`` Enter picks 东村."""
        typed = text.strip().lower()
        current = self.village.currentData()
        shown = [
            (name, vid)
            for name, vid, initials in self.villages
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


class QuoteTableBox(QGroupBox):
    """What every tier costs and covers, side by side, as of today."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("各档次缴费与待遇对比", parent)
        self.tier_table = TierComparison()
        self.quote_note = QLabel()
        self.quote_note.setObjectName("quoteNote")
        self.quote_note.setWordWrap(True)
        # the category goes in a wrapping line, not the title: a long title made
        # the page wider than a 1,024 screen
        self.table_caption = QLabel()
        self.table_caption.setObjectName("tierTableCaption")
        self.table_caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table_caption)
        layout.addWidget(self.tier_table)
        layout.addWidget(self.quote_note)
        layout.addStretch(1)  # a short table ends where its lines end
        self.quotes: dict[str, TierQuote] = {}

    def show_quotes(
        self,
        policy: Policy,
        category: str | None,
        today: dt.date,
        facts: PersonFacts,
        chosen: str | None,
    ) -> None:
        """Every tier of ``category`` priced as of ``today``; a refusal in its place."""
        if category is None:
            self.tier_table.show_message("请选择参保类别。")
            return
        label = policy.categories[category].label
        self.table_caption.setText(f"{label}（按今日缴费计算）")
        try:
            quotes = quote_all_tiers(policy, category, today, facts)
        except ServiceError as exc:
            self.tier_table.show_message(exc.message)
            self.quote_note.clear()
            return
        self.tier_table.show_quotes(policy, quotes)
        self.tier_table.set_chosen(chosen)
        self.quotes = {tq.tier: tq for tq in quotes}
        self.show_note(policy, chosen)

    def show_note(self, policy: Policy, chosen: str | None) -> None:
        """The chosen tier's notice, or the policy's notes when none is priced."""
        tq = self.quotes.get(chosen) if chosen is not None else None
        if tq is None or tq.quote is None:
            self.quote_note.setText("\n".join(policy.benefit_notes))
            return
        self.quote_note.setText(tq.quote.notice)

    def forget(self) -> None:
        """The next person: no quote of the last one's tier is kept."""
        self.quotes = {}
        self.quote_note.clear()


class ResultFrame(QFrame):
    """The saved registration, with 去缴费 (F9) when something is due."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerResult")
        self.setStyleSheet(RESULT_STYLE)
        self.result_label = QLabel()
        self.result_label.setObjectName("registerResultText")
        self.result_label.setWordWrap(True)
        self.collect_button = QPushButton("去缴费（F9）")
        self.collect_button.setObjectName("goCollectButton")
        layout = QHBoxLayout(self)
        layout.addWidget(self.result_label, 1)
        layout.addWidget(self.collect_button)
        self.hide()

    def show_result(
        self, policy: Policy, r: ResidentRecord, e: EnrollmentRecord, notice: str
    ) -> None:
        category = policy.categories[e.category].label
        tier = policy.tiers[e.tier].label
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
        self.show()


def cover_text_of(e: EnrollmentRecord) -> str:
    if e.benefit_start is None:
        return "按今日缴费，本年度无待遇"
    text = f"{e.benefit_start:%Y-%m-%d} 至 {e.benefit_end:%Y-%m-%d}"
    if e.waiting_months:
        text += f"（等待期 {e.waiting_months} 个月）"
    return text + "（以实际缴费日为准）"
