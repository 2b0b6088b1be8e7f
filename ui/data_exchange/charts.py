"""The weekly return's two pictures, drawn with QPainter (QtCharts is
deprecated since Qt 6.10): paid against target per village, and the office's
paid figure week by week against its target. The printed return draws the
same pictures with reportlab (``printing/progress_report.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from printing.report_data import VillageReturn, WeekPoint

TARGET_GREY = QColor(198, 198, 198)
PAID_BLUE = QColor(41, 107, 179)
TARGET_RED = QColor(191, 51, 51)
AXIS = QColor(90, 90, 90)


def _nice_top(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * 5 >= value:
                return step * factor * 5
        step *= 10


class _Chart(QWidget):
    title = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, 240)

    def _frame(self, painter: QPainter, left: float) -> QRectF:
        fm = QFontMetrics(self.font())
        painter.fillRect(self.rect(), QColor(255, 255, 255))
        painter.setPen(QColor(30, 30, 30))
        bold = painter.font()
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(
            QRectF(0, 4, self.width(), fm.height() + 4), Qt.AlignmentFlag.AlignHCenter, self.title
        )
        bold.setBold(False)
        painter.setFont(bold)
        top = fm.height() * 2 + 8
        return QRectF(
            left, top, self.width() - left - 12, self.height() - top - fm.height() * 2 - 10
        )

    def _value_axis(self, painter: QPainter, plot: QRectF, top_value: int) -> None:
        fm = QFontMetrics(self.font())
        painter.setPen(QPen(AXIS, 1))
        for i in range(6):
            value = top_value * i // 5
            y = plot.bottom() - plot.height() * i / 5
            painter.setPen(QPen(QColor(225, 225, 225), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(AXIS)
            text = str(value)
            painter.drawText(
                QPointF(plot.left() - fm.horizontalAdvance(text) - 4, y + fm.ascent() / 2 - 1), text
            )
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())

    def _legend(self, painter: QPainter, items: Sequence[tuple[QColor, str]]) -> None:
        fm = QFontMetrics(self.font())
        x = self.width() - 12
        y = fm.height() + 10
        for color, label in reversed(items):
            x -= fm.horizontalAdvance(label) + 4
            painter.setPen(QColor(40, 40, 40))
            painter.drawText(QPointF(x, y + fm.ascent()), label)
            x -= 14
            painter.fillRect(QRectF(x, y + 2, 10, 10), color)
            x -= 12


class VillageBarsChart(_Chart):
    """Grey bar: the village's target; blue bar: people paid."""

    title = "各村（社区）已缴费人数与目标任务"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[VillageReturn] = []

    def set_rows(self, rows: Sequence[VillageReturn]) -> None:
        self.rows = [r for r in rows if r.target or r.paid]
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self._frame(painter, 44)
        top_value = _nice_top(max([1, *(max(r.target or 0, r.paid) for r in self.rows)]))
        self._value_axis(painter, plot, top_value)
        self._legend(painter, [(TARGET_GREY, "目标任务"), (PAID_BLUE, "已缴费")])
        if not self.rows:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "暂无数据")
            return
        fm = QFontMetrics(self.font())
        slot = plot.width() / len(self.rows)
        bar = max(1.0, slot * 0.36)
        every = max(1, int((fm.horizontalAdvance("芦台一街") + 6) // slot) + 1)
        for i, r in enumerate(self.rows):
            x = plot.left() + slot * i + slot * 0.12
            for j, (value, color) in enumerate(((r.target or 0, TARGET_GREY), (r.paid, PAID_BLUE))):
                h = plot.height() * value / top_value
                painter.fillRect(QRectF(x + j * bar, plot.bottom() - h, bar, h), color)
            if i % every == 0:
                painter.setPen(AXIS)
                name = fm.elidedText(r.name, Qt.TextElideMode.ElideRight, int(slot * every) - 2)
                painter.drawText(
                    QRectF(plot.left() + slot * i, plot.bottom() + 3, slot * every, fm.height()),
                    Qt.AlignmentFlag.AlignLeft,
                    name,
                )


class OfficeCurveChart(_Chart):
    """The office's paid figure at each week's end; the target as a dashed line."""

    title = "全单位累计已缴费人数（逐周）"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[WeekPoint] = []
        self.target: int | None = None

    def set_points(self, points: Sequence[WeekPoint], target: int | None) -> None:
        self.points = list(points)
        self.target = target
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self._frame(painter, 52)
        top_value = _nice_top(max([1, self.target or 0, *(p.paid for p in self.points)]))
        self._value_axis(painter, plot, top_value)
        legend = [(PAID_BLUE, "累计已缴费")]
        if self.target:
            legend.append((TARGET_RED, f"目标 {self.target}"))
        self._legend(painter, legend)
        if not self.points:
            return
        fm = QFontMetrics(self.font())
        n = len(self.points)
        step = plot.width() / max(n - 1, 1)

        def at(i: int, value: int) -> QPointF:
            x = plot.left() + (step * i if n > 1 else plot.width() / 2)
            return QPointF(x, plot.bottom() - plot.height() * value / top_value)

        if self.target:
            pen = QPen(TARGET_RED, 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            y = at(0, self.target).y()
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(QPen(PAID_BLUE, 2.2))
        painter.drawPolyline(QPolygonF([at(i, p.paid) for i, p in enumerate(self.points)]))
        for i, p in enumerate(self.points):
            painter.setBrush(PAID_BLUE)
            painter.drawEllipse(at(i, p.paid), 2.8, 2.8)
        painter.setPen(AXIS)
        every = max(1, int((fm.horizontalAdvance("12-31") + 8) // max(step, 1)) + 1)
        for i, p in enumerate(self.points):
            if i % every == 0 or i == n - 1:
                label = f"{p.week_end:%m-%d}"
                width = fm.horizontalAdvance(label)
                x = min(at(i, 0).x() - width / 2, self.width() - width - 2)
                painter.drawText(QPointF(x, plot.bottom() + fm.ascent() + 3), label)
