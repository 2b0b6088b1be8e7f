"""Migration 0005 on a database that already has operators: each gets a
history row sealed in the audit journal, so later changes can be checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command

from db.engine import Database
from db.migrate import alembic_config, upgrade_database
from services.clock import FixedClock
from services.office import change_password
from services.verification import verify_everything


def test_existing_operators_get_a_sealed_baseline(tmp_path: Path) -> None:
    from argon2 import PasswordHasher

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    pw = PasswordHasher().hash("old-secret-1")
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO office (id, code, name, level, policy_key, receipt_prefix, deposit_days,"
            " deposit_limit_fen, payment_link_template, payment_instructions, address, phone,"
            " printer_name, created_at) VALUES (1, 'T', '测试', 'village', 'tianjin-2024', 'T',"
            " 5, 1000000, '', '', '', '', '', '2023-11-01 08:00:00')"
        )
        for i, role in ((1, "supervisor"), (2, "clerk")):
            conn.exec_driver_sql(
                "INSERT INTO operator (id, office_id, username, display_name, role,"
                " password_hash, active, created_at) VALUES (?, 1, ?, '某人', ?, ?, 1,"
                " '2023-11-01 08:00:00')",
                (i, f"user{i}", role, pw),
            )
    upgrade_database(db)
    with db.read() as s:
        result = verify_everything(s)
    assert result.ok, result.summary()
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT operator_id, action, audit_seq FROM operator_change ORDER BY id"
        ).all()
    assert rows == [(1, "baseline", 1), (2, "baseline", 2)]
    with db.write() as s:
        change_password(
            s,
            FixedClock(dt.datetime(2023, 11, 2, 9, 0)),
            operator_id=2,
            old_password="old-secret-1",
            new_password="new-secret-2",
        )
    with db.read() as s:
        assert verify_everything(s).ok
    db.dispose()
