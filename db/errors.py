"""Database trouble a clerk can act on, in plain Chinese.

Locked, read-only, full, corrupt or unreachable databases, and a write that
lost a race against another window, reach the clerk as a message, never as a
traceback (STYLE.md: "two kinds of database error"). Anything else is a
program error: logged with its traceback and reported as such.

Errors are told apart by the codes the databases define — PostgreSQL's
SQLSTATE (``psycopg``'s ``sqlstate``) and SQLite's extended result code
(``sqlite3.Error.sqlite_errorcode``) — never by the wording of the message,
which changes with the server's language and version.
"""

from __future__ import annotations

import enum
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError


class DbTrouble(enum.Enum):
    """What went wrong, as far as the clerk is concerned."""

    BUSY = "db_locked"  # another window holds the lock longer than we wait
    CONFLICT = "concurrent_change"  # a race lost: unique key taken, deadlock, serialisation
    DISK_FULL = "db_disk_full"
    READ_ONLY = "db_read_only"
    IO_ERROR = "db_io_error"  # the disk or the USB/network drive failed under us
    CORRUPT = "db_corrupt"
    UNREACHABLE = "db_unreachable"
    LOGIN_REFUSED = "db_login_refused"


MESSAGES: dict[DbTrouble, str] = {
    DbTrouble.BUSY: "数据库正被另一个窗口占用，本次操作没有保存，请稍后重试。",
    DbTrouble.CONFLICT: "另一窗口刚刚办理了同一笔业务，本次操作没有保存，请刷新后重试。",
    DbTrouble.DISK_FULL: "磁盘已满，数据没有保存。请清理磁盘空间后重试，并联系管理员。",
    DbTrouble.READ_ONLY: "数据库是只读的，数据没有保存。请检查数据文件的权限或联系管理员。",
    DbTrouble.IO_ERROR: "读写数据库文件时出错（磁盘故障、U盘或网络盘断开），数据没有保存。"
    "请检查磁盘后重试；问题持续时请联系管理员。",
    DbTrouble.CORRUPT: "数据库文件损坏或无法读取。请停止操作，联系管理员用备份恢复。",
    DbTrouble.UNREACHABLE: "无法连接数据库，本次操作没有保存。请检查网络或数据库服务器后重试。",
    DbTrouble.LOGIN_REFUSED: "数据库拒绝登录，无法连接数据库。请联系管理员检查数据库连接设置。",
}

# SQLite primary result codes (the low byte of the extended code).
_SQLITE_PRIMARY: dict[int, DbTrouble] = {
    5: DbTrouble.BUSY,  # SQLITE_BUSY
    6: DbTrouble.BUSY,  # SQLITE_LOCKED
    8: DbTrouble.READ_ONLY,  # SQLITE_READONLY
    10: DbTrouble.IO_ERROR,  # SQLITE_IOERR (a full disk too, when the WAL cannot grow)
    11: DbTrouble.CORRUPT,  # SQLITE_CORRUPT
    13: DbTrouble.DISK_FULL,  # SQLITE_FULL
    14: DbTrouble.UNREACHABLE,  # SQLITE_CANTOPEN
    26: DbTrouble.CORRUPT,  # SQLITE_NOTADB
}
# SQLite extended codes that are a lost race: a unique or primary key taken.
_SQLITE_EXTENDED: dict[int, DbTrouble] = {
    2067: DbTrouble.CONFLICT,  # SQLITE_CONSTRAINT_UNIQUE
    1555: DbTrouble.CONFLICT,  # SQLITE_CONSTRAINT_PRIMARYKEY
}

# PostgreSQL SQLSTATE codes (Appendix A of the manual).
_PG_STATES: dict[str, DbTrouble] = {
    "23505": DbTrouble.CONFLICT,  # unique_violation
    "40001": DbTrouble.CONFLICT,  # serialization_failure
    "40P01": DbTrouble.CONFLICT,  # deadlock_detected
    "55P03": DbTrouble.BUSY,  # lock_not_available (lock_timeout)
    "57014": DbTrouble.BUSY,  # query_canceled (statement_timeout)
    "25006": DbTrouble.READ_ONLY,  # read_only_sql_transaction
    "53100": DbTrouble.DISK_FULL,  # disk_full
    "XX001": DbTrouble.CORRUPT,  # data_corrupted
    "XX002": DbTrouble.CORRUPT,  # index_corrupted
    "57P01": DbTrouble.UNREACHABLE,  # admin_shutdown
    "57P02": DbTrouble.UNREACHABLE,  # crash_shutdown
    "57P03": DbTrouble.UNREACHABLE,  # cannot_connect_now
    "25P03": DbTrouble.UNREACHABLE,  # idle_in_transaction_session_timeout: connection closed
    "57P05": DbTrouble.UNREACHABLE,  # idle_session_timeout: connection closed
    "3D000": DbTrouble.UNREACHABLE,  # invalid_catalog_name (no such database)
    "28000": DbTrouble.LOGIN_REFUSED,  # invalid_authorization_specification
    "28P01": DbTrouble.LOGIN_REFUSED,  # invalid_password
}
# Whole SQLSTATE classes.
_PG_CLASSES: dict[str, DbTrouble] = {
    "08": DbTrouble.UNREACHABLE,  # connection_exception
    "53": DbTrouble.DISK_FULL,  # insufficient_resources (disk, memory, connections)
}


