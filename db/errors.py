"""Database trouble a clerk can act on, in plain Chinese.

Locked, read-only, full or corrupt databases reach the clerk as a message,
never as a traceback (STYLE.md: "two kinds of database error"). Anything else
is a program error: logged with its traceback and reported as such.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

_PATTERNS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        (
            "database is locked",
            "database table is locked",
            "lock timeout",
            "could not obtain lock",
            "deadlock detected",
        ),
        "db_locked",
        "数据库正被另一个窗口占用，请稍后重试。",
    ),
    (
        ("database or disk is full", "disk full", "no space left", "could not extend file"),
        "db_disk_full",
        "磁盘已满，数据没有保存。请清理磁盘空间后重试，并联系管理员。",
    ),
    (
        ("readonly database", "read-only", "read only", "attempt to write a readonly"),
        "db_read_only",
        "数据库是只读的，数据没有保存。请检查数据文件的权限或联系管理员。",
    ),
    (
        ("disk i/o error",),
        "db_io_error",
        "读写数据库文件时出错（磁盘故障、U盘或网络盘断开），数据没有保存。"
        "请检查磁盘后重试；问题持续时请联系管理员。",
    ),
    (
        ("malformed", "not a database", "file is encrypted"),
        "db_corrupt",
        "数据库文件损坏或无法读取。请停止操作，联系管理员用备份恢复。",
    ),
    (
        (
            "could not connect",
            "connection refused",
            "server closed the connection",
            "unable to open database",
            "connection timed out",
            "terminating connection",
        ),
        "db_unreachable",
        "无法连接数据库。请检查网络或数据库服务器后重试。",
    ),
)


#: Below this many free bytes beside the database, an I/O error is a full disk.
NEARLY_FULL_BYTES = 1_000_000


def describe_database_error(exc: BaseException, path: Path | None = None) -> tuple[str, str] | None:
    """``(code, Chinese message)`` for trouble the clerk can act on, else None.

    SQLite reports a full disk as "database or disk is full" when it notices
    while growing the file, but as a plain I/O error when the WAL or its index
    cannot be extended; with ``path`` (the database file) the free space
    beside it decides, so a full disk is never reported as a broken database.
    """
    if not isinstance(exc, (OperationalError, DBAPIError, sqlite3.Error)):
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    for needles, code, message in _PATTERNS:
        if any(n in text for n in needles):
            if code in ("db_io_error", "db_corrupt") and _nearly_full(path):
                return _DISK_FULL
            return code, message
    return None


def _nearly_full(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


_DISK_FULL = next((code, message) for _n, code, message in _PATTERNS if code == "db_disk_full")


def describe_os_error(exc: OSError) -> tuple[str, str]:
    """``(code, Chinese message)`` for a file-system failure (disk full stays
    disk full; a refused write names the file)."""
    import errno

    where = f"（{exc.filename}）" if getattr(exc, "filename", None) else ""
    if exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", -1):
        return "disk_full", f"磁盘已满{where}，数据没有保存。请清理磁盘空间后重试，并联系管理员。"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "read_only", f"没有写入权限或磁盘只读{where}。请联系管理员检查权限。"
    if exc.errno == errno.ENOENT:
        return "not_found", f"文件或文件夹不存在{where}。"
    return "os_error", f"文件操作失败{where}：{exc.strerror or exc}"
