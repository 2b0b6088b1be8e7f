"""Migration 0008 (issue 11): a slip number is recorded once per office.

A database written before it may hold the same slip twice (two windows racing);
deposits are append-only, so the upgrade stops and names them for the
administrator instead of failing with a database error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from common.errors import ServiceError
from db.engine import Database
from db.migrate import HEAD_REVISION, alembic_config, current_revision, upgrade_database

SEED = [
    "INSERT INTO office (id, code, name, level, policy_key, receipt_prefix, deposit_days,"
    " deposit_limit_fen, payment_link_template, payment_instructions, address, phone,"
    " printer_name, created_at) VALUES (1, 'T', '测试', 'village', 'tianjin-2024', 'T', 5,"
    " 1000000, '', '', '', '', '', '2023-11-01 08:00:00')",
    "INSERT INTO operator (id, office_id, username, display_name, role, password_hash, active,"
    " created_at) VALUES (1, 1, 'c', '王丽', 'clerk', 'x', 1, '2023-11-01 08:00:00')",
]


def _deposit(slip: str, n: int) -> str:
    return (
        "INSERT INTO deposit (id, office_id, amount_fen, channel, slip_no, business_date,"
        f" deposited_at, operator_id) VALUES ({n}, 1, 100, 'bank', '{slip}', '2023-11-01',"
        " '2023-11-01 10:00:00', 1)"
    )


def _at_0001(path: Path, deposits: list[str]) -> Database:
    db = Database(f"sqlite:///{path}")
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with db.engine.begin() as conn:
        for statement in [*SEED, *deposits]:
            conn.execute(text(statement))
    return db


def test_the_upgrade_keeps_deposits_and_then_refuses_a_second_slip(tmp_path: Path):
    db = _at_0001(tmp_path / "old.sqlite3", [_deposit("S1", 1), _deposit("S2", 2)])
    assert upgrade_database(db) == HEAD_REVISION
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(_deposit("S1", 3)))
    db.dispose()


def test_duplicate_slips_stop_the_upgrade_with_a_message(tmp_path: Path):
    db = _at_0001(tmp_path / "old.sqlite3", [_deposit("S1", 1), _deposit("S1", 2)])
    with pytest.raises(ServiceError) as info:
        upgrade_database(db)
    assert info.value.code == "duplicate_slip_numbers"
    assert "S1（2 次）" in info.value.message
    assert current_revision(db) == "0001"  # nothing changed
    db.dispose()
