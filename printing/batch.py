"""Batch notices: many ``NoticeData`` into one PDF, one notice per page.

``build_notices_pdf(notices, progress)`` calls ``progress(done, total)`` after
each notice; a ``False`` answer stops the batch with ``BatchCancelled``. For a
UI that must stay responsive, ``NoticeBatch`` builds the same PDF step by step
(``add(count)`` a few notices at a time, then ``finish()``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from common.errors import ServiceError
from printing import layout as L
from printing.data import NoticeData
from printing.notice import PAGE_SIZE, draw_notice

Progress = Callable[[int, int], bool | None]


class BatchCancelled(ServiceError):
    """The clerk cancelled a batch; no PDF was produced."""

    code = "batch_cancelled"

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"批量打印已取消（已生成 {done}/{total} 份，未输出）", code=self.code)
        self.done = done
        self.total = total


class NoticeBatch:
    """Incremental builder of a batch-notice PDF."""

    def __init__(self, notices: Sequence[NoticeData], title: str = "缴费通知单（批量）") -> None:
        L.font()  # FontNotFound before any work
        self._notices = list(notices)
        self._buffer = io.BytesIO()
        self._canvas = L.new_canvas(self._buffer, PAGE_SIZE, title)
        self._done = 0
        self._result: bytes | None = None

    @property
    def total(self) -> int:
        return len(self._notices)

    @property
    def done(self) -> int:
        return self._done

    @property
    def finished(self) -> bool:
        return self._done >= len(self._notices)

    def add(self, count: int = 1) -> int:
        """Draw up to ``count`` more notices; return how many are done."""
        if self._result is not None:
            raise RuntimeError("batch already finished")
        end = min(len(self._notices), self._done + max(1, count))
        while self._done < end:
            draw_notice(self._canvas, self._notices[self._done])
            self._canvas.showPage()
            self._done += 1
        return self._done

    def finish(self) -> bytes:
        """The PDF, once every notice is drawn."""
        if self._result is None:
            if not self.finished:
                raise RuntimeError(f"batch not complete: {self._done}/{self.total}")
            self._canvas.save()
            self._result = self._buffer.getvalue()
        return self._result


def build_notices_pdf(notices: Sequence[NoticeData], progress: Progress | None = None) -> bytes:
    """All ``notices`` in one PDF. ``progress(done, total)`` is called after each
    notice; returning ``False`` raises ``BatchCancelled`` (``None`` continues)."""
    if not notices:
        raise ServiceError("没有需要打印的缴费通知单", code="empty_batch")
    batch = NoticeBatch(notices)
    while not batch.finished:
        done = batch.add(1)
        if progress is not None and progress(done, batch.total) is False:
            raise BatchCancelled(done, batch.total)
    return batch.finish()
