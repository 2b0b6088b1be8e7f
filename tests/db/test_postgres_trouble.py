"""An office server in trouble: timeouts, a held lock, a server that is gone (issue 11).

Each error here is a real one from a real PostgreSQL server, and each is told
apart by its SQLSTATE (or, for a connection that never came up, by the driver
saying so without one).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db.engine import PG_LOCK_TIMEOUT_MS, Database
from db.errors import DbTrouble, classify_database_error, describe_database_error
from db.models import Office
from services.concurrency import lock_office

pytestmark = pytest.mark.postgres


def _office(db: Database) -> int:
    with db.write() as s:
        row = Office(
            code="T",
            name="测试",
            level="village",
            policy_key="tianjin-2024",
            receipt_prefix="T",
            created_at=dt.datetime(2023, 11, 1, 8, 0),
        )
        s.add(row)
        s.flush()
        return row.id


def test_every_window_has_lock_statement_and_idle_timeouts(pg_db: Database):
    with pg_db.engine.connect() as conn:
        shown = {
            name: conn.execute(text(f"SHOW {name}")).scalar()
            for name in ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")
        }
    assert shown == {
        "lock_timeout": f"{PG_LOCK_TIMEOUT_MS // 1000}s",
        "statement_timeout": "1min",
        "idle_in_transaction_session_timeout": "2min",
    }


def test_a_lock_held_too_long_reads_as_busy(pg_db: Database):
    office_id = _office(pg_db)
    with pg_db.write() as holder:
        lock_office(holder, office_id)
        with pytest.raises(DBAPIError) as info, pg_db.write() as waiter:
            waiter.execute(text("SET LOCAL lock_timeout = '200ms'"))
            lock_office(waiter, office_id)
    assert classify_database_error(info.value) is DbTrouble.BUSY
    assert "另一个窗口" in (describe_database_error(info.value) or ("", ""))[1]


def test_the_office_lock_does_not_hold_up_readers_or_inserts_that_refer_to_it(
    pg_db: Database,
):
    office_id = _office(pg_db)
    with pg_db.write() as holder:
        lock_office(holder, office_id)
        with pg_db.write() as other:
            other.execute(text("SET LOCAL lock_timeout = '200ms'"))
            # reading the office and inserting a row that references it both go ahead
            assert other.get(Office, office_id) is not None
            other.execute(
                text(
                    "INSERT INTO village (office_id, name, active) VALUES (:o, '北村', true)"
                ).bindparams(o=office_id)
            )


def test_a_server_that_is_not_there_reads_as_cannot_connect(tmp_path: Path, pg_db: Database):
    url = make_url(pg_db.url).set(query={"host": str(tmp_path), "port": "1"})
    nowhere = Database(url.render_as_string(hide_password=False))
    with pytest.raises(DBAPIError) as info, nowhere.write() as s:
        s.execute(text("SELECT 1"))
    nowhere.dispose()
    code, message = describe_database_error(info.value) or ("", "")
    assert code == "db_unreachable"
    assert message.startswith("无法连接数据库")


def test_a_connection_the_server_drops_reads_as_cannot_connect_and_writes_nothing(
    pg_db: Database,
):
    office_id = _office(pg_db)
    with pytest.raises(DBAPIError) as info, pg_db.write() as s:
        s.execute(text("UPDATE office SET name = '改名' WHERE id = :i").bindparams(i=office_id))
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
        with pg_db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:p)").bindparams(p=pid))
            admin.commit()
        s.execute(text("SELECT 1"))
    assert classify_database_error(info.value) is DbTrouble.UNREACHABLE
    with pg_db.read() as s:
        assert s.get(Office, office_id).name == "测试"  # type: ignore[union-attr]


def test_a_taken_unique_key_is_a_lost_race(pg_db: Database):
    _office(pg_db)
    with pytest.raises(DBAPIError) as info:
        _office(pg_db)  # the same office code again
    assert classify_database_error(info.value) is DbTrouble.CONFLICT


def test_the_lock_rereads_what_was_loaded_before_it(pg_db: Database):
    office_id = _office(pg_db)
    with pg_db.write() as s:
        office = s.get(Office, office_id)
        assert office is not None and office.name == "测试"
        with pg_db.write() as other:  # another window commits meanwhile
            other.execute(
                text("UPDATE office SET name = '新名' WHERE id = :i").bindparams(i=office_id)
            )
        lock_office(s, office_id)
        assert office.name == "新名"
