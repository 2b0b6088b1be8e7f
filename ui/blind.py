"""Blind count as a state of the window.

While a drawer is being counted on 日结 (the count not yet confirmed), no
screen may show expected or on-hand cash: not the status-bar clock, not the
banner, not 入库 or 台账, not a tooltip. :class:`MainWindow` keeps the state in
one place and hands it to every page that has a ``set_blind(bool)`` method;
such a page hides its cash figures behind a :class:`BlindCover`, which says
plainly why ("点钞中，暂不显示库存金额") and gives them back when the count is
confirmed or abandoned.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QLabel, QWidget

BLIND_NOTICE = "点钞中，暂不显示库存金额"


class BlindCover:
    """Hides some widgets (and disables others) of a page during a blind count.

    The widgets to hide must be ones the page keeps visible otherwise: they are
    shown again when the count ends. The widgets to disable are actions that
    would reveal the figures (print, export, "fill in all cash").
    """

    def __init__(
        self,
        hide: Iterable[QWidget],
        disable: Iterable[QWidget] = (),
        parent: QWidget | None = None,
    ) -> None:
        self.hidden = list(hide)
        self.disabled = list(disable)
        self.blind = False
        self._enabled: dict[int, bool] = {}
        self.notice = QLabel(BLIND_NOTICE, parent)
        self.notice.setObjectName("blindNotice")
        self.notice.setStyleSheet(
            "QLabel#blindNotice { font-size: 16px; font-weight: bold; color: #37474f;"
            " background: #eceff1; padding: 16px; border-radius: 4px; }"
        )
        self.notice.hide()

    def set_blind(self, blind: bool) -> None:
        if blind == self.blind:
            return
        self.blind = blind
        for widget in self.hidden:
            widget.setVisible(not blind)
        for widget in self.disabled:
            if blind:
                self._enabled[id(widget)] = widget.isEnabled()
                widget.setEnabled(False)
            else:
                widget.setEnabled(self._enabled.pop(id(widget), True))
        self.notice.setVisible(blind)
