"""the resident's year: information changes, re-assessment, find anyone

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-30

POLICY.md §6 (revised 2026-11): every information change keeps its history
(info_change, info_change_item). POLICY.md §7.5: re-assessing an unpaid
enrolment keeps the old and the new notice (reassessment). Indexes to find a
person by 户号 and by a non-cash payment's reference.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.immutability import create_triggers, drop_triggers

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

# Records of acts: never updated, never deleted (db/immutability.py).
RESIDENT_YEAR_APPEND_ONLY_TABLES = ("info_change_item", "reassessment")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "info_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("slip_no", sa.String(length=48), nullable=False),
        sa.Column("asked_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("first_review_by", sa.Integer(), nullable=True),
        sa.Column("first_review_at", sa.DateTime(), nullable=True),
        sa.Column("second_review_by", sa.Integer(), nullable=True),
        sa.Column("second_review_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_by", sa.Integer(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "level IN ('basic', 'important', 'id_number')",
            name=op.f("ck_info_change_info_change_level"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'applied', 'rejected')",
            name=op.f("ck_info_change_info_change_status"),
        ),
        _fk("info_change", "office_id", "office"),
        _fk("info_change", "resident_id", "resident"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["operator.id"], name=op.f("fk_info_change_created_by_operator")
        ),
        sa.ForeignKeyConstraint(
            ["first_review_by"],
            ["operator.id"],
            name=op.f("fk_info_change_first_review_by_operator"),
        ),
        sa.ForeignKeyConstraint(
            ["second_review_by"],
            ["operator.id"],
            name=op.f("fk_info_change_second_review_by_operator"),
        ),
        sa.ForeignKeyConstraint(
            ["rejected_by"], ["operator.id"], name=op.f("fk_info_change_rejected_by_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_change")),
        sa.UniqueConstraint("office_id", "slip_no", name="info_change_slip_unique"),
    )
    with op.batch_alter_table("info_change", schema=None) as batch_op:
        batch_op.create_index("ix_info_change_office_status", ["office_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_info_change_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "info_change_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.String(length=200), nullable=False),
        sa.Column("new_value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["info_change.id"],
            name=op.f("fk_info_change_item_change_id_info_change"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_change_item")),
    )
    with op.batch_alter_table("info_change_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_info_change_item_change_id"), ["change_id"], unique=False
        )
        batch_op.create_index("ix_info_change_item_old", ["field", "old_value"], unique=False)

    op.create_table(
        "reassessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("old_category", sa.String(length=32), nullable=False),
        sa.Column("old_tier", sa.String(length=16), nullable=False),
        sa.Column("old_due_fen", sa.Integer(), nullable=False),
        sa.Column("new_category", sa.String(length=32), nullable=False),
        sa.Column("new_tier", sa.String(length=16), nullable=False),
        sa.Column("new_due_fen", sa.Integer(), nullable=False),
        sa.Column("old_notice_id", sa.Integer(), nullable=True),
        sa.Column("new_notice_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("reassessment", "enrollment_id", "enrollment"),
        _fk("reassessment", "operator_id", "operator"),
        sa.ForeignKeyConstraint(
            ["old_notice_id"],
            ["payment_notice.id"],
            name=op.f("fk_reassessment_old_notice_id_payment_notice"),
        ),
        sa.ForeignKeyConstraint(
            ["new_notice_id"],
            ["payment_notice.id"],
            name=op.f("fk_reassessment_new_notice_id_payment_notice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reassessment")),
    )
    with op.batch_alter_table("reassessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reassessment_enrollment_id"), ["enrollment_id"], unique=False
        )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("household_type", sa.String(length=16), nullable=False, server_default="")
        )
        batch_op.create_index("ix_resident_household_no", ["household_no"], unique=False)
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index("ix_payment_reference", ["reference"], unique=False)
    create_triggers(op.get_bind(), RESIDENT_YEAR_APPEND_ONLY_TABLES)


def downgrade() -> None:
    drop_triggers(op.get_bind(), RESIDENT_YEAR_APPEND_ONLY_TABLES)
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_reference")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_household_no")
        batch_op.drop_column("household_type")
    with op.batch_alter_table("reassessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reassessment_enrollment_id"))
    op.drop_table("reassessment")
    with op.batch_alter_table("info_change_item", schema=None) as batch_op:
        batch_op.drop_index("ix_info_change_item_old")
        batch_op.drop_index(batch_op.f("ix_info_change_item_change_id"))
    op.drop_table("info_change_item")
    with op.batch_alter_table("info_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_info_change_resident_id"))
        batch_op.drop_index("ix_info_change_office_status")
    op.drop_table("info_change")
