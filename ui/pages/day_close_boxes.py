"""The boxes of the 日结 page, one job each: the opening float, the blind
count, the reconciliation, the closed day's summary and the office's drawers.

Each box builds its own widgets and shows its part of the page's state; the
page (``ui.pages.day_close_page``) wires their buttons to its acts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.glossary import channel_label
from common.money import yuan_text
from services.close_preview import ClosePreview
from services.day_close_view import DayClosePageState
from ui.pages.day_close_parts import closed_summary, difference_words
from ui.widgets.denomination_count import DenominationCount
from ui.widgets.money_edit import MoneyEdit

#: (key, label) of the reconciliation's figures, top to bottom
FIGURE_ROWS = (
    ("float", "期初备用金"),
    ("brought", "加：前日未入库现金"),
    ("received", "加：本日现金收款"),
    ("out", "减：本日作废、退费付出现金"),
    ("deposited", "减：本日现金入库"),
    ("expected", "应有库存现金"),
    ("counted", "实点库存现金"),
    ("difference", "差额（实点 − 应有）"),
)
BOLD_FIGURES = ("expected", "counted", "difference")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class OpenBox(QGroupBox):
    """The morning's opening float (备用金) of this window's drawer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("开始营业：登记本窗口钱箱的备用金", parent)
        self.float_edit = MoneyEdit(allow_zero=True)
        self.float_edit.setObjectName("openingFloat")
        self.open_button = QPushButton("开始营业(&O)")
        self.open_button.setAutoDefault(True)
        row = QHBoxLayout(self)
        row.addWidget(QLabel("备用金（元）"))
        row.addWidget(self.float_edit)
        row.addWidget(self.open_button)
        row.addWidget(self.float_edit.error_label)
        row.addStretch(1)


