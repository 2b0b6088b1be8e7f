"""Accounts: logins with lockout, approvals proven by password, office security settings.

* :func:`login` checks a user name and password. Every login and failed login
  is journalled; after :data:`MAX_FAILURES` wrong passwords in a row the
  account is locked for :data:`LOCK_MINUTES` (also journalled). The lock is
  worked out from the journal itself, so it holds across windows and restarts.
* :func:`check_approval` is what every service that needs a supervisor's
  approval (void, refund, override, a close with a difference) calls: the
  approver must be an active supervisor of the office, type their own password
  (checked here, not only in the dialog), not be locked, and not be the
  person who does the act — unless the office is a one-person collection
  point (单人收款点), an explicit setting under which the self-approval is
  allowed, recorded as a :class:`SelfApproval` and shown in the reports.
* :func:`set_operator_role`: an operator promoted to supervisor or demoted to
  clerk, by a supervisor with a second supervisor's approval; the change is an
  operator history row sealed by its journal line.
* :func:`security_settings` / :func:`update_security_settings`: the idle lock
  time and the one-person setting, changed by a supervisor and journalled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from db.engine import Database
from db.models import AuditEntry, OfficeSecurity, Operator, SelfApproval
from services.audit import record_audit
from services.clock import Clock
from services.office import (
    ROLES,
    AuthenticationFailed,
    OperatorInfo,
    authenticate,
    password_matches,
    require_supervisor,
)
from services.operator_history import record_operator_state

MAX_FAILURES = 5
LOCK_MINUTES = 15
DEFAULT_IDLE_MINUTES = 10
SELF_APPROVAL_ACTS = {
    "void": "作废",
    "refund": "退费",
    "override": "放行",
    "day_close": "日结",
    # the cash desk's supervisor acts
    "business_date": "营业日期确认",
    "annul_close": "撤销日结",
    "write_off": "短款核销",
    "over_kept": "长款归入",
    "over_returned": "长款退还",
    # an operator promoted or demoted (issue 10)
    "role_change": "变更角色",
}


class AccountLocked(PermissionDenied):
    code = "account_locked"


def _name(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def _subject(name: str) -> str:
    return f"login:{name}"[:80]


def locked_until(session: Session, name: str, now: dt.datetime) -> dt.datetime | None:
    """When the account's lock ends, if it is locked at ``now``."""
    last_lock = session.scalars(
        select(AuditEntry.at)
        .where(AuditEntry.subject == _subject(name), AuditEntry.action == "account_locked")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    if last_lock is None:
        return None
    until = last_lock + dt.timedelta(minutes=LOCK_MINUTES)
    return until if now < until else None


def _failures_in_a_row(session: Session, name: str) -> int:
    """Failed logins since the last success or lock of this user name."""
    rows = session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.subject == _subject(name),
            AuditEntry.action.in_(("login", "login_failed", "account_locked")),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(MAX_FAILURES + 1)
    ).all()
    count = 0
    for action in rows:
        if action != "login_failed":
            break
        count += 1
    return count


@dataclasses.dataclass(frozen=True)
class LoginAttempt:
    operator: OperatorInfo | None
    error: PermissionDenied | AuthenticationFailed | None


def attempt_login(session: Session, clock: Clock, username: str, password: str) -> LoginAttempt:
    """Check a login and journal it, without raising: the journal lines of a
    failure must be committed, so the caller commits and then reports."""
    now = clock.now()
    name = _name(username)
    row = session.scalars(select(Operator).where(Operator.username == name)).first()
    office_id = row.office_id if row is not None else None
    operator_id = row.id if row is not None else None

    def journal(action: str, **details: Any) -> None:
        record_audit(
            session,
            at=now,
            operator_id=operator_id,
            office_id=office_id,
            action=action,
            subject=_subject(name),
            details={"username": name, **details},
        )

    until = locked_until(session, name, now)
    if until is not None:
        journal("login_failed", while_locked=True)
        return LoginAttempt(None, _locked_error(until))
    try:
        info = authenticate(session, name, password, clock)
    except (AuthenticationFailed, PermissionDenied) as exc:
        journal("login_failed", why=exc.code)
        if _failures_in_a_row(session, name) >= MAX_FAILURES:
            journal("account_locked", minutes=LOCK_MINUTES)
            return LoginAttempt(None, _locked_error(now + dt.timedelta(minutes=LOCK_MINUTES)))
        return LoginAttempt(None, exc)
    operator_id, office_id = info.id, info.office_id  # journal() reads these
    journal("login")
    return LoginAttempt(info, None)


