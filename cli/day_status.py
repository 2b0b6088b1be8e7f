"""``main.py day-status``: the deposit state and the day's totals.

Prints the deposit state (one of ``ok``, ``warning``, ``due_today``,
``overdue``, with its Chinese label), the cash on hand, the deadline and the
amount due by it, and the day's cash and non-cash totals. ``--json`` prints the
same as one JSON object (Chinese kept as is). ``--date`` asks about the end of
an earlier day. Answers from a few indexed queries, also on a year's ledger.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from common.errors import InputError
from common.glossary import channel_label
from common.money import format_fen, parse_amount, yuan_text
from db.engine import Database
from services.business_day import business_day, day_close_of
from services.clock import Clock
from services.day_seal import day_seal
from services.day_totals import DayTotals, day_totals
from services.deposit_rule import DepositStatus
from services.deposit_state import current_deposit_status
from services.office_lookup import office_for_command

EXIT_OK = 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``day-status`` on an ``add_subparsers()`` object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "day-status",
        help="入库状态、库存现金、入库期限与当日合计",
        description="显示入库状态（ok / warning / due_today / overdue）、库存现金、入库期限和当日合计。",
    )
    parser.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址（SQLAlchemy URL）"
    )
    parser.add_argument("--office", metavar="CODE", help="单位代码（只有一个单位时可省略）")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="查询该日（默认今天）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.set_defaults(command="day-status")
    return parser


def _date(text: str | None, today: dt.date) -> dt.date:
    if not text:
        return today
    try:
        date = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"日期格式应为 YYYY-MM-DD：{text}", code="bad_date") from None
    if date > today:
        raise InputError(f"{date} 还没到。", code="date_in_future")
    return date


def day_status(
    session: Session, clock: Clock, office_code: str | None, date_text: str | None
) -> dict[str, Any]:
    """Everything the command prints, as plain data."""
    office = office_for_command(session, office_code)
    now = clock.now()
    date = _date(date_text, now.date())
    moment = now if date == now.date() else dt.datetime.combine(date, dt.time(23, 59, 59))
    status = current_deposit_status(session, clock, office.id, at=None if moment == now else moment)
    totals = day_totals(session, office.id, date)
    opened = business_day(session, office.id, date)
    closed = day_close_of(session, office.id, date)
    return {
        "office": {"code": office.code, "name": office.name},
        "date": date.isoformat(),
        "moment": moment.isoformat(sep=" "),
        **_status_data(status),
        "opening_float": format_fen(opened.opening_float_fen) if opened else None,
        "closed": closed is not None,
        "totals": _totals_data(totals),
        **_anchor_data(session, office.id, date),
    }


def _anchor_data(session: Session, office_id: int, date: dt.date) -> dict[str, Any]:
    """The anchor printed on the day's 日结单, with the perpetual grand totals
    and the ledger check made at the close (None for an open day)."""
    seal = day_seal(session, office_id, date)
    if seal is None:
        return {"anchor": None}
    t = seal.totals
    return {
        "anchor": seal.anchor_text,
        "grand_totals": {
            "collected": format_fen(t.collected_fen),
            "voided": format_fen(t.voided_fen),
            "refunded": format_fen(t.refunded_fen),
            "deposited": format_fen(t.deposited_fen),
            "over_short": format_fen(t.adjusted_fen),
        },
        "ledger_check": {"ok": seal.check_ok, "message": seal.check_message},
    }


def _status_data(status: DepositStatus) -> dict[str, Any]:
    return {
        "state": status.state,
        "state_label": status.label_zh,
        "cash_on_hand": format_fen(status.cash_on_hand_fen),
        "cash_on_hand_fen": status.cash_on_hand_fen,
        "deadline": status.deadline.isoformat() if status.deadline else None,
        "amount_due": format_fen(status.amount_due_fen),
        "amount_due_fen": status.amount_due_fen,
        "due_by_today": format_fen(status.due_by_today_fen),
        "oldest_undeposited_date": (
            status.oldest_undeposited_date.isoformat() if status.oldest_undeposited_date else None
        ),
        "message": status.sentence_zh,
    }


def _totals_data(t: DayTotals) -> dict[str, Any]:
    return {
        "cash_received": format_fen(t.cash_received_fen),
        "cash_voided": format_fen(t.cash_voided_fen),
        "cash_refunded": format_fen(t.cash_refunded_fen),
        "deposited": format_fen(t.deposited_fen),
        "net_cash": format_fen(t.net_cash_fen),
        "non_cash": {channel: format_fen(fen) for channel, fen in t.non_cash_by_channel.items()},
        "payments": t.payments,
        "voids": t.voids,
        "refunds": t.refunds,
        "deposits": t.deposits,
    }


def _shown(figure: str) -> str:
    """A figure of the JSON answer as the text answer shows it."""
    return yuan_text(parse_amount(figure))


def run(args: argparse.Namespace, db: Database, clock: Clock) -> int:
    with db.read() as session:
        data = day_status(
            session, clock, getattr(args, "office", None), getattr(args, "date", None)
        )
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    t = data["totals"]
    lines = [
        f"{data['office']['name']}（{data['office']['code']}） {data['date']}"
        + ("  已日结" if data["closed"] else ""),
        f"入库状态：{data['state']}（{data['state_label']}）",
        f"库存现金：{_shown(data['cash_on_hand'])}",
        "入库期限："
        + (
            f"{data['deadline']}（须入库 {_shown(data['amount_due'])}）"
            if data["deadline"]
            else "无"
        ),
        data["message"],
        f"当日现金：收款 {_shown(t['cash_received'])}，作废 {_shown(t['cash_voided'])}，"
        f"退费 {_shown(t['cash_refunded'])}，入库 {_shown(t['deposited'])}",
        "当日非现金："
        + ("，".join(f"{channel_label(k)} {_shown(v)}" for k, v in t["non_cash"].items()) or "无"),
        f"笔数：缴费 {t['payments']}，作废 {t['voids']}，退费 {t['refunds']}，入库 {t['deposits']}",
    ]
    if data["opening_float"] is not None:
        lines.insert(4, f"备用金：{_shown(data['opening_float'])}")
    if data["anchor"]:
        g = data["grand_totals"]
        lines.append(f"日结锚点：{data['anchor']}")
        lines.append(
            f"累计（建账以来）：收款 {_shown(g['collected'])}，作废 {_shown(g['voided'])}，"
            f"退费 {_shown(g['refunded'])}，入库 {_shown(g['deposited'])}，"
            f"长短款 {_shown(g['over_short'])}"
        )
    print("\n".join(lines))
    return EXIT_OK
