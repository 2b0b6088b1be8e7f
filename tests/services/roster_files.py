"""Real roster workbooks, built with openpyxl as the bureau's offices make them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from factories import id_number
from openpyxl import Workbook


def person(serial: int) -> str:
    return id_number(serial, "19750312")


def workbook(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
    merge: Sequence[str] = (),
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名单"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        sheet.append(["填报单位：芦台街道", None, None, "填报日期：2023-11-06"])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for block in merge:
        sheet.merge_cells(block)
    book.save(path)
    return path
