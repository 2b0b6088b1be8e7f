"""Backups that restore.

A SQLite backup is made with SQLite's online backup API, never a file copy: a
copy of the file misses whatever still sits in the WAL (a test once lost 49 of
120 payments that way). The copy is written as ``<name>.part``, switched to a
self-contained rollback-journal file, checked (``PRAGMA integrity_check``, the
schema version, the ledger's hash chain) and only then renamed to its final
name, so a file named ``counter-YYYYMMDD-HHMMSS.sqlite3`` in the backup folder
is always a verified backup.

A folder of backups keeps the newest copy of each of the last
:data:`KEEP_DAILY` days and of each of the last :data:`KEEP_MONTHLY` months
(``prune_backups``); files that do not follow the naming scheme are left alone.

Restoring checks the backup the same way, copies the current database aside
(``<name>.before-restore-YYYYMMDD-HHMMSS``, again with the backup API) and then
writes the backup into the database through the backup API, which takes the
database's own locks: a restore while a window is writing waits or fails, it
never tears the file.

The ledger check is the services' (``services.backups.check_ledger``, passed
in as ``check_ledger``): the database layer imports nothing above it.

On PostgreSQL a backup is ``pg_dump --format=custom`` when ``pg_dump`` is on
the PATH, checked with ``pg_restore --list``. Restoring a PostgreSQL dump is the
administrator's job (README, "Backups").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from common.errors import ServiceError
from db.backup_files import PG_SUFFIX, STAMP_FORMAT, backup_file_name, prune_backups
from db.engine import sqlite_path
from db.files import make_private_folder

#: The busy timeout of the backup's own connections (ms): a window's write
#: transaction is short, the backup waits for it rather than failing.
BUSY_TIMEOUT_MS = 30_000


class BackupError(ServiceError):
    code = "backup_failed"


@dataclasses.dataclass(frozen=True)
class BackupCheck:
    """What checking a backup file found; ``problem`` is None when it is sound."""

    path: Path
    integrity: str
    revision: str | None
    ledger_rows: int
    offices: int
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclasses.dataclass(frozen=True)
class LedgerFindings:
    """What the services' check of the ledger in a backup found."""

    rows_checked: int
    offices_checked: int
    problem: str | None  # None when every chain holds


#: ``check_ledger(session, whole)``: the hash chains of the ledger, and with
#: ``whole`` everything verify-ledger checks (a backup of this version).
LedgerCheck = Callable[[Session, bool], LedgerFindings]


@dataclasses.dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    check: BackupCheck | None  # None for a PostgreSQL dump (checked by pg_restore)
    pruned: tuple[Path, ...] = ()


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    database: Path
    kept_aside: Path | None
    check: BackupCheck


# --- names and pruning --------------------------------------------------------------


# --- checking -----------------------------------------------------------------------


def _plain_engine(path: Path, *, read_only: bool):  # type: ignore[no-untyped-def]
    """An engine on a backup file that changes nothing in it (no WAL switch)."""
    mode = "ro" if read_only else "rw"
    engine = create_engine(
        f"sqlite:///file:{path}?mode={mode}&uri=true",
        poolclass=NullPool,
    )

    def on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    event.listen(engine, "connect", on_connect)
    return engine


def check_backup(
    path: Path,
    check_ledger: LedgerCheck,
    known_revision: Callable[[str], bool] | None = None,
) -> BackupCheck:
    """Integrity, schema version and ledger chain of a SQLite backup file."""
    from sqlalchemy.exc import DBAPIError

    if not path.is_file():
        return BackupCheck(path, "", None, 0, 0, f"备份文件不存在：{path}")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            integrity = "; ".join(str(r[0]) for r in rows[:5])
            if integrity != "ok":
                return BackupCheck(
                    path, integrity, None, 0, 0, f"备份文件已损坏（integrity_check：{integrity}）"
                )
            try:
                version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            except sqlite3.DatabaseError:
                version = []
    except sqlite3.DatabaseError as exc:
        return BackupCheck(path, str(exc), None, 0, 0, f"不是可用的数据库文件：{exc}")
    revision = version[0][0] if len(version) == 1 else None
    if revision is None:
        return BackupCheck(path, integrity, None, 0, 0, "备份中没有本程序的数据表（版本号缺失）")
    if known_revision is not None and not known_revision(revision):
        return BackupCheck(
            path, integrity, revision, 0, 0, f"备份的版本（{revision}）比本程序新，无法使用"
        )
    from db.migrate import HEAD_REVISION

    engine = _plain_engine(path, read_only=True)
    try:
        with Session(engine) as session:
            # a backup of this version gets the whole check of verify-ledger
            # (acts, receipts, closes, journal, anchors); an older
            # one, restored only to be upgraded, its hash chains
            found = check_ledger(session, revision == HEAD_REVISION)
    except DBAPIError as exc:
        return BackupCheck(path, integrity, revision, 0, 0, f"无法读取备份中的台账：{exc.orig}")
    finally:
        engine.dispose()
    return BackupCheck(
        path, integrity, revision, found.rows_checked, found.offices_checked, found.problem
    )


