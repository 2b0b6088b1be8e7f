"""The cash desk's warning "已通过其他渠道缴费，请核实", as one line of rich text.

Shown with the enrolment before the clerk takes money: the person is on an
imported paid-elsewhere list for that year. The clerk checks; nothing is
refused (the list may be wrong, and cash payers are never turned away).
"""

from __future__ import annotations

from html import escape

from services.roster_marks import PaidElsewhere, paid_elsewhere
from ui.operations import OperationFailed, Operations


def paid_elsewhere_html(ops: Operations, resident_id: int, policy_year: int) -> str:
    """``<br>`` and a red warning line, or "" when the person is on no such list."""
    try:
        found = ops.read(paid_elsewhere, resident_id, policy_year)
    except OperationFailed:
        return ""
    return paid_elsewhere_line(found)


def paid_elsewhere_line(found: PaidElsewhere | None) -> str:
    """The warning for a mark already read (the 缴费 page reads it with the
    enrolment, in the same read)."""
    if found is None:
        return ""
    return (
        "<br><span style='font-size:16px; font-weight:bold; color:#b71c1c'>⚠ "
        f"{escape(found.message)}</span>"
    )