class CountBox(QGroupBox):
    """Step 1: the blind count by denomination (what the drawer should hold is not shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("第一步：清点库存现金（盲点，不显示应有金额）", parent)
        self.count = DenominationCount()
        self.confirm_button = QPushButton("确认点钞结果(&K)")
        self.confirm_button.setAutoDefault(True)
        self.clear_button = QPushButton("清零")
        self.clear_button.clicked.connect(self.count.clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        hint = QLabel(
            "逐项输入张（枚）数，回车到下一项；最后一项回车即确认。确认后才显示应有库存。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        layout.addWidget(self.count)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def set_locked(self, locked: bool) -> None:
        """A confirmed count is read-only until a recount."""
        self.count.set_read_only(locked)
        self.confirm_button.setEnabled(not locked)
        self.clear_button.setEnabled(not locked)


class ReconcileBox(QGroupBox):
    """Step 2: the figures after the count, the difference's reason and the close button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("第二步：核对与日结", parent)
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, (key, label) in enumerate(FIGURE_ROWS):
            value = QLabel()
            value.setAlignment(RIGHT)
            value.setObjectName(f"figure_{key}")
            self.figures[key] = value
            grid.addWidget(QLabel(f"<b>{label}</b>" if key in BOLD_FIGURES else label), row, 0)
            grid.addWidget(value, row, 1)
        self.non_cash = QLabel()
        self.non_cash.setWordWrap(True)
        self.non_cash.setStyleSheet("color: #444;")
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("differenceReason")
        self.reason.setPlaceholderText("有长短款时必须填写原因")
        self.reason_row_label = QLabel("差额原因")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e;")
        self.recount_button = QPushButton("重新点钞(&R)")
        self.close_button = QPushButton("日结(&C)")
        self.close_button.setObjectName("closeDayButton")
        self.close_button.setAutoDefault(True)
        reason_form = QFormLayout()
        reason_form.addRow(self.reason_row_label, self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recount_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.non_cash)
        layout.addWidget(self.status_line)
        layout.addLayout(reason_form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def show_preview(self, p: ClosePreview) -> None:
        t = p.totals
        values = {
            "float": p.opening_float_fen,
            "brought": p.brought_forward_fen,
            "received": t.cash_received_fen,
            "out": t.cash_out_fen,
            "deposited": t.deposited_fen,
            "expected": p.expected_fen,
            "counted": p.counted_fen,
        }
        for key, fen in values.items():
            self.figures[key].setText(yuan_text(fen))
        diff = p.difference_fen
        colour = "#1b5e20" if diff == 0 else "#b03a2e"
        self.figures["difference"].setText(
            f"<b style='color:{colour}'>{difference_words(diff)}</b>"
        )
        parts = [
            f"{channel_label(ch)} {yuan_text(fen)}"
            for ch, fen in t.non_cash_by_channel.items()
            if fen
        ]
        self.non_cash.setText(
            f"本日收款 {t.payments} 笔，作废 {t.voids} 笔，退费 {t.refunds} 笔；"
            f"非现金收款（不计入库存现金）：{'、'.join(parts) if parts else '无'}"
        )
        status = p.deposit_status
        text = f"入库状态：{status.label_zh}。{status.sentence_zh}"
        if p.deposit_required:
            text = f"<span style='color:#b03a2e'><b>{text}</b> 日结须主管放行。</span>"
        self.status_line.setText(text)
        self.reason.setVisible(diff != 0)
        self.reason_row_label.setVisible(diff != 0)
        needs = diff != 0 or p.deposit_required
        self.close_button.setText("日结（须主管确认）(&C)" if needs else "日结(&C)")


class ClosedBox(QGroupBox):
    """A closed drawer's (or day's) summary, with the sheets to print."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("本日已日结", parent)
        self.closed_text = QLabel()
        self.closed_text.setObjectName("closedSummary")
        self.closed_text.setWordWrap(True)
        self.closed_text.setTextFormat(Qt.TextFormat.RichText)
        self.closed_text.setStyleSheet("font-size: 14px;")
        self.print_button = QPushButton("打印日结单(&P)")
        self.print_button.setAutoDefault(True)
        self.print_office_button = QPushButton("打印全所日结单")
        layout = QVBoxLayout(self)
        layout.addWidget(self.closed_text)
        print_row = QHBoxLayout()
        print_row.addWidget(self.print_button)
        print_row.addWidget(self.print_office_button)
        print_row.addStretch(1)
        layout.addLayout(print_row)

    def show_state(self, state: DayClosePageState) -> None:
        mine = state.my_close
        if mine is None:  # closed before drawers existed: the office's close
            assert state.office_record is not None
            self.closed_text.setText(closed_summary(state.office_record))
            return
        text = (
            f"<b>{state.drawer_name}的钱箱已日结</b>（{mine.closed_at:%H:%M}）：实点 "
            f"{yuan_text(mine.counted_fen)}，应有 {yuan_text(mine.expected_fen)}，"
            f"{difference_words(mine.difference_fen)}。"
        )
        if state.office_record is not None:
            text += "<br>全所各窗口均已日结，当日已锁定。<br>" + closed_summary(state.office_record)
        elif state.waiting_for:
            text += f"<br>全所当日尚未完成：等待 {'、'.join(state.waiting_for)} 的钱箱日结。"
        self.closed_text.setText(text)


class OfficeDrawersBox(QGroupBox):
    """Every drawer of the office, for a supervisor (issue 11; the others see only their own)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("全所钱箱（各窗口）", parent)
        self.setObjectName("officeDrawers")
        self.drawer_table = QTableWidget(0, 5)
        self.drawer_table.setObjectName("drawerTable")
        self.drawer_table.setHorizontalHeaderLabels(
            ["经办人", "备用金", "应有库存现金", "实点", "日结"]
        )
        self.drawer_table.verticalHeader().setVisible(False)
        self.drawer_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.drawer_table.horizontalHeader().setStretchLastSection(True)
        self.drawer_table.setMaximumHeight(130)
        self.office_note = QLabel()
        self.office_note.setObjectName("officeDayNote")
        self.office_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.drawer_table)
        layout.addWidget(self.office_note)

    def show_state(self, state: DayClosePageState) -> None:
        self.setVisible(state.is_supervisor and bool(state.drawers))
        rows = state.drawers
        self.drawer_table.setRowCount(len(rows))
        for r, d in enumerate(rows):
            cells = (
                d.operator_name,
                yuan_text(d.opening_float_fen),
                "（盲点后显示）" if d.expected_fen is None else yuan_text(d.expected_fen),
                "未点" if d.counted_fen is None else yuan_text(d.counted_fen),
                "已日结" if d.closed else ("未日结" if d.used else "当日未营业"),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (1, 2, 3):
                    item.setTextAlignment(RIGHT)
                self.drawer_table.setItem(r, c, item)
        self.drawer_table.resizeColumnsToContents()
        if state.office_record is not None:
            self.office_note.setText("全所当日已日结。")
        elif state.waiting_for or any(d.used and not d.closed for d in rows):
            open_names = [d.operator_name for d in rows if d.used and not d.closed]
            self.office_note.setText(f"全所当日未完成：{'、'.join(open_names)} 的钱箱尚未日结。")
        else:
            self.office_note.setText("")
