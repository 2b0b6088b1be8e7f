"""``main.py backup / restore / init-db`` and honest failures of every command
(issue 10, items 6 and 9): refusals exit 2 with a Chinese message, a mistyped
``--db`` never creates a new office, demo data never lands in a live office."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import main
from db.engine import Database
from db.files import DatabaseReadOnly, check_database_file, create_database_file
from services.clock import FixedClock
from services.office import create_office

ROOT = Path(__file__).resolve().parents[2]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_backup_then_restore_through_the_commands(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{db_path}"
    code, out, _ = _run(capsys, "backup", "--db", url, "--to", str(tmp_path / "b"), "--json")
    assert code == 0
    made = json.loads(out)
    assert made["integrity"] == "ok" and Path(made["backup"]).is_file()
    code, out, _ = _run(capsys, "restore", made["backup"], "--db", url)
    assert code == 0
    assert "原数据库已另存为" in out and "恢复后校验通过" in out
    assert len(list(tmp_path.glob("*.before-restore-*"))) == 1
    # the restored database journals its restore (issue 10); the backup's own
    # line was written after the copy was taken, so only the restore is there
    from sqlalchemy import select

    from db.models import AuditEntry

    db = Database(url)
    try:
        with db.read() as s:
            actions = [e.action for e in s.scalars(select(AuditEntry))]
    finally:
        db.dispose()
    assert actions == ["restore"]
    code, out, _ = _run(capsys, "backup", "--db", url, "--to", str(tmp_path / "b"), "--json")
    with db.read() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    db.dispose()
    assert code == 0 and actions == ["restore", "backup"]


def test_backup_to_an_unwritable_place_is_a_message(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = _run(
        capsys, "backup", "--db", f"sqlite:///{db_path}", "--to", str(blocker / "sub")
    )
    assert code == 2 and err.startswith("错误：") and "Traceback" not in err


def test_a_mistyped_db_path_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "conter.sqlite3"
    for command in (["day-status"], ["verify-ledger"], ["backup", "--to", str(tmp_path / "b")]):
        code, _, err = _run(capsys, *command, "--db", f"sqlite:///{typo}")
        assert code == 2, command
        assert "数据库文件不存在" in err and str(typo) in err
    assert not typo.exists() and not (tmp_path / "b").exists()


def test_init_db_is_the_explicit_step_and_shows_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "office" / "counter.sqlite3"
    code, out, _ = _run(capsys, "init-db", "--db", f"sqlite:///{path}")
    assert code == 0 and str(path) in out
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    code, out, _ = _run(capsys, "verify-ledger", "--db", f"sqlite:///{path}")
    assert code == 0
    code, _, err = _run(capsys, "init-db", "--db", f"sqlite:///{path}")
    assert code == 2 and "已存在" in err


def test_demo_data_refuses_a_database_that_holds_an_office(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    assert _run(capsys, "init-db", "--db", url)[0] == 0
    database = Database(url)
    with database.write() as s:
        create_office(
            s,
            FixedClock(dt.datetime(2023, 11, 6, 9, 0)),
            code="WY01",
            name="乌杨街道便民服务中心",
            level="street_office",
            policy_key="tianjin-2024",
            receipt_prefix="WY",
            villages=["乌杨村"],
            known_policies=frozenset({"tianjin-2024"}),
        )
    database.dispose()
    with sqlite3.connect(tmp_path / "live.sqlite3") as conn:
        before = conn.execute("SELECT count(*) FROM operator").fetchone()[0]
    code, out, _ = _run(
        capsys, "demo-data", "--db", url, "--residents", "5", "--days", "1", "--json"
    )
    assert code == 2
    refusal = json.loads(out)
    assert refusal["error"] == "demo_refused" and "已有经办单位" in refusal["message"]
    with sqlite3.connect(tmp_path / "live.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM operator").fetchone()[0] == before
        assert conn.execute("SELECT count(*) FROM office").fetchone()[0] == 1


def test_a_database_error_is_exit_2_in_chinese_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all" * 200)
    code, _, err = _run(capsys, "day-status", "--db", f"sqlite:///{broken}")
    assert code == 2
    assert err.startswith("错误：") and "Traceback" not in err


def test_the_command_line_itself_never_prints_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"\x00garbage" * 500)
    result = subprocess.run(
        [sys.executable, "main.py", "verify-ledger", "--db", f"sqlite:///{broken}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "YIBAO_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "错误：" in result.stderr


def test_a_read_only_database_is_found_before_anything_is_typed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ro.sqlite3'}"
    path = create_database_file(url)
    assert path is not None
    writable = {path.parent}
    with pytest.raises(DatabaseReadOnly) as err:
        check_database_file(url, access=lambda p, _m: p in writable)
    assert "只读" in err.value.message and str(path) in err.value.message
    writable = {path}
    with pytest.raises(DatabaseReadOnly) as err:
        check_database_file(url, access=lambda p, _m: p in writable)
    assert "文件夹是只读的" in err.value.message


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_file_refused_by_a_real_command(tmp_path: Path) -> None:
    """A file nobody may write (root ignores permission bits, so as root the
    file is made immutable with chattr, which stops root too)."""
    path = tmp_path / "counter.sqlite3"
    assert main.main(["init-db", "--db", f"sqlite:///{path}"]) == 0
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not possible here: {made.stderr!r}")
    else:
        os.chmod(path, 0o444)
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "day-status", "--db", f"sqlite:///{path}"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "YIBAO_DATA_DIR": str(tmp_path / "data")},
        )
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            os.chmod(path, 0o600)
    assert result.returncode == 2, result.stderr
    assert "只读" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
