"""Schema versions: bring a database up to this program's schema at start.

Before a file database is migrated it is copied aside (``<name>.before-<rev>``),
using SQLite's online backup so the copy is consistent. A database whose
version this program does not know (made by a newer program) is refused.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from common.errors import ServiceError
from db.engine import Database, sqlite_path
from db.errors import is_permission_denied

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

#: The newest migration in db/migrations/versions. Every command starts by
#: checking the database against it; knowing it here lets an up-to-date
#: database open without loading Alembic (a test keeps it equal to the scripts).
HEAD_REVISION = "0011"

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseTooNew(ServiceError):
    code = "database_too_new"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stamped_revision(db: Database) -> str | None:
    """The revision recorded in the database, read without Alembic (None when
    the database is new or the table cannot be read)."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return rows[0][0] if len(rows) == 1 else None


def backup_sqlite_file(path: Path, suffix: str) -> Path:
    target = path.with_name(f"{path.name}.before-{suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.before-{suffix}.{n}")
    with sqlite3.connect(path) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic import util

    try:
        return scripts.get_revision(revision) is not None
    except util.CommandError:
        return False


@contextlib.contextmanager
def _sqlite_foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite cannot change a table in place: Alembic's batch mode copies it to
    a new table and drops the old one, and with foreign keys on that DROP fails
    as soon as another table's rows point at it (a real office's database).
    SQLite's own recipe (ALTER TABLE, "other kinds of table schema changes"):
    foreign keys off around the change — the pragma is a no-op inside a
    transaction, so it is set on the bare connection — then
    ``PRAGMA foreign_key_check`` before they go back on."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def upgrade_database(db: Database) -> str:
    """Migrate ``db`` to the newest schema; return the revision it is at."""
    if _stamped_revision(db) == HEAD_REVISION:
        return HEAD_REVISION
    from alembic import command
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    assert head is not None, "the program has no migrations"
    current = current_revision(db)
    if current == head:
        return head
    if current is not None and not _known(scripts, current):
        raise DatabaseTooNew(
            f"数据库的版本（{current}）比本程序新，本程序无法打开它。请升级本程序后再使用该数据库。"
        )
    path = sqlite_path(db.url)
    if current is not None and path is not None and path.exists():
        copy = backup_sqlite_file(path, current)
        log.info("database copied to %s before migrating from %s", copy, current)
    cfg = alembic_config()
    try:
        with db.engine.connect() as conn:
            with _sqlite_foreign_keys_off(conn):
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
    except DBAPIError as exc:
        if not is_permission_denied(exc):
            raise
        # An office server's windows log in with the app role, which may not
        # change the schema (README: 办公室服务器); the owner upgrades it once.
        raise ServiceError(
            f"数据库需要升级到新版本（{current or '空库'} → {head}），但本窗口的数据库账号无权"
            "修改数据库结构。请管理员先用数据库所有者账号运行一次本程序完成升级。",
            code="upgrade_needs_owner",
        ) from None
    log.info("database migrated from %s to %s", current, head)
    return head
