"""policy corrections: live-enrolment rule, eligibility document, freshman fact

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

POLICY.md §7.5 (revised 2026-11): a refunded enrolment is no longer live, so the
once-per-year guarantee becomes a partial unique index over live enrolments.
POLICY.md §2 (revised 2026-11): each enrolment records the eligibility document.
POLICY.md §5 (revised 2026-11): the Chongqing freshman fact is kept to re-quote.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LIVE = sa.text("status != 'refunded'")


def upgrade() -> None:
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("freshman", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "eligibility_document", sa.String(length=32), nullable=False, server_default=""
            )
        )
        batch_op.drop_constraint("enrollment_once_per_year", type_="unique")
        batch_op.create_index(
            "enrollment_once_per_year_live",
            ["resident_id", "policy_year"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )


def downgrade() -> None:
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index("enrollment_once_per_year_live")
        batch_op.create_unique_constraint(
            "enrollment_once_per_year", ["resident_id", "policy_year"]
        )
        batch_op.drop_column("eligibility_document")
        batch_op.drop_column("freshman")
