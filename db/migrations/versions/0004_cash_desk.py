"""cash desk: refunds by application, over/short, overdue marks, clock sanity

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-30

New append-only tables for over/short cases and their settlements,
overdue cash payments, clock confirmations and day-close annulments; the
office's closed days; three columns on existing tables; and three new ledger
kinds (the CHECK constraint is replaced, which on SQLite rebuilds the table:
its append-only triggers are dropped first and made again after).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.immutability import create_triggers, drop_triggers

revision = "0004"
down_revision = "0008"
branch_labels = None
depends_on = None

NEW_APPEND_ONLY = (
    "cash_difference",
    "cash_difference_settlement",
    "overdue_cash_payment",
    "clock_confirmation",
    "day_close_annulment",
)
OLD_KINDS = "kind IN ('payment', 'void', 'refund', 'deposit')"
NEW_KINDS = "kind IN ('payment', 'void', 'refund', 'deposit', 'adjustment', 'cash_in', 'cash_out')"


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _replace_ledger_kinds(check: str) -> None:
    conn = op.get_bind()
    drop_triggers(conn, ("ledger_entry",))
    with op.batch_alter_table("ledger_entry", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_ledger_entry_ledger_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_ledger_entry_ledger_kind"), check)
    create_triggers(conn, ("ledger_entry",))


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(
            sa.Column(
                "bank_closed_weekends", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.add_column(
        "refund", sa.Column("method", sa.String(length=16), nullable=False, server_default="cash")
    )
    op.add_column("refund", sa.Column("method_note", sa.Text(), nullable=False, server_default=""))
    op.add_column(
        "day_close", sa.Column("late_reason", sa.Text(), nullable=False, server_default="")
    )
    _replace_ledger_kinds(NEW_KINDS)

    op.create_table(
        "cash_difference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("day_close_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("collector_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('short', 'over')", name=op.f("ck_cash_difference_cash_difference_kind")
        ),
        sa.CheckConstraint(
            "amount_fen > 0", name=op.f("ck_cash_difference_cash_difference_amount")
        ),
        _fk("cash_difference", "office_id", "office"),
        _fk("cash_difference", "day_close_id", "day_close"),
        _fk("cash_difference", "collector_id", "operator"),
        _fk("cash_difference", "supervisor_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_difference")),
        sa.UniqueConstraint("day_close_id", name=op.f("uq_cash_difference_day_close_id")),
    )
    op.create_table(
        "cash_difference_settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("difference_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "action IN ('cash_in', 'write_off', 'over_kept', 'over_returned')",
            name=op.f("ck_cash_difference_settlement_settlement_action"),
        ),
        sa.CheckConstraint(
            "amount_fen > 0", name=op.f("ck_cash_difference_settlement_settlement_amount")
        ),
        sa.ForeignKeyConstraint(
            ["difference_id"],
            ["cash_difference.id"],
            name=op.f("fk_cash_difference_settlement_difference_id_cash_difference"),
        ),
        _fk("cash_difference_settlement", "operator_id", "operator"),
        _fk("cash_difference_settlement", "supervisor_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_difference_settlement")),
    )
    op.create_index(
        op.f("ix_cash_difference_settlement_difference_id"),
        "cash_difference_settlement",
        ["difference_id"],
    )
    op.create_table(
        "overdue_cash_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("overdue_fen", sa.Integer(), nullable=False),
        sa.Column("cash_on_hand_fen", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("overdue_cash_payment", "office_id", "office"),
        _fk("overdue_cash_payment", "payment_id", "payment"),
        _fk("overdue_cash_payment", "operator_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdue_cash_payment")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_overdue_cash_payment_payment_id")),
    )
    op.create_index(
        op.f("ix_overdue_cash_payment_business_date"), "overdue_cash_payment", ["business_date"]
    )
    op.create_table(
        "clock_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_date", sa.Date(), nullable=False),
        sa.Column("newest_seen", sa.Date(), nullable=True),
        sa.Column("clock_reading", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        _fk("clock_confirmation", "office_id", "office"),
        _fk("clock_confirmation", "supervisor_id", "operator"),
        _fk("clock_confirmation", "operator_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_confirmation")),
    )
    op.create_table(
        "day_close_annulment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_close_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("annulled_at", sa.DateTime(), nullable=False),
        _fk("day_close_annulment", "day_close_id", "day_close"),
        _fk("day_close_annulment", "supervisor_id", "operator"),
        _fk("day_close_annulment", "operator_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_close_annulment")),
        sa.UniqueConstraint("day_close_id", name=op.f("uq_day_close_annulment_day_close_id")),
    )
    op.create_table(
        "office_closed_day",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("closed_date", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        _fk("office_closed_day", "office_id", "office"),
        sa.PrimaryKeyConstraint("office_id", "closed_date", name=op.f("pk_office_closed_day")),
    )
    create_triggers(op.get_bind(), NEW_APPEND_ONLY)


def downgrade() -> None:
    drop_triggers(op.get_bind(), NEW_APPEND_ONLY)
    op.drop_table("office_closed_day")
    op.drop_table("day_close_annulment")
    op.drop_table("clock_confirmation")
    op.drop_index(op.f("ix_overdue_cash_payment_business_date"), table_name="overdue_cash_payment")
    op.drop_table("overdue_cash_payment")
    op.drop_index(
        op.f("ix_cash_difference_settlement_difference_id"), table_name="cash_difference_settlement"
    )
    op.drop_table("cash_difference_settlement")
    op.drop_table("cash_difference")
    _replace_ledger_kinds(OLD_KINDS)
    with op.batch_alter_table("day_close") as batch:
        batch.drop_column("late_reason")
    with op.batch_alter_table("refund") as batch:
        batch.drop_column("method_note")
        batch.drop_column("method")
    with op.batch_alter_table("office") as batch:
        batch.drop_column("bank_closed_weekends")
