"""``main.py print``: supervisors' reprints from real records, checked in the PDF text."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from db.engine import Database
from db.models import ReceiptPrint
from main import main
from services.business_day import open_day
from services.clock import FixedClock
from services.day_close import close_day
from services.day_totals import count_for_amount
from services.deposits import record_deposit
from services.documents import receipt_document_for_print
from services.notices import issue_notice
from services.office import create_office, create_operator
from services.payments import take_payment
from services.policy import load_policies
from services.quote import PersonFacts
from services.registry import ResidentInput, register_and_enroll

POLICIES = load_policies()
PASSWORD = "Boss-2023!"
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def _pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def office_day(db: Database, clock: FixedClock, db_path):
    """One day: a resident registered, a notice, a cash payment, a deposit, a close."""
    with db.write() as s:
        office = create_office(
            s,
            clock,
            code="LT",
            name="芦台街道办事处",
            level="street_office",
            policy_key="tianjin-2024",
            receipt_prefix="LT",
            villages=["东村"],
            address="芦台街道便民服务中心",
            known_policies=frozenset(POLICIES.keys()),
        )
        boss = create_operator(
            s,
            clock,
            office_id=office.id,
            username="boss",
            display_name="张强",
            role="supervisor",
            password=PASSWORD,
            created_by=None,
        )
        open_day(s, clock, office_id=office.id, operator_id=boss.id, opening_float="200")
        village_id = office.villages[0].id
        _, enrollment, _ = register_and_enroll(
            s,
            clock,
            policies=POLICIES,
            policy_key="tianjin-2024",
            data=ResidentInput(id_number="120221198001151238", name="张三", village_id=village_id),
            category="adult",
            tier="high",
            facts=PersonFacts(),
            office_id=office.id,
            operator_id=boss.id,
        )
        notice = issue_notice(s, clock, POLICIES, enrollment_id=enrollment.id, operator_id=boss.id)
        clock.advance(minutes=5)
        paid = take_payment(
            s,
            clock,
            POLICIES,
            enrollment_id=enrollment.id,
            amount="1010.00",
            channel="cash",
            payer_name="张三",
            operator_id=boss.id,
        )
        receipt_document_for_print(
            s, clock, POLICIES, receipt_id=paid.receipt_id, operator_id=boss.id
        )
        clock.advance(hours=6)
        record_deposit(
            s,
            clock,
            office_id=office.id,
            amount="1000.00",
            channel="bank",
            slip_no="JK-0001",
            operator_id=boss.id,
        )
        close_day(
            s,
            clock,
            office_id=office.id,
            operator_id=boss.id,
            denominations=count_for_amount(21_000),
        )
    return {
        "db": f"sqlite:///{db_path}",
        "notice_no": notice.notice_no,
        "receipt_no": paid.receipt_no,
    }


def _print(office_day, tmp_path, monkeypatch, *args: str) -> str:
    monkeypatch.setenv("YIBAO_PASSWORD", PASSWORD)
    out = tmp_path / "out.pdf"
    code = main(["--db", office_day["db"], "print", *args, "--operator", "boss", "--out", str(out)])
    assert code == 0
    return _pdf_text(out)


def test_receipt_reprint_is_recorded_and_marked(office_day, tmp_path, monkeypatch, db):
    text = _print(
        office_day, tmp_path, monkeypatch, "receipt", "--receipt-no", office_day["receipt_no"]
    )
    assert office_day["receipt_no"] in text
    assert "壹仟零壹拾元整" in text
    assert "重打" in text
    with db.read() as s:
        reprints = s.scalars(select(ReceiptPrint.is_reprint).order_by(ReceiptPrint.id)).all()
    assert reprints == [False, True]


def test_notice_ledger_day_close_and_deposits(office_day, tmp_path, monkeypatch):
    notice = _print(
        office_day, tmp_path, monkeypatch, "notice", "--notice-no", office_day["notice_no"]
    )
    assert office_day["notice_no"] in notice and "壹仟零壹拾元整" in notice
    ledger = _print(
        office_day, tmp_path, monkeypatch, "ledger", "--from", "2023-11-06", "--to", "2023-11-06"
    )
    assert (
        office_day["receipt_no"] in ledger
        and "1,010.00" in ledger.replace(" ", "")
        or "1010.00" in ledger
    )
    close = _print(office_day, tmp_path, monkeypatch, "day-close", "--date", "2023-11-06")
    assert "日结" in close and "210.00" in close
    deposits = _print(
        office_day, tmp_path, monkeypatch, "deposits", "--from", "2023-11-06", "--to", "2023-11-06"
    )
    assert "JK-0001" in deposits and "2023-11-06" in deposits


def test_a_clerk_may_not_reprint_and_nothing_is_recorded(
    office_day, tmp_path, monkeypatch, db, capsys
):
    clock = FixedClock(dt.datetime(2023, 11, 7, 9, 0))
    with db.write() as s:
        create_operator(
            s,
            clock,
            office_id=1,
            username="clerk",
            display_name="王丽",
            role="clerk",
            password="Clerk-2023!",
            created_by=1,
        )
    monkeypatch.setenv("YIBAO_PASSWORD", "Clerk-2023!")
    code = main(
        [
            "--db",
            office_day["db"],
            "print",
            "receipt",
            "--receipt-no",
            office_day["receipt_no"],
            "--operator",
            "clerk",
            "--out",
            str(tmp_path / "x.pdf"),
            "--json",
        ]
    )
    assert code == 2
    assert '"error": "supervisor_required"' in capsys.readouterr().out
    assert not (tmp_path / "x.pdf").exists()
    with db.read() as s:
        assert s.scalar(select(func.count(ReceiptPrint.id))) == 1


def test_a_wrong_password_is_refused(office_day, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YIBAO_PASSWORD", "guess")
    code = main(
        [
            "--db",
            office_day["db"],
            "print",
            "ledger",
            "--from",
            "2023-11-06",
            "--to",
            "2023-11-06",
            "--operator",
            "boss",
            "--out",
            str(tmp_path / "x.pdf"),
        ]
    )
    assert code == 2
    assert "用户名或密码错误" in capsys.readouterr().err
