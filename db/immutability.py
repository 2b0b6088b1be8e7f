"""Append-only tables: the database itself refuses UPDATE and DELETE on them.

A ledger line, a receipt, a void mark, a refund, a deposit and a day close are
records of acts done with money. They are never changed: a correction is a new
row. The triggers below make that a property of the database, not only of this
program, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

#: The append-only tables migration 0001 made (later migrations add their own).
INITIAL_APPEND_ONLY_TABLES = (
    "ledger_entry",
    "receipt",
    "receipt_void",
    "receipt_print",
    "refund",
    "deposit",
    "day_close",
    "override",
)
APPEND_ONLY_TABLES = (
    *INITIAL_APPEND_ONLY_TABLES,
    # policy years (migration 0003)
    "policy_file",
    "policy_switch",
    # cash desk (migration 0004)
    "cash_difference",
    "cash_difference_settlement",
    "overdue_cash_payment",
    "clock_confirmation",
    "day_close_annulment",
    # the resident's year (migration 0009)
    "info_change_item",
    "reassessment",
    # audit journal, operator history, anchors (migration 0005;
    # created there through db/guards.py, which also guards other tables)
    "audit_entry",
    "operator_change",
    "enrollment_status_change",
    "day_anchor",
    "self_approval",
    # drawers (issue 11, migration 0010)
    "drawer_close",
    "deposit_share",
)

# The message every backend raises; services recognise it.
APPEND_ONLY_MESSAGE = "append-only table"


def _sqlite_ddl(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: {table}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION yibao_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: %', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def _pg_ddl(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION yibao_refuse_change()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION yibao_refuse_change()",
    ]


def create_triggers(conn: Connection, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> None:
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statements = [ddl for t in tables for ddl in _sqlite_ddl(t)]
    elif dialect == "postgresql":
        statements = [_PG_FUNCTION] + [ddl for t in tables for ddl in _pg_ddl(t)]
    else:
        raise RuntimeError(f"no append-only triggers for database {dialect!r}")
    for statement in statements:
        if dialect == "postgresql":
            statement = statement.replace("%", "%%")  # psycopg reads % as a placeholder
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> None:
    """Only for migrations that must rewrite a table, and for tamper tests."""
    dialect = conn.dialect.name
    for t in tables:
        if dialect == "sqlite":
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_no_update")
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_no_delete")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_no_change ON {t}")
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
