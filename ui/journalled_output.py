"""Every document handed to the printer goes into the audit journal.

:class:`JournalledOutput` wraps the window's document output: each
``present`` (a preview opened for printing, or a document kept by a test's
recorder) writes a ``document_printed`` line with the document's kind and
title. Receipts are journalled by the service that records their prints
(print or reprint, ``services/receipts.py``), so they are not written twice.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from services.audit import journal_in, record_audit
from ui.context import AppContext
from ui.operations import OperationFailed, Operations
from ui.printing_bridge import DocumentOutput, OnPrinted

SELF_JOURNALLED = frozenset({"receipt", "audit_journal"})

log = logging.getLogger(__name__)


def journal_event(
    ctx: AppContext, action: str, subject: str = "", details: dict[str, object] | None = None
) -> bool:
    """Journal something the window did beside the database (a backup, a
    machine setting) as the operator logged in, if any. A journal line that
    cannot be written is logged, not shown: the act itself already happened."""
    session = ctx.session
    try:
        journal_in(
            ctx.db,
            ctx.clock,
            action=action,
            office_id=session.office_id if session is not None else None,
            operator_id=session.operator_id if session is not None else None,
            subject=subject,
            details=details,
        )
    except Exception:  # noqa: BLE001 - see above
        log.exception("could not journal %s", action)
        return False
    return True


def _journal(session, clock, *, office_id: int, operator_id: int, kind: str, title: str) -> None:  # type: ignore[no-untyped-def]
    record_audit(
        session,
        at=clock.now(),
        operator_id=operator_id,
        office_id=office_id,
        action="document_printed",
        subject=f"document:{kind}"[:80],
        details={"title": title},
    )


class JournalledOutput:
    def __init__(self, inner: DocumentOutput, ctx: AppContext, ops: Operations) -> None:
        self.inner = inner
        self.ctx = ctx
        self.ops = ops

    def present(
        self,
        kind: str,
        title: str,
        pdf: bytes,
        parent: QWidget | None,
        on_printed: OnPrinted | None = None,
    ) -> None:
        session = self.ctx.session
        if session is not None and kind not in SELF_JOURNALLED:
            try:
                self.ops.write(
                    (),
                    _journal,
                    office_id=session.office_id,
                    operator_id=session.operator_id,
                    kind=kind,
                    title=title,
                    parent=parent,
                )
            except OperationFailed:
                return  # not journalled, not printed: the failure is shown
        self.inner.present(kind, title, pdf, parent, on_printed)

    def __getattr__(self, name: str) -> object:
        # the wrapped output's own attributes (a recorder's documents, open dialogs)
        return getattr(self.inner, name)
