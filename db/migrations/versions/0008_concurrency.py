"""several windows, one office: a bank slip is recorded once per office

Revision ID: 0008
Revises: 0001
Create Date: 2026-11-30

A unique index rather than a table constraint, so that SQLite needs no table
rebuild (the deposit table is append-only and keeps its triggers). Before this
version two windows could store the same slip number at once; such
duplicates cannot be removed (deposits are append-only), so the upgrade stops
and names them for the administrator instead of failing with a database error.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from common.errors import ServiceError

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    duplicates = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT office_id, slip_no, COUNT(*) FROM deposit"
                " GROUP BY office_id, slip_no HAVING COUNT(*) > 1 ORDER BY office_id, slip_no"
            )
        )
        .all()
    )
    if duplicates:
        listed = "、".join(f"{slip}（{n} 次）" for _office, slip, n in duplicates[:10])
        raise ServiceError(
            f"数据库中有重复登记的缴款单号：{listed}。升级需要每个缴款单号只登记一次，"
            "请联系管理员核对这些入库记录后再升级。",
            code="duplicate_slip_numbers",
        )
    op.create_index("uq_deposit_office_slip", "deposit", ["office_id", "slip_no"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_deposit_office_slip", table_name="deposit")
