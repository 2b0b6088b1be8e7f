"""The one base of every page: its context, its operations, and the
"refresh when visible, else on the next show" template, written once.

A page calls :meth:`Page.watch` with the topics it shows; every write that
touched one of them calls :meth:`Page.on_changes` (override it to react to a
particular topic first) and then refreshes the page now if it is on screen, or
marks it dirty so that it refreshes when it is shown or activated next.
The subscriptions are children of the page (``Operations.subscribe``), so they
end with it: nothing is ever called on a page that is gone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from ui.context import AppContext
from ui.operations import ChangeSet, Operations
from ui.printing_bridge import DocumentOutput, PreviewOutput

D = TypeVar("D")


class Page(QWidget):
    """A page of the main window: ``ctx``, ``ops`` and (for pages that print)
    ``documents``; subclasses implement :meth:`refresh`."""

    def __init__(
        self,
        ctx: AppContext,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        documents: DocumentOutput | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ops = ops
        self.documents = documents if documents is not None else PreviewOutput()
        self._dirty = False

    def read_for_print(self, fn: Callable[..., D], *args: Any) -> D:
        """A document's data for this office, as printed now and by whom
        (``fn(session, office_id, *args, printed_at=...)``); raises OperationFailed."""
        data = self.ops.read(
            fn, self.ctx.office_id, *args, printed_at=self.ctx.clock.now(), parent=self
        )
        if self.ctx.session is not None:
            data = dataclasses.replace(data, clerk=self.ctx.session.operator_name)  # type: ignore[type-var]
        return data

    # --- the refresh template ----------------------------------------------------

    def watch(
        self,
        topics: frozenset[str] | set[str],
        slot: Callable[[ChangeSet], None] | None = None,
    ) -> None:
        """Refresh on every write that touched any of ``topics`` (once per write).

        ``slot``: a page that reacts otherwise than by the template (at once,
        visible or not) names its own slot; it lives as long as the page."""
        self.ops.subscribe(topics, slot if slot is not None else self._changed, self)

    def on_changes(self, changes: ChangeSet) -> bool:
        """React to a write before the refresh; return False to skip the refresh."""
        del changes
        return True

    def refresh(self) -> None:
        """Read what the page shows again (subclasses)."""

    def _changed(self, changes: ChangeSet) -> None:
        if not self.on_changes(changes):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh_if_dirty()
