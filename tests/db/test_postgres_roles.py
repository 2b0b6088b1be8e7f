"""PostgreSQL: the guards of issue 10, and the owner / program role split of the README.

The schema belongs to an owner role that runs the migrations; the program
connects as a role with only SELECT / INSERT / UPDATE. That role cannot drop or
disable a trigger, so the append-only rules hold even against the program's
own credentials.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from db.engine import Database
from db.guards import GUARDS, NEW_APPEND_ONLY_TABLES

pytestmark = pytest.mark.postgres

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
    "GRANT CONNECT ON DATABASE {db} TO yibao_app",
    "GRANT USAGE ON SCHEMA public TO yibao_app",
    "GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO yibao_app",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO yibao_app",
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
        conn.exec_driver_sql("DROP ROLE IF EXISTS yibao_app")
        conn.exec_driver_sql("CREATE ROLE yibao_app LOGIN PASSWORD 'app-secret'")
    with pg_db.engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement))
        for grant in GRANTS:
            conn.exec_driver_sql(grant.format(db=f'"{db_name}"'))
    app = create_engine(
        make_url(url.render_as_string(hide_password=False)).set(
            username="yibao_app", password="app-secret"
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
            conn.exec_driver_sql("DROP OWNED BY yibao_app")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'REVOKE ALL ON DATABASE "{db_name}" FROM yibao_app')
        admin.dispose()
