"""The look shared by every window: a font with Chinese glyphs, Qt's own
dialogs in Chinese, and the application style sheet.

Kept apart from ``ui.app`` so that the login window can be styled and shown
before the database layer is imported (start fast).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ui.translations import install_qt_translations

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Zen Hei",
)
WQY_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
APP_STYLE = """
QWidget { font-size: 14px; }
QGroupBox { font-weight: bold; margin-top: 10px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QPushButton { padding: 4px 12px; }
QHeaderView::section { padding: 4px; }
"""


def ensure_chinese_font(app: QApplication) -> str:
    """Use a font that has Chinese glyphs; returns the family in use.

    The platform's default is kept when it covers Simplified Chinese (Windows,
    macOS); otherwise the first installed CJK family is chosen, loading the
    WenQuanYi file directly if fontconfig does not list it.
    """
    current = app.font().family()
    systems = QFontDatabase.writingSystems(current)
    if QFontDatabase.WritingSystem.SimplifiedChinese in systems and current not in (
        "",
        "Sans Serif",
    ):
        return current
    families = set(QFontDatabase.families())
    chosen = next((f for f in CJK_FAMILIES if f in families), None)
    if chosen is None and WQY_FILE.exists():
        font_id = QFontDatabase.addApplicationFont(str(WQY_FILE))
        loaded = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        chosen = loaded[0] if loaded else None
    if chosen is None:
        log.warning("no Chinese font found; Chinese text may show as boxes")
        return current
    font = QFont(chosen)
    font.setPointSize(10)
    app.setFont(font)
    return chosen


def style_app(app: QApplication) -> None:
    install_qt_translations(app)
    ensure_chinese_font(app)
    app.setStyleSheet(APP_STYLE)
