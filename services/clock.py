"""Where the time comes from. Services never read the wall clock themselves:
they receive a ``Clock``, so tests and the demo office can run at any date."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Local wall time of the office, naive, to the second."""
        ...


class SystemClock:
    """The real clock of the machine the program runs on."""

    def now(self) -> dt.datetime:
        return dt.datetime.now().replace(microsecond=0)


class FixedClock:
    """A clock that only moves when told to (tests, demo data, benchmarks)."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now
