"""城乡居民医保柜台 — entry point.

``python main.py`` opens the window; ``python main.py COMMAND …`` runs a command
for scripting and checking (``--help`` lists them). Every command takes
``--db URL`` (or the ``YIBAO_DB_URL`` environment variable) and
``--policy-dir DIR`` (or ``YIBAO_POLICY_DIR``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger("yibao")

EXIT_REFUSED = 2


def build_parser() -> argparse.ArgumentParser:
    from cli import data_exchange, day_status, demo, ledger, printing, quote

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="城乡居民医保柜台：参保登记、缴费收款、现金台账、入库与日结。不带命令时打开窗口。",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="数据库地址（SQLAlchemy URL）；默认为用户数据目录下的 SQLite 文件",
    )
    parser.add_argument(
        "--policy-dir",
        metavar="DIR",
        action="append",
        default=[],
        help="额外的政策文件目录（可多次给出），补充内置政策",
    )
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    quote.add_parser(sub)
    ledger.add_verify_parser(sub)
    day_status.add_parser(sub)
    demo.add_parser(sub)
    printing.add_parser(sub)
    data_exchange.add_parsers(sub)
    gui = sub.add_parser("gui", help="打开窗口（与不带命令相同）")
    gui.set_defaults(command="gui")
    return parser


def open_database(url_arg: str | None):  # type: ignore[no-untyped-def]
    """Open and migrate the database; refusals become a Chinese message."""
    from db.engine import Database, resolve_database_url
    from db.migrate import upgrade_database

    db = Database(resolve_database_url(url_arg))
    upgrade_database(db)
    return db


def load_policy_book(dirs: Sequence[str]):  # type: ignore[no-untyped-def]
    from services.policy import load_policies, policy_dirs_from_env

    return load_policies([*policy_dirs_from_env(), *(Path(d) for d in dirs)])


def _refuse(code: str, message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": code, "message": message}, ensure_ascii=False))
    else:
        print(f"错误：{message}", file=sys.stderr)
    return EXIT_REFUSED


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    command = args.command or "gui"
    if command == "gui":
        from ui.app import run_app

        return run_app(args)

    from services.clock import SystemClock
    from services.errors import ServiceError

    as_json = bool(getattr(args, "json", False))
    try:
        if command == "quote":
            from cli import quote

            return quote.run(args, load_policy_book(args.policy_dir))
        db = open_database(args.db)
        try:
            if command == "verify-ledger":
                from cli import ledger

                return ledger.run_verify(args, db)
            if command == "day-status":
                from cli import day_status

                return day_status.run(args, db, SystemClock())
            if command == "demo-data":
                from cli import demo

                return demo.run(args, db)
            if command in ("import-roster", "export"):
                from cli import data_exchange

                run = (
                    data_exchange.run_import
                    if command == "import-roster"
                    else data_exchange.run_export
                )
                return run(args, db, SystemClock(), load_policy_book(args.policy_dir))
            if command == "print":
                from cli import printing

                return printing.run(args, db, SystemClock(), load_policy_book(args.policy_dir))
        finally:
            db.dispose()
    except ServiceError as exc:
        return _refuse(exc.code, exc.message, as_json)
    parser.error(f"unknown command {command}")
    return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
