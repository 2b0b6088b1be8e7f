"""Database errors are told apart by their codes, not their wording (issue 11).

The errors here are real ones, made by SQLite itself; only "disk full", which
cannot be made safely, is built by hand — with a message that says something
else, to show the message is not what is read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from db.errors import DbTrouble, classify_database_error, describe_database_error, is_lost_race


def _wrap(orig: sqlite3.Error) -> OperationalError:
    cls = IntegrityError if isinstance(orig, sqlite3.IntegrityError) else OperationalError
    return cls("statement", {}, orig)


def _raised(fn) -> sqlite3.Error:  # type: ignore[no-untyped-def]
    with pytest.raises(sqlite3.Error) as info:
        fn()
    return info.value


def test_a_locked_database_is_busy_not_an_internal_error(tmp_path: Path):
    path = tmp_path / "x.sqlite3"
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("CREATE TABLE t (a)")
    first.execute("BEGIN IMMEDIATE")
    second = sqlite3.connect(path, isolation_level=None, timeout=0)
    exc = _wrap(_raised(lambda: second.execute("BEGIN IMMEDIATE")))
    first.rollback()
    first.close()
    second.close()
    code, message = describe_database_error(exc) or ("", "")
    assert code == "db_locked"
    assert "另一个窗口" in message and "没有保存" in message


def test_a_taken_unique_key_is_a_lost_race(tmp_path: Path):
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    conn.execute("CREATE TABLE t (a UNIQUE)")
    conn.execute("INSERT INTO t VALUES (1)")
    exc = _wrap(_raised(lambda: conn.execute("INSERT INTO t VALUES (1)")))
    conn.close()
    assert is_lost_race(exc)
    code, message = describe_database_error(exc) or ("", "")
    assert code == "concurrent_change"
    assert message.startswith("另一窗口刚刚") and "请刷新后重试" in message


def test_other_constraint_failures_are_program_errors(tmp_path: Path):
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    conn.execute("CREATE TABLE t (a CHECK (a > 0))")
    exc = _wrap(_raised(lambda: conn.execute("INSERT INTO t VALUES (-1)")))
    conn.close()
    assert classify_database_error(exc) is None


def test_read_only_and_not_a_database_and_cannot_open(tmp_path: Path):
    path = tmp_path / "x.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a)")
    conn.commit()
    conn.close()
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    read_only = _wrap(_raised(lambda: ro.execute("INSERT INTO t VALUES (1)")))
    ro.close()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is a text file, not a database" * 200)
    bad = sqlite3.connect(junk)
    not_a_db = _wrap(_raised(lambda: bad.execute("SELECT * FROM sqlite_master")))
    bad.close()
    missing = _wrap(_raised(lambda: sqlite3.connect(tmp_path / "no" / "such" / "dir.sqlite3")))
    assert classify_database_error(read_only) is DbTrouble.READ_ONLY
    assert classify_database_error(not_a_db) is DbTrouble.CORRUPT
    assert classify_database_error(missing) is DbTrouble.UNREACHABLE
    assert "无法连接数据库" in (describe_database_error(missing) or ("", ""))[1]


def test_the_code_is_read_not_the_message():
    full = sqlite3.OperationalError("database is locked")  # wording of another error
    full.sqlite_errorcode = 13  # SQLITE_FULL
    assert classify_database_error(_wrap(full)) is DbTrouble.DISK_FULL
    worded = sqlite3.OperationalError("database is locked")  # no code: not guessed
    assert classify_database_error(_wrap(worded)) is None
    assert describe_database_error(ValueError("database is locked")) is None
