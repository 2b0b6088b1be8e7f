"""Anchors on paper, checked from the command line: day-status shows them,
verify-ledger takes them (repeated or from a file) and the receipts' 校验码."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from tamper_helpers import History, build_history, rehash_ledger, tamper_copy  # noqa: E402

from cli import day_status  # noqa: E402
from cli.ledger import EXIT_OK, EXIT_TAMPERED, add_verify_parser, run_verify  # noqa: E402
from common.errors import InputError  # noqa: E402
from db.engine import Database  # noqa: E402
from services.clock import FixedClock  # noqa: E402


@pytest.fixture
def history(db: Database, db_path: Path, clock: FixedClock) -> History:
    return build_history(db, db_path, clock)


def _verify(path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_verify_parser(parser.add_subparsers(dest="command"))
    db = Database(f"sqlite:///{path}")
    try:
        code = run_verify(parser.parse_args(["verify-ledger", *argv]), db)
    finally:
        db.dispose()
    return code, capsys.readouterr().out


def test_day_status_json_has_the_anchor_of_a_closed_day(
    history: History, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser()
    day_status.add_parser(parser.add_subparsers(dest="command"))
    db = Database(f"sqlite:///{history.path}")
    day_status.run(parser.parse_args(["day-status", "--date", "2023-11-06", "--json"]), db, clock)
    data = json.loads(capsys.readouterr().out)
    assert data["anchor"] == history.anchors[0]
    assert data["grand_totals"] == {
        "collected": "1140.00",
        "voided": "0.00",
        "refunded": "0.00",
        "deposited": "760.00",
        "over_short": "0.00",
    }
    assert data["ledger_check"]["ok"] is True
    day_status.run(parser.parse_args(["day-status", "--date", "2023-11-07"]), db, clock)
    out = capsys.readouterr().out
    assert f"日结锚点：{history.anchors[1]}" in out
    assert "收款 1,900.00 元" in out  # perpetual: both days
    db.dispose()


def test_anchors_and_receipt_codes_pass_on_the_original(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchor_file = tmp_path / "anchors.txt"
    anchor_file.write_text("# 日结单上抄下的锚点\n" + "\n".join(history.anchors) + "\n", "utf-8")
    no, code = history.receipts[2]
    status, out = _verify(
        history.path,
        capsys,
        "--anchor-file",
        str(anchor_file),
        "--receipt-code",
        f"{no}={code.lower()}",
    )
    assert status == EXIT_OK, out
    assert "[通过] 纸质日结单锚点" in out and "[通过] 收据、入库、缴费凭证、退费单校验码" in out


def test_a_wrong_receipt_code_fails(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    no, _code = history.receipts[0]
    status, out = _verify(history.path, capsys, "--receipt-code", f"{no}=AAAA-AAAA")
    assert status == EXIT_TAMPERED
    assert f"收据 {no}：校验码 AAAA-AAAA 与台账不符" in out


def test_a_rewritten_chain_fails_the_anchor_and_names_the_day(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = tamper_copy(history.path, tmp_path)
    conn.execute("UPDATE ledger_entry SET memo = '改过' WHERE seq = 1")
    rehash_ledger(conn, 1)
    conn.commit()
    conn.close()
    status, out = _verify(
        tmp_path / "copy.sqlite3",
        capsys,
        "--anchor",
        history.anchors[0],
        "--anchor",
        history.anchors[1],
    )
    assert status == EXIT_TAMPERED
    assert "2023-11-06 日结单上的锚点" in out and "2023-11-07 日结单上的锚点" in out


def test_a_malformed_anchor_is_refused_before_checking(history: History, tmp_path: Path) -> None:
    copy = tmp_path / "c.sqlite3"
    shutil.copyfile(history.path, copy)
    with pytest.raises(InputError, match="锚点格式不对"):
        _verify(copy, pytest.CaptureFixture, "--anchor", "20231106-1-4")  # type: ignore[arg-type]


def test_main_runs_verify_ledger_with_anchors_and_exit_codes(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    import main

    url = f"sqlite:///{history.path}"
    assert main.main(["--db", url, "verify-ledger", "--anchor", history.anchors[1]]) == EXIT_OK
    capsys.readouterr()
    assert main.main(["--db", url, "verify-ledger", "--anchor", "2023-11-06"]) == main.EXIT_REFUSED
    assert "锚点格式不对" in capsys.readouterr().err
    wrong = history.anchors[1][:-4] + "0000"
    assert main.main(["--db", url, "verify-ledger", "--anchor", wrong]) == EXIT_TAMPERED
    assert "2023-11-07 日结单上的锚点" in capsys.readouterr().out


def test_the_deposit_register_prints_a_check_code_that_verifies(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt

    from services.documents import deposit_register_document

    db = Database(f"sqlite:///{history.path}")
    with db.read() as s:
        data = deposit_register_document(
            s, 1, dt.date(2023, 11, 6), dt.date(2023, 11, 7), printed_at=dt.datetime(2023, 11, 8)
        )
    db.dispose()
    (deposit,) = data.deposits
    assert deposit.note.startswith("校验码 ")
    code = deposit.note.removeprefix("校验码 ")
    status, out = _verify(history.path, capsys, "--deposit-code", f"{deposit.slip_no}={code}")
    assert status == EXIT_OK, out
    status, out = _verify(history.path, capsys, "--deposit-code", f"{deposit.slip_no}=ZZZZ-ZZZZ")
    assert status == EXIT_TAMPERED
    assert f"入库凭证 {deposit.slip_no}：校验码 ZZZZ-ZZZZ 与台账不符" in out


def _voucher_and_refund(path: Path, history: History) -> tuple[tuple[str, str], tuple[str, str]]:
    """A POS payment (its 缴费凭证) refunded by application (its 退费单), as printed."""
    import datetime as dt

    from factories import PASSWORD, Desk, make_enrollment, policies
    from sqlalchemy import select

    from db.models import Office, Village
    from services.cash_documents import refund_document, voucher_document
    from services.payments import take_payment
    from services.refunds import refund_payment

    db = Database(f"sqlite:///{path}")
    clock = FixedClock(dt.datetime(2023, 11, 8, 9, 0))
    with db.write() as s:
        office_id = s.scalars(select(Office.id)).one()
        villages = tuple(s.scalars(select(Village.id).where(Village.office_id == office_id)))
        desk = Desk(office_id, villages, history.clerk_id, history.supervisor_id)
        paid = take_payment(
            s,
            clock,
            policies(),
            enrollment_id=make_enrollment(s, desk, name="刘秀英"),
            amount="380",
            channel="pos",
            reference="POS-20231108-000731",
            operator_id=history.clerk_id,
        )
    clock.advance(minutes=30)
    with db.write() as s:
        refund = refund_payment(
            s,
            clock,
            payment_id=paid.payment_id,
            reason="全年参加职工医保",
            category="employee_insurance",
            approver_id=history.supervisor_id,
            approver_password=PASSWORD,
            operator_id=history.clerk_id,
        )
    with db.read() as s:
        voucher = voucher_document(s, paid.payment_id)
        slip = refund_document(s, refund.refund_id)
    db.dispose()
    assert voucher.check_code and slip.check_code and voucher.check_code != slip.check_code
    return (voucher.voucher_no, voucher.check_code), (slip.refund_no, slip.check_code)


def test_voucher_and_refund_slip_codes_are_checked(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "office.sqlite3"
    shutil.copyfile(history.path, copy)
    (voucher_no, voucher_code), (refund_no, refund_code) = _voucher_and_refund(copy, history)
    assert voucher_no.startswith("PZ-") and refund_no.startswith("TF-")
    status, out = _verify(
        copy,
        capsys,
        "--voucher-code",
        f"{voucher_no}={voucher_code.lower()}",
        "--refund-code",
        f"{refund_no}={refund_code}",
    )
    assert status == EXIT_OK, out
    assert "[通过] 收据、入库、缴费凭证、退费单校验码" in out
    status, out = _verify(
        copy, capsys, "--voucher-code", f"{voucher_no}=AAAA-AAAA", "--refund-code", "TF-999=AB"
    )
    assert status == EXIT_TAMPERED
    assert f"缴费凭证 {voucher_no}：校验码 AAAA-AAAA 与台账不符" in out
    assert "退费单 TF-999：数据库中没有这笔退费" in out

    # the payment's reference rewritten on a copy, its line re-hashed: the codes
    # printed on the paper no longer match
    conn = tamper_copy(copy, tmp_path, "tampered.sqlite3")
    conn.execute(
        "UPDATE ledger_entry SET reference = 'POS-FORGED' WHERE kind IN ('payment', 'refund')"
    )
    rehash_ledger(conn, 1)
    conn.commit()
    conn.close()
    status, out = _verify(
        tmp_path / "tampered.sqlite3",
        capsys,
        "--voucher-code",
        f"{voucher_no}={voucher_code}",
        "--refund-code",
        f"{refund_no}={refund_code}",
    )
    assert status == EXIT_TAMPERED
    assert f"缴费凭证 {voucher_no}：校验码" in out and f"退费单 {refund_no}：校验码" in out
