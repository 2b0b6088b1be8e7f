"""The database refuses a payment status that its void or refund row does not back.

``db/guards.py`` lets a payment's status move only from ``completed`` to
``voided`` or ``refunded``. That alone would let anyone with the file mark a
payment refunded without a refund (and so hide it from the day's takings). The
trigger below (migration 0011) refuses such an UPDATE unless the act exists:

* ``voided`` — a ``receipt_void`` row for the payment's receipt;
* ``refunded`` — a ``refund`` row for the payment.

So the services write the void or refund row first and then move the status
(``services/corrections.py``). A copy with every trigger dropped and a status
edited by hand is still caught by ``verify-ledger`` (the status no longer
agrees with the void and refund rows, ``services/verification.py``).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from db.immutability import APPEND_ONLY_MESSAGE

TRIGGER = "payment_status_backed"
MESSAGE = f"{APPEND_ONLY_MESSAGE}: payment status without its void or refund row"

#: true when the new status is not backed by its act (NEW is the payment row)
_UNBACKED = (
    "(NEW.status = 'voided' AND NOT EXISTS (SELECT 1 FROM receipt_void v"
    " JOIN receipt r ON r.id = v.receipt_id WHERE r.payment_id = NEW.id))"
    " OR (NEW.status = 'refunded' AND NOT EXISTS"
    " (SELECT 1 FROM refund f WHERE f.payment_id = NEW.id))"
)


def _statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} BEFORE UPDATE OF status ON payment "
            f"WHEN NEW.status <> OLD.status AND ({_UNBACKED}) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        ]
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION yibao_payment_status_backed() RETURNS trigger AS $$\n"
            "BEGIN\n"
            f"  IF NEW.status <> OLD.status AND ({_UNBACKED}) THEN\n"
            f"    RAISE EXCEPTION '{MESSAGE}';\n"
            "  END IF;\n"
            "  RETURN NEW;\n"
            "END;\n$$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON payment",
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF status ON payment "
            "FOR EACH ROW EXECUTE FUNCTION yibao_payment_status_backed()",
        ]
    raise RuntimeError(f"no payment guard for database {dialect!r}")


def create_payment_guard(conn: Connection) -> None:
    for statement in _statements(conn.dialect.name):
        conn.exec_driver_sql(statement)


def drop_payment_guard(conn: Connection) -> None:
    """For the downgrade and for tamper tests."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    else:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TRIGGER} ON payment")
