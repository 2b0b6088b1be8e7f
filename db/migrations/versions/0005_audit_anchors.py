"""audit journal, day anchors, operator history, guards on money and identity

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from db.guards import create_guards, drop_guards

revision = "0005"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_entry_seq")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "operator_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_operator_change_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_change")),
    )
    with op.batch_alter_table("operator_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_change_operator_id"), ["operator_id"], unique=False
        )
    op.create_table(
        "enrollment_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=False),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_status_change")),
    )
    with op.batch_alter_table("enrollment_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_status_change_enrollment_id"),
            ["enrollment_id"],
            unique=False,
        )
    op.create_table(
        "day_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("day_close_id", sa.Integer(), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.Column("ledger_hash", sa.String(length=64), nullable=False),
        sa.Column("audit_seq", sa.Integer(), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.Column("total_collected_fen", sa.Integer(), nullable=False),
        sa.Column("total_voided_fen", sa.Integer(), nullable=False),
        sa.Column("total_refunded_fen", sa.Integer(), nullable=False),
        sa.Column("total_deposited_fen", sa.Integer(), nullable=False),
        sa.Column("total_adjusted_fen", sa.Integer(), server_default="0", nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("check_ok", sa.Boolean(), nullable=False),
        sa.Column("check_message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["day_close_id"], ["day_close.id"], name=op.f("fk_day_anchor_day_close_id_day_close")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_day_anchor_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_anchor")),
        sa.UniqueConstraint("day_close_id", name=op.f("uq_day_anchor_day_close_id")),
        sa.UniqueConstraint("office_id", "business_date", name="day_anchor_unique"),
    )
    op.create_table(
        "office_security",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("idle_lock_minutes", sa.Integer(), nullable=False),
        sa.Column("single_operator", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "idle_lock_minutes BETWEEN 1 AND 240",
            name=op.f("ck_office_security_office_security_idle"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_office_security_office_id_office")
        ),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_office_security")),
    )
    op.create_table(
        "self_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("act", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_self_approval_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_self_approval_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_approval")),
    )
    _baseline_operators()
    create_guards(op.get_bind())


def _baseline_operators() -> None:
    """Give every operator of an existing database its first history row,
    sealed by an audit line, so that later changes can be checked."""
    from services.audit import GENESIS_HASH, audit_hash, details_json
    from services.operator_history import state_digest

    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, office_id, username, display_name, role, active, password_hash,"
            " created_at FROM operator ORDER BY id"
        )
    ).all()
    prev, seq = GENESIS_HASH, 0
    for r in rows:
        seq += 1
        at = (
            r.created_at
            if isinstance(r.created_at, dt.datetime)
            else dt.datetime.fromisoformat(str(r.created_at))
        )
        digest = state_digest(
            r.id, r.username, r.display_name, r.role, bool(r.active), r.password_hash
        )
        fields = {
            "seq": seq,
            "at": at,
            "office_id": r.office_id,
            "operator_id": None,
            "action": "operator_baseline",
            "subject": f"operator:{r.id}",
            "details": details_json(
                {"username": r.username, "role": r.role, "active": bool(r.active), "state": digest}
            ),
            "prev_hash": prev,
        }
        prev = audit_hash(fields)
        conn.execute(
            sa.text(
                "INSERT INTO audit_entry (seq, at, office_id, operator_id, action, subject,"
                " details, prev_hash, hash) VALUES (:seq, :at, :office_id, :operator_id,"
                " :action, :subject, :details, :prev_hash, :hash)"
            ),
            fields | {"hash": prev},
        )
        conn.execute(
            sa.text(
                "INSERT INTO operator_change (operator_id, action, display_name, role, active,"
                " password_hash, changed_at, changed_by, audit_seq) VALUES (:id, 'baseline',"
                " :name, :role, :active, :pw, :at, NULL, :seq)"
            ),
            {
                "id": r.id,
                "name": r.display_name,
                "role": r.role,
                "active": bool(r.active),
                "pw": r.password_hash,
                "at": at,
                "seq": seq,
            },
        )
    if seq:
        conn.execute(
            sa.text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, :seq, :hash)"),
            {"seq": seq, "hash": prev},
        )


def downgrade() -> None:
    drop_guards(op.get_bind())
    op.drop_table("self_approval")
    op.drop_table("office_security")
    op.drop_table("day_anchor")
    with op.batch_alter_table("enrollment_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_status_change_enrollment_id"))
    op.drop_table("enrollment_status_change")
    with op.batch_alter_table("operator_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_change_operator_id"))
    op.drop_table("operator_change")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))
    op.drop_table("audit_entry")
