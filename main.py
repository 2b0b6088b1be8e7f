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
import os
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger("yibao")

EXIT_REFUSED = 2


def _add_common_options(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "--training",
        action="store_true",
        help="培训模式：使用单独的练习数据库（…-training.sqlite3），每页显示“培训模式”，单据印“培训”",
    )


def build_parser() -> argparse.ArgumentParser:
    from cli import backup, data_exchange, day_status, demo, ledger, policy, printing, quote

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="城乡居民医保柜台：参保登记、缴费收款、现金台账、入库与日结。不带命令时打开窗口。",
    )
    _add_common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    quote.add_parser(sub)
    ledger.add_verify_parser(sub)
    day_status.add_parser(sub)
    demo.add_parser(sub)
    printing.add_parser(sub)
    policy.add_parser(sub)
    backup.add_parsers(sub)
    data_exchange.add_parsers(sub)
    gui = sub.add_parser("gui", help="打开窗口（与不带命令相同）")
    gui.set_defaults(command="gui")
    return parser


def open_database(url_arg: str | None, *, create: bool = False):  # type: ignore[no-untyped-def]
    """Open and migrate the database; refusals become a Chinese message.

    A SQLite file that is missing is refused (a mistyped path must not become
    a new office) unless ``create`` says this command makes one on purpose.
    """
    from db.engine import Database, resolve_database_url
    from db.files import DatabaseMissing, check_database_file, create_database_file
    from db.migrate import upgrade_database

    url = resolve_database_url(url_arg)
    try:
        check_database_file(url)
    except DatabaseMissing:
        if not create:
            raise
        path = create_database_file(url)
        print(f"已新建数据库：{path}", file=sys.stderr)
    db = Database(url)
    try:
        upgrade_database(db)
    except BaseException:
        db.dispose()
        raise
    return db


def load_policy_book(dirs: Sequence[str], db_url: str | None = None):  # type: ignore[no-untyped-def]
    """Built-in policies, ``--policy-dir`` folders and the office's own policy files."""
    from db.engine import resolve_database_url
    from services.policy import policy_dirs_from_env
    from services.policy_store import load_office_book, office_policy_dir

    return load_office_book(
        [*policy_dirs_from_env(), *(Path(d) for d in dirs)],
        office_policy_dir(resolve_database_url(db_url)),
    )


def _refuse(code: str, message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"error": code, "message": message}, ensure_ascii=False))
    else:
        print(f"错误：{message}", file=sys.stderr)
    return EXIT_REFUSED


def _database_failure(exc: BaseException, url: str | None) -> tuple[str, str] | None:
    """``(code, Chinese message)`` for a database or file-system failure of a
    command, else None (a program error)."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    from db.engine import resolve_database_url, sqlite_path
    from db.errors import describe_database_error, describe_os_error

    if isinstance(exc, OSError):
        return describe_os_error(exc)
    if isinstance(exc, (SQLAlchemyError, sqlite3.Error)):
        described = describe_database_error(exc, sqlite_path(resolve_database_url(url)))
        if described is not None:
            return described
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        return "db_error", f"数据库出错，命令没有完成：{detail}"
    return None


def window_arguments(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options when the window is wanted (no command, or ``gui``), else None.

    Parsed without the commands' modules: they import the database layer,
    which the window loads only once the login is on screen.
    """
    parser = argparse.ArgumentParser(prog="main.py", add_help=False)
    _add_common_options(parser)
    args, rest = parser.parse_known_args(argv)
    if rest not in ([], ["gui"]):
        return None
    args.command = "gui"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    from db.paths import data_folder
    from services.logs import log_hint, setup_logging

    window_args = window_arguments(sys.argv[1:] if argv is None else argv)
    if window_args is not None:
        setup_logging(data_folder(), getattr(logging, window_args.log_level))
        from ui.startup import run_app

        return run_app(window_args)
    parser = build_parser()
    args = parser.parse_args(argv)

    setup_logging(data_folder(), getattr(logging, args.log_level))
    command = args.command or "gui"

    from common.errors import ServiceError

    as_json = bool(getattr(args, "json", False))
    try:
        return _run_command(parser, args, command)
    except ServiceError as exc:
        return _refuse(exc.code, exc.message, as_json)
    except BrokenPipeError:
        # Whoever read our output went away (``… | head``): nothing left to tell.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_REFUSED
    except Exception as exc:  # noqa: BLE001 - a command never ends in a traceback
        failure = _database_failure(exc, getattr(args, "db", None))
        if failure is None:
            log.exception("command %s failed", command)
            failure = (
                "internal_error",
                f"程序出现内部错误，命令没有完成。{log_hint()}",
            )
        else:
            log.info("command %s: %s (%s)", command, failure[0], exc)
        return _refuse(failure[0], failure[1], as_json)


def _run_command(parser: argparse.ArgumentParser, args: argparse.Namespace, command: str) -> int:
    from services.clock import SystemClock

    if command == "quote":
        from cli import quote

        return quote.run(args, load_policy_book(args.policy_dir, args.db))
    if command in ("backup", "restore", "init-db"):
        from cli import backup

        return backup.run(args, SystemClock())
    db = open_database(args.db, create=command == "demo-data")
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
        if command == "print":
            from cli import printing

            return printing.run(args, db, SystemClock(), load_policy_book(args.policy_dir, args.db))
        if command in ("import-roster", "export"):
            from cli import data_exchange

            run = (
                data_exchange.run_import if command == "import-roster" else data_exchange.run_export
            )
            return run(args, db, SystemClock(), load_policy_book(args.policy_dir, args.db))
        if command == "policy":
            from cli import policy
            from db.engine import resolve_database_url
            from services.policy_store import office_policy_dir

            return policy.run(
                args,
                load_policy_book(args.policy_dir, args.db),
                SystemClock(),
                db=db,
                office_dir=office_policy_dir(resolve_database_url(args.db)),
            )
    finally:
        db.dispose()
    parser.error(f"unknown command {command}")
    return EXIT_REFUSED


if __name__ == "__main__":
    from db.files import data_folder as _data_folder
    from services.logs import install_fault_handlers

    install_fault_handlers(_data_folder())
    sys.exit(main())
