"""Training mode (``--training``): practise the whole day on a separate database.

The training database is its own SQLite file beside the real one, named
``…-training.sqlite3``, so nothing a new clerk does touches real records. The
mode is visible everywhere: a coloured band 培训模式 above every page (and on
the login and first-run forms), 【培训】 in the window title, and 培训 printed
across every page of every document (:func:`printing.watermark.stamp_training`).
A database whose file is marked as a training one always opens in training
mode, even when ``--training`` was forgotten.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy.engine import make_url

from common.errors import InputError
from db.engine import sqlite_path
from printing.watermark import stamp_training
from ui.printing_bridge import DocumentOutput, OnPrinted

TRAINING_MARK = "-training"
BAND_TEXT = "培训模式　·　练习用数据库，所做操作不影响正式数据，打印的单据均印有“培训”字样"
BAND_STYLE = (
    "QLabel#trainingBand { background: #ff8f00; color: #1a1a1a; font-weight: bold;"
    " font-size: 15px; padding: 4px 8px; }"
)


def is_training_url(url: str) -> bool:
    path = sqlite_path(url)
    return path is not None and path.stem.endswith(TRAINING_MARK)


def training_database_url(url: str) -> str:
    """The training twin of the database at ``url`` (a file beside it).

    Only a SQLite file has a twin; a server database is refused, since the
    program cannot create a separate one there by itself.
    """
    if is_training_url(url):
        return url
    path = sqlite_path(url)
    if path is None:
        raise InputError(
            "培训模式只能使用本机的数据库文件；请用 --db 指定一个培训用的 SQLite 文件。",
            code="training_needs_sqlite",
        )
    twin = path.with_name(f"{path.stem}{TRAINING_MARK}{path.suffix or '.sqlite3'}")
    return make_url(url).set(database=str(twin)).render_as_string(hide_password=False)


def training_path(url: str) -> Path | None:
    return sqlite_path(url) if is_training_url(url) else None


class TrainingBand(QLabel):
    """The orange band 培训模式 shown above the pages and on the start forms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(BAND_TEXT, parent)
        self.setObjectName("trainingBand")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(BAND_STYLE)
        self.setWordWrap(True)


class TrainingOutput:
    """Wraps the window's document output: every PDF gets 培训 on every page."""

    def __init__(self, inner: DocumentOutput) -> None:
        self.inner = inner

    def present(
        self,
        kind: str,
        title: str,
        pdf: bytes,
        parent: QWidget | None,
        on_printed: OnPrinted | None = None,
    ) -> None:
        self.inner.present(kind, f"【培训】{title}", stamp_training(pdf), parent, on_printed)