def _locked_error(until: dt.datetime) -> AccountLocked:
    return AccountLocked(
        f"连续 {MAX_FAILURES} 次密码错误，账号已锁定 {LOCK_MINUTES} 分钟，"
        f"请于 {until:%H:%M} 后再试，或请主管协助。"
    )


def login(db: Database, clock: Clock, username: str, password: str) -> OperatorInfo:
    """Log in (own transaction): the operator, or the refusal, journalled either way."""
    with db.write() as session:
        attempt = attempt_login(session, clock, username, password)
    if attempt.error is not None:
        raise attempt.error
    assert attempt.operator is not None
    return attempt.operator


# --- approvals -------------------------------------------------------------------------


def is_single_operator(session: Session, office_id: int) -> bool:
    row = session.get(OfficeSecurity, office_id)
    return bool(row is not None and row.single_operator)


def check_approval(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    act: str,
    subject: str,
    approver_id: int | None,
    approver_password: str | None,
    requester_id: int,
    own_act: bool = False,
) -> Operator:
    """The approving supervisor, proven by their password; journalled.

    Refused: no approver, a wrong password (「主管密码错误」), a locked account,
    and approving one's own act outside a one-person collection point.
    ``own_act`` is for a supervisor's act that approves nobody else's (a
    supervisor confirming the clock or annulling a close made under a wrong
    clock, while logged in): the password is still checked and the act
    journalled, but a supervisor doing it at their own login is not a
    self-approval.
    """
    if act not in SELF_APPROVAL_ACTS:
        raise ValueError(f"unknown act {act!r}")
    now = clock.now()

    def refused(exc: ServiceError) -> ServiceError:
        return journal_refusal(
            exc,
            at=now,
            office_id=office_id,
            approver_id=approver_id,
            requester_id=requester_id,
            act=act,
            subject=subject,
        )

    approver = _proven_supervisor(session, office_id, approver_id, approver_password, now, refused)
    self_approved = approver.id == requester_id and not own_act
    if self_approved and not is_single_operator(session, office_id):
        raise refused(
            PermissionDenied(
                f"不能自己批准自己的{SELF_APPROVAL_ACTS[act]}，请另一位主管授权"
                "（只有一人的收款点须在设置中登记为“单人收款点”）。",
                code="self_approval",
            )
        )
    _journal_approval(session, office_id, approver, act, subject, requester_id, self_approved, now)
    return approver


def _proven_supervisor(
    session: Session,
    office_id: int,
    approver_id: int | None,
    approver_password: str | None,
    now: dt.datetime,
    refused: Callable[[ServiceError], ServiceError],
) -> Operator:
    """A supervisor of the office, not locked, who typed their password."""
    if approver_id is None:
        raise refused(
            PermissionDenied("此操作须由主管确认，请主管登录确认。", code="supervisor_required")
        )
    try:
        approver = require_supervisor(session, approver_id, office_id=office_id)
    except ServiceError as exc:
        raise refused(exc) from None
    if locked_until(session, approver.username, now) is not None:
        raise refused(AccountLocked(f"主管账号 {approver.username} 已锁定，不能授权。"))
    if approver_password is None or not password_matches(approver, approver_password):
        raise refused(
            AuthenticationFailed("主管密码错误，未授权。", code="approver_password_wrong")
        )
    return approver


def _journal_approval(
    session: Session,
    office_id: int,
    approver: Operator,
    act: str,
    subject: str,
    requester_id: int,
    self_approved: bool,
    now: dt.datetime,
) -> None:
    """The approval in the journal; a self-approval also in its own list."""
    if self_approved:
        session.add(
            SelfApproval(
                office_id=office_id,
                operator_id=approver.id,
                act=act,
                subject=subject,
                business_date=now.date(),
                at=now,
            )
        )
    record_audit(
        session,
        at=now,
        operator_id=approver.id,
        office_id=office_id,
        action="self_approval" if self_approved else "approval",
        subject=subject,
        details={"act": act, "requester_id": requester_id},
    )


def journal_refusal(
    exc: ServiceError,
    *,
    at: dt.datetime,
    office_id: int | None,
    approver_id: int | None,
    requester_id: int | None,
    act: str,
    subject: str,
) -> ServiceError:
    """Make a refused approval leave its line in the audit journal.

    The refusal rolls back the transaction it happened in, so the line is
    written after that, in a transaction of its own (``db.engine.Database.write``
    runs ``exc.after_rollback``). Returns ``exc`` for ``raise``.
    """

    def write(session: Session) -> None:
        record_audit(
            session,
            at=at,
            operator_id=approver_id,
            office_id=office_id,
            action="approval_refused",
            subject=subject,
            details={
                "act": act,
                "approver_id": approver_id,
                "requester_id": requester_id,
                "why": exc.code,
            },
        )

    follow_ups = getattr(exc, "after_rollback", None)
    if follow_ups is None:
        follow_ups = []
        exc.after_rollback = follow_ups  # type: ignore[attr-defined]
    follow_ups.append(write)
    return exc


