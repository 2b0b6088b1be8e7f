"""Operator changes as history: every state of an operator row is a sealed row.

The database lets an ``operator`` row change only into the state of its
latest :class:`OperatorChange` (``db/guards.py``), and each change row is
sealed by an audit-journal line holding a digest of that state. So a clerk
promoted to supervisor or a password hash replaced in a copy of the database
shows up in ``verify-ledger``: the operator row no longer matches its history,
or the history no longer matches the journal, or the journal no longer matches
the anchors printed on paper.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEntry, Operator, OperatorChange
from services.audit import record_audit

#: operator_change.action -> audit action
_AUDIT_ACTION = {
    "created": "operator_created",
    "password_changed": "password_changed",
    "password_reset": "password_reset",
    "password_rehashed": "password_rehashed",
    "role_changed": "operator_role_changed",
    "disabled": "operator_disabled",
    "enabled": "operator_enabled",
    "baseline": "operator_baseline",
}


def state_digest(
    operator_id: int, username: str, display_name: str, role: str, active: bool, pw_hash: str
) -> str:
    """SHA-256 of an operator's identity state (the password hash only inside it)."""
    text = json.dumps(
        [operator_id, username, display_name, role, bool(active), pw_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_operator_state(
    session: Session,
    operator: Operator,
    *,
    at: dt.datetime,
    action: str,
    by: int | None,
    role: str | None = None,
    active: bool | None = None,
    password_hash: str | None = None,
    display_name: str | None = None,
    note: str = "",
) -> OperatorChange:
    """Write the operator's new state as history (audit line first), then apply it.

    ``operator`` must already be flushed (it needs its id). Fields left None keep
    their current value; ``note`` (a reason) goes into the journal line.
    """
    session.flush()
    new_role = operator.role if role is None else role
    new_active = operator.active if active is None else active
    new_hash = operator.password_hash if password_hash is None else password_hash
    new_name = operator.display_name if display_name is None else display_name
    digest = state_digest(operator.id, operator.username, new_name, new_role, new_active, new_hash)
    entry = record_audit(
        session,
        at=at,
        operator_id=by,
        office_id=operator.office_id,
        action=_AUDIT_ACTION[action],
        subject=f"operator:{operator.id}",
        details={
            "username": operator.username,
            "role": new_role,
            "active": bool(new_active),
            "state": digest,
            **({"reason": note} if note else {}),
        },
    )
    change = OperatorChange(
        operator_id=operator.id,
        action=action,
        display_name=new_name,
        role=new_role,
        active=new_active,
        password_hash=new_hash,
        changed_at=at,
        changed_by=by,
        audit_seq=entry.seq,
    )
    session.add(change)
    session.flush()
    operator.role = new_role
    operator.active = new_active
    operator.password_hash = new_hash
    operator.display_name = new_name
    session.flush()
    return change


def operator_problems(session: Session) -> list[tuple[int, str]]:
    """(operator id, Chinese reason) for every operator whose row, history and
    journal do not agree."""
    problems: list[tuple[int, str]] = []
    audit = {
        e.seq: e
        for e in session.scalars(select(AuditEntry).where(AuditEntry.subject.like("operator:%")))
    }
    changes: dict[int, list[OperatorChange]] = {}
    for ch in session.scalars(select(OperatorChange).order_by(OperatorChange.id)):
        changes.setdefault(ch.operator_id, []).append(ch)
    for op in session.scalars(select(Operator).order_by(Operator.id)):
        history = changes.get(op.id, [])
        if not history:
            problems.append((op.id, f"经办人 {op.username} 没有建立记录（账号被直接写入数据库）"))
            continue
        for ch in history:
            line = audit.get(ch.audit_seq)
            want = state_digest(
                op.id, op.username, ch.display_name, ch.role, ch.active, ch.password_hash
            )
            if (
                line is None
                or line.subject != f"operator:{op.id}"
                or json.loads(line.details).get("state") != want
            ):
                problems.append(
                    (op.id, f"经办人 {op.username} 的变更记录（{ch.action}）与审计日志不符")
                )
                break
        last = history[-1]
        current = (op.display_name, op.role, bool(op.active), op.password_hash)
        recorded = (last.display_name, last.role, bool(last.active), last.password_hash)
        if current != recorded:
            what = []
            if op.role != last.role:
                what.append(f"角色 {last.role}→{op.role}")
            if op.password_hash != last.password_hash:
                what.append("密码哈希被替换")
            if bool(op.active) != bool(last.active):
                what.append("启用状态被改")
            if op.display_name != last.display_name:
                what.append("姓名被改")
            problems.append((op.id, f"经办人 {op.username} 与其变更记录不符：{'、'.join(what)}"))
    return problems
