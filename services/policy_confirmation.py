"""The second supervisor's confirmation of a saved policy file (issue 17).

An office with two or more active supervisors saves a policy only when another
supervisor than the saver confirms it with their user name and password.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import PermissionDenied
from db.models import Operator
from services.office import authenticate, require_supervisor


def _active_supervisors(session: Session, office_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Operator.id)).where(
                Operator.office_id == office_id,
                Operator.role == "supervisor",
                Operator.active.is_(True),
            )
        )
        or 0
    )


def needs_confirmation(session: Session, office_id: int) -> bool:
    """Whether saving needs a second supervisor (the office has one)."""
    return _active_supervisors(session, office_id) >= 2


def confirm_by_second_supervisor(
    session: Session,
    office_id: int,
    operator_id: int,
    username: str | None,
    password: str | None,
) -> int | None:
    """The confirming supervisor's id when the office has two or more
    supervisors (another one than the saver must sign in); None otherwise."""
    if not needs_confirmation(session, office_id):
        return None
    if not username:
        raise PermissionDenied(
            "本单位有两名以上主管：保存政策须由另一名主管输入用户名和密码确认。",
            code="confirmation_required",
        )
    other = authenticate(session, username, password or "")
    if other.id == operator_id:
        raise PermissionDenied("确认人须是另一名主管，不能由保存人自己确认。", code="same_operator")
    require_supervisor(session, other.id, office_id=office_id)
    return other.id
