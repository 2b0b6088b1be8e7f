"""The keyboard map shared by the window and its pages.

The window owns F1…F8 and Ctrl+1…Ctrl+8 (page switching, ``ui.page_registry``)
everywhere. A page's own keys are scoped to the page
(``WidgetWithChildrenShortcut``): they work while the focus is on the page, so
two pages may give the same key different meanings, and a page never takes a
key the window uses. Reloading is :data:`RELOAD` on every page that reloads
(F5, the usual reload key, is 日结 here).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

#: reload the page (new lines written elsewhere, another day chosen…)
RELOAD = "Ctrl+Shift+R"


def page_shortcut(page: QWidget, sequence: str, slot: Callable[[], object]) -> QShortcut:
    """A key that works while the focus is anywhere on ``page``."""
    shortcut = QShortcut(QKeySequence(sequence), page)
    shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shortcut.activated.connect(slot)
    return shortcut
