"""Shared fixtures: a fresh migrated SQLite database per test, cheaply.

The empty database is migrated once per session; each test gets a copy of the
file (the Anki ``getEmptyCol`` way), so migrations are exercised for real and
tests stay fast.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Headless Qt for every test that imports it, unless a display was chosen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Log files and the default database of the tests stay out of the user's data folder.
os.environ.setdefault("YIBAO_DATA_DIR", tempfile.mkdtemp(prefix="yibao-test-data-"))
# Per-machine settings (QSettings: the backup folder) likewise.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="yibao-test-config-")

from db.engine import Database  # noqa: E402
from db.migrate import upgrade_database  # noqa: E402
from services.clock import FixedClock  # noqa: E402


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade_database(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def db_path(migrated_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "counter.sqlite3"
    shutil.copyfile(migrated_template, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{db_path}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database (see tests/pg_server.py)."""
    from sqlalchemy.engine import make_url

    if url := os.environ.get("YIBAO_TEST_PG_URL"):
        yield url
        return
    from pg_server import PgCluster

    cluster = PgCluster()
    try:
        admin = cluster.start()
    except (OSError, subprocess.CalledProcessError) as exc:
        cluster.stop()
        detail = getattr(exc, "stderr", "") or str(exc)
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL could not be started for the tests: {detail}")
        pytest.skip(f"no PostgreSQL server here: {detail}")
    make_url(admin)  # fail early on a malformed URL
    yield admin
    cluster.stop()


@pytest.fixture
def pg_db(postgres_admin_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database for one test."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_admin_url).set(database=name)
    database = Database(url.render_as_string(hide_password=False))
    upgrade_database(database)
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    # A working day inside the Tianjin 2024 collection period.
    return FixedClock(dt.datetime(2023, 11, 6, 9, 30, 0))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test that drives widgets is a GUI test, so the fast suite can run alone.
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)