def known_to_this_program(revision: str) -> bool:
    from alembic import util
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        return scripts.get_revision(revision) is not None
    except util.CommandError:
        return False


# --- SQLite -------------------------------------------------------------------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_private(path: Path) -> None:
    """An empty file only its owner can read (the backup holds ID numbers)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, 0o600)


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent, self-contained copy of ``source`` at ``target`` (backup API).

    ``pages=-1`` copies everything in one step under one read transaction, so
    the copy is one moment of the database even while another process writes.
    """
    _create_private(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=-1)
            # The copy carries the source's WAL flag; make it one plain file.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _unique(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists() or target.with_name(target.name + ".part").exists():
        n += 1
        stem, dot, suffix = name.partition(".")
        target = folder / f"{stem}-{n}{dot}{suffix}"
    return target


def backup_sqlite(
    source: Path, folder: Path, now: dt.datetime, check_ledger: LedgerCheck
) -> BackupResult:
    if not source.is_file():
        raise BackupError(f"数据库文件不存在：{source}", code="database_missing")
    try:
        make_private_folder(folder)
        target = _unique(folder, backup_file_name(now))
        part = target.with_name(target.name + ".part")
        try:
            copy_sqlite(source, part)
            check = check_backup(part, check_ledger, known_to_this_program)
            if not check.ok:
                raise BackupError(f"备份没有通过校验，未保存：{check.problem}")
            _fsync(part)
            os.replace(part, target)
            _fsync_dir(folder)
        finally:
            part.unlink(missing_ok=True)
    except OSError as exc:
        raise BackupError(_os_message("无法写入备份", folder, exc), code=_os_code(exc)) from exc
    except sqlite3.Error as exc:
        raise BackupError(_sqlite_message(exc)) from exc
    check = dataclasses.replace(check, path=target)
    return BackupResult(target, target.stat().st_size, check)


def restore_sqlite(
    backup: Path, database: Path, now: dt.datetime, check_ledger: LedgerCheck
) -> RestoreResult:
    check = check_backup(backup, check_ledger, known_to_this_program)
    if not check.ok:
        raise BackupError(f"备份文件未通过校验，没有恢复：{check.problem}", code="backup_invalid")
    aside: Path | None = None
    try:
        if database.exists():
            aside = _aside_name(database, now)
            _replace_in_place(backup, database, aside)
        else:
            make_private_folder(database.parent)
            copy_sqlite(backup, database)
        _fsync(database)
    except OSError as exc:
        raise BackupError(
            _os_message("无法恢复数据库", database.parent, exc), code=_os_code(exc)
        ) from exc
    except sqlite3.Error as exc:
        raise BackupError(_sqlite_message(exc)) from exc
    after = check_backup(database, check_ledger)
    if not after.ok:
        raise BackupError(f"恢复后的数据库未通过校验：{after.problem}（原文件保存在 {aside}）")
    return RestoreResult(backup, database, aside, after)


def _aside_name(database: Path, now: dt.datetime) -> Path:
    aside = database.with_name(f"{database.name}.before-restore-{now.strftime(STAMP_FORMAT)}")
    n = 1
    while aside.exists():
        n += 1
        aside = database.with_name(
            f"{database.name}.before-restore-{now.strftime(STAMP_FORMAT)}-{n}"
        )
    return aside


#: How long a restore waits for the database to become free (seconds).
RESTORE_LOCK_WAIT_S = 3.0


