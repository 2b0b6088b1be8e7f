"""The RMB notes and coins a cash drawer is counted in (日结点钞).

One table for the whole program: the day close keys a count by ``key``
(1-yuan notes and coins are counted apart, so not by value); printed sheets
and the count widget group by ``kind`` and show ``face``. No database here, so
``printing/`` can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Denomination:
    key: str
    kind: str  # 'note' | 'coin'
    fen: int
    label: str  # the full name, in messages: "100元纸币"
    face: str  # as printed in a count table beside its kind: "100 元"


DENOMINATIONS: tuple[Denomination, ...] = (
    Denomination("note_100", "note", 10_000, "100元纸币", "100 元"),
    Denomination("note_50", "note", 5_000, "50元纸币", "50 元"),
    Denomination("note_20", "note", 2_000, "20元纸币", "20 元"),
    Denomination("note_10", "note", 1_000, "10元纸币", "10 元"),
    Denomination("note_5", "note", 500, "5元纸币", "5 元"),
    Denomination("note_1", "note", 100, "1元纸币", "1 元"),
    Denomination("coin_1", "coin", 100, "1元硬币", "1 元"),
    Denomination("coin_5j", "coin", 50, "5角硬币", "5 角"),
    Denomination("coin_1j", "coin", 10, "1角硬币", "1 角"),
)
BY_KEY = {d.key: d for d in DENOMINATIONS}
#: (kind, value in fen) -> the denomination: how a count widget names a piece
BY_PIECE = {(d.kind, d.fen): d for d in DENOMINATIONS}
