"""Batch notices for a whole village from the 缴费 page: progress, cancel, PDF."""

from __future__ import annotations

import datetime as dt
import subprocess

from counter_fixtures import make_id
from sqlalchemy import func, select
from test_collect_page import enrol, make_page

from db.models import PaymentNotice
from ui.pages.village_notices import VillageChoiceDialog
from ui.printing.batch_print import BatchPrintDialog


def _choose_village(qtbot, page, name: str) -> BatchPrintDialog:  # type: ignore[no-untyped-def]
    page.start_village_notices()
    choice = page.village_notices.dialog
    assert isinstance(choice, VillageChoiceDialog)
    choice.village.setCurrentIndex(choice.village.findText(name))
    choice.try_submit()
    progress = page.village_notices.dialog
    assert isinstance(progress, BatchPrintDialog)
    return progress


def test_a_villages_notices_print_as_one_pdf(
    qtbot, ctx, ops, documents, db, clock, policies, office
):  # type: ignore[no-untyped-def]
    for seq, name in enumerate(("张一", "王二", "李三"), start=1):
        enrol(db, clock, policies, office, name, make_id(dt.date(1970, 1, seq), seq))
    page = make_page(qtbot, ctx, ops, documents)
    progress = _choose_village(qtbot, page, "东村")
    qtbot.waitUntil(lambda: bool(documents.of_kind("notices")), timeout=20_000)
    [doc] = documents.of_kind("notices")
    assert "3 份" in doc.title
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=doc.pdf, capture_output=True, check=True
    ).stdout.decode()
    for name in ("张一", "王二", "李三"):
        assert name in text
    assert "3 份" in page.message_label.text()
    assert progress.result() == BatchPrintDialog.DialogCode.Accepted
    with db.read() as s:
        assert s.scalar(select(func.count(PaymentNotice.id))) == 3
    # a second batch reuses the same notices
    _choose_village(qtbot, page, "东村")
    qtbot.waitUntil(lambda: len(documents.of_kind("notices")) == 2, timeout=20_000)
    with db.read() as s:
        assert s.scalar(select(func.count(PaymentNotice.id))) == 3


def test_cancelling_a_batch_prints_nothing(qtbot, ctx, ops, documents, db, clock, policies, office):  # type: ignore[no-untyped-def]
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉"
    for seq, char in enumerate(given, start=1):
        enrol(db, clock, policies, office, f"刘{char}", make_id(dt.date(1971, 2, 1), seq))
    page = make_page(qtbot, ctx, ops, documents)
    progress = _choose_village(qtbot, page, "东村")
    progress.cancel()
    qtbot.waitUntil(lambda: "已取消" in page.message_label.text(), timeout=20_000)
    assert documents.of_kind("notices") == []


def test_a_village_with_nobody_to_pay_says_so(qtbot, ctx, ops, documents, office):  # type: ignore[no-untyped-def]
    page = make_page(qtbot, ctx, ops, documents)
    page.start_village_notices()
    choice = page.village_notices.dialog
    choice.village.setCurrentIndex(choice.village.findText("东村"))
    choice.try_submit()
    assert "无需打印" in page.message_label.text()
    assert documents.of_kind("notices") == []
