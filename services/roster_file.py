"""Reading a roster file as the bureau sends it (the first step of an import).

A list is an ``.xlsx`` or ``.csv`` file: title rows above the header, headers in
any order under their common Chinese names, merged cells, full-width digits, ID
numbers that Excel turned into numbers. :func:`read_roster` finds the header row
and the data; :func:`guess_mapping` maps headers to fields (the window asks the
clerk about headers it does not know). Checking and writing the rows is
``services.roster_import``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common.errors import InputError

FIELD_LABELS = {
    "id_number": "公民身份号码",
    "name": "姓名",
    "village": "村（社区）",
    "phone": "联系电话",
    "household_no": "户号",
    "tier": "参保档次",
    "address": "住址",
    "reference": "缴费渠道/流水号",
    "not_enrolled_reason": "未参保原因",
}
REQUIRED_FIELDS = ("id_number", "name")

# Header names met in the bureau's lists, after NFKC and with spaces and
# asterisks removed (so "身份证号码*" and "村(社区)" match too).
_ALIASES = {
    "id_number": (
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "身份证",
        "公民身份证号码",
        "居民身份证号码",
        "参保人身份证号码",
    ),
    "name": ("姓名", "参保人姓名", "参保人", "居民姓名", "户主姓名"),
    "village": ("村(社区)", "村社区", "村", "社区", "村居", "所属村(社区)", "村(居)", "所在村"),
    "phone": ("联系电话", "电话", "手机号", "手机号码", "手机", "联系方式", "电话号码"),
    "household_no": ("户号", "户编号", "户口簿户号"),
    "tier": ("参保档次", "缴费档次", "档次"),
    "address": ("住址", "地址", "家庭住址", "户籍地址"),
    "reference": ("缴费渠道", "缴费方式", "渠道", "交易流水号", "流水号", "缴费凭证号"),
    "not_enrolled_reason": ("未参保原因", "未缴费原因", "原因"),
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}

HEADER_SCAN_ROWS = 30


@dataclasses.dataclass(frozen=True)
class RosterTable:
    """The cells of a roster file below its header row, as text."""

    file_name: str
    sha256: str
    header_row: int  # 1-based row number of the header in the file
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number in the file, cells)
    # cells that held a number too long for Excel to keep exactly: (row, column)
    lossy_numbers: frozenset[tuple[int, int]] = frozenset()


# --- reading ---------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell as clean text: full-width characters folded (NFKC), trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value))
    return text.replace("\u200b", "").replace("\ufeff", "").strip()


def header_key(text: str) -> str:
    return "".join(ch for ch in cell_text(text) if not ch.isspace() and ch not in "*＊:：")


def header_field(text: str) -> str | None:
    """The field a header names, or None when it is not a known header."""
    return _ALIAS_TO_FIELD.get(header_key(text))


def _is_lossy(value: object) -> bool:
    # Excel keeps 15 significant digits: an 18-digit ID typed into a number
    # cell comes back as a float with its last digits gone.
    return isinstance(value, float) and abs(value) >= 1e15


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list[object]]], set[tuple[int, int]]]:
    """Rows of the first sheet (1-based numbers), merged blocks filled in.

    Read with calamine (a Rust reader, ten times faster than openpyxl's on a
    50,000-row list). A merged block — a title, or a village written once for
    many rows — holds its value in its top-left cell: every cell of the block
    gets that value."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    grid: list[list[Any]] = sheet.to_python(skip_empty_area=False)
    for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ():
        if r1 >= len(grid):
            continue
        top = grid[r1]
        value = top[c1] if c1 < len(top) else None
        for r in range(r1, min(r2, len(grid) - 1) + 1):
            cells = grid[r]
            if len(cells) <= c2:
                cells.extend([None] * (c2 + 1 - len(cells)))
            for c in range(c1, c2 + 1):
                cells[c] = value
    lossy = {
        (n, c)
        for n, cells in enumerate(grid, start=1)
        for c, v in enumerate(cells)
        if isinstance(v, float) and _is_lossy(v)
    }
    return list(enumerate(grid, start=1)), lossy


def _csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("无法识别 CSV 文件的编码（应为 UTF-8 或 GBK）。", code="roster_encoding")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(n, list(cells)) for n, cells in enumerate(reader, start=1)]


def _find_header(rows: Sequence[tuple[int, Sequence[str]]]) -> int:
    """Index in ``rows`` of the header row: the row naming most known fields
    (the ID number counts double); failing that, the first of the rows with
    the most different values (a merged title fills many cells with one)."""
    best, best_score = -1, 1
    for i, (_n, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {header_field(c) for c in cells if c}
        fields.discard(None)
        score = len(fields) + ("id_number" in fields)
        if score > best_score:
            best, best_score = i, score
    if best >= 0:
        return best
    widths = [len({c for c in cells if c}) for _n, cells in rows[:HEADER_SCAN_ROWS]]
    if not widths or max(widths) == 0:
        raise InputError("文件中没有数据。", code="roster_empty")
    return widths.index(max(widths))


def read_roster(path: Path | str, data: bytes | None = None) -> RosterTable:
    """Read an Excel (``.xlsx``, ``.xls``) or ``.csv`` roster; find its header row and data."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"无法读取文件 {path.name}：{exc.strerror}", code="roster_io"
            ) from None
    suffix = path.suffix.lower()
    lossy: set[tuple[int, int]] = set()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:
            raw, lossy = _xlsx_rows(data)
        except Exception as exc:  # calamine raises its own errors for broken files
            raise InputError(
                f"{path.name} 不是有效的 Excel 文件，无法打开（{type(exc).__name__}）。",
                code="roster_unreadable",
            ) from None
    elif suffix == ".csv":
        raw = _csv_rows(data)
    else:
        raise InputError("只能导入 Excel（.xlsx、.xls）或 .csv 文件。", code="roster_format")
    rows = [(n, tuple(cell_text(v) for v in cells)) for n, cells in raw]
    header_index = _find_header(rows)
    header_row, headers = rows[header_index]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    body = tuple(
        (n, tuple(cells[:width]) + ("",) * (width - len(cells)))
        for n, cells in rows[header_index + 1 :]
    )
    return RosterTable(
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        header_row=header_row,
        headers=tuple(headers[:width]),
        rows=body,
        lossy_numbers=frozenset((n, c) for n, c in lossy if c < width),
    )


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Field -> column index for the headers this program knows (first one wins)."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = header_field(header)
        if field is not None and field not in mapping:
            mapping[field] = index
    return mapping


# Columns lists carry that hold nothing to import.
_IGNORED_HEADERS = frozenset({"序号", "编号", "备注", "说明"})


def unknown_headers(headers: Sequence[str], mapping: dict[str, int]) -> list[str]:
    """Headers neither mapped nor known to hold nothing (序号, 备注)."""
    used = set(mapping.values())
    return [
        h
        for i, h in enumerate(headers)
        if h and i not in used and header_key(h) not in _IGNORED_HEADERS
    ]


def missing_fields(mapping: dict[str, int]) -> list[str]:
    return [f for f in REQUIRED_FIELDS if f not in mapping]
