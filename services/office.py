"""The office and the people who work at its counter.

An office (村 or 街道) has its villages, the policy in use, the prefix of its
receipt numbers and its deposit limits (POLICY.md §7.3: defaults 5 days and
10,000.00 yuan). Operators are clerks or supervisors; their passwords are kept
only as Argon2id hashes (argon2-cffi), never in plain text.

Every service that acts on behalf of an operator first calls
:func:`require_operator` (or :func:`require_supervisor`), so an unknown or
disabled operator is refused before anything is written.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import unicodedata
from decimal import Decimal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common import glossary
from common.errors import ConflictError, InputError, NotFound, PermissionDenied, ServiceError
from db.models import Office, Operator, Village
from services.clock import Clock
from services.office_input import (
    LEVELS,
    check_deposit_days,
    check_deposit_limit,
    check_level,
    check_policy_key,
    check_prefix,
    check_target,
    clean_text,
)
from services.operator_history import record_operator_state

log = logging.getLogger(__name__)

ROLES = glossary.ROLES
DEFAULT_DEPOSIT_DAYS = 5
DEFAULT_DEPOSIT_LIMIT_FEN = 1_000_000
PASSWORD_MIN_LENGTH = 8
LOGIN_FAILED = "用户名或密码错误"
SUPERVISOR_REQUIRED = "需要主管（supervisor）授权"

_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_USERNAME_RE = re.compile(r"^[a-z0-9_.-]{2,64}$")

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so that a wrong user name
# takes as long as a wrong password and the answer gives no hint which.


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for an unknown user name, so that a wrong name
    takes as long as a wrong password. Made on first use: hashing costs a
    noticeable fraction of a second, which every command's start would pay."""
    return _hasher.hash("not-a-password-of-anyone")


class AuthenticationFailed(ServiceError):
    code = "authentication_failed"


@dataclasses.dataclass(frozen=True)
class OperatorInfo:
    """Who is logged in: handed to every page, never a global."""

    id: int
    office_id: int
    username: str
    display_name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


@dataclasses.dataclass(frozen=True)
class VillageInfo:
    id: int
    name: str
    target: int | None
    active: bool


@dataclasses.dataclass(frozen=True)
class OfficeInfo:
    id: int
    code: str
    name: str
    level: str
    policy_key: str
    receipt_prefix: str
    deposit_days: int
    deposit_limit_fen: int
    address: str
    phone: str
    villages: tuple[VillageInfo, ...]

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]


# --- operators and roles --------------------------------------------------------------


def _info(row: Operator) -> OperatorInfo:
    return OperatorInfo(
        id=row.id,
        office_id=row.office_id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
    )


def check_settings_clock(session: Session, clock: Clock, office_id: int) -> None:
    """A settings write dated by a wrong clock is refused like a
    money write (imported here: ``services.clock_sanity`` imports this module)."""
    from services.write_clock import check_write_clock

    check_write_clock(session, clock, office_id, "settings")


def require_operator(
    session: Session, operator_id: int | None, *, office_id: int | None = None
) -> Operator:
    """The active operator ``operator_id`` (of ``office_id`` when given), or a refusal."""
    row = session.get(Operator, operator_id) if operator_id is not None else None
    if row is None:
        raise NotFound(f"经办人不存在（编号 {operator_id}），请重新登录。", code="unknown_operator")
    if not row.active:
        raise PermissionDenied(f"经办人“{row.display_name}”已停用。", code="operator_inactive")
    if office_id is not None and row.office_id != office_id:
        raise PermissionDenied(
            f"经办人“{row.display_name}”不属于本单位，不能办理本单位的业务。",
            code="operator_other_office",
        )
    return row


