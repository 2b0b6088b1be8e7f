"""Small pieces of the 日结 page: money words, the closed day's summary and
the wording of a supervisor's approval."""

from __future__ import annotations

import datetime as dt

from common.money import yuan_text
from services.close_preview import ClosePreview
from services.day_close_record import DayCloseRecord
from services.deposit_rule import STATE_LABELS


def difference_words(fen: int) -> str:
    if fen > 0:
        return f"长款 {yuan_text(fen)}"
    if fen < 0:
        return f"短款 {yuan_text(-fen)}"
    return "无差额（账实相符）"


def closed_summary(r: DayCloseRecord) -> str:
    """The closed day's summary, as rich text."""
    lines = [
        f"日结时间：{r.closed_at:%Y-%m-%d %H:%M}，经办人：{r.operator_name}"
        + (f"，主管：{r.supervisor_name}" if r.supervisor_name else ""),
        f"期初备用金 {yuan_text(r.opening_float_fen)}；前日未入库 {yuan_text(r.brought_forward_fen)}；"
        f"现金收款 {yuan_text(r.cash_received_fen)}；作废/退费 {yuan_text(r.cash_refunded_fen)}；"
        f"入库 {yuan_text(r.deposited_fen)}",
        f"应有 <b>{yuan_text(r.expected_fen)}</b>，实点 <b>{yuan_text(r.counted_fen)}</b>，"
        f"<b>{difference_words(r.difference_fen)}</b>"
        + (f"（原因：{r.difference_reason}）" if r.difference_reason else ""),
        f"日结时入库状态：{STATE_LABELS.get(r.deposit_state, r.deposit_state)}"
        + (f"；主管放行原因：{r.override_reason}" if r.override_reason else ""),
    ]
    return "<br>".join(lines)


def approval_wording(
    preview: ClosePreview, late_date: dt.date | None, reason: str
) -> tuple[str, str, str]:
    """(title, explanation, reason label) of the approval a close needs:
    a late close, an undeposited close, or a cash difference."""
    difference = preview.difference_fen
    also = f"\n同时确认{difference_words(difference)}，原因：{reason}" if difference else ""
    if late_date is not None:
        explanation = (
            f"{late_date} 当日未日结，现由主管确认补日结，须填写原因；日结单上注明为补日结。"
        )
        return "补日结：主管确认", explanation + also, "补日结原因"
    if preview.deposit_required:
        status = preview.deposit_status
        explanation = (
            f"{status.label_zh}：须入库现金 {yuan_text(status.due_by_today_fen)} 尚未入库"
            f"（期限 {status.deadline}）。主管确认放行并填写原因后方可日结。"
        )
        return "未入库日结：主管放行", explanation + also, "放行原因"
    explanation = f"{difference_words(difference)}，原因：{reason}。请主管确认。"
    return "长短款：主管确认", explanation, "确认意见"
