"""Several receipts as one print job (a household paid by one agent).

One receipt per page, exactly as ``printing.receipt`` draws it alone, in the
order given (consecutive numbers), so the printer gets one job and the clerk
one preview.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.pdfgen.canvas import Canvas

from printing import layout as L
from printing.data import ReceiptData
from printing.receipt import PAGE_SIZE, draw_receipt


def render_receipt_job(receipts: Sequence[ReceiptData]) -> bytes:
    """All ``receipts`` in one PDF, one A4 page each."""
    if not receipts:
        raise ValueError("a receipt job needs at least one receipt")

    def draw(c: Canvas) -> None:
        for data in receipts:
            draw_receipt(c, data)
            c.showPage()

    first, last = receipts[0].receipt_no, receipts[-1].receipt_no
    title = (
        f"收据 {first}"
        if len(receipts) == 1
        else f"收据 {first} 至 {last}（共 {len(receipts)} 张）"
    )
    return L.render_pages(PAGE_SIZE, title, draw)
