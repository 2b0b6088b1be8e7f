"""The row factories of tests/services serve the storage tests too."""

from __future__ import annotations

import sys
from pathlib import Path

_SERVICES = str(Path(__file__).resolve().parents[1] / "services")
if _SERVICES not in sys.path:
    sys.path.insert(0, _SERVICES)
