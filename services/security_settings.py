"""The office's security settings: failed logins before a lock, the lock's
length and the idle time before the screen locks."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from common.errors import InputError
from db.models import OfficeSecurity
from services.accounts import DEFAULT_IDLE_MINUTES
from services.audit import record_audit
from services.clock import Clock
from services.office import (
    require_supervisor,
)


@dataclasses.dataclass(frozen=True)
class SecuritySettings:
    idle_lock_minutes: int
    single_operator: bool


def security_settings(session: Session, office_id: int) -> SecuritySettings:
    row = session.get(OfficeSecurity, office_id)
    if row is None:
        return SecuritySettings(DEFAULT_IDLE_MINUTES, False)
    return SecuritySettings(row.idle_lock_minutes, bool(row.single_operator))


def update_security_settings(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    idle_lock_minutes: int | None = None,
    single_operator: bool | None = None,
) -> SecuritySettings:
    """A supervisor sets the idle lock (1–240 minutes) and the one-person setting."""
    require_supervisor(session, operator_id, office_id=office_id)
    before = security_settings(session, office_id)
    minutes = before.idle_lock_minutes if idle_lock_minutes is None else idle_lock_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise InputError("空闲锁屏时间须为 1–240 分钟。", code="bad_idle_minutes")
    single = before.single_operator if single_operator is None else bool(single_operator)
    now = clock.now()
    row = session.get(OfficeSecurity, office_id)
    if row is None:
        row = OfficeSecurity(office_id=office_id, updated_at=now)
        session.add(row)
    row.idle_lock_minutes = minutes
    row.single_operator = single
    row.updated_at = now
    row.updated_by = operator_id
    after = SecuritySettings(minutes, single)
    if after != before:
        record_audit(
            session,
            at=now,
            operator_id=operator_id,
            office_id=office_id,
            action="security_settings_changed",
            subject=f"office:{office_id}",
            details={
                "idle_lock_minutes": [before.idle_lock_minutes, minutes],
                "single_operator": [before.single_operator, single],
            },
        )
    session.flush()
    return after
