"""Backups that restore (issue 10, item 6).

A backup is made with SQLite's online backup API and checked (integrity, schema
version, ledger chain) before it gets its final name; a restore checks the
backup, keeps the current file aside and writes the backup in its place. The
decisive test takes a backup while another process is writing payments and
restores it: every payment acknowledged before the backup began is there and
the restored ledger verifies.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from factories import make_desk, make_enrollment
from sqlalchemy import func, select, text

from db.backup import BackupError
from db.backup_files import backup_file_name, backups_to_keep, list_backups, prune_backups
from db.engine import Database
from db.models import LedgerEntry, Payment
from services.backups import check_backup, make_backup, restore_backup
from services.clock import FixedClock
from services.ledger import verify_ledger
from services.payments import take_payment
from services.policy import load_policies

WRITER = Path(__file__).with_name("backup_writer.py")
NOW = dt.datetime(2023, 11, 6, 18, 0, 0)


def _pay(db: Database, count: int) -> list[int]:
    clock = FixedClock(dt.datetime(2023, 11, 6, 9, 0, 0))
    book = load_policies()
    with db.write() as s:
        desk = make_desk(s)
        enrollments = [make_enrollment(s, desk) for _ in range(count)]
    paid = []
    for enrollment_id in enrollments:
        clock.advance(seconds=30)
        with db.write() as s:
            result = take_payment(
                s,
                clock,
                book,
                enrollment_id=enrollment_id,
                amount="380.00",
                channel="cash",
                operator_id=desk.clerk_id,
            )
        paid.append(result.payment_id)
    return paid


def _payment_ids(path: Path) -> set[int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM payment")}


def test_backup_holds_what_is_still_in_the_wal_and_is_verified(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    paid = _pay(db, 5)
    # The payments are in the WAL, not yet in the main file: a file copy loses them.
    assert Path(f"{db_path}-wal").stat().st_size > 0
    naive = tmp_path / "copied.sqlite3"
    shutil.copyfile(db_path, naive)
    assert _payment_ids(naive) != set(paid)

    result = make_backup(db.url, tmp_path / "backups", NOW)
    assert result.path.name == "counter-20231106-180000.sqlite3"
    assert _payment_ids(result.path) == set(paid)
    assert result.check is not None and result.check.ok
    assert result.check.integrity == "ok" and result.check.ledger_rows == 5
    # A self-contained file (no WAL of its own), readable by its owner only.
    assert not Path(f"{result.path}-wal").exists()
    if os.name == "posix":
        assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(result.path.parent.stat().st_mode) == 0o700
    assert not list(result.path.parent.glob("*.part"))


def test_restore_keeps_the_current_file_aside_and_brings_back_the_backup(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    paid = _pay(db, 3)
    backup = make_backup(db.url, tmp_path / "backups", NOW).path
    with db.write() as s:  # a later change the restore must undo
        s.execute(text("UPDATE office SET name = '改过的名字'"))
    db.dispose()

    restored = restore_backup(backup, db.url, NOW + dt.timedelta(hours=1))
    assert restored.kept_aside is not None
    assert restored.kept_aside.name == "counter.sqlite3.before-restore-20231106-190000"
    with sqlite3.connect(restored.kept_aside) as conn:
        assert conn.execute("SELECT name FROM office").fetchone()[0] == "改过的名字"
    reopened = Database(db.url)
    try:
        with reopened.read() as s:
            assert set(s.scalars(select(Payment.id))) == set(paid)
            assert s.scalar(text("SELECT name FROM office")) == "芦台街道办事处"
            assert verify_ledger(s).ok
    finally:
        reopened.dispose()


def test_a_tampered_backup_is_refused_and_nothing_is_replaced(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    _pay(db, 3)
    backup = make_backup(db.url, tmp_path / "backups", NOW).path
    # Someone edits an amount in the backup, with the append-only trigger dropped.
    with sqlite3.connect(backup) as conn:
        conn.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
        triggers = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            if "ledger" in r[0]
        ]
        for name in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE ledger_entry SET amount_fen = 1 WHERE seq = 2")
    check = check_backup(backup)
    assert not check.ok and "台账校验失败" in (check.problem or "")
    before = db_path.read_bytes()
    with pytest.raises(BackupError) as err:
        restore_backup(backup, db.url, NOW)
    assert err.value.code == "backup_invalid"
    assert db_path.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "counter-20231106-180000.sqlite3"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert not check_backup(junk).ok
    with pytest.raises(BackupError):
        restore_backup(junk, f"sqlite:///{tmp_path / 'new.sqlite3'}", NOW)
    assert not (tmp_path / "new.sqlite3").exists()


def test_restore_onto_a_new_machine_creates_the_file(db: Database, tmp_path: Path) -> None:
    paid = _pay(db, 2)
    backup = make_backup(db.url, tmp_path / "backups", NOW).path
    target = tmp_path / "other" / "counter.sqlite3"
    result = restore_backup(backup, f"sqlite:///{target}", NOW)
    assert result.kept_aside is None
    assert _payment_ids(target) == set(paid)
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_keep_thirty_days_and_twelve_months() -> None:
    start = dt.datetime(2023, 1, 1, 8, 0)
    # Two backups a day (first login, day close) for 400 days.
    stamps = []
    for day in range(400):
        for hour in (8, 18):
            when = start + dt.timedelta(days=day, hours=hour - 8)
            stamps.append((when, Path(backup_file_name(when))))
    keep = backups_to_keep(stamps)
    kept = sorted(backup_time for backup_time, path in stamps if path in keep)
    last = stamps[-1][0]
    daily = [t for t in kept if (last.date() - t.date()).days < 30]
    assert len(daily) == 30 and all(t.hour == 18 for t in daily)  # the newest of each day
    months = {(t.year, t.month) for t in kept}
    assert len(months) == 12
    # 2024-02 and 2024-01 have their newest copy among the 30 days already.
    assert len(kept) == 30 + 10


def test_prune_leaves_other_files_alone(tmp_path: Path) -> None:
    for day in range(35):
        when = dt.datetime(2023, 10, 1, 18) + dt.timedelta(days=day)
        (tmp_path / backup_file_name(when)).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("keep me")
    removed = prune_backups(tmp_path)
    # The last 30 days; October's and November's newest are among them.
    assert len(list_backups(tmp_path)) == 30
    assert len(removed) == 5
    assert (tmp_path / "notes.txt").exists()


def test_a_missing_database_is_not_backed_up(tmp_path: Path) -> None:
    with pytest.raises(BackupError) as err:
        make_backup(f"sqlite:///{tmp_path / 'nope.sqlite3'}", tmp_path / "b", NOW)
    assert err.value.code == "database_missing"
    assert not (tmp_path / "nope.sqlite3").exists()


def _read_acks(stream, acks: list[int], done: threading.Event) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        if line.startswith("paid "):
            acks.append(int(line.split()[1]))
        elif line.strip() == "exhausted":
            break
    done.set()


@pytest.mark.slow
def test_backup_while_another_process_writes_payments_restores_every_acknowledged_one(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    with db.write() as s:
        desk = make_desk(s)
        for _ in range(2000):
            make_enrollment(s, desk)
    db.dispose()
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr and proc.stderr.read()
    acks: list[int] = []
    done = threading.Event()
    reader = threading.Thread(target=_read_acks, args=(proc.stdout, acks, done), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while len(acks) < 150 and time.monotonic() < deadline and not done.is_set():
            time.sleep(0.02)
        acked_before = set(acks)
        assert len(acked_before) >= 150, "the writer did not get going"
        result = make_backup(f"sqlite:///{db_path}", tmp_path / "backups", NOW)
        acked_after_backup = len(acks)
        time.sleep(0.3)
        ran_out = done.is_set()
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert not ran_out, "the writer ran out of work before the backup ended"
    assert acked_after_backup > len(acked_before), "nothing was written during the backup"

    target = tmp_path / "restored" / "counter.sqlite3"
    restored = restore_backup(result.path, f"sqlite:///{target}", NOW)
    assert restored.check.ok
    back = Database(f"sqlite:///{target}")
    try:
        with back.read() as s:
            present = set(s.scalars(select(Payment.id)))
            assert acked_before <= present
            assert verify_ledger(s).ok
            # A consistent moment: one ledger line per payment, nothing half-written.
            lines = s.scalar(select(func.count(LedgerEntry.id)))
            assert lines == len(present)
    finally:
        back.dispose()


@pytest.mark.postgres
def test_postgres_backup_is_a_checked_pg_dump(pg_db: Database, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    result = make_backup(pg_db.url, tmp_path / "pg", NOW)
    assert result.path.name == "counter-20231106-180000.pgdump"
    assert result.size > 0 and result.check is None
    listed = subprocess.run(
        ["pg_restore", "--list", str(result.path)], capture_output=True, text=True, check=True
    )
    assert "ledger_entry" in listed.stdout
    with pytest.raises(BackupError) as err:
        restore_backup(result.path, pg_db.url, NOW)
    assert err.value.code == "restore_unsupported"


def test_without_pg_dump_the_refusal_says_what_to_do(tmp_path: Path) -> None:
    from db.backup import backup_postgres

    with pytest.raises(BackupError) as err:
        backup_postgres("postgresql+psycopg://u@h/db", tmp_path, NOW, which=lambda _n: None)
    assert err.value.code == "pg_dump_missing" and "README" in err.value.message


def test_restore_refuses_while_another_window_has_the_database_open(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    _pay(db, 2)
    backup = make_backup(db.url, tmp_path / "backups", NOW).path
    db.dispose()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(db_path)!r})\n"
            "c.execute('SELECT count(*) FROM payment').fetchall()\n"
            "print('ready', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        before = db_path.read_bytes()
        with pytest.raises(BackupError) as err:
            restore_backup(backup, db.url, NOW)
        assert err.value.code == "db_in_use" and "关闭所有窗口" in err.value.message
        assert db_path.read_bytes() == before
        assert not list(tmp_path.glob("*.before-restore-*"))
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert restore_backup(backup, db.url, NOW).check.ok
