"""policy years: office policy files and switches of the policy in use

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.immutability import create_triggers, drop_triggers

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Records of acts: never updated, never deleted (db/immutability.py).
POLICY_APPEND_ONLY_TABLES = ("policy_file", "policy_switch")


def upgrade() -> None:
    op.create_table(
        "policy_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("base_key", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("based_on", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "origin IN ('editor', 'import')", name=op.f("ck_policy_file_policy_file_origin")
        ),
        sa.CheckConstraint(
            "revision >= 1", name=op.f("ck_policy_file_policy_file_revision_positive")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["operator.id"], name=op.f("fk_policy_file_confirmed_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_policy_file_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["saved_by"], ["operator.id"], name=op.f("fk_policy_file_saved_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_file")),
        sa.UniqueConstraint("base_key", "revision", name="policy_file_revision_unique"),
        sa.UniqueConstraint("key", name=op.f("uq_policy_file_key")),
    )
    with op.batch_alter_table("policy_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_file_base_key"), ["base_key"], unique=False)

    op.create_table(
        "policy_switch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("from_key", sa.String(length=64), nullable=False),
        sa.Column("to_key", sa.String(length=64), nullable=False),
        sa.Column("switched_by", sa.Integer(), nullable=False),
        sa.Column("switched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_policy_switch_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["switched_by"], ["operator.id"], name=op.f("fk_policy_switch_switched_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_switch")),
    )
    with op.batch_alter_table("policy_switch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_switch_office_id"), ["office_id"], unique=False)
    create_triggers(op.get_bind(), POLICY_APPEND_ONLY_TABLES)


def downgrade() -> None:
    drop_triggers(op.get_bind(), POLICY_APPEND_ONLY_TABLES)
    with op.batch_alter_table("policy_switch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_switch_office_id"))
    op.drop_table("policy_switch")
    with op.batch_alter_table("policy_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_file_base_key"))
    op.drop_table("policy_file")
