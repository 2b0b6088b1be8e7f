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
from pathlib import Path
from typing import Any

from common.errors import InputError
from db.engine import Database
from services.anchors import parse_anchor
from services.ledger import _office_ids
from services.verification import verify_everything
from services.verification_model import VerifyRequest

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
    parser.add_argument(
        "--anchor",
        metavar="CODE",
        action="append",
        default=[],
        help="日结单上打印的锚点（可多次给出），如 20231108-1-57-203-K7QF-3MZP-X2AB-9RTD",
    )
    parser.add_argument(
        "--anchor-file", metavar="FILE", help="锚点文件：每行一个锚点（# 开头的行忽略）"
    )
    parser.add_argument(
        "--receipt-code",
        metavar="NO=CODE",
        action="append",
        default=[],
        help="收据号与其上打印的校验码（可多次给出），如 LT2024-000012=AB12-CD34",
    )
    parser.add_argument(
        "--deposit-code",
        metavar="SLIP=CODE",
        action="append",
        default=[],
        help="入库凭证号与入库登记簿上打印的校验码（可多次给出）",
    )
    parser.add_argument(
        "--voucher-code",
        metavar="NO=CODE",
        action="append",
        default=[],
        help="缴费凭证（非现金缴费）编号与其上打印的校验码（可多次给出），如 PZ-000058=AB12-CD34",
    )
    parser.add_argument(
        "--refund-code",
        metavar="NO=CODE",
        action="append",
        default=[],
        help="退费单编号与其上打印的校验码（可多次给出），如 TF-000012=AB12-CD34",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.set_defaults(command="verify-ledger")
    return parser


def _request(args: argparse.Namespace) -> VerifyRequest:
    """The typed anchors and codes, read before the database is touched."""
    anchors = [a for a in getattr(args, "anchor", []) or []]
    path = getattr(args, "anchor_file", None)
    if path:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"读不了锚点文件 {path}：{exc.strerror}", code="anchor_file") from None
        anchors += [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    for text in anchors:
        parse_anchor(text)  # refuses a malformed anchor before anything runs
    return VerifyRequest(
        office_id=getattr(args, "office", None),
        anchors=tuple(anchors),
        receipt_codes=_pairs(getattr(args, "receipt_code", []), "收据校验码应写成 收据号=校验码"),
        deposit_codes=_pairs(getattr(args, "deposit_code", []), "入库校验码应写成 凭证号=校验码"),
        voucher_codes=_pairs(
            getattr(args, "voucher_code", []), "缴费凭证校验码应写成 凭证编号=校验码"
        ),
        refund_codes=_pairs(
            getattr(args, "refund_code", []), "退费单校验码应写成 退费单编号=校验码"
        ),
    )


def _pairs(texts: list[str] | None, hint: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for pair in texts or []:
        no, sep, code = pair.partition("=")
        if not sep or not no.strip() or not code.strip():
            raise InputError(f"{hint}：{pair}", code="bad_check_code")
        pairs.append((no.strip(), code.strip()))
    return tuple(pairs)


def run_verify(args: argparse.Namespace, db: Database) -> int:
    request = _request(args)
    with db.read() as session:
        result = verify_everything(session, request)
    chain = result.checks[0]
    first = result.findings[0] if result.findings else None
    offices = len({f.office_id for f in result.findings} - {None})
    if getattr(args, "json", False):
        bad: dict[str, Any] | None = None
        if first is not None:
            bad = dataclasses.asdict(first)
        with db.read() as session:
            offices = len(_office_ids(session, request.office_id))
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "rows_checked": chain.checked,
                    "offices_checked": offices,
                    "first_bad": bad,
                    "checks": [
                        {
                            "name": c.name,
                            "label": c.label,
                            "ok": c.ok,
                            "skipped": c.skipped,
                            "checked": c.checked,
                            "findings": [dataclasses.asdict(f) for f in c.findings],
                        }
                        for c in result.checks
                    ],
                },
                ensure_ascii=False,
            )
        )
        return EXIT_OK if result.ok else EXIT_TAMPERED
    for c in result.checks:
        if c.skipped:
            continue
        mark = "通过" if c.ok else "不通过"
        print(f"[{mark}] {c.label}")
        for f in c.findings:
            print(f"    {f.message}")
    if result.ok:
        print(f"台账校验通过：共检查 {chain.checked} 行。")
    else:
        print(
            f"台账校验失败：{len(result.findings)} 处问题，第一处：{first.message if first else ''}"
        )
    return EXIT_OK if result.ok else EXIT_TAMPERED
