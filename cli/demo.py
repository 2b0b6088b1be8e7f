"""``main.py demo-data``: build a realistic demo office through the real services.

``python main.py demo-data --db URL --residents N --days D`` creates the
street office, its villages, a clerk and a supervisor (their user names and
passwords are printed), N residents enrolled in every category and D working
days of payments, voids, refunds, deposits and closes. See
:mod:`tools.demo`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from common import glossary
from db.engine import Database

EXIT_OK = 0
EXIT_UNAVAILABLE = 3  # the demo tooling is not in this installation


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``demo-data`` on an ``add_subparsers()`` object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo-data",
        help="生成演示单位（居民、参保、缴费、入库、日结）",
        description="通过正式业务流程生成一个演示街道：村（社区）、经办人与主管、居民及各类参保、"
        "若干营业日的现金与非现金缴费、作废、退费、入库和日结。",
    )
    parser.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址（SQLAlchemy URL）"
    )
    parser.add_argument("--residents", type=int, default=2_000, metavar="N", help="居民人数")
    parser.add_argument("--days", type=int, default=20, metavar="D", help="营业日数（跳过周末）")
    parser.add_argument(
        "--seed", type=int, default=20231010, help="随机种子（相同种子生成相同数据）"
    )
    parser.add_argument("--quiet", action="store_true", help="不显示进度")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    parser.set_defaults(command="demo-data")
    return parser


def run(args: argparse.Namespace, db: Database) -> int:
    # Imported here: the demo pulls in the register (pypinyin), which other
    # commands need not pay for at start-up. The demo is tooling (tools/), in a
    # checkout of the source only, not in the installed program.
    try:
        from tools.demo import DEMO_OPERATORS, build_demo_office
    except ModuleNotFoundError as exc:
        if exc.name not in ("tools", "tools.demo"):
            raise
        print(
            "演示数据工具只在源代码目录中提供（tools/demo.py），安装版程序不含此工具。",
            file=sys.stderr,
        )
        return EXIT_UNAVAILABLE

    quiet = bool(getattr(args, "quiet", False)) or bool(getattr(args, "json", False))

    def progress(done: int, total: int, message: str) -> None:
        if not quiet and (done == total or done % 5 == 0 or total <= 20):
            print(f"[{done}/{total}] {message}", file=sys.stderr, flush=True)

    result = build_demo_office(
        db,
        residents=args.residents,
        days=args.days,
        seed=getattr(args, "seed", 20231010),
        progress=progress,
    )
    data = asdict(result)
    data["first_day"] = str(result.first_day)
    data["last_day"] = str(result.last_day)
    data["seconds"] = round(result.seconds, 1)
    data["operators"] = [
        {"username": u, "password": p, "name": n, "role": r} for u, p, n, r in DEMO_OPERATORS
    ]
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False))
        return EXIT_OK
    categories = "，".join(f"{k} {v}" for k, v in sorted(result.enrollments.items()))
    print(
        f"演示单位 {result.office_code} 已生成（{result.first_day} 至 {result.last_day}，"
        f"{result.days} 个营业日，用时 {result.seconds:.1f} 秒）\n"
        f"居民 {result.residents} 人；参保：{categories}\n"
        f"缴费 {result.payments} 笔（现金 {result.cash_payments}），作废 {result.voids}，"
        f"退费 {result.refunds}，入库 {result.deposits}，日结 {result.closes}，"
        f"主管放行 {result.overrides}"
    )
    if result.refused:
        print("未能登记：" + "，".join(f"{k} {v}" for k, v in result.refused.items()))
    print("登录账号：")
    for username, password, name, role in DEMO_OPERATORS:
        print(f"  {username} / {password}（{name}，{glossary.role_label(role)}）")
    return EXIT_OK
