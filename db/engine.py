"""Opening the database.

Everything specific to SQLite lives here (pragmas, how a write transaction
begins), so the rest of the program runs unchanged on PostgreSQL.

The URL comes from ``--db URL``, else the ``YIBAO_DB_URL`` environment variable,
else a SQLite file in the user's data folder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.paths import APP_NAME, DATA_DIR_ENV, data_folder  # noqa: F401 (re-exported)

log = logging.getLogger(__name__)

DB_URL_ENV = "YIBAO_DB_URL"
# How long a window waits for another window's write before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 10_000
# PostgreSQL (an office server): how long a window waits to reach the server (s),
# for another window's row lock (ms, as long as SQLite waits for its lock), for
# one statement (ms) and how long a transaction may sit idle holding locks (ms).
PG_CONNECT_TIMEOUT_S = 5
PG_LOCK_TIMEOUT_MS = SQLITE_BUSY_TIMEOUT_MS
PG_STATEMENT_TIMEOUT_MS = 60_000
PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 120_000


#: Overrides the data folder (default database, log files); tests set it.


def default_database_url() -> str:
    return f"sqlite:///{data_folder() / 'counter.sqlite3'}"


def resolve_database_url(cli_value: str | None) -> str:
    """``--db`` wins, then the environment, then the default file."""
    if cli_value:
        return cli_value
    return os.environ.get(DB_URL_ENV) or default_database_url()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None (other backends, in-memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _on_sqlite_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # Take transaction control away from the sqlite3 module, so that BEGIN is
    # ours (see _on_sqlite_begin) and nothing is committed behind our back.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _on_sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # A write transaction takes the write lock at once (BEGIN IMMEDIATE): two
    # windows that both read then write would otherwise deadlock on the upgrade
    # and one would fail at once instead of waiting for busy_timeout.
    if conn.get_execution_options().get("write", False):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            # 0700: the folder holds residents' ID numbers (db/files.py).
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        engine = create_engine(url)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=postgres_connect_args(url))


def postgres_connect_args(url: str) -> dict[str, object]:
    """Connect, lock and statement timeouts for a PostgreSQL window, unless the
    URL sets its own (``?connect_timeout=…&options=…``)."""
    query = make_url(url).query
    args: dict[str, object] = {}
    if "connect_timeout" not in query:
        args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    if "options" not in query:
        args["options"] = (
            f"-c lock_timeout={PG_LOCK_TIMEOUT_MS}"
            f" -c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
            f" -c idle_in_transaction_session_timeout={PG_IDLE_IN_TRANSACTION_TIMEOUT_MS}"
        )
    return args


class Database:
    """An engine and the two kinds of session the program uses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(write=True), expire_on_commit=False
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; whatever it did is rolled back at the end."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back whole
        if it raises. Nothing is ever half-written.

        A refusal that must leave a trace although its transaction is rolled
        back (a refused supervisor approval, issue 10) carries callables in
        ``exc.after_rollback``; each is run with a session of a new transaction
        once the first one is rolled back, and the refusal is raised as before.
        """
        try:
            with self._writer() as session, session.begin():
                yield session
        except Exception as exc:
            follow_ups = getattr(exc, "after_rollback", None)
            if follow_ups:
                try:
                    with self._writer() as session, session.begin():
                        for follow_up in follow_ups:
                            follow_up(session)
                except Exception:  # the refusal is what the caller must see
                    log.exception("could not write what a refusal leaves behind")
            raise

    def dispose(self) -> None:
        self.engine.dispose()
