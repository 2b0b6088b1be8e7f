"""several windows, one office: a drawer per window

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-30

Issue 11 item 2. An operator's drawer per business day (``drawer_day``, with
its float), the close of one drawer (``drawer_close``, one per drawer-day by a
unique constraint) and the drawers a deposit took its cash from
(``deposit_share``). ``cash_difference`` may now belong to a drawer close
before the office's day is complete, so its ``day_close_id`` becomes nullable
and it gets ``drawer_close_id`` (on SQLite the table is rebuilt: its
append-only triggers are dropped first and made again after).

Existing data needs no rewriting: every cash ledger line already names the
operator at whose window the cash moved (their drawer), a day opened before
has its float in ``business_day`` (the drawer of ``opened_by``), and deposits
without shares are replayed oldest cash first, the rule new deposits record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.immutability import create_triggers, drop_triggers

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None

NEW_APPEND_ONLY = ("drawer_close", "deposit_share")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "drawer_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("opening_float_fen", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("opening_float_fen >= 0", name=op.f("ck_drawer_day_drawer_day_float")),
        _fk("drawer_day", "office_id", "office"),
        _fk("drawer_day", "operator_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawer_day")),
        sa.UniqueConstraint("office_id", "operator_id", "business_date", name="drawer_day_unique"),
    )
    op.create_table(
        "drawer_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("opening_float_fen", sa.Integer(), nullable=False),
        sa.Column("cash_in_fen", sa.Integer(), nullable=False),
        sa.Column("cash_out_fen", sa.Integer(), nullable=False),
        sa.Column("deposited_fen", sa.Integer(), nullable=False),
        sa.Column("expected_fen", sa.Integer(), nullable=False),
        sa.Column("counted_fen", sa.Integer(), nullable=False),
        sa.Column("difference_fen", sa.Integer(), nullable=False),
        sa.Column("denominations", sa.Text(), nullable=False),
        sa.Column("difference_reason", sa.Text(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        _fk("drawer_close", "office_id", "office"),
        _fk("drawer_close", "closed_by", "operator"),
        _fk("drawer_close", "operator_id", "operator"),
        _fk("drawer_close", "supervisor_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawer_close")),
        sa.UniqueConstraint(
            "office_id",
            "operator_id",
            "business_date",
            name="drawer_close_unique",
        ),
    )
    op.create_table(
        "deposit_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("drawer_operator_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_deposit_share_deposit_share_amount")),
        _fk("deposit_share", "deposit_id", "deposit"),
        _fk("deposit_share", "drawer_operator_id", "operator"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_share")),
        sa.UniqueConstraint("deposit_id", "drawer_operator_id", name="deposit_share_unique"),
    )
    op.create_index(
        op.f("ix_deposit_share_deposit_id"), "deposit_share", ["deposit_id"], unique=False
    )
    conn = op.get_bind()
    drop_triggers(conn, ("cash_difference",))
    with op.batch_alter_table("cash_difference") as batch:
        batch.alter_column("day_close_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("drawer_close_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_cash_difference_drawer_close_id_drawer_close"),
            "drawer_close",
            ["drawer_close_id"],
            ["id"],
        )
    create_triggers(conn, ("cash_difference",))
    create_triggers(conn, NEW_APPEND_ONLY)


def downgrade() -> None:
    conn = op.get_bind()
    drop_triggers(conn, NEW_APPEND_ONLY)
    drop_triggers(conn, ("cash_difference",))
    with op.batch_alter_table("cash_difference") as batch:
        batch.drop_constraint(
            op.f("fk_cash_difference_drawer_close_id_drawer_close"), type_="foreignkey"
        )
        batch.drop_column("drawer_close_id")
        batch.alter_column("day_close_id", existing_type=sa.Integer(), nullable=False)
    create_triggers(conn, ("cash_difference",))
    op.drop_index(op.f("ix_deposit_share_deposit_id"), table_name="deposit_share")
    op.drop_table("deposit_share")
    op.drop_table("drawer_close")
    op.drop_table("drawer_day")
