"""The screen and the paper say the same word (issue 15: one label glossary).

A deposit handed to the tax office was 税务部门代收 on the deposit page and
税务解缴 in the ledger; a cash adjustment was 补足短款 on the ledger page and
现金调增 on the printed 台账.  Here one deposit and one made-up shortage go
through the services, and every place that names them — the rows the pages
show and the two printed documents — must use the glossary's word.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess

import pytest
from cash_lines import cash_line, make_desk

from common import glossary
from printing.deposits import render_deposit_register
from printing.ledger import render_ledger
from services.clock import FixedClock
from services.deposits import deposit_register, record_deposit
from services.documents import deposit_register_document, ledger_document
from services.ledger_views import LedgerFilter, ledger_lines

MON = dt.date(2023, 11, 6)


def _pdf_text(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext (poppler-utils) is needed: scripts/setup.sh installs it")
    out = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True)
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


def test_a_tax_office_deposit_has_one_name_on_screen_and_paper(db, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    word = glossary.DEPOSIT_CHANNELS["tax"]
    with db.write() as s:
        desk = make_desk(s)
        cash_line(s, desk, "payment", 600_000, dt.datetime.combine(MON, dt.time(10)))
    clock.set(dt.datetime.combine(MON, dt.time(16)))
    with db.write() as s:
        record_deposit(
            s,
            clock,
            office_id=desk.office_id,
            amount="6000",
            channel="tax",
            slip_no="SW0001",
            operator_id=desk.clerk_id,
        )
    printed_at = clock.now()
    with db.read() as s:
        register = deposit_register(s, desk.office_id, MON, MON)  # the deposit page
        lines = ledger_lines(s, desk.office_id, LedgerFilter(date_from=MON, date_to=MON))
        ledger_data = ledger_document(s, desk.office_id, MON, MON, printed_at=printed_at)
        register_paper = render_deposit_register(
            deposit_register_document(s, desk.office_id, MON, MON, printed_at=printed_at)
        )

    # a made-up shortage on the same paper (the services' own test of 补足短款
    # is tests/services/test_over_short*); its line must read as on the screen
    made_up = dataclasses.replace(
        ledger_data.rows[0], receipt_no="", kind="cash_in", amount_fen=1_000, cash_fen=1_000
    )
    ledger_paper = render_ledger(
        dataclasses.replace(ledger_data, rows=(*ledger_data.rows, made_up))
    )

    deposit_line = next(line for line in lines if line.kind == "deposit")
    assert [r.channel_label for r in register] == [word]  # deposit page
    assert word in deposit_line.memo  # ledger page: cash left by this way
    ledger_text, register_text = _pdf_text(ledger_paper), _pdf_text(register_paper)
    for paper in (ledger_text, register_text):
        assert word in paper
        assert "税务解缴" not in paper
    assert deposit_line.kind_label == glossary.ledger_kind_label("deposit") == "入库"
    assert deposit_line.kind_label in ledger_text
    assert glossary.ledger_kind_label("cash_in") == "补足短款"
    assert "补足短款" in ledger_text and "现金调增" not in ledger_text


def test_payment_and_deposit_channels_are_told_apart() -> None:
    """``bank`` is a way to pay and a way to deposit; the words differ on purpose."""
    assert glossary.channel_label("bank") == glossary.PAYMENT_CHANNELS["bank"] == "银行柜台"
    assert glossary.deposit_channel_label("bank") == "银行柜台缴存"
    assert glossary.channel_label("unknown") == "unknown"
