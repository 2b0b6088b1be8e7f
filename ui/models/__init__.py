"""Qt item models of the counter window (Vorta style: column constants, a
role that hands back the domain object, resets inside begin/end)."""

from __future__ import annotations

from PySide6.QtCore import Qt

#: Every model here returns its row's domain object (a service dataclass) for this role.
ObjectRole = Qt.ItemDataRole.UserRole + 1
