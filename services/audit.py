"""The audit journal (审计日志): every sensitive act, hash-chained and append-only.

Other code calls one function, :func:`record_audit`, inside the transaction of
the act it records (so an act and its journal line are written together or
not at all)::

    record_audit(session, at=clock.now(), operator_id=op.id, office_id=office.id,
                 action="receipt_reprinted", subject=f"receipt:{rid}",
                 details={"receipt_no": no})

Each line's ``hash`` is SHA-256 over its fields and the previous line's hash,
like the cash ledger; the single :class:`AuditHead` row is locked by each
writer, which serialises writers on PostgreSQL. The database refuses UPDATE
and DELETE on journal lines (``db/guards.py``); :func:`verify_audit_chain`
finds a line changed, removed or added in a copy whose triggers were dropped,
and the day anchors printed on paper (``services/anchors.py``) find a chain
rewritten from scratch.

``details`` must never hold a password or a full ID number: :func:`record_audit`
refuses keys that look like one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import RowMapping, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import AuditEntry, AuditHead
from services.chain import append_link

GENESIS_HASH = "0" * 64
HASH_VERSION = 1
HASHED_FIELDS = (
    "seq",
    "at",
    "office_id",
    "operator_id",
    "action",
    "subject",
    "details",
    "prev_hash",
)
_FORBIDDEN_KEYS = ("password", "id_number")

#: Chinese labels of the actions, for the journal page and its print.
ACTION_LABELS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "account_locked": "账号锁定",
    "logout": "退出登录",
    "screen_locked": "窗口锁定",
    "password_changed": "修改密码",
    "password_reset": "重置密码",
    "password_rehashed": "密码哈希升级",
    "operator_created": "新增经办人",
    "operator_disabled": "停用经办人",
    "operator_enabled": "启用经办人",
    "operator_role_changed": "变更角色",
    "operator_baseline": "经办人基线",
    "settings_changed": "修改设置",
    "security_settings_changed": "修改安全设置",
    "approval": "主管授权",
    "approval_refused": "授权被拒",
    "self_approval": "单人收款点自行授权",
    "receipt_voided": "作废收据",
    "payment_refunded": "退费",
    "override": "主管放行",
    "day_closed": "日结",
    "ledger_check_failed": "台账校验失败",
    "document_printed": "打印",
    "document_reprinted": "重打",
    "export": "导出",
    "backup": "备份",
    "restore": "恢复",
    "clock_warning": "时钟警告",
    # cash desk
    "day_close_late": "补日结",
    "cash_difference_booked": "登记长短款",
    "cash_difference_settled": "处理长短款",
    "day_close_annulled": "撤销日结",
    "business_date_confirmed": "确认营业日期",
    "overdue_cash_payment": "逾期收取现金",
    # policy years
    "policy_file_saved": "保存政策文件",
    "policy_switched": "切换在用政策",
    # backups
    "backup_failed": "备份失败",
}


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"cannot hash a {type(value).__name__}")


def audit_hash(fields: Mapping[str, Any] | RowMapping) -> str:
    """SHA-256 (hex) of a journal line's :data:`HASHED_FIELDS`."""
    payload = {name: _canonical(fields[name]) for name in HASHED_FIELDS}
    payload["v"] = HASH_VERSION
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def details_json(details: Mapping[str, Any] | None) -> str:
    data = dict(details or {})
    for key in data:
        if any(word in key.lower() for word in _FORBIDDEN_KEYS):
            raise ValueError(f"audit details must not hold {key!r}")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _lock_head(session: Session) -> AuditHead:
    stmt = (
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalars(stmt).first()
    if head is not None:
        return head
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"id": 1, "last_seq": 0, "last_hash": GENESIS_HASH}
    session.execute(insert(AuditHead).values(**values).on_conflict_do_nothing())
    return session.scalars(stmt).one()


