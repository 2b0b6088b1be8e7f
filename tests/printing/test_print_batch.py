"""Batch notices: one PDF, progress after each notice, cancel."""

from __future__ import annotations

import dataclasses

import pytest

from common.errors import ServiceError
from printing.batch import BatchCancelled, NoticeBatch, build_notices_pdf
from tools.samples import sample_notice


def _notices(n: int):
    return [dataclasses.replace(sample_notice(i), notice_no=f"TZ2024{i:08d}") for i in range(n)]


def test_batch_one_page_per_notice_and_progress(poppler):
    notices = _notices(12)
    seen: list[tuple[int, int]] = []
    pdf = build_notices_pdf(notices, lambda done, total: seen.append((done, total)))
    assert seen == [(i, 12) for i in range(1, 13)]
    pages = poppler.page_texts(pdf)
    assert len(pages) == 12
    for notice, page in zip(notices, pages, strict=True):
        compact = page.replace(" ", "")
        assert notice.notice_no in compact and notice.resident_name in compact


def test_batch_cancel_raises():
    calls = []

    def progress(done, total):
        calls.append(done)
        return done < 3

    with pytest.raises(BatchCancelled) as info:
        build_notices_pdf(_notices(10), progress)
    assert calls == [1, 2, 3]
    assert (info.value.done, info.value.total) == (3, 10)
    assert "已取消" in info.value.message


def test_empty_batch_is_refused():
    with pytest.raises(ServiceError):
        build_notices_pdf([])


def test_incremental_batch_matches():
    batch = NoticeBatch(_notices(5))
    assert batch.add(2) == 2 and not batch.finished
    with pytest.raises(RuntimeError):
        batch.finish()
    assert batch.add(10) == 5 and batch.finished
    assert batch.finish().startswith(b"%PDF")


def test_static_part_of_a_notice_is_drawn_once_per_layout(poppler):
    """The title, table grid and labels, how to pay and the footer are one PDF
    form shared by all pages of one layout; each page still carries its own
    resident and the shared text (issue 14: 1,000 notices within 10 s)."""
    notices = _notices(5)
    notices[4] = dataclasses.replace(notices[4], cover_note="另一种待遇说明。")
    pdf = build_notices_pdf(notices)
    assert pdf.count(b"/Subtype /Form") == 2  # two layouts, two forms, five pages
    pages = poppler.page_texts(pdf)
    for notice, page in zip(notices, pages, strict=True):
        compact = page.replace(" ", "")
        assert notice.resident_name in compact and notice.notice_no in compact
        assert "缴费通知单" in compact and "参保人姓名" in compact and "缴费地点" in compact
    assert "另一种待遇说明" in pages[4].replace(" ", "")
    assert "另一种待遇说明" not in pages[0].replace(" ", "")
