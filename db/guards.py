"""Database-enforced rules for the records of money and identity.

``db/immutability.py`` makes the ledger, receipts, deposits and day closes
append-only. This module extends the same protection, on SQLite and on
PostgreSQL alike, to the rest of what records money or identity:

* the audit journal, the operator history, the enrolment status history, the
  day anchors and the self-approval marks are append-only;
* a payment is never deleted and may change only its status, and only from
  ``completed`` to ``voided`` or ``refunded``;
* an enrolment is never deleted; its status moves only along
  registered → paid → registered (void) / refunded, every move is copied by
  the database into ``enrollment_status_change``, and once paid its figures
  are frozen;
* a number series is never deleted and only moves forward;
* an operator is never deleted, its name and office never change, and its
  role, password hash, display name and active flag may only take the values
  of its latest ``operator_change`` row (so a promotion or a replaced password
  hash needs a history row, which the audit chain seals);
* the ledger and audit heads only move forward.

Corrections are new rows. ``drop_guards`` exists for tamper tests only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from db.immutability import APPEND_ONLY_MESSAGE, create_triggers, drop_triggers

#: Tables added in migration 0005 that are append-only like those of 0001.
NEW_APPEND_ONLY_TABLES = (
    "audit_entry",
    "operator_change",
    "enrollment_status_change",
    "day_anchor",
    "self_approval",
)

GUARD_MESSAGE = APPEND_ONLY_MESSAGE  # services recognise one message for both


@dataclass(frozen=True)
class Guard:
    table: str
    #: SQL condition (on OLD / NEW) under which an UPDATE is refused; ``{ne}``
    #: is replaced by the backend's null-safe "differs" operator.
    refuse_update_when: str
    why: str


def _differs(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} {{ne}} OLD.{c}" for c in columns)


_PAYMENT_FIXED = (
    "id",
    "office_id",
    "enrollment_id",
    "notice_id",
    "amount_fen",
    "channel",
    "reference",
    "payer_name",
    "agent_name",
    "business_date",
    "paid_at",
    "operator_id",
)
_ENROLLMENT_FIXED = (
    "id",
    "resident_id",
    "office_id",
    "policy_key",
    "policy_year",
    "category",
    "tier",
    "benefit_tier",
    "standard_fen",
    "subsidy_fen",
    "personal_due_fen",
    "benefit_start",
    "benefit_end",
    "waiting_months",
    "created_at",
    "created_by",
)
_STATUS_MOVES = (
    "(OLD.status = NEW.status OR (OLD.status = 'registered' AND NEW.status = 'paid')"
    " OR (OLD.status = 'paid' AND NEW.status IN ('registered', 'refunded')))"
)
_LATEST_CHANGE = (
    "(SELECT {col} FROM operator_change WHERE operator_id = NEW.id ORDER BY id DESC LIMIT 1)"
)

GUARDS = (
    Guard(
        "payment",
        f"{_differs(_PAYMENT_FIXED)} OR (NEW.status {{ne}} OLD.status AND NOT "
        "(OLD.status = 'completed' AND NEW.status IN ('voided', 'refunded')))",
        "payment: only completed -> voided/refunded",
    ),
    Guard(
        "enrollment",
        f"NOT {_STATUS_MOVES} OR (OLD.status <> 'registered' AND ({_differs(_ENROLLMENT_FIXED)}))",
        "enrollment: status move or frozen figures",
    ),
    Guard(
        "number_series",
        "NEW.office_id {ne} OLD.office_id OR NEW.series {ne} OLD.series"
        " OR NEW.next_number <= OLD.next_number",
        "number_series: only forward",
    ),
    Guard(
        "operator",
        _differs(("id", "office_id", "username", "created_at", "created_by"))
        + " OR "
        + " OR ".join(
            f"NEW.{c} {{ne}} {_LATEST_CHANGE.format(col=c)}"
            for c in ("display_name", "role", "active", "password_hash")
        ),
        "operator: change without a history row",
    ),
    Guard(
        "ledger_head",
        "NEW.office_id {ne} OLD.office_id OR NEW.last_seq <= OLD.last_seq",
        "ledger_head: only forward",
    ),
    Guard("audit_head", "NEW.id {ne} OLD.id OR NEW.last_seq <= OLD.last_seq", "audit_head"),
)


def _sqlite_statements() -> list[str]:
    out: list[str] = []
    for g in GUARDS:
        cond = g.refuse_update_when.replace("{ne}", "IS NOT")
        message = f"{GUARD_MESSAGE}: {g.why}".replace("'", "")
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {g.table}_guard_update BEFORE UPDATE ON {g.table} "
            f"WHEN {cond} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {g.table}_guard_delete BEFORE DELETE ON {g.table} "
            f"BEGIN SELECT RAISE(ABORT, '{GUARD_MESSAGE}: {g.table}'); END"
        )
    out.append(
        "CREATE TRIGGER IF NOT EXISTS enrollment_status_log AFTER UPDATE OF status ON enrollment "
        "WHEN NEW.status <> OLD.status BEGIN INSERT INTO enrollment_status_change "
        "(enrollment_id, old_status, new_status) VALUES (NEW.id, OLD.status, NEW.status); END"
    )
    return out


def _pg_statements() -> list[str]:
    out: list[str] = []
    for g in GUARDS:
        cond = g.refuse_update_when.replace("{ne}", "IS DISTINCT FROM")
        message = f"{GUARD_MESSAGE}: {g.why}".replace("'", "")
        out.append(
            f"CREATE OR REPLACE FUNCTION yibao_guard_{g.table}() RETURNS trigger AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{GUARD_MESSAGE}: {g.table}'; END IF;\n"
            f"  IF {cond} THEN RAISE EXCEPTION '{message}'; END IF;\n"
            "  RETURN NEW;\n"
            "END;\n$$ LANGUAGE plpgsql"
        )
        out.append(f"DROP TRIGGER IF EXISTS {g.table}_guard ON {g.table}")
        out.append(
            f"CREATE TRIGGER {g.table}_guard BEFORE UPDATE OR DELETE ON {g.table} "
            f"FOR EACH ROW EXECUTE FUNCTION yibao_guard_{g.table}()"
        )
        out.append(f"DROP TRIGGER IF EXISTS {g.table}_no_truncate ON {g.table}")
        out.append(
            f"CREATE TRIGGER {g.table}_no_truncate BEFORE TRUNCATE ON {g.table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION yibao_refuse_change()"
        )
    out.append(
        "CREATE OR REPLACE FUNCTION yibao_log_enrollment_status() RETURNS trigger AS $$\n"
        "BEGIN\n"
        "  IF NEW.status <> OLD.status THEN\n"
        "    INSERT INTO enrollment_status_change (enrollment_id, old_status, new_status)\n"
        "    VALUES (NEW.id, OLD.status, NEW.status);\n"
        "  END IF;\n"
        "  RETURN NEW;\n"
        "END;\n$$ LANGUAGE plpgsql"
    )
    out.append("DROP TRIGGER IF EXISTS enrollment_status_log ON enrollment")
    out.append(
        "CREATE TRIGGER enrollment_status_log AFTER UPDATE OF status ON enrollment "
        "FOR EACH ROW EXECUTE FUNCTION yibao_log_enrollment_status()"
    )
    return out


def create_guards(conn: Connection) -> None:
    """Create the append-only triggers of the new tables and the guards above."""
    create_triggers(conn, NEW_APPEND_ONLY_TABLES)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statements = _sqlite_statements()
    elif dialect == "postgresql":
        statements = _pg_statements()
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"no guards for database {dialect!r}")
    for statement in statements:
        if dialect == "postgresql":
            statement = statement.replace("%", "%%")
        conn.exec_driver_sql(statement)


def drop_guards(conn: Connection) -> None:
    """Only for the downgrade and for tamper tests (a copy edited behind our back)."""
    drop_triggers(conn, NEW_APPEND_ONLY_TABLES)
    sqlite = conn.dialect.name == "sqlite"
    for g in GUARDS:
        if sqlite:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {g.table}_guard_update")
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {g.table}_guard_delete")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {g.table}_guard ON {g.table}")
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {g.table}_no_truncate ON {g.table}")
    if sqlite:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS enrollment_status_log")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS enrollment_status_log ON enrollment")


def drop_everything(conn: Connection) -> None:
    """Drop every trigger of 0001, 0005 and 0011: what a tamperer with the file would do."""
    from db.payment_guard import drop_payment_guard

    drop_triggers(conn)
    drop_guards(conn)
    drop_payment_guard(conn)
