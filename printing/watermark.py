"""培训 across every page of a document printed in training mode.

A document printed while a new clerk practises (``--training``) must never
pass for a real one: every page gets a large diagonal 培训 in red outline and
a line 培训模式 · 非正式单据 at the top. The stamp is drawn once per page size
with reportlab and laid over the finished PDF with pypdf, so the documents'
own code stays as it is.
"""

from __future__ import annotations

import io
import math

from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.colors import Color

from printing import layout as L

TRAINING_WORD = "培训"
TRAINING_LINE = "培训模式 · 非正式单据 · 不作收款凭证"
STAMP_RED = Color(0.85, 0.1, 0.1, alpha=0.35)


def _stamp_page(width: float, height: float) -> bytes:
    """One transparent page of the given size carrying the training marks."""
    buffer = io.BytesIO()
    c = L.new_canvas(buffer, (width, height), "培训")
    c.saveState()
    c.setFillColor(STAMP_RED)
    c.setStrokeColor(STAMP_RED)
    size = min(width, height) * 0.42
    c.translate(width / 2, height / 2)
    c.rotate(math.degrees(math.atan2(height, width)))
    c.setFont(L.font(), size)
    c.drawCentredString(0, -size / 3, TRAINING_WORD)
    c.restoreState()
    c.setFillColor(Color(0.8, 0, 0))
    c.setFont(L.font(), 9)
    c.drawCentredString(width / 2, height - 12, TRAINING_LINE)
    c.showPage()
    c.save()
    return buffer.getvalue()


def stamp_training(pdf: bytes) -> bytes:
    """``pdf`` with 培训 laid over every page (the pages' own content unchanged)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    stamps: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        box = page.mediabox
        key = (round(float(box.width), 1), round(float(box.height), 1))
        if key not in stamps:
            stamps[key] = PdfReader(io.BytesIO(_stamp_page(*key))).pages[0]
        page.merge_page(stamps[key])
    title = writer.metadata.title if writer.metadata else ""
    writer.add_metadata({"/Title": f"【培训】{title or ''}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
