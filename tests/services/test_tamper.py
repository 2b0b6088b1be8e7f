"""The tampering of the review (issue 10), done on copies of an office's file.

Each edit is either refused by the database or caught by verify-ledger — with
the anchors printed on the day-close sheets where the tamperer re-made every
hash and every figure inside the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError
from tamper_helpers import (
    History,
    build_history,
    rehash_audit,
    rehash_ledger,
    reseal_stored_anchors,
    tamper_copy,
)

from db.engine import Database
from db.immutability import APPEND_ONLY_MESSAGE
from services.anchors import parse_anchor
from services.audit import record_audit
from services.clock import FixedClock
from services.verification import verify_everything
from services.verification_model import Verification, VerifyRequest


@pytest.fixture
def history(db: Database, db_path: Path, clock: FixedClock) -> History:
    return build_history(db, db_path, clock)


def _verify(path: Path, anchors: list[str] = (), codes: list[tuple[str, str]] = ()) -> Verification:  # type: ignore[assignment]
    db = Database(f"sqlite:///{path}")
    try:
        with db.read() as s:
            return verify_everything(
                s, VerifyRequest(anchors=tuple(anchors), receipt_codes=tuple(codes))
            )
    finally:
        db.dispose()


def _failed(result: Verification) -> dict[str, list[str]]:
    return {c.name: [f.message for f in c.findings] for c in result.checks if not c.ok}


def test_the_untouched_history_passes_every_check_with_its_anchors(history: History) -> None:
    result = _verify(history.path, history.anchors, history.receipts)
    assert result.ok, _failed(result)
    assert len(history.anchors) == 2
    assert {c.name for c in result.checks if not c.skipped} >= {
        "ledger_chain",
        "audit_chain",
        "ledger_acts",
        "receipts",
        "closed_days",
        "operators",
        "enrollments",
        "stored_anchors",
        "quick_check",
        "paper_anchors",
        "receipt_codes",
    }


def test_rehash_after_an_amount_change_is_caught_by_the_printed_anchor(
    history: History, tmp_path: Path
) -> None:
    conn = tamper_copy(history.path, tmp_path)
    # Everything inside the file made to agree: line, payment, receipt, chain,
    # close figures and the anchors kept in the database.
    conn.execute("UPDATE ledger_entry SET amount_fen = 3800, cash_fen = 3800 WHERE seq = 2")
    pid = conn.execute("SELECT payment_id FROM ledger_entry WHERE seq = 2").fetchone()[0]
    conn.execute("UPDATE payment SET amount_fen = 3800 WHERE id = ?", (pid,))
    conn.execute("UPDATE receipt SET amount_fen = 3800 WHERE payment_id = ?", (pid,))
    rehash_ledger(conn, 1)
    conn.commit()
    conn.close()
    copy = tmp_path / "copy.sqlite3"
    reseal_stored_anchors(copy)
    inside = _verify(copy)
    assert inside.ok, _failed(inside)  # nothing inside the file can tell
    result = _verify(copy, history.anchors)
    assert _failed(result).keys() == {"paper_anchors"}
    messages = _failed(result)["paper_anchors"]
    assert any("2023-11-06" in m and "改写" in m for m in messages)


def test_a_forged_deposit_line_with_a_valid_hash(history: History, tmp_path: Path) -> None:
    conn = tamper_copy(history.path, tmp_path)
    last = conn.execute("SELECT * FROM ledger_entry ORDER BY seq DESC LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO ledger_entry (office_id, seq, kind, business_date, recorded_at, operator_id,"
        " channel, amount_fen, cash_fen, deposit_id, tier, reference, memo, prev_hash, hash)"
        " VALUES (1, ?, 'deposit', ?, ?, ?, 'cash', 50000, -50000, NULL, '', 'S-999', '', '', '')",
        (last["seq"] + 1, last["business_date"], last["recorded_at"], last["operator_id"]),
    )
    rehash_ledger(conn, 1)
    conn.commit()
    conn.close()
    result = _verify(tmp_path / "copy.sqlite3", history.anchors)
    failed = _failed(result)
    assert "ledger_chain" not in failed  # the hashes are valid
    assert any("入库行没有对应的入库记录" in m for m in failed["ledger_acts"])


def test_a_forged_deposit_inside_a_closed_day_fails_its_anchor(
    history: History, tmp_path: Path
) -> None:
    conn = tamper_copy(history.path, tmp_path)
    conn.execute(
        "INSERT INTO deposit (id, office_id, amount_fen, channel, slip_no, business_date,"
        " deposited_at, operator_id) VALUES (99, 1, 38000, 'bank', 'S-998', '2023-11-06',"
        " '2023-11-06 12:00:00.000000', ?)",
        (history.clerk_id,),
    )
    conn.execute("UPDATE ledger_entry SET seq = -seq - 1 WHERE seq >= 4")
    conn.execute("UPDATE ledger_entry SET seq = -seq WHERE seq < 0")
    conn.execute(
        "INSERT INTO ledger_entry (office_id, seq, kind, business_date, recorded_at, operator_id,"
        " channel, amount_fen, cash_fen, deposit_id, tier, reference, memo, prev_hash, hash)"
        " VALUES (1, 4, 'deposit', '2023-11-06', '2023-11-06 12:00:00.000000', ?, 'cash',"
        " 38000, -38000, 99, '', 'S-998', '', '', '')",
        (history.clerk_id,),
    )
    rehash_ledger(conn, 1)
    conn.commit()
    conn.close()
    copy = tmp_path / "copy.sqlite3"
    reseal_stored_anchors(copy)
    result = _verify(copy, history.anchors)
    failed = _failed(result)
    assert set(failed) == {"paper_anchors"}
    assert any("2023-11-06" in m for m in failed["paper_anchors"])


def test_a_cut_tail_with_a_rewritten_head(history: History, tmp_path: Path) -> None:
    conn = tamper_copy(history.path, tmp_path)
    # Remove day 2 entirely: its lines, payments, receipts, close and anchor.
    conn.execute("DELETE FROM ledger_entry WHERE business_date = '2023-11-07'")
    for table in ("receipt", "payment"):
        conn.execute(
            f"DELETE FROM {table} WHERE business_date = '2023-11-07'"
            if table == "payment"
            else "DELETE FROM receipt WHERE issued_at >= '2023-11-07'"
        )
    conn.execute(
        "UPDATE enrollment SET status = 'registered' WHERE id NOT IN (SELECT enrollment_id FROM payment)"
    )
    conn.execute("DELETE FROM day_anchor WHERE business_date = '2023-11-07'")
    conn.execute("DELETE FROM day_close WHERE business_date = '2023-11-07'")
    conn.execute("UPDATE number_series SET next_number = 4 WHERE series LIKE '%'")
    rehash_ledger(conn, 1)
    conn.commit()
    conn.close()
    copy = tmp_path / "copy.sqlite3"
    result = _verify(copy, history.anchors)
    failed = _failed(result)
    assert "ledger_chain" not in failed
    assert any("2023-11-07" in m and "截去" in m for m in failed["paper_anchors"])


def test_payment_and_receipt_edited_together(history: History, tmp_path: Path) -> None:
    conn = tamper_copy(history.path, tmp_path)
    conn.execute("UPDATE payment SET amount_fen = 3800 WHERE id = 1")
    conn.execute("UPDATE receipt SET amount_fen = 3800 WHERE payment_id = 1")
    conn.commit()
    conn.close()
    failed = _failed(_verify(tmp_path / "copy.sqlite3", history.anchors))
    assert any("金额或方式与缴费记录不符" in m for m in failed["ledger_acts"])


def test_payment_and_receipt_edited_together_fail_the_receipt_code(
    history: History, tmp_path: Path
) -> None:
    conn = tamper_copy(history.path, tmp_path)
    conn.execute("UPDATE receipt SET receipt_no = 'FAKE-1' WHERE payment_id = 1")
    conn.commit()
    conn.close()
    no, code = history.receipts[0]
    failed = _failed(_verify(tmp_path / "copy.sqlite3", codes=[(no, code)]))
    assert any(no in m for m in failed["receipt_codes"])


def test_an_operator_promoted_in_a_copy(history: History, tmp_path: Path) -> None:
    conn = tamper_copy(history.path, tmp_path)
    conn.execute("UPDATE operator SET role = 'supervisor' WHERE id = ?", (history.clerk_id,))
    conn.commit()
    conn.close()
    failed = _failed(_verify(tmp_path / "copy.sqlite3"))
    assert any("角色 clerk→supervisor" in m for m in failed["operators"])


def test_an_operator_promoted_with_a_forged_history_row(history: History, tmp_path: Path) -> None:
    conn = tamper_copy(history.path, tmp_path)
    conn.execute(
        "INSERT INTO operator_change (operator_id, action, display_name, role, active,"
        " password_hash, changed_at, changed_by, audit_seq) SELECT id, 'role_changed',"
        " display_name, 'supervisor', active, password_hash, '2023-11-07 20:00:00', NULL, 1"
        " FROM operator WHERE id = ?",
        (history.clerk_id,),
    )
    conn.execute("UPDATE operator SET role = 'supervisor' WHERE id = ?", (history.clerk_id,))
    conn.commit()
    conn.close()
    failed = _failed(_verify(tmp_path / "copy.sqlite3"))
    assert any("与审计日志不符" in m for m in failed["operators"])


def test_a_replaced_password_hash_with_a_rewritten_journal(
    history: History, tmp_path: Path
) -> None:
    """Even with a forged history row and journal line and the journal re-hashed,
    the journal no longer matches the printed anchors."""
    from services.audit import details_json
    from services.operator_history import state_digest

    conn = tamper_copy(history.path, tmp_path)
    op = conn.execute("SELECT * FROM operator WHERE id = ?", (history.clerk_id,)).fetchone()
    # Make the journal line of the clerk's creation describe the new hash.
    new_hash = "$argon2id$v=19$m=65536,t=3,p=4$forged$forged"
    digest = state_digest(op["id"], op["username"], op["display_name"], op["role"], True, new_hash)
    seq = conn.execute(
        "SELECT audit_seq FROM operator_change WHERE operator_id = ?", (op["id"],)
    ).fetchone()[0]
    conn.execute(
        "UPDATE audit_entry SET details = ? WHERE seq = ?",
        (
            details_json(
                {"username": op["username"], "role": op["role"], "active": True, "state": digest}
            ),
            seq,
        ),
    )
    conn.execute(
        "UPDATE operator_change SET password_hash = ? WHERE operator_id = ?", (new_hash, op["id"])
    )
    conn.execute("UPDATE operator SET password_hash = ? WHERE id = ?", (new_hash, op["id"]))
    rehash_audit(conn)
    conn.commit()
    conn.close()
    copy = tmp_path / "copy.sqlite3"
    reseal_stored_anchors(copy)
    assert _verify(copy).ok  # consistent inside the file …
    failed = _failed(_verify(copy, history.anchors))
    assert set(failed) == {"paper_anchors"}  # … but not with the paper
    assert any("2023-11-06" in m for m in failed["paper_anchors"])


def test_a_payment_status_edited_in_a_copy(history: History, tmp_path: Path) -> None:
    """With every trigger dropped, a payment marked refunded (out of the day's
    takings) without a refund is caught, and so is one with a forged refund row."""
    conn = tamper_copy(history.path, tmp_path)
    conn.execute("UPDATE payment SET status = 'refunded' WHERE id = 1")
    conn.commit()
    conn.close()
    failed = _failed(_verify(tmp_path / "copy.sqlite3", history.anchors))
    assert any("缴费 1 的状态为 refunded" in m for m in failed["ledger_acts"])

    conn = tamper_copy(history.path, tmp_path, "copy2.sqlite3")
    conn.execute(
        "INSERT INTO refund (office_id, payment_id, amount_fen, channel, category, reference,"
        " reason, approver_id, operator_id, business_date, refunded_at, method, method_note)"
        " SELECT office_id, id, amount_fen, 'cash', 'withdraw', '', 'x', ?, ?, business_date,"
        " paid_at, 'cash', '' FROM payment WHERE id = 2",
        (history.supervisor_id, history.clerk_id),
    )
    conn.execute("UPDATE payment SET status = 'refunded' WHERE id = 2")
    conn.commit()
    conn.close()
    failed = _failed(_verify(tmp_path / "copy2.sqlite3", history.anchors))
    assert any("退费 " in m and "0 行" in m for m in failed["ledger_acts"])


def test_the_database_takes_a_status_backed_by_its_act(history: History) -> None:
    """The trigger of migration 0011 lets the status move once the act exists."""
    conn = sqlite3.connect(history.path)
    try:
        conn.execute(
            "INSERT INTO refund (office_id, payment_id, amount_fen, channel, category, reference,"
            " reason, approver_id, operator_id, business_date, refunded_at, method, method_note)"
            " SELECT office_id, id, amount_fen, 'cash', 'withdraw', '', 'x', ?, ?, business_date,"
            " paid_at, 'cash', '' FROM payment WHERE id = 1",
            (history.supervisor_id, history.clerk_id),
        )
        conn.execute("UPDATE payment SET status = 'refunded' WHERE id = 1")
        with pytest.raises(sqlite3.DatabaseError, match="void or refund row"):
            conn.execute("UPDATE payment SET status = 'voided' WHERE id = 2")
    finally:
        conn.rollback()
        conn.close()


# --- refused by the database ------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payment SET amount_fen = 1 WHERE id = 1",
        "UPDATE payment SET paid_at = '2020-01-01 00:00:00' WHERE id = 1",
        "DELETE FROM payment WHERE id = 1",
        "DELETE FROM enrollment WHERE id = 1",
        "UPDATE enrollment SET personal_due_fen = 1 WHERE status = 'paid'",
        "UPDATE enrollment SET tier = 'high' WHERE status = 'paid'",
        "UPDATE number_series SET next_number = 1",
        "DELETE FROM number_series",
        "UPDATE operator SET role = 'supervisor'",
        "UPDATE operator SET password_hash = 'x'",
        "DELETE FROM operator",
        "UPDATE audit_entry SET details = '{}'",
        "DELETE FROM audit_entry",
        "UPDATE operator_change SET role = 'supervisor'",
        "UPDATE day_anchor SET code = 'X'",
        "DELETE FROM day_anchor",
        "UPDATE ledger_head SET last_seq = 1",
        "UPDATE audit_head SET last_seq = 1",
        "DELETE FROM enrollment_status_change",
        # a status its void or refund row does not back (migration 0011)
        "UPDATE payment SET status = 'refunded' WHERE id = 1",
        "UPDATE payment SET status = 'voided' WHERE id = 1",
    ],
)
def test_the_database_refuses(history: History, sql: str) -> None:
    conn = sqlite3.connect(history.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match=APPEND_ONLY_MESSAGE):
            conn.execute(sql)
    finally:
        conn.close()


def test_enrolment_status_moves_are_kept_by_the_database(history: History) -> None:
    conn = sqlite3.connect(history.path)
    rows = conn.execute("SELECT old_status, new_status FROM enrollment_status_change").fetchall()
    conn.close()
    assert rows == [("registered", "paid")] * 5


def test_journal_lines_refuse_update_through_sqlalchemy(db: Database, clock: FixedClock) -> None:
    import datetime as dt

    with db.write() as s:
        record_audit(
            s, at=clock.now(), operator_id=None, action="login_failed", details={"username": "x"}
        )
    with pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE), db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_entry SET at = ?", (dt.datetime(2020, 1, 1),))


def test_anchor_text_reads_back_with_typing_slips(history: History) -> None:
    anchor = parse_anchor(history.anchors[0])
    typed = history.anchors[0].lower().replace("-", " - ", 1)
    assert parse_anchor(typed) == anchor
    assert anchor.text == history.anchors[0]