def record_audit(
    session: Session,
    *,
    at: dt.datetime,
    operator_id: int | None,
    action: str,
    office_id: int | None = None,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one line to the audit journal in the caller's transaction."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    session.flush()
    head = _lock_head(session)
    fields: dict[str, Any] = {
        "seq": head.last_seq + 1,
        "at": at,
        "office_id": office_id,
        "operator_id": operator_id,
        "action": action,
        "subject": subject,
        "details": details_json(details),
        "prev_hash": head.last_hash,
    }
    return append_link(session, head, AuditEntry, fields, audit_hash)


# --- reading --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AuditLine:
    seq: int
    at: dt.datetime
    office_id: int | None
    operator_id: int | None
    operator_name: str
    action: str
    action_label: str
    subject: str
    details: dict[str, Any]

    def details_text(self) -> str:
        return "；".join(f"{k}={v}" for k, v in sorted(self.details.items()))


def list_audit(
    session: Session,
    *,
    office_id: int | None = None,
    actions: tuple[str, ...] = (),
    operator_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 500,
) -> list[AuditLine]:
    """Journal lines, newest first, filtered. A line without an office (a failed
    login with an unknown user name) is shown with every office's lines."""
    from db.models import Operator

    stmt = select(AuditEntry, Operator.display_name).outerjoin(
        Operator, Operator.id == AuditEntry.operator_id
    )
    if office_id is not None:
        stmt = stmt.where((AuditEntry.office_id == office_id) | (AuditEntry.office_id.is_(None)))
    if actions:
        stmt = stmt.where(AuditEntry.action.in_(actions))
    if operator_id is not None:
        stmt = stmt.where(AuditEntry.operator_id == operator_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    stmt = stmt.order_by(AuditEntry.seq.desc()).limit(limit)
    return [
        AuditLine(
            seq=e.seq,
            at=e.at,
            office_id=e.office_id,
            operator_id=e.operator_id,
            operator_name=name or "",
            action=e.action,
            action_label=ACTION_LABELS.get(e.action, e.action),
            subject=e.subject,
            details=json.loads(e.details or "{}"),
        )
        for e, name in session.execute(stmt)
    ]


# --- verification ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AuditProblem:
    seq: int | None
    code: str
    why: str  # Chinese


def _stream(session: Session, after_seq: int = 0) -> Iterator[RowMapping]:
    table = AuditEntry.__table__
    stmt = (
        select(table)
        .where(table.c.seq > after_seq)
        .order_by(table.c.seq)
        .execution_options(yield_per=2000)
    )
    for row in session.execute(stmt):
        yield row._mapping


def verify_audit_chain(
    session: Session, after_seq: int = 0, after_hash: str = GENESIS_HASH
) -> tuple[int, AuditProblem | None]:
    """Lines checked and the first problem of the journal's chain (or None);
    from line ``after_seq + 1`` on when the caller trusts the chain up to a
    line whose hash ``after_hash`` it already checked."""
    expected, prev, checked = after_seq + 1, after_hash, 0
    for line in _stream(session, after_seq):
        seq = line["seq"]
        if seq != expected:
            return checked, AuditProblem(expected, "missing_row", f"审计日志第 {expected} 条缺失")
        if line["prev_hash"] != prev:
            return checked, AuditProblem(seq, "chain_break", f"审计日志第 {seq} 条与上一条断链")
        if audit_hash(line) != line["hash"]:
            return checked, AuditProblem(seq, "hash_mismatch", f"审计日志第 {seq} 条被改动")
        checked += 1
        expected += 1
        prev = line["hash"]
    head = session.get(AuditHead, 1, populate_existing=True)
    last = expected - 1
    if head is None:
        if last == 0:
            return checked, None
        return checked, AuditProblem(last, "head_missing", "审计日志链头缺失")
    if head.last_seq != last or head.last_hash != prev:
        return checked, AuditProblem(
            last,
            "head_mismatch",
            f"审计日志链头（第 {head.last_seq} 条）与末条不符：日志被截断或改动",
        )
    return checked, None


def audit_hash_at(session: Session, seq: int) -> str | None:
    """The stored hash of journal line ``seq`` (None when there is no such line)."""
    if seq == 0:
        return GENESIS_HASH
    return session.scalars(select(AuditEntry.hash).where(AuditEntry.seq == seq)).first()


def audit_head(session: Session) -> tuple[int, str]:
    head = session.get(AuditHead, 1)
    return (0, GENESIS_HASH) if head is None else (head.last_seq, head.last_hash)


def journal(
    session: Session,
    clock: Any,
    *,
    action: str,
    office_id: int | None = None,
    operator_id: int | None = None,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """:func:`record_audit` at the clock's time, in the ``(session, clock, …)``
    form the window's operations and the command line call services with."""
    return record_audit(
        session,
        at=clock.now(),
        operator_id=operator_id,
        office_id=office_id,
        action=action,
        subject=subject[:80],
        details=details,
    )


def journal_in(
    db: Any,
    clock: Any,
    *,
    action: str,
    office_id: int | None = None,
    operator_id: int | None = None,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """Journal one event in its own transaction of ``db`` (a :class:`db.engine.Database`):
    for what happens beside the database (a backup, a restore, an export)."""
    with db.write() as session:
        journal(
            session,
            clock,
            action=action,
            office_id=office_id,
            operator_id=operator_id,
            subject=subject,
            details=details,
        )
