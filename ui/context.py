"""What every page receives explicitly: database, clock, policies, and who is
working at which office (STYLE.md: pages receive their context; no globals)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # only named in annotations: the login window imports this module before
    # the database layer is loaded (start fast)
    from db.engine import Database
    from services.clock import Clock
    from services.policy import PolicyBook


@dataclasses.dataclass(frozen=True)
class OperatorSession:
    """The logged-in operator at an office."""

    office_id: int
    office_name: str
    operator_id: int
    operator_name: str
    role: str  # 'clerk' | 'supervisor'

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclasses.dataclass
class AppContext:
    db: Database
    clock: Clock
    policies: PolicyBook
    session: OperatorSession | None = None
    # where the policies came from, so the 政策 tab can reload them after a save
    policy_dirs: tuple[Path, ...] = ()
    office_policy_dir: Path | None = None
    #: --training: a separate practice database, marked on every page and document
    training: bool = False

    def business_date(self) -> dt.date:
        return self.clock.now().date()

    @property
    def office_id(self) -> int:
        assert self.session is not None, "no operator logged in"
        return self.session.office_id

    @property
    def operator_id(self) -> int:
        assert self.session is not None, "no operator logged in"
        return self.session.operator_id
