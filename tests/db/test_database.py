"""Opening, migrating and guarding the database file."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from db.engine import DB_URL_ENV, Database, default_database_url, resolve_database_url
from db.errors import describe_database_error
from db.immutability import APPEND_ONLY_TABLES
from db.migrate import (
    HEAD_REVISION,
    DatabaseTooNew,
    alembic_config,
    backup_sqlite_file,
    current_revision,
    head_revision,
    upgrade_database,
)
from db.models import Base


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(db: Database):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


INSERT_OFFICE = (
    "INSERT INTO office (id, code, name, level, policy_key, receipt_prefix, deposit_days,"
    " deposit_limit_fen, payment_link_template, payment_instructions, address, phone,"
    " printer_name, created_at) VALUES (1, 'T', '测试', 'village', 'tianjin-2024', 'T', 5,"
    " 1000000, '', '', '', '', '', '2023-11-01 08:00:00')"
)


def test_foreign_keys_are_enforced(db: Database):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.write() as s:
        s.execute(
            text("INSERT INTO number_series (office_id, series, next_number) VALUES (42, 'x', 1)")
        )


def test_a_write_that_raises_leaves_nothing(db: Database):
    with pytest.raises(RuntimeError), db.write() as s:
        s.execute(text(INSERT_OFFICE))
        s.execute(
            text("INSERT INTO number_series (office_id, series, next_number) VALUES (1, 'x', 1)")
        )
        raise RuntimeError("power cut")
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM office")).scalar() == 0


def test_fresh_database_is_migrated_to_head_with_every_table(db: Database):
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        tables = {
            r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")
        }
        triggers = {
            r[0]
            for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert set(Base.metadata.tables) <= tables
    for table in APPEND_ONLY_TABLES:
        assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers


def test_models_and_migrations_agree(db: Database):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def _revisions_oldest_first() -> list[str]:
    scripts = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(scripts.walk_revisions()))]


@pytest.mark.parametrize("start", _revisions_oldest_first())
def test_migrates_from_every_earlier_version(tmp_path, start):
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, start)
    assert upgrade_database(db) == head_revision()
    assert current_revision(db) == head_revision()
    db.dispose()


def test_a_database_newer_than_the_program_is_refused(db: Database):
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(DatabaseTooNew) as refused:
        upgrade_database(db)
    assert "升级本程序" in refused.value.message


def test_backup_copies_the_file_aside(db: Database, db_path):
    with db.engine.begin() as conn:
        conn.exec_driver_sql(INSERT_OFFICE)
        conn.exec_driver_sql(
            "INSERT INTO number_series (office_id, series, next_number) VALUES (1, 'x', 7)"
        )
    copy = backup_sqlite_file(db_path, "0001")
    assert copy.name == "counter.sqlite3.before-0001"
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT next_number FROM number_series").fetchone() == (7,)
    assert backup_sqlite_file(db_path, "0001").name == "counter.sqlite3.before-0001.2"


def test_database_url_comes_from_flag_then_environment_then_default(monkeypatch):
    monkeypatch.setenv(DB_URL_ENV, "sqlite:////tmp/from-env.sqlite3")
    assert resolve_database_url("sqlite:////tmp/flag.sqlite3") == "sqlite:////tmp/flag.sqlite3"
    assert resolve_database_url(None) == "sqlite:////tmp/from-env.sqlite3"
    monkeypatch.delenv(DB_URL_ENV)
    assert resolve_database_url(None) == default_database_url()
    assert default_database_url().startswith("sqlite:///")


@pytest.mark.parametrize(
    ("driver_message", "code", "words"),
    [
        ("database is locked", "db_locked", "稍后重试"),
        ("database or disk is full", "db_disk_full", "磁盘已满"),
        ("attempt to write a readonly database", "db_read_only", "只读"),
        ("file is not a database", "db_corrupt", "损坏"),
    ],
)
def test_database_trouble_reads_as_plain_chinese(driver_message, code, words):
    exc = OperationalError("INSERT …", {}, sqlite3.OperationalError(driver_message))
    described = describe_database_error(exc)
    assert described is not None
    assert described[0] == code
    assert words in described[1]


def test_other_errors_are_not_disguised():
    assert describe_database_error(ValueError("bug")) is None


def test_the_programs_head_revision_is_the_newest_script():
    from db.migrate import HEAD_REVISION

    assert HEAD_REVISION == head_revision()


def test_an_up_to_date_database_opens_without_loading_alembic(db_path):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from db.engine import Database\n"
        "from db.migrate import upgrade_database\n"
        f"print(upgrade_database(Database('sqlite:///{db_path}')))\n"
        "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [HEAD_REVISION, "False"]
