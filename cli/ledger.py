"""``main.py verify-ledger``: check the hash chain of the cash ledger.

Exit 0 and print how many lines were checked when every office's chain is
intact; exit 1 and name the first bad line (office, sequence number, row id
and what is wrong) when a line was changed, removed or added behind the
program's back — e.g. in a copy of the database whose append-only triggers
were dropped. With ``--json`` the same is printed as one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from db.engine import Database
from services.ledger import verify_ledger

EXIT_OK = 0
EXIT_TAMPERED = 1


def add_verify_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``verify-ledger`` on an ``add_subparsers()`` object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify-ledger",
        help="校验现金台账的哈希链（发现被改动、删除或插入的记录）",
        description="逐行校验各单位现金台账的哈希链；完好时退出码为 0，否则指出第一处问题并以 1 退出。",
    )
    # Also accepted after the command (main.py verify-ledger --db URL); SUPPRESS
    # keeps a --db given before the command from being overwritten by None.
    parser.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址（SQLAlchemy URL）"
    )
    parser.add_argument("--office", metavar="ID", type=int, help="只校验该单位（编号）的台账")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.set_defaults(command="verify-ledger")
    return parser


def run_verify(args: argparse.Namespace, db: Database) -> int:
    office_id = getattr(args, "office", None)
    with db.read() as session:
        result = verify_ledger(session, office_id)
    if getattr(args, "json", False):
        bad: dict[str, Any] | None = None
        if result.first_bad is not None:
            bad = dataclasses.asdict(result.first_bad) | {"message": result.first_bad.describe()}
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "rows_checked": result.rows_checked,
                    "offices_checked": result.offices_checked,
                    "first_bad": bad,
                },
                ensure_ascii=False,
            )
        )
    elif result.first_bad is None:
        print(f"台账校验通过：共检查 {result.rows_checked} 行（{result.offices_checked} 个单位）。")
    else:
        print(
            f"台账校验失败：{result.first_bad.describe()}（此前已通过 {result.rows_checked} 行）。"
        )
    return EXIT_OK if result.ok else EXIT_TAMPERED