def require_role(
    session: Session, operator_id: int | None, role: str, *, office_id: int | None = None
) -> Operator:
    """The active operator with ``role``; a supervisor may do whatever a clerk may."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    row = require_operator(session, operator_id, office_id=office_id)
    if role == "supervisor" and row.role != "supervisor":
        raise PermissionDenied(SUPERVISOR_REQUIRED, code="supervisor_required")
    return row


def require_supervisor(
    session: Session, operator_id: int | None, *, office_id: int | None = None
) -> Operator:
    return require_role(session, operator_id, "supervisor", office_id=office_id)


def _check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_LENGTH:
        raise InputError(f"密码至少 {PASSWORD_MIN_LENGTH} 位。", code="password_too_short")
    if password.strip() != password:
        raise InputError("密码首尾不能有空格。", code="password_spaces")
    return password


def _username(username: str) -> str:
    cleaned = unicodedata.normalize("NFKC", username or "").strip().lower()
    if not _USERNAME_RE.fullmatch(cleaned):
        raise InputError("用户名须为 2–64 位小写字母、数字或 _ . -。", code="bad_username")
    return cleaned


def create_operator(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    username: str,
    display_name: str,
    role: str,
    password: str,
    created_by: int | None,
) -> OperatorInfo:
    """Add an operator. ``created_by`` must be a supervisor of the office; it may be
    None only for the office's first operator, who must be a supervisor."""
    if session.get(Office, office_id) is None:
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    if created_by is None:
        has_any = session.scalar(
            select(func.count(Operator.id)).where(Operator.office_id == office_id)
        )
        if has_any:
            raise PermissionDenied(SUPERVISOR_REQUIRED, code="supervisor_required")
        if role != "supervisor":
            raise InputError("单位的第一个经办人须为主管。", code="first_operator_supervisor")
    else:
        require_supervisor(session, created_by, office_id=office_id)
    if role not in ROLES:
        raise InputError(f"角色只能是“经办人”或“主管”，不能是“{role}”。", code="bad_role")
    name = _username(username)
    shown = clean_text(display_name, "姓名", 64)
    _check_password(password)
    if session.scalar(select(Operator.id).where(Operator.username == name)) is not None:
        raise ConflictError(f"用户名“{name}”已被使用。", code="username_taken")
    pw_hash = _hasher.hash(password)
    row = Operator(
        office_id=office_id,
        username=name,
        display_name=shown,
        role=role,
        password_hash=pw_hash,
        active=True,
        created_at=clock.now(),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    record_operator_state(session, row, at=row.created_at, action="created", by=created_by)
    return _info(row)


def authenticate(
    session: Session, username: str, password: str, clock: Clock | None = None
) -> OperatorInfo:
    """The operator whose user name and password these are.

    Any failure says only "用户名或密码错误". A hash made with older parameters is
    re-made when a ``clock`` is given (the change is kept as operator history;
    the caller's write transaction keeps it). Lockout and the audit journal are
    :func:`services.accounts.login`'s business.
    """
    name = unicodedata.normalize("NFKC", username or "").strip().lower()
    row = session.scalars(select(Operator).where(Operator.username == name)).first()
    stored = row.password_hash if row is not None else _dummy_hash()
    try:
        _hasher.verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthenticationFailed(LOGIN_FAILED) from None
    if row is None:  # pragma: no cover - the dummy hash matches no real password
        raise AuthenticationFailed(LOGIN_FAILED)
    if not row.active:
        raise PermissionDenied("该账号已停用，请联系主管。", code="operator_inactive")
    if clock is not None and _hasher.check_needs_rehash(row.password_hash):
        record_operator_state(
            session,
            row,
            at=clock.now(),
            action="password_rehashed",
            by=row.id,
            password_hash=_hasher.hash(password),
        )
    return _info(row)


def password_matches(row: Operator, password: str) -> bool:
    """Whether ``password`` is this operator's (Argon2id verify, constant effort)."""
    try:
        return bool(_hasher.verify(row.password_hash, password or ""))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def change_password(
    session: Session, clock: Clock, *, operator_id: int, old_password: str, new_password: str
) -> None:
    """An operator changes their own password, proving the old one."""
    row = require_operator(session, operator_id)
    try:
        _hasher.verify(row.password_hash, old_password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AuthenticationFailed("原密码错误") from None
    if old_password == new_password:
        raise InputError("新密码不能与原密码相同。", code="password_unchanged")
    new_hash = _hasher.hash(_check_password(new_password))
    record_operator_state(
        session, row, at=clock.now(), action="password_changed", by=row.id, password_hash=new_hash
    )


def set_operator_active(
    session: Session, clock: Clock, *, operator_id: int, active: bool, supervisor_id: int
) -> None:
    """A supervisor disables (or re-enables) an operator; rows are never deleted."""
    supervisor = require_supervisor(session, supervisor_id)
    row = session.get(Operator, operator_id)
    if row is None or row.office_id != supervisor.office_id:
        raise NotFound(f"本单位没有编号为 {operator_id} 的经办人。", code="unknown_operator")
    if row.id == supervisor.id and not active:
        raise ConflictError("不能停用自己的账号。", code="cannot_disable_self")
    if bool(row.active) == bool(active):
        return
    record_operator_state(
        session,
        row,
        at=clock.now(),
        action="enabled" if active else "disabled",
        by=supervisor.id,
        active=active,
    )


# --- offices and villages -------------------------------------------------------------


def reset_password(
    session: Session, clock: Clock, *, operator_id: int, new_password: str, supervisor_id: int
) -> None:
    """A supervisor sets a new password for an operator of the same office who
    forgot theirs (the operator changes it at the next login)."""
    row = require_operator(session, operator_id)
    require_supervisor(session, supervisor_id, office_id=row.office_id)
    new_hash = _hasher.hash(_check_password(new_password))
    record_operator_state(
        session,
        row,
        at=clock.now(),
        action="password_reset",
        by=supervisor_id,
        password_hash=new_hash,
    )
    log.info("password of operator %s reset by %s at %s", operator_id, supervisor_id, clock.now())


def office_info(session: Session, office_id: int) -> OfficeInfo:
    row = session.get(Office, office_id)
    if row is None:
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    villages = session.scalars(
        select(Village).where(Village.office_id == office_id).order_by(Village.name)
    ).all()
    return OfficeInfo(
        id=row.id,
        code=row.code,
        name=row.name,
        level=row.level,
        policy_key=row.policy_key,
        receipt_prefix=row.receipt_prefix,
        deposit_days=row.deposit_days,
        deposit_limit_fen=row.deposit_limit_fen,
        address=row.address,
        phone=row.phone,
        villages=tuple(VillageInfo(v.id, v.name, v.target, v.active) for v in villages),
    )


def list_offices(session: Session) -> list[OfficeInfo]:
    """Every office in the database, in the order they were set up (an empty
    list means the program has not been set up yet)."""
    ids = session.scalars(select(Office.id).order_by(Office.id)).all()
    return [office_info(session, office_id) for office_id in ids]


def create_office(
    session: Session,
    clock: Clock,
    *,
    code: str,
    name: str,
    level: str,
    policy_key: str,
    receipt_prefix: str,
    deposit_days: int = DEFAULT_DEPOSIT_DAYS,
    deposit_limit: str | int | Decimal = "10000.00",
    villages: tuple[str, ...] | list[str] = (),
    address: str = "",
    phone: str = "",
    known_policies: frozenset[str] | None = None,
) -> OfficeInfo:
    """Set up an office (done once, before any operator exists).

    ``deposit_limit`` is in yuan, as typed; ``known_policies`` (the policy
    book's keys) lets the caller refuse a policy that does not exist.
    """
    office_code = (code or "").strip()
    if not _CODE_RE.fullmatch(office_code):
        raise InputError("单位代码须为 1–32 位字母、数字、_ 或 -。", code="bad_office_code")
    row = Office(
        code=office_code,
        name=clean_text(name, "单位名称", 100),
        level=check_level(level),
        policy_key=check_policy_key(policy_key, known_policies),
        receipt_prefix=check_prefix(receipt_prefix),
        deposit_days=check_deposit_days(deposit_days),
        deposit_limit_fen=check_deposit_limit(deposit_limit),
        address=clean_text(address, "地址", 200, required=False),
        phone=clean_text(phone, "电话", 40, required=False),
        created_at=clock.now(),
    )
    names = [clean_text(v, "村（社区）名称", 100) for v in villages]
    if len(set(names)) != len(names):
        raise InputError("村（社区）名称有重复。", code="duplicate_village")
    if session.scalar(select(Office.id).where(Office.code == office_code)) is not None:
        raise ConflictError(f"单位代码“{office_code}”已存在。", code="office_code_taken")
    session.add(row)
    session.flush()
    for village_name in names:
        session.add(Village(office_id=row.id, name=village_name, updated_at=clock.now()))
    session.flush()
    return office_info(session, row.id)


def add_village(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    name: str,
    operator_id: int,
    target: int | None = None,
) -> VillageInfo:
    require_supervisor(session, operator_id, office_id=office_id)
    check_settings_clock(session, clock, office_id)
    village_name = clean_text(name, "村（社区）名称", 100)
    goal = check_target(target)
    exists = session.scalar(
        select(Village.id).where(Village.office_id == office_id, Village.name == village_name)
    )
    if exists is not None:
        raise ConflictError(f"本单位已有“{village_name}”。", code="duplicate_village")
    row = Village(
        office_id=office_id,
        name=village_name,
        target=goal,
        active=True,
        updated_at=clock.now(),
        updated_by=operator_id,
    )
    session.add(row)
    session.flush()
    return VillageInfo(row.id, row.name, row.target, row.active)


def set_village_target(
    session: Session, clock: Clock, *, village_id: int, target: int | None, operator_id: int
) -> VillageInfo:
    """Set (or clear, with None) the enrolment target of a village, in people."""
    row = session.get(Village, village_id)
    if row is None:
        raise NotFound(f"没有编号为 {village_id} 的村（社区）。", code="village_not_found")
    require_supervisor(session, operator_id, office_id=row.office_id)
    check_settings_clock(session, clock, row.office_id)
    row.target = check_target(target)
    row.updated_at = clock.now()
    row.updated_by = operator_id
    session.flush()
    return VillageInfo(row.id, row.name, row.target, row.active)
