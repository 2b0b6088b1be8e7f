"""The tables of the 报表 page: their columns, one period's grouped takings
(``PeriodPanel``) and the one-table tabs."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from common.money import format_fen_grouped
from printing.report_data import GroupTotal, OverrideRow, PeriodReport
from services.cash_reports import CashException
from services.reports import VillageProgress
from ui.models.table_model import CENTER, RIGHT, Column, RowsTableModel, fit_rows, table_view

GROUPS = (("by_village", "按村（社区）"), ("by_tier", "按档次"), ("by_channel", "按渠道"))
# The village list takes the height left; the tier and channel lists (a few
# lines each) are as high as their lines, so no blank half-table shows.
FITTED_GROUPS = ("by_tier", "by_channel")


def group_columns(first: str) -> list[Column[GroupTotal]]:
    return [
        Column(first, lambda g: g.label),
        Column("收款笔数", lambda g: str(g.payments), RIGHT),
        Column("冲销笔数", lambda g: str(g.reversals) if g.reversals else "", RIGHT),
        Column("净额（元）", lambda g: format_fen_grouped(g.amount_fen), RIGHT),
    ]


def rate_text(progress: VillageProgress) -> str:
    if not progress.target:
        return "未设目标"
    # Shown to one decimal; integer arithmetic, no float for the figure itself.
    tenths = progress.paid * 1000 // progress.target
    return f"{tenths // 10}.{tenths % 10}%"


PROGRESS_COLUMNS: list[Column[VillageProgress]] = [
    Column("村（社区）", lambda p: p.name),
    Column("目标（人）", lambda p: str(p.target) if p.target is not None else "—", RIGHT),
    Column("已登记", lambda p: str(p.enrolled), RIGHT),
    Column("已缴费", lambda p: str(p.paid), RIGHT),
    Column("未缴费", lambda p: str(p.enrolled - p.paid), RIGHT),
    Column("完成率（已缴费/目标）", rate_text, RIGHT),
    Column(
        "距目标（人）",
        lambda p: str(max(p.target - p.paid, 0)) if p.target is not None else "—",
        RIGHT,
    ),
]

EXCEPTION_COLUMNS: list[Column[CashException]] = [
    Column("日期", lambda e: e.business_date.isoformat()),
    Column("类型", lambda e: e.kind_label),
    Column("金额（元）", lambda e: format_fen_grouped(e.amount_fen), RIGHT),
    Column("说明", lambda e: e.detail, tooltip=lambda e: e.detail),
    Column("经办人（持有现金）", lambda e: e.person),
]

OVERRIDE_COLUMNS: list[Column[OverrideRow]] = [
    Column("日期", lambda o: o.business_date.isoformat()),
    Column("时间", lambda o: o.created_at.strftime("%H:%M"), CENTER),
    Column("类型", lambda o: o.kind_label),
    Column("原因", lambda o: o.reason, tooltip=lambda o: o.reason),
    Column("放行主管", lambda o: o.supervisor_name),
    Column("经办人", lambda o: o.operator_name),
    Column(
        "关联",
        lambda o: f"收款 #{o.payment_id}" if o.payment_id else ("日结" if o.day_close_id else ""),
    ),
]


def table_of(model: RowsTableModel) -> QTableView:
    view = table_view(model)
    view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    return view


def period_summary(report: PeriodReport) -> str:
    reversals = sum(g.reversals for g in report.by_channel)
    text = f"收款 {report.payments} 笔，净额 {format_fen_grouped(report.amount_fen)} 元"
    if reversals:
        text += f"（含作废/退费 {reversals} 笔）"
    return text


def listing(summary: QLabel, view: QTableView, *below: QWidget) -> QWidget:
    """A tab of one table: its summary line above, anything else below."""
    tab = QWidget()
    layout = QVBoxLayout(tab)
    layout.addWidget(summary)
    layout.addWidget(view)
    for widget in below:
        layout.addWidget(widget)
    return tab


class PeriodPanel(QWidget):
    """The three grouped tables of one period, with its headline."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(f"<b>{title}</b>")
        self.summary = QLabel()
        self.summary.setStyleSheet("font-size: 15px;")
        # two panels side by side fit a 1,024-pixel screen: the headline wraps
        self.summary.setWordWrap(True)
        self.models: dict[str, RowsTableModel[GroupTotal]] = {}
        self.views: dict[str, QTableView] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        for attr, label in GROUPS:
            model = RowsTableModel(
                group_columns(label[1:]), self, negative=lambda g: g.amount_fen < 0
            )
            self.models[attr] = model
            view = table_of(model)
            self.views[attr] = view
            layout.addWidget(view, 0 if attr in FITTED_GROUPS else 1)

    def show_report(self, report: PeriodReport) -> None:
        self.summary.setText(period_summary(report))
        for attr, _label in GROUPS:
            self.models[attr].set_rows(getattr(report, attr))

    def fit_rows(self, attr: str, rows: int) -> None:
        """Make the list ``attr`` exactly ``rows`` lines high (at least one)."""
        fit_rows(self.views[attr], rows)