def _replace_in_place(backup: Path, database: Path, aside: Path) -> None:
    """Keep the current database aside, then write the backup's pages into it.

    Everything happens under an exclusive lock on the database: in WAL mode
    every open connection holds a shared lock on the file, so a window that
    still has the database open makes the restore refuse rather than change
    the data under its feet. The aside copy is read through the same locked
    connection, so it is exactly what was replaced.
    """
    dst = sqlite3.connect(database, timeout=RESTORE_LOCK_WAIT_S, isolation_level=None)
    try:
        try:
            dst.execute("PRAGMA locking_mode = EXCLUSIVE")
            dst.execute("BEGIN EXCLUSIVE")
            dst.execute("COMMIT")  # the lock stays: locking_mode is EXCLUSIVE
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise BackupError(
                    f"数据库正被其他窗口或程序使用：{database}。请先关闭所有窗口，再恢复。",
                    code="db_in_use",
                ) from exc
            raise
        _create_private(aside)
        keep = sqlite3.connect(aside)
        try:
            dst.backup(keep, pages=-1)
            keep.execute("PRAGMA journal_mode = DELETE")
        finally:
            keep.close()
        _fsync(aside)
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            src.backup(dst, pages=-1)
        finally:
            src.close()
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()


# --- PostgreSQL ---------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (no ``+driver``)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def backup_postgres(
    url: str,
    folder: Path,
    now: dt.datetime,
    which: Callable[[str], str | None] = shutil.which,
) -> BackupResult:
    pg_dump = which("pg_dump")
    pg_restore = which("pg_restore")
    if pg_dump is None or pg_restore is None:
        raise BackupError(
            "本机没有 pg_dump / pg_restore，无法备份 PostgreSQL 数据库。"
            "请安装 PostgreSQL 客户端，或按 README 的“备份”一节在服务器上备份。",
            code="pg_dump_missing",
        )
    try:
        make_private_folder(folder)
        target = _unique(folder, backup_file_name(now, PG_SUFFIX))
        part = target.with_name(target.name + ".part")
        try:
            _create_private(part)
            dump = subprocess.run(
                [pg_dump, "--format=custom", "--file", str(part), "--dbname", libpq_url(url)],
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if dump.returncode != 0:
                raise BackupError(f"pg_dump 失败：{dump.stderr.strip()[:500]}")
            listed = subprocess.run(
                [pg_restore, "--list", str(part)], capture_output=True, text=True, timeout=600
            )
            if listed.returncode != 0 or "TABLE DATA" not in listed.stdout:
                raise BackupError(f"备份没有通过 pg_restore 检查：{listed.stderr.strip()[:500]}")
            _fsync(part)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
    except OSError as exc:
        raise BackupError(_os_message("无法写入备份", folder, exc), code=_os_code(exc)) from exc
    return BackupResult(target, target.stat().st_size, None)


# --- entry points -------------------------------------------------------------------


def make_backup(
    url: str, folder: Path, now: dt.datetime, *, check_ledger: LedgerCheck, prune: bool = True
) -> BackupResult:
    """Back the database at ``url`` up into ``folder``, verified; then prune.

    Callers go through ``services.backups.make_backup``, which passes the ledger check.
    """
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        source = sqlite_path(url)
        if source is None:
            raise BackupError("内存数据库无法备份。", code="backup_unsupported")
        result = backup_sqlite(source, folder, now, check_ledger)
    elif backend == "postgresql":
        result = backup_postgres(url, folder, now)
    else:
        raise BackupError(f"不支持备份 {backend} 数据库。", code="backup_unsupported")
    if prune:
        removed = prune_backups(folder)
        result = dataclasses.replace(result, pruned=tuple(removed))
    return result


def restore_backup(
    backup: Path, url: str, now: dt.datetime, *, check_ledger: LedgerCheck
) -> RestoreResult:
    """Restore a SQLite backup into the database at ``url`` (the current file is kept aside)."""
    backend = make_url(url).get_backend_name()
    if backend != "sqlite":
        raise BackupError(
            "PostgreSQL 数据库请用 pg_restore 恢复（见 README 的“备份”一节）。",
            code="restore_unsupported",
        )
    database = sqlite_path(url)
    if database is None:
        raise BackupError("内存数据库无法恢复。", code="restore_unsupported")
    return restore_sqlite(backup, database, now, check_ledger)


def _os_code(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "disk_full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "read_only"
    return "backup_failed"


def _os_message(what: str, where: Path, exc: OSError) -> str:
    code = _os_code(exc)
    if code == "disk_full":
        return f"{what}：磁盘已满（{where}）。请换一个有空间的磁盘或U盘。"
    if code == "read_only":
        return f"{what}：没有写入权限或磁盘只读（{where}）。"
    return f"{what}（{where}）：{exc.strerror or exc}"


def _sqlite_message(exc: sqlite3.Error) -> str:
    text = str(exc).lower()
    if "full" in text:
        return "备份失败：磁盘已满。"
    if "locked" in text or "busy" in text:
        return "数据库正被另一个窗口占用，请稍后重试。"
    return f"备份或恢复失败：{exc}"
