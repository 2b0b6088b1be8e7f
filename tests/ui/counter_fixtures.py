"""Helpers of the counter-window tests (conftest.py makes fixtures of them).

Importable by test modules: ``from counter_fixtures import make_id, PASSWORD``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from db.engine import Database
from services.clock import FixedClock
from services.office import create_office, create_operator
from services.policy import PolicyBook

PASSWORD = "counter-pass-1"
SUPERVISOR = "zhuguan"
CLERK = "jingban"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(birth: dt.date, seq: int, area: str = "120221") -> str:
    """A valid 18-character ID number (odd ``seq``: a man)."""
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@dataclasses.dataclass(frozen=True)
class Office:
    id: int
    name: str
    supervisor_id: int
    clerk_id: int
    villages: dict[str, int]


def create_test_office(db: Database, clock: FixedClock, policies: PolicyBook) -> Office:
    with db.write() as s:
        info = create_office(
            s,
            clock,
            code="NH-LT",
            name="芦台街道便民服务中心",
            level="street_office",
            policy_key="tianjin-2024",
            receipt_prefix="LT",
            villages=["东村", "西村"],
            known_policies=frozenset(policies.keys()),
        )
        boss = create_operator(
            s,
            clock,
            office_id=info.id,
            username=SUPERVISOR,
            display_name="王主管",
            role="supervisor",
            password=PASSWORD,
            created_by=None,
        )
        clerk = create_operator(
            s,
            clock,
            office_id=info.id,
            username=CLERK,
            display_name="李经办",
            role="clerk",
            password=PASSWORD,
            created_by=boss.id,
        )
    return Office(info.id, info.name, boss.id, clerk.id, {v.name: v.id for v in info.villages})


def type_text(widget: QWidget, text: str) -> None:
    """Type any characters, as a scanner or an input method would.

    ``qtbot.keyClicks`` knows only Latin-1 key codes (and aborts on others); a
    key event carrying the text works for full-width digits and Chinese too.
    """
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)


#: Main windows a test opened through the login flow. Logging out deletes a
#: window (WA_DeleteOnClose), so ``qtbot.addWidget`` would close a deleted
#: object at teardown; these are closed only while Qt still has them
#: (tests/ui/conftest.py ``close_tracked_windows``).
TRACKED_WINDOWS: list[QWidget] = []


def close_at_teardown(window: QWidget) -> None:
    TRACKED_WINDOWS.append(window)
