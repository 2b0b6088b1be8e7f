"""``main.py backup``, ``main.py restore`` and ``main.py init-db``.

``backup --to DIR`` writes a verified copy of the database into DIR (SQLite:
online backup API, integrity check and ledger check; PostgreSQL: ``pg_dump``)
and prunes the folder to 30 daily and 12 monthly copies. ``restore FILE``
checks the backup, keeps the current database file aside and writes the
backup in its place. ``init-db`` is the explicit step that creates a new,
empty database and says where (a mistyped ``--db`` never does).

A refusal exits 2 with a Chinese message (``--json``: ``{"error", "message"}``).
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from common.errors import ServiceError
from db.backup import BackupResult, RestoreResult
from db.engine import Database, resolve_database_url
from db.files import check_database_file, create_database_file
from services.backups import make_backup, restore_backup
from services.clock import Clock

log = logging.getLogger(__name__)

EXIT_OK = 0


def add_parsers(subparsers: Any) -> None:
    """Register ``backup``, ``restore`` and ``init-db``."""
    backup = subparsers.add_parser(
        "backup",
        help="备份数据库到指定文件夹（校验后保存，保留 30 日 + 12 月）",
        description="用 SQLite 在线备份接口（PostgreSQL：pg_dump）生成一致的备份，"
        "校验完整性与台账后保存到 --to 文件夹，并按“最近 30 天每天一份、最近 12 个月每月一份”清理旧备份。",
    )
    backup.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址")
    backup.add_argument("--to", metavar="DIR", required=True, help="备份文件夹（如U盘）")
    backup.add_argument("--keep-all", action="store_true", help="不清理旧备份")
    backup.add_argument("--json", action="store_true", help="输出 JSON")
    backup.set_defaults(command="backup")

    restore = subparsers.add_parser(
        "restore",
        help="从备份恢复数据库（先校验备份，原数据库另存）",
        description="校验备份文件（完整性与台账哈希链）后恢复到 --db 指定的数据库；"
        "原数据库文件先另存为 <文件名>.before-restore-<时间>。恢复前请关闭所有窗口。",
    )
    restore.add_argument("file", metavar="FILE", help="备份文件")
    restore.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址")
    restore.add_argument("--json", action="store_true", help="输出 JSON")
    restore.set_defaults(command="restore")

    init = subparsers.add_parser(
        "init-db",
        help="新建一个空的数据库（首次使用）",
        description="在 --db 指定的位置（默认：用户数据目录）新建空数据库并建表；已存在时拒绝。",
    )
    init.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="数据库地址")
    init.add_argument("--json", action="store_true", help="输出 JSON")
    init.set_defaults(command="init-db")


def run(args: argparse.Namespace, clock: Clock) -> int:
    url = resolve_database_url(getattr(args, "db", None))
    if args.command == "backup":
        check_database_file(url)
        try:
            result = make_backup(
                url, Path(args.to), clock.now(), prune=not getattr(args, "keep_all", False)
            )
        except ServiceError as exc:
            _journal(url, clock, "backup_failed", str(args.to), {"error": exc.message})
            raise
        _journal(url, clock, "backup", str(result.path), {"bytes": result.size, "by": "cli"})
        _say_backup(result, bool(getattr(args, "json", False)))
        return EXIT_OK
    if args.command == "restore":
        restored = restore_backup(Path(args.file), url, clock.now())
        # written in the restored database, which now holds the journal
        _journal(
            url,
            clock,
            "restore",
            restored.restored_from.name,
            {
                "from": str(restored.restored_from),
                "kept_aside": str(restored.kept_aside) if restored.kept_aside else None,
            },
        )
        _say_restore(restored, bool(getattr(args, "json", False)))
        return EXIT_OK
    return _init(url, bool(getattr(args, "json", False)))


def _journal(url: str, clock: Clock, action: str, subject: str, details: dict[str, Any]) -> None:
    """Journal a backup or restore in the database itself, when it
    is of this program's version; a journal that cannot be written is logged,
    never turned into a failed backup."""
    from db.migrate import HEAD_REVISION, current_revision
    from services.audit import journal_in

    db = Database(url)
    try:
        if current_revision(db) != HEAD_REVISION:
            log.warning("audit journal not written (%s): database not at %s", action, HEAD_REVISION)
            return
        journal_in(db, clock, action=action, subject=subject, details=details)
    except Exception:  # noqa: BLE001 - the backup/restore itself has succeeded or failed already
        log.exception("could not journal %s", action)
    finally:
        db.dispose()


def _init(url: str, as_json: bool) -> int:
    from db.migrate import upgrade_database

    path = create_database_file(url)
    db = Database(url)
    try:
        revision = upgrade_database(db)
    finally:
        db.dispose()
    where = str(path) if path is not None else url
    if as_json:
        print(json.dumps({"created": where, "revision": revision}, ensure_ascii=False))
    else:
        print(f"已新建数据库：{where}（版本 {revision}）。首次打开窗口时设置经办单位和主管。")
    return EXIT_OK


def _say_backup(result: BackupResult, as_json: bool) -> None:
    check = result.check
    if as_json:
        print(
            json.dumps(
                {
                    "backup": str(result.path),
                    "bytes": result.size,
                    "integrity": check.integrity if check else None,
                    "ledger_rows": check.ledger_rows if check else None,
                    "pruned": [str(p) for p in result.pruned],
                },
                ensure_ascii=False,
            )
        )
        return
    print(f"备份已保存：{result.path}（{result.size} 字节）")
    if check is not None:
        print(f"校验通过：完整性 {check.integrity}，台账 {check.ledger_rows} 行哈希链完好。")
    else:
        print("校验通过：pg_restore 可读取该备份。")
    if result.pruned:
        print(f"按保留规则删除了 {len(result.pruned)} 份旧备份。")


def _say_restore(result: RestoreResult, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "restored_from": str(result.restored_from),
                    "database": str(result.database),
                    "kept_aside": str(result.kept_aside) if result.kept_aside else None,
                    "ledger_rows": result.check.ledger_rows,
                },
                ensure_ascii=False,
            )
        )
        return
    print(f"已从 {result.restored_from} 恢复到 {result.database}。")
    if result.kept_aside is not None:
        print(f"原数据库已另存为：{result.kept_aside}")
    print(f"恢复后校验通过：台账 {result.check.ledger_rows} 行哈希链完好。")
