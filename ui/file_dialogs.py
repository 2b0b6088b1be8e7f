"""File dialogs that leave the database's locks alone.

SQLite's locks are POSIX advisory locks: they belong to the process and the
file, and closing *any* descriptor of that file in the process drops them all
(SQLite, "How to corrupt a database file", §2.2). Qt's file dialog lists a
folder through ``QFileSystemModel``, whose default icon provider asks
``QMimeDatabase`` for each file's type. For names without a known extension —
``counter.sqlite3-wal`` and ``counter.sqlite3-shm`` — the MIME database reads
the file's first bytes to guess: it opens and closes the WAL and shared-memory
files, and the window silently loses its locks on them (measured with strace
and ``/proc/locks``: three locks before opening the save dialog on the data
folder, one after). Another process may then believe it is alone and delete
the WAL the window is still writing to.

:class:`NameOnlyIconProvider` gives every entry a folder or file icon decided
from ``stat()`` alone, and :func:`file_dialog` / :func:`folder_dialog` always
use it (with Qt's own dialog, not the platform's, whose GTK variant sniffs the
same way; on Windows, where locks work differently, the native dialog stays).
Every dialog starts in the user's documents folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QFileInfo, QStandardPaths
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QApplication, QFileDialog, QStyle, QWidget


class NameOnlyIconProvider(QAbstractFileIconProvider):
    """Icons and type names from ``stat()`` only: never opens a file."""

    def icon(self, what: object) -> QIcon:  # type: ignore[override]
        style = QApplication.style()
        if isinstance(what, QFileInfo):
            pixmap = (
                QStyle.StandardPixmap.SP_DirIcon
                if what.isDir()
                else QStyle.StandardPixmap.SP_FileIcon
            )
            return style.standardIcon(pixmap)
        kind = what
        if kind == QAbstractFileIconProvider.IconType.Folder:
            return style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        if kind in (
            QAbstractFileIconProvider.IconType.Drive,
            QAbstractFileIconProvider.IconType.Computer,
        ):
            return style.standardIcon(QStyle.StandardPixmap.SP_DriveHDIcon)
        return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "文件夹"
        suffix = info.suffix()
        return f"{suffix.upper()} 文件" if suffix else "文件"


_PROVIDERS: dict[int, NameOnlyIconProvider] = {}


def documents_folder() -> str:
    """The user's documents folder (home when there is none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if found and Path(found).is_dir():
        return found
    return str(Path.home())


def _use_qt_dialog() -> bool:
    return sys.platform != "win32"


def _make_safe(dialog: QFileDialog) -> QFileDialog:
    if _use_qt_dialog():
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        provider = NameOnlyIconProvider()
        dialog.setIconProvider(provider)
        # The dialog does not own its icon provider: keep it alive as long as
        # the dialog's C++ object lives, whatever happens to the Python wrapper.
        key = id(provider)
        _PROVIDERS[key] = provider
        dialog.destroyed.connect(lambda *_: _PROVIDERS.pop(key, None))
    return dialog


def file_dialog(
    parent: QWidget | None,
    title: str,
    *,
    save: bool,
    name_filter: str = "",
    default_suffix: str = "",
    directory: str | None = None,
) -> QFileDialog:
    """A save or open dialog in the documents folder; open it with ``open()``."""
    dialog = QFileDialog(parent, title, directory or documents_folder())
    _make_safe(dialog)
    dialog.setAcceptMode(
        QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen
    )
    if not save:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if name_filter:
        dialog.setNameFilter(name_filter)
    if default_suffix:
        dialog.setDefaultSuffix(default_suffix)
    return dialog


def folder_dialog(parent: QWidget | None, title: str, directory: str | None = None) -> QFileDialog:
    """A dialog choosing a folder (e.g. where backups go)."""
    dialog = QFileDialog(parent, title, directory or documents_folder())
    _make_safe(dialog)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    return dialog
