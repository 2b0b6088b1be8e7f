"""The 日结单 of the 日结 page: a drawer's sheet, the office's sheet, and a
past day's sheet printed again. Read through the page's operations and shown
through its document output (preview, printer, or a journalled file)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtWidgets import QWidget

from printing.data import DayCloseData
from printing.day_close import render_day_close
from services.day_close_record import DayCloseRecord, day_close_record
from services.day_close_view import DayClosePageState
from services.deposit_state import current_deposit_status
from services.documents import day_close_document, drawer_close_document
from ui.context import AppContext
from ui.operations import OperationFailed, Operations
from ui.printing_bridge import DocumentOutput


class DayCloseSheets:
    """Prints the sheets for ``page`` (the parent of every message shown)."""

    def __init__(
        self, ctx: AppContext, ops: Operations, documents: DocumentOutput, page: QWidget
    ) -> None:
        self.ctx = ctx
        self.ops = ops
        self.documents = documents
        self.page = page

    def drawer_sheet(self, state: DayClosePageState, late: bool) -> None:
        """This window's 日结单 (its drawer)."""
        try:
            data = self.ops.read(
                drawer_close_document,
                self.ctx.office_id,
                state.drawer_operator_id,
                state.business_date,
                parent=self.page,
            )
        except OperationFailed:
            return
        mark = "（补日结）" if data.late_reason or late else ""
        title = f"日结单 {state.business_date} {data.drawer}{mark}"
        self.documents.present("day_close", title, render_day_close(data), self.page)

    def reprint(self, day: dt.date) -> str | None:
        """The sheet of any past closed day; a Chinese message when there is none."""
        try:
            record = self.ops.read(day_close_record, self.ctx.office_id, day, parent=self.page)
        except OperationFailed:
            return None
        if record is None:
            return f"{day} 没有日结记录。"
        self.office_sheet(record)
        return None

    def office_sheet(self, record: DayCloseRecord) -> None:
        """The office's 日结单: all drawers together, with the day's anchor."""
        try:
            data = self._sheet_data(record)
        except OperationFailed:
            return
        title = f"日结单 {record.business_date}" + ("（补日结）" if data.late_reason else "")
        self.documents.present("day_close", title, render_day_close(data), self.page)

    def _sheet_data(self, r: DayCloseRecord) -> DayCloseData:
        office_id = self.ctx.office_id
        data = self.ops.read(day_close_document, office_id, r.business_date, parent=self.page)
        # what was left to deposit after the close, and by when (POLICY.md §7.3)
        after = self.ops.read(
            current_deposit_status, self.ctx.clock, office_id, at=r.closed_at, parent=self.page
        )
        return dataclasses.replace(
            data, undeposited_fen=after.cash_on_hand_fen, deposit_due=after.deadline
        )
