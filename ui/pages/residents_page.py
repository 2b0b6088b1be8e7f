"""居民 — find anyone, and everything about a person's year.

Type anything the resident or a paper in their hand shows: ID number (or its
last digits), name, pinyin initials, phone, receipt number, notice number, a
non-cash payment's reference, a 户号, or an ID number / name they had before
a change. Each result shows this year's status in colour. The selected
person's tabs:

- 信息变更 — change basic information at once (the 综合业务处理单 is printed
  for signature), or request an important-information / ID-number change for
  review; the person's change history below;
- 家庭 — the members on the same 户号 with their status; an agent pays for
  several at once (one confirmation, one receipt each, one print job);
- 重新核定 — change the category or tier of the unpaid enrolment.

Two office-wide tabs: 待复核 (a supervisor's review list) and 续保名单 (last
year's payers not yet enrolled, per village, printable, one key to enrol).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from services.find import MATCH_LABELS, FoundPerson, find_anyone, statuses_for_year
from services.office import office_info
from services.registry import get_resident
from ui.context import AppContext
from ui.keys import page_shortcut
from ui.operations import (
    DAY,
    DEPOSITS,
    ENROLLMENTS,
    LEDGER,
    OFFICE,
    PAYMENTS,
    RESIDENTS,
    ChangeSet,
    OperationFailed,
    Operations,
)
from ui.pages.base import Page
from ui.pages.resident_office_tabs import RenewalTab, ReviewTab
from ui.pages.resident_tabs import ChangesTab, HouseholdTab, ReassessTab
from ui.pages.resident_widgets import TabServices, fill_row, table
from ui.printing_bridge import DocumentOutput

PERSON_TOPICS = frozenset({RESIDENTS, ENROLLMENTS, PAYMENTS})
# the review list (待复核) follows every write
EVERY_TOPIC = PERSON_TOPICS | {LEDGER, DEPOSITS, DAY, OFFICE}


class ResidentsPage(Page):
    """See the module docstring."""

    personShown = Signal(int)
    person_tabs: QTabWidget

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        *,
        documents: DocumentOutput | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, ops, parent, documents=documents)
        self.found: list[FoundPerson] = []
        self.resident_id: int | None = None
        info = ops.read(office_info, ctx.office_id)
        self.policy = ctx.policies.get(info.policy_key)
        self.villages = [(v.name, v.id) for v in info.villages if v.active]

        self.query = QLineEdit()
        self.query.setPlaceholderText(
            "身份证号/后四位、姓名、拼音首字母、电话、收据号、通知单号、交易参考号、户号、曾用证号"
        )
        self.query.returnPressed.connect(self.search)
        self.search_button = QPushButton("查找")
        self.search_button.clicked.connect(self.search)
        self.results = table(("姓名", "身份证号", "村（社区）", "户号", "匹配", "本年度状态"))
        self.results.setMaximumHeight(190)
        self.results.itemSelectionChanged.connect(self._on_selected)
        self.results.activated.connect(lambda _i: self.person_tabs.setFocus())
        self.person_label = QLabel("未选择居民")
        self.person_label.setStyleSheet("font-size: 15px; font-weight: bold;")

        services = TabServices(ctx, ops, self.documents)
        self.changes_tab = ChangesTab(services, self.villages)
        self.household_tab = HouseholdTab(services, self.policy.year)
        self.reassess_tab = ReassessTab(services, self.policy)
        self.review_tab = ReviewTab(services)
        self.renewal_tab = RenewalTab(services, self.policy, self.villages)
        self.person_tabs = QTabWidget()
        self.person_tabs.addTab(self.changes_tab, "信息变更")
        self.person_tabs.addTab(self.household_tab, "家庭")
        self.person_tabs.addTab(self.reassess_tab, "重新核定")
        self.person_tabs.addTab(self.review_tab, "待复核")
        self.person_tabs.addTab(self.renewal_tab, "续保名单")
        self.renewal_tab.personRequested.connect(self.show_resident)
        self.household_tab.personRequested.connect(self.show_resident)

        top = QHBoxLayout()
        top.addWidget(QLabel("查找："))
        top.addWidget(self.query, 1)
        top.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results)
        layout.addWidget(self.person_label)
        layout.addWidget(self.person_tabs, 1)
        page_shortcut(self, "Ctrl+F", self.focus_search)
        # one call per write (its change set), tracked with the page
        self.watch(EVERY_TOPIC, self._on_changes)

    def activate(self) -> None:
        self.review_tab.refresh()
        self.query.setFocus()

    def focus_search(self) -> None:
        self.query.setFocus()
        self.query.selectAll()

    # --- finding ------------------------------------------------------------------------

    def search(self) -> None:
        try:
            self.found = self.ops.read(
                find_anyone,
                office_id=self.ctx.office_id,
                text=self.query.text(),
                policy_year=self.policy.year,
                parent=self,
            )
        except OperationFailed:
            return
        self.results.setRowCount(len(self.found))
        for row, person in enumerate(self.found):
            r = person.resident
            fill_row(
                self.results,
                row,
                (
                    r.name,
                    r.id_number,
                    r.village_name,
                    r.household_no,
                    MATCH_LABELS[person.matched_by],
                    person.status_label,
                ),
                person.status_colour,
            )
        if self.found:
            self.results.blockSignals(True)
            self.results.selectRow(0)
            self.results.blockSignals(False)
            self.show_resident(self.found[0].resident.id)
        else:
            self.person_label.setText("没有找到")

    def _on_selected(self) -> None:
        rows = self.results.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.found):
            self.show_resident(self.found[rows[0].row()].resident.id)

    def show_resident(self, resident_id: int) -> None:
        """Show this person (also from a 台账 row, a household or the renewal list)."""
        try:
            record = self.ops.read(get_resident, resident_id, parent=self)
        except OperationFailed:
            return
        self.resident_id = resident_id
        self.person_label.setText(
            f"{record.name}　{record.id_number}　{record.village_name or '未指定村'}"
            f"　户号 {record.household_no or '—'}"
        )
        self.changes_tab.set_resident(record)
        self.household_tab.set_resident(record)
        self.reassess_tab.set_resident(record)
        self.personShown.emit(resident_id)

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes & PERSON_TOPICS:
            self._refresh_statuses()
            if self.resident_id is not None:
                self.show_resident(self.resident_id)
        self.review_tab.refresh()

    def _refresh_statuses(self) -> None:
        """The shown results' statuses after a write (one query for all rows)."""
        if not self.found:
            return
        try:
            statuses = self.ops.read(
                statuses_for_year, [f.resident.id for f in self.found], self.policy.year
            )
        except OperationFailed:
            return
        self.found = [
            dataclasses.replace(
                f,
                status=statuses.get(f.resident.id, ("", 0))[0],
                enrollment_id=statuses[f.resident.id][1] if f.resident.id in statuses else None,
            )
            for f in self.found
        ]
        for row, person in enumerate(self.found):
            item = self.results.item(row, 5)
            if item is not None:
                item.setText(person.status_label)
                item.setForeground(QBrush(QColor(person.status_colour)))
