"""index enrolments by resident (the 缴费 page's one read per resident)

Revision ID: 0013
Revises: 0005
Create Date: 2026-11-30

The only index on enrollment.resident_id was the partial unique index of live
enrolments (WHERE status != 'refunded'), which SQLite cannot use for "every
enrolment of this resident": on the 300,000-resident office each such read
scanned the whole table (about 130 ms; issue 14, search shown within 25 ms).
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_enrollment_resident", "enrollment", ["resident_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_enrollment_resident", table_name="enrollment")
