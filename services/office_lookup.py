"""The office a command-line command is about.

Every command that works on one office takes ``--office CODE``, which may be
left out when the database holds exactly one office.  One rule, used by
``day-status``, ``print``, ``import-roster`` and ``export``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.errors import InputError, NotFound
from db.models import Office


def office_for_command(session: Session, code: str | None) -> Office:
    """The office with ``code``; without a code, the only office there is."""
    if code:
        office = session.scalars(select(Office).where(Office.code == code)).first()
        if office is None:
            raise NotFound(f"没有代码为“{code}”的单位。", code="office_not_found")
        return office
    offices = session.scalars(select(Office).order_by(Office.id).limit(2)).all()
    if not offices:
        raise NotFound("数据库中还没有单位。", code="office_not_found")
    if len(offices) > 1:
        raise InputError("有多个单位，请用 --office 指定单位代码。", code="office_required")
    return offices[0]
