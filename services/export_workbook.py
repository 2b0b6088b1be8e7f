"""The streamed workbook every export writes through: columns, the sheet writer,
the temporary file renamed into place, and the small lookups the exports share.

Amounts are exact decimals (fen / 100) formatted as money; ID and phone numbers
are text; a cancelled or failed export leaves no half-written file."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import InputError, NotFound, ServiceError
from common.money import fen_to_decimal
from db.models import (
    Office,
    Village,
)

MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"


ProgressFn = Callable[[int], bool]  # rows written so far -> go on?


class ExportCancelled(ServiceError):
    code = "export_cancelled"


@dataclasses.dataclass(frozen=True)
class ExportSummary:
    path: Path
    sheet: str
    rows: int  # data rows, without the title, header and totals rows
    totals_fen: dict[str, int]


@dataclasses.dataclass(frozen=True)
class Col:
    header: str
    width: float
    kind: str = "text"  # text | id (digits kept as text) | money | int | date


class SheetWriter:
    """One streamed sheet: title row, frozen header, typed cells, totals row.

    Number formats live on the columns (money, date, text for ID numbers), so
    a data cell carries no style of its own: the writer gives a cell written
    without a format its column's format, and a data row goes to the writer
    in one call. Rows are written in constant-memory mode: each row is
    flushed to disk as soon as the next one starts.
    """

    def __init__(self, book: Any, name: str, title: str, columns: Sequence[Col]) -> None:
        self.sheet = book.add_worksheet(name, constant_memory=True)
        self.columns = list(columns)
        money = book.add_format().set_num_format(MONEY_FORMAT)
        date = book.add_format().set_num_format("yyyy-mm-dd")
        # Strings are text cells anyway; ID and phone columns are also
        # formatted as text, so a number typed into them later stays exact.
        text = book.add_format().set_num_format("@")
        self._bold = book.add_format().set_bold()
        self._date_time = book.add_format().set_num_format("yyyy-mm-dd hh:mm")
        self._bold_money = book.add_format().set_bold().set_num_format(MONEY_FORMAT)
        by_kind = {"money": money, "date": date, "id": text}
        for i, col in enumerate(self.columns):
            self.sheet.set_column_width(i, col.width)
            if col.kind in by_kind:
                self.sheet.set_column_format(i, by_kind[col.kind])
        self.sheet.freeze_panes(2, 0)
        self.sheet.set_repeat_rows(1, 1)
        self.sheet.write(0, 0, title, book.add_format().set_bold().set_font_size(14))
        header = (
            book.add_format()
            .set_bold()
            .set_align("center")
            .set_vertical_align("center")
            .set_text_wrap()
        )
        self.sheet.write_row(1, 0, [col.header for col in self.columns], header)
        self._kinds = [c.kind for c in self.columns]
        self._money = [i for i, c in enumerate(self.columns) if c.kind == "money"]
        self._ids = [i for i, c in enumerate(self.columns) if c.kind == "id"]
        self._dates = [i for i, c in enumerate(self.columns) if c.kind == "date"]
        self._next = 2  # zero-based index of the next row
        self.rows = 0

    def append(self, values: Sequence[Any]) -> None:
        """A data row: money in fen, dates as dates, None or "" for an empty cell."""
        row = list(values)
        if len(row) != len(self._kinds):
            raise ValueError(f"{len(row)} values for {len(self._kinds)} columns")
        for i in self._money:
            if row[i] is not None:
                row[i] = fen_to_decimal(row[i])
        for i in self._ids:
            value = row[i]
            if value is not None and not isinstance(value, str):
                row[i] = str(value)
        stamped = [(i, row[i]) for i in self._dates if isinstance(row[i], dt.datetime)]
        for i, _stamp in stamped:
            row[i] = None
        self.sheet.write_row(self._next, 0, row)
        for i, stamp in stamped:
            self.sheet.write(self._next, i, stamp, self._date_time)
        self._next += 1
        self.rows += 1

    def totals(self, values: Sequence[Any]) -> None:
        """The totals row, in bold (a cell's own format replaces its column's)."""
        row = self._next
        self._next += 1
        for i, (kind, value) in enumerate(zip(self._kinds, values, strict=True)):
            if value is None or value == "":
                continue
            if kind == "money":
                self.sheet.write(row, i, fen_to_decimal(value), self._bold_money)
            else:
                self.sheet.write(row, i, value, self._bold)

    def note(self, column: int, text: str) -> None:
        """A line of text under the list (not a data row)."""
        self.sheet.write(self._next, column, text)
        self._next += 1


def _check_path(path: Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError("导出文件名须以 .xlsx 结尾。", code="export_suffix")
    if not path.parent.is_dir():
        raise InputError(f"文件夹不存在：{path.parent}", code="export_dir")
    return path


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    """A streamed workbook that becomes ``path`` only when complete.

    The workbook is written to a temporary file beside ``path`` and renamed
    into place when the body has finished. If anything failed or the export
    was cancelled the workbook is never closed, so nothing is written, and
    the temporary file is removed. (The writer keeps the rows of a
    constant-memory sheet in anonymous temporary files that go with it.)
    """
    from rvgsrust_xlsxwriter import Workbook

    path = _check_path(path)
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book = Workbook(tmp)
        yield book
        try:
            book.close()
            os.replace(tmp, path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(f"无法写入 {path.name}：{reason}", code="export_io") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def office_name_of(session: Session, office_id: int) -> str:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFound("没有这个单位。", code="office_not_found")
    return office.name


def village_id_by_name(session: Session, office_id: int, name: str) -> int:
    vid = session.scalar(
        select(Village.id).where(Village.office_id == office_id, Village.name == name.strip())
    )
    if vid is None:
        raise InputError(f"本单位没有村（社区）“{name}”。", code="village_not_found")
    return vid


def period_text(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to:
        return f"{date_from:%Y-%m-%d} 至 {date_to:%Y-%m-%d}"
    if date_from:
        return f"{date_from:%Y-%m-%d} 起"
    if date_to:
        return f"至 {date_to:%Y-%m-%d}"
    return "全部日期"


def clock_time(cache: dict[tuple[int, int], str], moment: dt.datetime) -> str:
    """The clock time of a moment as 09:30, from a cache: strftime on every
    line of a year's ledger cost about a tenth of the export."""
    minute = (moment.hour, moment.minute)
    text = cache.get(minute)
    if text is None:
        text = cache[minute] = f"{moment.hour:02d}:{moment.minute:02d}"
    return text


def tick_progress(progress: ProgressFn | None, rows: int) -> None:
    if progress is not None and not progress(rows):
        raise ExportCancelled("导出已取消，没有写入文件。")
