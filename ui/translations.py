"""Qt's own Chinese: standard buttons, message boxes and file dialogs.

PySide6 ships Qt's translations (``qtbase_zh_CN.qm``) in its
``Qt/translations`` folder; without a translator loaded every standard
button reads "OK"/"Cancel" and the save-as dialog is in English. The
translators are kept on the application object so they live as long as it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

#: strings the shipped zh_CN catalogue leaves in English (context, source) → Chinese
SUPPLEMENT: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Look in:"): "查找范围：",
    ("QFileDialog", "Files of type:"): "文件类型：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QFileDialog", "&File name:"): "文件名称(&N)：",
}


class SupplementTranslator(QTranslator):
    """Chinese for the few Qt strings the shipped catalogue does not cover."""

    def translate(  # noqa: D102 - Qt's virtual
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None (a null QString) lets Qt ask the next catalogue
        return SUPPLEMENT.get((context, source))

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


log = logging.getLogger(__name__)

#: catalogues loaded, in order; qtbase covers QMessageBox, QFileDialog,
#: QDialogButtonBox and the print dialogs
CATALOGUES = ("qtbase",)
LOCALE = QLocale(
    QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China
)


def install_qt_translations(app: QCoreApplication) -> list[str]:
    """Load Qt's zh_CN catalogues into ``app``; returns the names loaded.

    Calling it again is harmless (the translators are installed once). A
    missing catalogue is logged, not fatal: the window still works in English
    buttons rather than not at all.
    """
    already = app.property("yibaoTranslations")
    if already:
        return list(already)
    QLocale.setDefault(LOCALE)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded: list[str] = []
    keep: list[QTranslator] = []
    for name in CATALOGUES:
        translator = QTranslator(app)
        if translator.load(LOCALE, name, "_", folder):
            app.installTranslator(translator)
            keep.append(translator)
            loaded.append(name)
        else:
            log.warning("Qt translation %s_zh_CN not found in %s", name, folder)
    supplement = SupplementTranslator(app)
    app.installTranslator(supplement)
    keep.append(supplement)
    app.setProperty("yibaoTranslations", loaded)
    return loaded
