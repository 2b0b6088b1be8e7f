"""Honest failures (issue 10, item 9): a full disk is reported as a full disk,
never as a corrupt database, and nothing is half-written.

The real test fills a small tmpfs (needs root and permission to mount; skipped
otherwise); the mapping itself is checked everywhere.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

import main
from db.errors import describe_database_error


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr!r}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_filling_the_disk_is_reported_as_disk_full(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{small_disk / 'counter.sqlite3'}"
    assert main.main(["init-db", "--db", url]) == 0
    capsys.readouterr()
    code = main.main(
        ["demo-data", "--db", url, "--residents", "3000", "--days", "3", "--json", "--quiet"]
    )
    out, err = capsys.readouterr()
    assert code == 2, out + err
    refusal = json.loads(out)
    assert refusal["error"] == "db_disk_full", refusal
    assert "磁盘已满" in refusal["message"] and "损坏" not in refusal["message"]
    # What was committed before the disk filled is intact.
    with sqlite3.connect(small_disk / "counter.sqlite3") as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_an_io_error_on_a_full_disk_is_disk_full(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import db.errors as errors

    io_error = sqlite3.OperationalError("disk I/O error")
    io_error.sqlite_errorcode = 10  # SQLITE_IOERR: the code is read, not the words
    exc = OperationalError("INSERT …", {}, io_error)
    described = describe_database_error(exc, tmp_path / "counter.sqlite3")
    assert described is not None and described[0] == "db_io_error"
    assert "损坏" not in described[1]
    monkeypatch.setattr(errors, "NEARLY_FULL_BYTES", 2**62)  # every disk is "nearly full"
    described = describe_database_error(exc, tmp_path / "counter.sqlite3")
    assert described is not None and described[0] == "db_disk_full"