def verify_approver(
    session: Session,
    clock: Clock,
    *,
    username: str,
    password: str,
    office_id: int,
    requester_id: int | None,
    act: str = "approval",
) -> int:
    """The supervisor whose user name and password a counter dialog was given
    (their id); a refusal (wrong password, not a supervisor, locked) is
    journalled as ``approval_refused``. The acting service checks the approval
    again with :func:`check_approval`."""
    now = clock.now()
    name = _name(username)
    row = session.scalars(select(Operator).where(Operator.username == name)).first()

    def refused(exc: ServiceError) -> ServiceError:
        return journal_refusal(
            exc,
            at=now,
            office_id=office_id,
            approver_id=row.id if row is not None else None,
            requester_id=requester_id,
            act=act,
            subject=_subject(name),
        )

    if locked_until(session, name, now) is not None:
        raise refused(AccountLocked(f"主管账号 {name} 已锁定，不能授权。"))
    try:
        operator = authenticate(session, name, password)
        require_supervisor(session, operator.id, office_id=office_id)
    except ServiceError as exc:
        raise refused(exc) from None
    return operator.id


@dataclasses.dataclass(frozen=True)
class SelfApprovalLine:
    date: dt.date
    at: dt.datetime
    operator_name: str
    act_label: str
    subject: str


def self_approvals(
    session: Session, office_id: int, start: dt.date, end: dt.date
) -> list[SelfApprovalLine]:
    """The office's self-approvals in ``start`` … ``end``, for the reports."""
    rows = session.execute(
        select(SelfApproval, Operator.display_name)
        .join(Operator, Operator.id == SelfApproval.operator_id)
        .where(
            SelfApproval.office_id == office_id,
            SelfApproval.business_date >= start,
            SelfApproval.business_date <= end,
        )
        .order_by(SelfApproval.id)
    ).all()
    return [
        SelfApprovalLine(r.business_date, r.at, name, SELF_APPROVAL_ACTS[r.act], r.subject)
        for r, name in rows
    ]


# --- office security settings -----------------------------------------------------------


# --- roles ------------------------------------------------------------------------------


def set_operator_role(
    session: Session,
    clock: Clock,
    *,
    operator_id: int,
    role: str,
    supervisor_id: int,
    approver_id: int | None,
    approver_password: str | None,
    reason: str,
) -> None:
    """Promote an operator to supervisor or demote them to clerk (变更角色).

    Done by a supervisor of the same office, approved by another supervisor
    with their password (:func:`check_approval`, act ``role_change``; a
    one-person point may approve itself, marked). Nobody changes their own
    role. The change is written as operator history and journalled
    (``operator_role_changed``), so the database accepts the new role
    (``db/guards.py``) and ``verify-ledger`` can tell it from a role edited
    behind the program's back.
    """
    supervisor = require_supervisor(session, supervisor_id)
    office_id = supervisor.office_id
    row = session.get(Operator, operator_id)
    if row is None or row.office_id != office_id:
        raise NotFound(f"本单位没有编号为 {operator_id} 的经办人。", code="unknown_operator")
    if role not in ROLES:
        raise InputError(f"角色只能是：{'、'.join(ROLES.values())}。", code="bad_role")
    if row.role == role:
        raise InputError(f"{row.display_name} 已是{ROLES[role]}，角色未变。", code="role_unchanged")
    if row.id == supervisor.id:
        raise ConflictError("不能变更自己的角色，请另一位主管办理。", code="cannot_change_own_role")
    if not row.active:
        raise ConflictError(
            f"{row.display_name} 的账号已停用，请先启用再变更角色。", code="operator_inactive"
        )
    text = (reason or "").strip()
    if not text:
        raise InputError("请填写变更角色的原因。", code="reason_required")
    if len(text) > 200:
        raise InputError("原因过长（最多 200 个字）。", code="reason_too_long")
    check_approval(
        session,
        clock,
        office_id=office_id,
        act="role_change",
        subject=f"operator:{row.id}",
        approver_id=approver_id,
        approver_password=approver_password,
        requester_id=supervisor.id,
    )
    record_operator_state(
        session, row, at=clock.now(), action="role_changed", by=supervisor.id, role=role, note=text
    )
