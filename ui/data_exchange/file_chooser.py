"""Choosing files, behind a small interface so tests can hand a fake.

Only files of the wanted kind are listed (``*.xlsx`` …), so the dialog never
lists — or sniffs the type of — the program's own database file: SQLite loses
its locks when any code in the process opens and closes the database file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget

Chosen = Callable[[Path], None]


class FileChooser(Protocol):
    def save(self, parent: QWidget | None, title: str, name: str, chosen: Chosen) -> None: ...

    def open(self, parent: QWidget | None, title: str, chosen: Chosen) -> None: ...


class DialogFileChooser:
    """Qt's file dialog, opened window-modal (never a blocking ``exec``)."""

    def __init__(self) -> None:
        self.folder = str(Path.home())

    def _dialog(self, parent: QWidget | None, title: str, filters: str) -> QFileDialog:
        dialog = QFileDialog(parent, title, self.folder, filters)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        return dialog

    def save(self, parent: QWidget | None, title: str, name: str, chosen: Chosen) -> None:
        dialog = self._dialog(parent, title, "Excel 工作簿 (*.xlsx)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("xlsx")
        dialog.selectFile(name)
        dialog.fileSelected.connect(lambda path: self._done(Path(path), chosen))
        dialog.open()

    def open(self, parent: QWidget | None, title: str, chosen: Chosen) -> None:
        dialog = self._dialog(parent, title, "名单 (*.xlsx *.xls *.csv)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self._done(Path(path), chosen))
        dialog.open()

    def _done(self, path: Path, chosen: Chosen) -> None:
        self.folder = str(path.parent)
        chosen(path)


class FixedFileChooser:
    """Answers at once with the paths it was given (tests, screenshots)."""

    def __init__(self, save_to: Path | None = None, open_path: Path | None = None) -> None:
        self.save_to = save_to
        self.open_path = open_path
        self.asked: list[str] = []

    def save(self, parent: QWidget | None, title: str, name: str, chosen: Chosen) -> None:
        self.asked.append(title)
        if self.save_to is not None:
            chosen(self.save_to if self.save_to.suffix else self.save_to / name)

    def open(self, parent: QWidget | None, title: str, chosen: Chosen) -> None:
        self.asked.append(title)
        if self.open_path is not None:
            chosen(self.open_path)
