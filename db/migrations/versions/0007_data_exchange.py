"""data exchange: imported rosters, their marks and changes, not-enrolled reasons

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

_KINDS = "kind IN ('last_year', 'registered', 'paid_elsewhere')"


def upgrade() -> None:
    op.create_table(
        "roster_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(_KINDS, name=op.f("ck_roster_import_roster_import_kind")),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_roster_import_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_roster_import_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_import")),
    )
    op.create_table(
        "roster_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(_KINDS, name=op.f("ck_roster_mark_roster_mark_kind")),
        sa.ForeignKeyConstraint(
            ["import_id"], ["roster_import.id"], name=op.f("fk_roster_mark_import_id_roster_import")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_roster_mark_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_roster_mark_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_mark")),
        sa.UniqueConstraint("resident_id", "kind", "policy_year", name="roster_mark_once"),
    )
    op.create_index(
        "ix_roster_mark_office_kind_year",
        "roster_mark",
        ["office_id", "kind", "policy_year"],
        unique=False,
    )
    op.create_table(
        "roster_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.String(length=200), nullable=False),
        sa.Column("new_value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["roster_import.id"],
            name=op.f("fk_roster_change_import_id_roster_import"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_roster_change_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_change")),
    )
    op.create_index(
        op.f("ix_roster_change_import_id"), "roster_change", ["import_id"], unique=False
    )
    op.create_table(
        "not_enrolled_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("policy_year", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('military', 'prison', 'deceased', 'lost_contact', 'elsewhere', "
            "'employee_insurance', 'declined')",
            name=op.f("ck_not_enrolled_reason_not_enrolled_reason_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["roster_import.id"],
            name=op.f("fk_not_enrolled_reason_import_id_roster_import"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_not_enrolled_reason_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["operator.id"],
            name=op.f("fk_not_enrolled_reason_recorded_by_operator"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_not_enrolled_reason_resident_id_resident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_not_enrolled_reason")),
        sa.UniqueConstraint("resident_id", "policy_year", name="not_enrolled_once"),
    )
    op.create_index(
        "ix_not_enrolled_office_year",
        "not_enrolled_reason",
        ["office_id", "policy_year"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_not_enrolled_office_year", table_name="not_enrolled_reason")
    op.drop_table("not_enrolled_reason")
    op.drop_index(op.f("ix_roster_change_import_id"), table_name="roster_change")
    op.drop_table("roster_change")
    op.drop_index("ix_roster_mark_office_kind_year", table_name="roster_mark")
    op.drop_table("roster_mark")
    op.drop_table("roster_import")
