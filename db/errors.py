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

from sqlalchemy.exc import DBAPIError


class DbTrouble(enum.Enum):
    """What went wrong, as far as the clerk is concerned."""

    BUSY = "db_locked"  # another window holds the lock longer than we wait
    CONFLICT = "concurrent_change"  # a race lost: unique key taken, deadlock, serialisation
    DISK_FULL = "db_disk_full"
    READ_ONLY = "db_read_only"
    CORRUPT = "db_corrupt"
    UNREACHABLE = "db_unreachable"
    LOGIN_REFUSED = "db_login_refused"


MESSAGES: dict[DbTrouble, str] = {
    DbTrouble.BUSY: "数据库正被另一个窗口占用，本次操作没有保存，请稍后重试。",
    DbTrouble.CONFLICT: "另一窗口刚刚办理了同一笔业务，本次操作没有保存，请刷新后重试。",
    DbTrouble.DISK_FULL: "磁盘已满，数据没有保存。请清理磁盘空间后重试，并联系管理员。",
    DbTrouble.READ_ONLY: "数据库是只读的，数据没有保存。请检查数据文件的权限或联系管理员。",
    DbTrouble.CORRUPT: "数据库文件损坏或无法读取。请停止操作，联系管理员用备份恢复。",
    DbTrouble.UNREACHABLE: "无法连接数据库，本次操作没有保存。请检查网络或数据库服务器后重试。",
    DbTrouble.LOGIN_REFUSED: "数据库拒绝登录，无法连接数据库。请联系管理员检查数据库连接设置。",
}

# SQLite primary result codes (the low byte of the extended code).
_SQLITE_PRIMARY: dict[int, DbTrouble] = {
    5: DbTrouble.BUSY,  # SQLITE_BUSY
    6: DbTrouble.BUSY,  # SQLITE_LOCKED
    8: DbTrouble.READ_ONLY,  # SQLITE_READONLY
    10: DbTrouble.CORRUPT,  # SQLITE_IOERR
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
    """The kind of trouble behind a SQLAlchemy database error, or None (a bug)."""
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


def describe_database_error(exc: BaseException) -> tuple[str, str] | None:
    """``(code, Chinese message)`` for trouble the clerk can act on, else None."""
    trouble = classify_database_error(exc)
    if trouble is None:
        return None
    return trouble.value, MESSAGES[trouble]