def _sqlstate(orig: object) -> str | None:
    value = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return value if isinstance(value, str) else None


def classify_database_error(exc: BaseException) -> DbTrouble | None:
    """The kind of trouble behind a database error (SQLAlchemy's, or sqlite3's
    own from the backup API), or None (a bug)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int):
            return _SQLITE_EXTENDED.get(code) or _SQLITE_PRIMARY.get(code & 0xFF)
        return None
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_EXTENDED.get(code) or _SQLITE_PRIMARY.get(code & 0xFF)
    state = _sqlstate(orig)
    if state is not None:
        return _PG_STATES.get(state) or _PG_CLASSES.get(state[:2])
    module = type(orig).__module__.split(".")[0]
    if module in ("psycopg", "psycopg2") and (
        exc.connection_invalidated or type(orig).__name__ == "OperationalError"
    ):
        # libpq reports a failed connection (refused, timed out, server gone)
        # client-side, without an SQLSTATE.
        return DbTrouble.UNREACHABLE
    return None


def is_permission_denied(exc: BaseException) -> bool:
    """True when PostgreSQL refused a statement to this role (SQLSTATE 42501)."""
    return isinstance(exc, DBAPIError) and _sqlstate(exc.orig) == "42501"


def is_lost_race(exc: BaseException) -> bool:
    """True when ``exc`` says another window got there first (unique key taken,
    deadlock, serialisation failure)."""
    return classify_database_error(exc) is DbTrouble.CONFLICT


#: Below this many free bytes beside the database, an I/O error is a full disk.
NEARLY_FULL_BYTES = 1_000_000


def describe_database_error(exc: BaseException, path: Path | None = None) -> tuple[str, str] | None:
    """``(code, Chinese message)`` for trouble the clerk can act on, else None.

    SQLite reports a full disk as SQLITE_FULL when it notices while growing the
    file, but as a plain I/O error when the WAL or its index cannot be
    extended; with ``path`` (the database file) the free space beside it
    decides, so a full disk is never reported as a broken database.
    """
    trouble = classify_database_error(exc)
    if trouble is None:
        return None
    if trouble in (DbTrouble.IO_ERROR, DbTrouble.CORRUPT) and _nearly_full(path):
        trouble = DbTrouble.DISK_FULL
    return trouble.value, MESSAGES[trouble]


def _nearly_full(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
    except OSError:
        return False


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


# SQLite extended codes of the constraint kinds (sqlite.org/rescode.html).
_SQLITE_UNIQUE = (2067, 1555)  # SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
_SQLITE_CHECK = 275  # SQLITE_CONSTRAINT_CHECK
# "UNIQUE constraint failed: enrollment.resident_id, enrollment.policy_year": the
# one place SQLite names the failed key. Its shape is part of SQLite's C source,
# not translated, and the same since 3.8.2.
_SQLITE_UNIQUE_PREFIX = "UNIQUE constraint failed: "
_SQLITE_CHECK_PREFIX = "CHECK constraint failed: "


def violated_constraint(exc: BaseException) -> str | None:
    """The name of the unique key or check constraint ``exc`` broke, or None.

    PostgreSQL names it (``diag.constraint_name``). SQLite names a failed check
    but gives a failed unique key as its columns; the key is then found among the
    unique indexes and constraints of ``db.models`` on those columns.
    """
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if isinstance(name, str) and name:
        return name
    code = getattr(orig, "sqlite_errorcode", None)
    message = str(orig)
    if code == _SQLITE_CHECK and message.startswith(_SQLITE_CHECK_PREFIX):
        return message.removeprefix(_SQLITE_CHECK_PREFIX).strip() or None
    if code in _SQLITE_UNIQUE and message.startswith(_SQLITE_UNIQUE_PREFIX):
        return _unique_key_named_by_columns(message.removeprefix(_SQLITE_UNIQUE_PREFIX))
    return None


def _unique_key_named_by_columns(columns_text: str) -> str | None:
    from sqlalchemy import Index, UniqueConstraint

    from db.models import Base

    if columns_text.startswith("index '"):  # an index on expressions names itself
        return columns_text.removeprefix("index '").rstrip("'")
    qualified = [part.strip() for part in columns_text.split(",")]
    tables = {part.split(".", 1)[0] for part in qualified}
    if len(tables) != 1:
        return None
    table = Base.metadata.tables.get(tables.pop())
    if table is None:
        return None
    wanted = [part.split(".", 1)[1] for part in qualified]
    for index in table.indexes:
        if index.unique and [c.name for c in index.columns] == wanted:
            return str(index.name)
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and not isinstance(constraint, Index):
            if [c.name for c in constraint.columns] == wanted:
                return str(constraint.name) if constraint.name else None
    if [c.name for c in table.primary_key.columns] == wanted:
        return f"pk_{table.name}"
    return None
