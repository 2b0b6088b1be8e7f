"""The same schema and guarantees on PostgreSQL, for offices with several windows."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import Database
from db.immutability import APPEND_ONLY_TABLES
from db.migrate import current_revision, head_revision

pytestmark = pytest.mark.postgres


def test_migrates_to_head_with_triggers(pg_db: Database):
    assert current_revision(pg_db) == head_revision()
    with pg_db.engine.connect() as conn:
        triggers = {
            r[0] for r in conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
        }
    for table in APPEND_ONLY_TABLES:
        assert f"{table}_no_change" in triggers


SEED = [
    "INSERT INTO office (id, code, name, level, policy_key, receipt_prefix, deposit_days,"
    " deposit_limit_fen, payment_link_template, payment_instructions, address, phone,"
    " printer_name, created_at) VALUES (1, 'T', '测试', 'village', 'tianjin-2024', 'T', 5,"
    " 1000000, '', '', '', '', '', '2023-11-01 08:00:00')",
    "INSERT INTO operator (id, office_id, username, display_name, role, password_hash, active,"
    " created_at) VALUES (1, 1, 'c', '王丽', 'clerk', 'x', true, '2023-11-01 08:00:00')",
    "INSERT INTO deposit (id, office_id, amount_fen, channel, slip_no, business_date,"
    " deposited_at, operator_id) VALUES (1, 1, 100, 'bank', 'S1', '2023-11-01',"
    " '2023-11-01 10:00:00', 1)",
    "INSERT INTO ledger_entry (office_id, seq, kind, business_date, recorded_at, operator_id,"
    " channel, amount_fen, cash_fen, deposit_id, tier, reference, memo, prev_hash, hash)"
    " VALUES (1, 1, 'deposit', '2023-11-01', '2023-11-01 10:00:00', 1, 'bank', 100, -100, 1,"
    " '', '', '', '0', '1')",
]


def test_append_only_tables_refuse_update_and_delete(pg_db: Database):
    with pg_db.engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement))
    with pytest.raises(DBAPIError, match="append-only"), pg_db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entry SET amount_fen = 1"))
    with pytest.raises(DBAPIError, match="append-only"), pg_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM deposit"))
    with pytest.raises(DBAPIError, match="append-only"), pg_db.engine.begin() as conn:
        conn.execute(text("TRUNCATE override"))
    with pg_db.engine.connect() as conn:
        assert conn.execute(text("SELECT amount_fen FROM ledger_entry")).scalar() == 100
