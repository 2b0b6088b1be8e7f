"""``main.py import-roster`` and ``main.py export``: lists in, workbooks out.

``import-roster FILE [--kind last-year|registered|paid-elsewhere] [--dry-run] --json``
prints ``{"created": n, "updated": n, "unchanged": n, "rejected": [{"row": r,
"reason": "…"}]}``. Headers must be ones the program knows (the window asks
about unknown headers; here they are named in the refusal).

``export {ledger,payments,unpaid,progress} [--from DATE --to DATE]
[--village NAME] --out FILE.xlsx`` writes the workbook and prints what it
holds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from common.errors import InputError
from db.engine import Database
from services.clock import Clock
from services.policy import PolicyBook

EXIT_OK = 0
KINDS = {"last-year": "last_year", "registered": "registered", "paid-elsewhere": "paid_elsewhere"}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址（SQLAlchemy URL）"
    )
    parser.add_argument("--office", metavar="CODE", help="单位代码（只有一个单位时可省略）")
    parser.add_argument("--year", type=int, metavar="YYYY", help="参保年度（默认为本单位政策年度）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")


def add_parsers(subparsers: Any) -> None:
    """Register ``import-roster`` and ``export`` on an ``add_subparsers()`` object."""
    imp: argparse.ArgumentParser = subparsers.add_parser(
        "import-roster",
        help="导入名单（上年参保、平台已登记、已通过其他渠道缴费）",
        description="导入 .xlsx 或 .csv 名单：按表头识别列，逐行校验身份证号、姓名、村（社区），"
        "新建或更新居民并记下名单；同一文件再次导入不会重复创建。",
    )
    imp.add_argument("file", metavar="FILE", help=".xlsx 或 .csv 文件")
    imp.add_argument("--kind", choices=sorted(KINDS), default="registered", help="名单类型")
    imp.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    _common(imp)
    imp.set_defaults(command="import-roster")

    exp: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="导出 Excel：台账、缴费清册、未缴费名单、参保进度",
        description="导出 Excel 工作簿（.xlsx）：ledger 台账、payments 缴费清册、"
        "unpaid 未缴费名单、progress 参保进度周报。",
    )
    exp.add_argument("what", choices=["ledger", "payments", "unpaid", "progress"])
    exp.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="开始日期")
    exp.add_argument(
        "--to", dest="date_to", metavar="YYYY-MM-DD", help="结束日期（进度周报：周末日期）"
    )
    exp.add_argument("--village", metavar="NAME", help="只导出一个村（社区）")
    exp.add_argument(
        "--deposit", metavar="SLIP_NO", help="缴费清册：随这笔入库（入库单号）的现金缴费"
    )
    exp.add_argument("--out", metavar="FILE.xlsx", required=True, help="输出文件")
    _common(exp)
    exp.set_defaults(command="export")


def _date(text: str | None, label: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{label}格式应为 YYYY-MM-DD：{text}", code="bad_date") from None


def _policy_year(office_key: str, policies: PolicyBook, given: int | None) -> int:
    if given is not None:
        return given
    return policies.get(office_key).year


def run_import(args: argparse.Namespace, db: Database, clock: Clock, policies: PolicyBook) -> int:
    from services.office_lookup import office_for_command
    from services.roster_file import (
        FIELD_LABELS,
        guess_mapping,
        missing_fields,
        read_roster,
        unknown_headers,
    )
    from services.roster_import import import_roster

    table = read_roster(Path(args.file))
    mapping = guess_mapping(table.headers)
    if missing := missing_fields(mapping):
        names = "、".join(FIELD_LABELS[f] for f in missing)
        found = "、".join(h for h in table.headers if h) or "（无）"
        raise InputError(
            f"第 {table.header_row} 行的表头中找不到：{names}。文件的表头为：{found}。"
            "请改成常用表头名称，或在窗口中导入并指定对应关系。",
            code="roster_columns",
        )
    kind = KINDS[args.kind]
    with db.write() as session:
        office = office_for_command(session, getattr(args, "office", None))
        year = _policy_year(office.policy_key, policies, getattr(args, "year", None))
        result = import_roster(
            session,
            clock,
            office_id=office.id,
            table=table,
            mapping=mapping,
            kind=kind,
            policy_year=year,
            dry_run=bool(args.dry_run),
        )
        if args.dry_run:
            session.rollback()
    if getattr(args, "json", False):
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return EXIT_OK
    ignored = unknown_headers(table.headers, mapping)
    lines = [
        ("（试运行，未写入）" if args.dry_run else "")
        + f"{table.file_name}：新建 {result.created}，更新 {result.updated}，"
        f"未变 {result.unchanged}，有误 {len(result.rejected)}",
    ]
    if ignored:
        lines.append("未使用的列：" + "、".join(ignored))
    lines += [f"第 {r.row} 行：{r.reason}" for r in result.rejected]
    print("\n".join(lines))
    return EXIT_OK


def run_export(args: argparse.Namespace, db: Database, clock: Clock, policies: PolicyBook) -> int:
    from services import export_rosters, exports
    from services.export_workbook import village_id_by_name
    from services.office_lookup import office_for_command
    from services.progress import weekly_return

    date_from = _date(args.date_from, "开始日期")
    date_to = _date(args.date_to, "结束日期")
    if date_from and date_to and date_to < date_from:
        raise InputError("结束日期早于开始日期。", code="bad_date_range")
    out = Path(args.out)
    with db.read() as session:
        office = office_for_command(session, getattr(args, "office", None))
        export_office_id = office.id
        village_id = village_id_by_name(session, office.id, args.village) if args.village else None
        if args.what == "ledger":
            summary = exports.export_ledger(
                session, office.id, out, date_from=date_from, date_to=date_to, village_id=village_id
            )
        elif args.what == "payments" and getattr(args, "deposit", None):
            summary = exports.export_deposit_payments(session, office.id, out, slip_no=args.deposit)
        elif args.what == "payments":
            summary = exports.export_payments(
                session, office.id, out, date_from=date_from, date_to=date_to, village_id=village_id
            )
        else:
            year = _policy_year(office.policy_key, policies, getattr(args, "year", None))
            if args.what == "unpaid":
                summary = export_rosters.export_unpaid(
                    session, office.id, out, policy_year=year, village_id=village_id
                )
            else:
                if village_id is not None:
                    raise InputError("参保进度按全部村（社区）导出，不能指定 --village。")
                report = weekly_return(session, office.id, year, date_to or clock.now().date())
                summary = export_rosters.export_progress(report, out)
    from services.audit import journal_in

    # every export goes to the audit journal
    journal_in(
        db,
        clock,
        action="export",
        office_id=export_office_id,
        subject=str(args.what),
        details={"file": str(summary.path), "sheet": summary.sheet, "rows": summary.rows},
    )
    data = {
        "file": str(summary.path),
        "sheet": summary.sheet,
        "rows": summary.rows,
        "totals_fen": summary.totals_fen,
    }
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(f"已导出 {summary.sheet} {summary.rows} 行：{summary.path}")
    return EXIT_OK
