"""The ruled lists that registers print: columns, heading row and the "nothing" row.

A list's columns are given as ``(heading, width share, alignment)``; the share
is of the printable width. The 续保名单, the 入库登记 and the 现金日记账 pages draw
their heading the same way: grey, centred, a heavy rule below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors

from printing import layout as L

#: (heading, width share, alignment)
Column = tuple[str, float, str]


def column_widths(columns: Sequence[Column], width: float) -> list[float]:
    """Each column's width: its share of ``width``."""
    total = sum(share for _, share, _ in columns)
    return [share / total * width for _, share, _ in columns]


def heading_row(columns: Sequence[Column], widths: Sequence[float], size: float) -> list[Any]:
    """The headings, centred, one cell a column."""
    return [L.cell(h, w, size, "center") for (h, _, _), w in zip(columns, widths, strict=True)]


def heading_styles() -> list[tuple[Any, ...]]:
    """The heading row's look: grey, with a heavy rule below it."""
    return [
        ("BACKGROUND", (0, 0), (-1, 0), L.HEADER_GREY),
        ("LINEBELOW", (0, 0), (-1, 0), L.FRAME, colors.black),
    ]


def add_nothing_row(
    rows: list[list[Any]], styles: list[tuple[Any, ...]], text: str, width: float, size: float
) -> None:
    """Below the heading, one row across the whole width saying the list is empty."""
    columns = len(rows[0])
    rows.append([L.cell(text, width, size, "center")] + [""] * (columns - 1))
    styles.append(("SPAN", (0, 1), (-1, 1)))
