"""Small builders for registry tests: an office with villages, made as rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from common.idcard import check_character
from db.models import Office, Operator, Village
from services.operator_history import record_operator_state


def make_office(session: Session, *, name: str = "芦台街道办事处", code: str = "LT") -> Office:
    office = Office(
        code=code,
        name=name,
        level="street_office",
        policy_key="tianjin-2024",
        receipt_prefix=code,
        deposit_days=5,
        deposit_limit_fen=1_000_000,
        payment_link_template="",
        payment_instructions="",
        address="",
        phone="",
        printer_name="",
        created_at=dt.datetime(2023, 10, 1, 8, 0),
    )
    session.add(office)
    session.flush()
    for village in ("东村", "西村", "南村"):
        session.add(Village(office_id=office.id, name=village, active=True))
    clerk = Operator(
        office_id=office.id,
        username=f"clerk-{code}",
        display_name="王丽",
        role="clerk",
        password_hash="not-a-real-hash",
        active=True,
        created_at=dt.datetime(2023, 10, 1, 8, 0),
    )
    session.add(clerk)
    session.flush()
    record_operator_state(session, clerk, at=clerk.created_at, action="created", by=None)
    return office


def id_number(area: str, birth: str, seq: str) -> str:
    body = f"{area}{birth}{seq}"
    return body + check_character(body)
