"""``main.py quote``: what a resident pays and from when they are covered.

Prints one JSON object with ``--json`` (ensure_ascii=False), otherwise a short
Chinese text for the clerk. Every refusal — a bad date or number, an unknown
policy, a rule of ``services.quote`` — exits with 2; with ``--json`` it prints
``{"error": CODE, "message": "中文说明"}`` to stdout, otherwise ``错误：…`` to
stderr (as ``main.py`` does for its own refusals).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from typing import Any

from common.errors import InputError, ServiceError
from common.money import format_fen
from services.policy import PolicyBook
from services.quote import PersonFacts, Quote, quote

EXIT_OK = 0
EXIT_REFUSED = 2

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT_RE = re.compile(r"\d{1,3}")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``quote`` subcommand on an ``add_subparsers()`` object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "quote",
        help="计算应缴金额和待遇享受期（不写数据库）",
        description="按政策文件计算个人缴费标准、资助、应缴金额和待遇享受期。",
    )
    # Dates and numbers are read as text and checked in run(), so that a bad
    # value is a refusal with a Chinese message (exit 2), not an argparse usage error.
    parser.add_argument("--policy", metavar="KEY", help="政策，例如 tianjin-2024（必填）")
    parser.add_argument("--category", metavar="KEY", help="参保类别，例如 adult、student（必填）")
    parser.add_argument("--tier", metavar="KEY", help="缴费档次，例如 high、low、tier1")
    parser.add_argument("--paid-on", metavar="YYYY-MM-DD", help="缴费日期（必填）")
    parser.add_argument(
        "--birth-date",
        metavar="YYYY-MM-DD",
        help="出生日期（新生儿、资助对象、放弃资助、不经学校参保的学生必填；填写后检查类别与年龄是否相符）",
    )
    parser.add_argument("--continuous-years", metavar="N", help="已连续参保年数（不含补缴）")
    parser.add_argument("--gap-months", metavar="N", help="本次中断缴费的月数")
    parser.add_argument("--gap-years", metavar="N", help="断保年数")
    parser.add_argument("--repaired-years", metavar="N", help="已修复（补缴）的断保年数")
    parser.add_argument("--via-school", action="store_true", help="通过学校、托育机构参保")
    parser.add_argument(
        "--job-change", action="store_true", help="终止劳动合同、失业金期满或职工/居民医保切换"
    )
    parser.add_argument(
        "--hardship-certified",
        action="store_true",
        help="天津2025年起：本市新认定的困难人员（重庆的困难群体请直接选择参保类别）",
    )
    parser.add_argument(
        "--freshman",
        action="store_true",
        help="重庆：高校新生入学时参加下一年度居民医保（可自上一年9月1日起缴费）",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    return parser


def run(args: argparse.Namespace, policy_book: PolicyBook) -> int:
    as_json = bool(getattr(args, "json", False))
    try:
        policy = policy_book.get(_required(args, "policy", "--policy"))
        facts = PersonFacts(
            birth_date=_date(args.birth_date, "--birth-date") if args.birth_date else None,
            continuous_years=_count(args.continuous_years, "--continuous-years"),
            gap_months=_count(args.gap_months, "--gap-months"),
            gap_years=_count(args.gap_years, "--gap-years"),
            repaired_years=_count(args.repaired_years, "--repaired-years"),
            via_school=bool(args.via_school),
            job_change=bool(args.job_change),
            hardship_certified=bool(args.hardship_certified),
            freshman=bool(args.freshman),
        )
        result = quote(
            policy,
            _required(args, "category", "--category"),
            args.tier or None,
            _date(_required(args, "paid_on", "--paid-on"), "--paid-on"),
            facts,
        )
    except ServiceError as exc:
        if as_json:
            print(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False))
        else:
            print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_REFUSED
    if as_json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        print(format_quote(result))
    return EXIT_OK


def _required(args: argparse.Namespace, name: str, flag: str) -> str:
    value = getattr(args, name, None)
    if not value:
        raise InputError(f"缺少参数 {flag}")
    return str(value)


def _date(text: str, flag: str) -> dt.date:
    if _DATE_RE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError(f"{flag} 的日期 {text!r} 不正确，应为 YYYY-MM-DD")


def _count(text: str | None, flag: str) -> int:
    if text is None:
        return 0
    if not _COUNT_RE.fullmatch(text):
        raise InputError(f"{flag} 须为非负整数，收到 {text!r}")
    return int(text)


def format_quote(result: Quote) -> str:
    """The quote as a few Chinese lines for the clerk."""
    lines = [
        f"政策：{result.policy_name}（{result.policy}）",
        f"参保类别：{result.category_label}（{result.category}）",
        f"缴费档次：{result.tier_label}    待遇档次：{result.benefit_tier_label}",
        f"个人缴费标准：{format_fen(result.standard_fen)} 元",
        f"资助：{format_fen(result.subsidy_fen)} 元"
        + ("（参保人自愿放弃资助）" if result.subsidy_given_up else ""),
    ]
    if result.fiscal_surcharge_fen:
        lines.append(f"另缴财政补助：{format_fen(result.fiscal_surcharge_fen)} 元")
    lines.append(f"应缴金额：{format_fen(result.personal_due_fen)} 元")
    if result.covered:
        lines.append(f"待遇享受期：{result.benefit_start} 至 {result.benefit_end}")
    else:
        lines.append(f"待遇享受期：本年度无（按规定应自 {result.entitled_from} 起）")
    lines.append(f"说明：{result.notice}")
    lines.append("依据：")
    lines.extend(f"  - {rule}" for rule in result.rules)
    if result.benefits:
        lines.append(f"待遇标准（{result.benefit_tier_label}）：")
        lines.extend(f"  - {line}" for line in result.benefits)
    return "\n".join(lines)
