"""payment status backed by its void or refund row (issue 10 follow-up)

Revision ID: 0011
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from db.payment_guard import create_payment_guard, drop_payment_guard

revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_payment_guard(op.get_bind())


def downgrade() -> None:
    drop_payment_guard(op.get_bind())
