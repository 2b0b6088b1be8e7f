"""The list of policies an office can see (issue 17): built-in, its own, extra.

:func:`list_policies` lists every policy of the book with its origin, the state
of its periods, whether it is in use, and for the office's own files who saved
and confirmed which revision. Saving and switching are ``services.policy_store``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Office, Operator, PolicyFileRecord
from services.policy import (
    PolicyBook,
    builtin_policy_dir,
)
from services.policy_preview import (
    PERIOD_STATES,
    period_state,
)


@dataclass(frozen=True)
class PolicyListing:
    key: str
    name: str
    region: str
    year: int
    origin: str  # 'builtin' | 'office' | 'extra'
    state: str  # a PERIOD_STATES key
    in_use: bool
    revision: int | None = None
    saved_by: str = ""
    saved_at: dt.datetime | None = None
    confirmed_by: str = ""

    @property
    def origin_label(self) -> str:
        return {"builtin": "内置", "office": "本单位", "extra": "外部目录"}[self.origin]

    @property
    def state_label(self) -> str:
        return PERIOD_STATES[self.state]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "region": self.region,
            "year": self.year,
            "origin": self.origin,
            "state": self.state,
            "state_label": self.state_label,
            "in_use": self.in_use,
            "revision": self.revision,
            "saved_by": self.saved_by or None,
            "saved_at": None if self.saved_at is None else self.saved_at.isoformat(),
            "confirmed_by": self.confirmed_by or None,
        }


def list_policies(
    session: Session | None,
    book: PolicyBook,
    today: dt.date,
    *,
    office_dir: Path | None = None,
    office_id: int | None = None,
) -> list[PolicyListing]:
    """Every loaded policy with where it comes from and its state today."""
    records: dict[str, tuple[PolicyFileRecord, str, str]] = {}
    in_use: set[str] = set()
    if session is not None:
        names: dict[int, str] = {
            row_id: name
            for row_id, name in session.execute(select(Operator.id, Operator.display_name))
        }
        for row in session.scalars(select(PolicyFileRecord)):
            records[row.key] = (
                row,
                names.get(row.saved_by, ""),
                names.get(row.confirmed_by, "") if row.confirmed_by else "",
            )
        query = select(Office.policy_key)
        if office_id is not None:
            query = query.where(Office.id == office_id)
        in_use = set(session.scalars(query))
    result = []
    for policy in sorted(book, key=lambda p: (p.region, p.year, p.key)):
        folder = policy.path.parent
        if folder == builtin_policy_dir():
            origin = "builtin"
        elif office_dir is not None and folder == office_dir:
            origin = "office"
        else:
            origin = "extra"
        record = records.get(policy.key)
        result.append(
            PolicyListing(
                key=policy.key,
                name=policy.name,
                region=policy.region,
                year=policy.year,
                origin=origin,
                state=period_state(policy, today),
                in_use=policy.key in in_use,
                revision=record[0].revision if record else None,
                saved_by=record[1] if record else "",
                saved_at=record[0].saved_at if record else None,
                confirmed_by=record[2] if record else "",
            )
        )
    return result
