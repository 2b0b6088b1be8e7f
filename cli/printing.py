"""``python main.py print …``: supervisors print documents again from the command line.

    print notice    --notice-no NO              --out FILE.pdf
    print receipt   --receipt-no NO  --operator USER   --out FILE.pdf   (recorded as a reprint)
    print ledger    --from DATE --to DATE       --out FILE.pdf
    print day-close --date DATE                 --out FILE.pdf
    print deposits  --from DATE --to DATE       --out FILE.pdf

Every print needs a supervisor: ``--operator USER``, with the password from
the ``YIBAO_PASSWORD`` environment variable or asked for at the terminal.
A receipt printed again is recorded in the database and marked 重打 on paper.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from common.errors import InputError
from db.engine import Database
from services.clock import Clock

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from services.policy import PolicyBook

# The documents and their renderers (reportlab) are imported when a print is
# run, so that every other command starts without them.

PASSWORD_ENV = "YIBAO_PASSWORD"
KINDS = ("notice", "receipt", "ledger", "day-close", "deposits")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "print",
        help="主管重新打印单据（缴费通知单、收据、台账、日结单、入库登记）为 PDF",
        description="主管重新打印单据为 PDF。收据重打会记录在数据库中，并在单据上标明“重打”。",
    )
    p.add_argument("kind", choices=KINDS, help="单据种类")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="输出 PDF 文件")
    p.add_argument(
        "--operator",
        required=True,
        metavar="USER",
        help="主管用户名（密码取自环境变量 YIBAO_PASSWORD 或提示输入）",
    )
    p.add_argument("--office", metavar="CODE", help="单位代码（数据库中只有一个单位时可省略）")
    p.add_argument("--notice-no", metavar="NO")
    p.add_argument("--receipt-no", metavar="NO")
    p.add_argument("--date", metavar="YYYY-MM-DD")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="以 JSON 报告结果")


def _date(value: str | None, flag: str) -> dt.date:
    if not value:
        raise InputError(f"请给出 {flag} 日期（YYYY-MM-DD）。", code="invalid_input")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{flag} 日期格式不正确：{value}（应为 YYYY-MM-DD）", code="invalid_input"
        ) from None


def _required(value: str | None, flag: str) -> str:
    if not value or not value.strip():
        raise InputError(f"请给出 {flag}。", code="invalid_input")
    return value.strip()


def _password() -> str:
    if (pw := os.environ.get(PASSWORD_ENV)) is not None:
        return pw
    if not sys.stdin.isatty():
        raise InputError(f"请在环境变量 {PASSWORD_ENV} 中给出密码。", code="password_required")
    return getpass.getpass("密码：")


def render(kind: str, data: object) -> bytes:
    from printing import day_close, deposits, ledger, notice, receipt

    renderers = {
        "notice": notice.render_notice,
        "receipt": receipt.render_receipt,
        "ledger": ledger.render_ledger,
        "day-close": day_close.render_day_close,
        "deposits": deposits.render_deposit_register,
    }
    return renderers[kind](data)  # type: ignore[operator]


def _document(
    args: argparse.Namespace,
    session: Session,
    clock: Clock,
    policies: PolicyBook,
    office_id: int,
    operator_id: int,
) -> object:
    """The data of the document ``args.kind`` names."""
    from services.documents import (
        day_close_document,
        deposit_register_document,
        ledger_document,
        notice_document,
        notice_id_by_number,
        receipt_document_for_print,
    )
    from services.receipts import find_receipt

    now = clock.now()
    if args.kind == "notice":
        notice_id = notice_id_by_number(
            session, office_id, _required(args.notice_no, "--notice-no")
        )
        return notice_document(session, policies, notice_id)
    if args.kind == "receipt":
        receipt_id = find_receipt(session, office_id, _required(args.receipt_no, "--receipt-no"))
        return receipt_document_for_print(
            session, clock, policies, receipt_id=receipt_id, operator_id=operator_id
        )
    if args.kind == "ledger":
        return ledger_document(
            session,
            office_id,
            _date(args.date_from, "--from"),
            _date(args.date_to, "--to"),
            printed_at=now,
        )
    if args.kind == "day-close":
        return day_close_document(session, office_id, _date(args.date, "--date"))
    return deposit_register_document(
        session,
        office_id,
        _date(args.date_from, "--from"),
        _date(args.date_to, "--to"),
        printed_at=now,
    )


def run(args: argparse.Namespace, db: Database, clock: Clock, policies: PolicyBook) -> int:
    from services.office import authenticate, require_supervisor
    from services.office_lookup import office_for_command

    out = Path(args.out)
    with db.write() as session:
        operator = authenticate(session, args.operator, _password())
        require_supervisor(session, operator.id)
        office_id = office_for_command(session, args.office).id
        if operator.office_id != office_id:
            raise InputError("该主管不属于这个单位。", code="wrong_office")
        data = _document(args, session, clock, policies, office_id, operator.id)
        pdf = render(args.kind, data)
        # Write the file before the print record commits: a failed write
        # rolls the reprint record back with it.
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf)
    message = f"已写入 {out}（{len(pdf):,} 字节）"
    if args.json:
        print(
            json.dumps({"kind": args.kind, "out": str(out), "bytes": len(pdf)}, ensure_ascii=False)
        )
    else:
        print(message)
    return 0
