"""The office-server set-up of the README, done for real (issue 11), and the
guards of issue 10 on PostgreSQL.

An owner role owns the database and upgrades its schema; the windows log in
with an app role that may read and write rows but not change the schema — so a
window's password cannot switch off the append-only triggers. The statements
are the README's (section 办公室服务器), run on the tests' private cluster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from common.errors import ServiceError
from db.engine import Database
from db.errors import is_permission_denied
from db.guards import GUARDS, NEW_APPEND_ONLY_TABLES
from db.migrate import HEAD_REVISION, alembic_config, current_revision, upgrade_database
from db.models import Office, Operator
from services.clock import FixedClock
from services.deposits import record_deposit

pytestmark = pytest.mark.postgres

# README, 办公室服务器, step 2 (passwords left out: the test cluster trusts local users)
SERVER_SETUP = [
    "CREATE ROLE yibao_owner LOGIN",
    "CREATE ROLE yibao_app LOGIN",
    "CREATE DATABASE yibao_roles OWNER yibao_owner",
]
DATABASE_SETUP = [
    "REVOKE ALL ON SCHEMA public FROM PUBLIC",
    "ALTER SCHEMA public OWNER TO yibao_owner",
    "GRANT USAGE ON SCHEMA public TO yibao_app",
    "ALTER DEFAULT PRIVILEGES FOR ROLE yibao_owner IN SCHEMA public"
    " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO yibao_app",
    "ALTER DEFAULT PRIVILEGES FOR ROLE yibao_owner IN SCHEMA public"
    " GRANT USAGE, SELECT ON SEQUENCES TO yibao_app",
]


@pytest.fixture
def office_server(postgres_admin_url: str) -> Iterator[tuple[str, str]]:
    """(owner URL, app URL) of a database set up as the README says."""
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS yibao_roles WITH (FORCE)")
        conn.exec_driver_sql("DROP ROLE IF EXISTS yibao_owner")
        conn.exec_driver_sql("DROP ROLE IF EXISTS yibao_app")
        for statement in SERVER_SETUP:
            conn.exec_driver_sql(statement)
    on_db = make_url(postgres_admin_url).set(database="yibao_roles")
    as_postgres = create_engine(on_db, isolation_level="AUTOCOMMIT")
    with as_postgres.connect() as conn:
        for statement in DATABASE_SETUP:
            conn.exec_driver_sql(statement)
    as_postgres.dispose()
    owner = on_db.set(username="yibao_owner").render_as_string(hide_password=False)
    app = on_db.set(username="yibao_app").render_as_string(hide_password=False)
    yield owner, app
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS yibao_roles WITH (FORCE)")
        conn.exec_driver_sql("DROP ROLE IF EXISTS yibao_owner")
        conn.exec_driver_sql("DROP ROLE IF EXISTS yibao_app")
    admin.dispose()


def test_the_owner_upgrades_and_the_windows_work_with_the_app_role(office_server):
    owner_url, app_url = office_server
    owner = Database(owner_url)
    assert upgrade_database(owner) == HEAD_REVISION
    owner.dispose()
    window = Database(app_url)
    assert upgrade_database(window) == HEAD_REVISION  # up to date: nothing to change
    now = dt.datetime(2023, 11, 6, 9, 30)
    with window.write() as s:
        office = Office(
            code="T", name="测试", level="village", policy_key="tianjin-2024",
            receipt_prefix="T", created_at=now,
        )  # fmt: skip
        s.add(office)
        s.flush()
        clerk = Operator(
            office_id=office.id, username="c", display_name="王丽", role="clerk",
            password_hash="-", active=True, created_at=now,
        )  # fmt: skip
        s.add(clerk)
        s.flush()
        ids = office.id, clerk.id
    # a window's write that reads then writes goes through (the office lock needs
    # only row-level rights), and is refused in Chinese like anywhere else
    with pytest.raises(ServiceError, match="超过库存现金"), window.write() as s:
        record_deposit(
            s, FixedClock(now), office_id=ids[0], amount="1.00", channel="bank",
            slip_no="S1", operator_id=ids[1],
        )  # fmt: skip
    # the app role can neither switch the append-only triggers off nor drop a table
    for statement in (
        "ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_no_change",
        "DROP TABLE receipt CASCADE",
    ):
        with pytest.raises(DBAPIError) as info, window.write() as s:
            s.execute(text(statement))
        assert is_permission_denied(info.value)
    window.dispose()


def test_a_window_cannot_upgrade_the_schema_and_says_so(office_server):
    owner_url, app_url = office_server
    owner = Database(owner_url)
    upgrade_database(owner)
    from alembic import command

    cfg = alembic_config()
    with owner.engine.begin() as conn:  # as if the server still had the previous version
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    owner.dispose()
    window = Database(app_url)
    with pytest.raises(ServiceError) as info:
        upgrade_database(window)
    window.dispose()
    assert info.value.code == "upgrade_needs_owner"
    assert "所有者账号" in info.value.message
    owner = Database(owner_url)
    assert upgrade_database(owner) == HEAD_REVISION
    assert current_revision(owner) == HEAD_REVISION
    owner.dispose()


# --- the guards of issue 10 ---------------------------------------------------------

SEED = [
    "INSERT INTO office (id, code, name, level, policy_key, receipt_prefix, deposit_days,"
    " deposit_limit_fen, payment_link_template, payment_instructions, address, phone,"
    " printer_name, created_at) VALUES (1, 'T', '测试', 'village', 'tianjin-2024', 'T', 5,"
    " 1000000, '', '', '', '', '', '2023-11-01 08:00:00')",
    "INSERT INTO operator (id, office_id, username, display_name, role, password_hash, active,"
    " created_at) VALUES (1, 1, 'c', '王丽', 'clerk', 'x', true, '2023-11-01 08:00:00')",
    "INSERT INTO number_series (office_id, series, next_number) VALUES (1, 'R', 5)",
]

# The README's grants, run by the owner after migrating (see "Several windows").
GRANTS = [
    "GRANT CONNECT ON DATABASE {db} TO yibao_guard_app",
    "GRANT USAGE ON SCHEMA public TO yibao_guard_app",
    "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO yibao_guard_app",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO yibao_guard_app",
]


def test_guards_refuse_on_postgresql(pg_db: Database) -> None:
    with pg_db.engine.connect() as conn:
        triggers = {r[0] for r in conn.execute(text("SELECT tgname FROM pg_trigger"))}
    for g in GUARDS:
        assert f"{g.table}_guard" in triggers
    for table in NEW_APPEND_ONLY_TABLES:
        assert f"{table}_no_change" in triggers
    with pg_db.engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement))
    for sql in (
        "UPDATE operator SET role = 'supervisor'",
        "DELETE FROM operator",
        "UPDATE number_series SET next_number = 1",
        "TRUNCATE number_series CASCADE",
    ):
        with pytest.raises(DBAPIError, match="append-only"), pg_db.engine.begin() as conn:
            conn.execute(text(sql))
    with pg_db.engine.begin() as conn:
        conn.execute(text("UPDATE number_series SET next_number = 6"))  # forward is fine


def test_the_program_role_cannot_disable_triggers(pg_db: Database, postgres_admin_url: str) -> None:
    url = pg_db.engine.url
    db_name = url.database
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP ROLE IF EXISTS yibao_guard_app")
        conn.exec_driver_sql("CREATE ROLE yibao_guard_app LOGIN PASSWORD 'app-secret'")
    with pg_db.engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement))
        for grant in GRANTS:
            conn.exec_driver_sql(grant.format(db=f'"{db_name}"'))
    app = create_engine(
        make_url(url.render_as_string(hide_password=False)).set(
            username="yibao_guard_app", password="app-secret"
        )
    )
    try:
        for sql in (
            "ALTER TABLE payment DISABLE TRIGGER ALL",
            "ALTER TABLE operator DISABLE TRIGGER operator_guard",
            "DROP TRIGGER ledger_entry_no_change ON ledger_entry",
        ):
            with pytest.raises(ProgrammingError, match="must be owner"), app.begin() as conn:
                conn.exec_driver_sql(sql)
        with pytest.raises(DBAPIError, match="append-only"), app.begin() as conn:
            conn.exec_driver_sql("UPDATE operator SET role = 'supervisor'")
        with app.begin() as conn:  # the program's ordinary work still works
            conn.exec_driver_sql("UPDATE number_series SET next_number = next_number + 1")
    finally:
        app.dispose()
        with pg_db.engine.begin() as conn:
            conn.exec_driver_sql("DROP OWNED BY yibao_guard_app")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'REVOKE ALL ON DATABASE "{db_name}" FROM yibao_guard_app')
        admin.dispose()
