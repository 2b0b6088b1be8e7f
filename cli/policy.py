"""``main.py policy list|check FILE|preview KEY``: the policies and their state.

* ``list`` — built-in policies, ``--policy-dir`` folders and the office's own
  files, with where each comes from, its state today and who saved and
  confirmed it;
* ``check FILE`` — validates a policy file as the editor does before importing
  it: exit 0, or 2 with the field named in Chinese;
* ``preview KEY`` — the quote of every category and tier on the first and last
  day of the collection period and a late day, beside the previous year's.

Each takes ``--json``. No command writes anything.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from db.engine import Database
from services.clock import Clock
from services.policy import PolicyBook
from services.policy_editor import (
    check_file,
    previous_policy,
)
from services.policy_listing import list_policies
from services.policy_preview import (
    DAY_KINDS,
    preview,
)

EXIT_OK = 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "policy",
        help="政策文件：列出、检查、预览（不写数据库）",
        description="列出内置政策和本单位政策文件，检查一个政策文件，预览一个政策的报价。",
    )
    sub = parser.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="列出全部政策及其状态")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    check = sub.add_parser("check", help="检查政策文件（通过退出码 0，否则 2）")
    check.add_argument("file", metavar="FILE", help="政策文件（.toml）")
    check.add_argument("--json", action="store_true", help="输出 JSON")
    show = sub.add_parser(
        "preview", help="各类别、档次在缴费期首末日和补缴日的报价，与上一年度对照"
    )
    show.add_argument("key", metavar="KEY", help="政策代码，例如 tianjin-2026")
    show.add_argument("--json", action="store_true", help="输出 JSON")
    return parser


def run(
    args: argparse.Namespace,
    book: PolicyBook,
    clock: Clock,
    *,
    db: Database | None = None,
    office_dir: Path | None = None,
) -> int:
    """Raises ``ServiceError`` on refusals (``main.py`` turns them into exit 2)."""
    as_json = bool(getattr(args, "json", False))
    action = args.policy_command
    if action == "list":
        today = clock.now().date()
        if db is not None:
            with db.read() as session:
                rows = list_policies(session, book, today, office_dir=office_dir)
        else:
            rows = list_policies(None, book, today, office_dir=office_dir)
        if as_json:
            print(json.dumps([r.to_json_dict() for r in rows], ensure_ascii=False))
        else:
            for r in rows:
                flags = "【执行中】" if r.in_use else ""
                who = f"　保存：{r.saved_by}" if r.saved_by else ""
                who += f"　确认：{r.confirmed_by}" if r.confirmed_by else ""
                print(f"{r.key}　{r.name}　{r.origin_label}　{r.state_label}{flags}{who}")
        return EXIT_OK
    if action == "check":
        policy = check_file(Path(args.file), book)
        if as_json:
            print(
                json.dumps({"ok": True, "key": policy.key, "name": policy.name}, ensure_ascii=False)
            )
        else:
            print(f"检查通过：{policy.key}　{policy.name}")
        return EXIT_OK
    policy = book.get(args.key)
    result = preview(policy, previous_policy(policy, book))
    if as_json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False))
        return EXIT_OK
    print(f"{result.policy_name}（{result.policy}）对照 {result.previous_name or '（无上一年度）'}")
    for figure in result.figures:
        print(
            f"{figure.label}　{figure.value}　依据 {figure.source}"
            f"　上年 {figure.previous or '—'}（{figure.previous_source or '—'}）"
        )
    for row in result.rows:
        old = row.old.due_text if row.old is not None else "—"
        note = row.new.message or ""
        print(
            f"{row.category_label}　{row.tier_label}　{DAY_KINDS[row.day]}"
            f"　{row.new.paid_on or '—'}　应缴 {row.new.due_text}　上年 {old}　{note}"
        )
    return EXIT_OK
