"""A copy of this window's database in a folder of this computer (立即备份).

Only a database file on this computer can be copied here (SQLite's online
backup: consistent while other windows keep working). A database on an office
server is backed up on the server with ``pg_dump`` (README: 办公室服务器).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from db.engine import Database, sqlite_path
from services.errors import InputError, ServiceError


def backup_database(db: Database, folder: Path, now: dt.datetime) -> Path:
    """Copy ``db`` into ``folder`` as ``counter-YYYYMMDD-HHMMSS.sqlite3``."""
    source = sqlite_path(db.url)
    if source is None:
        raise ServiceError(
            "本窗口使用的是办公室服务器上的数据库，不能在本机备份；"
            "请由管理员在服务器上用 pg_dump 备份。",
            code="backup_on_server",
        )
    if not str(folder).strip() or not folder.is_dir():
        raise InputError(f"备份文件夹不存在：{folder}", code="backup_folder_missing")
    target = folder / f"counter-{now:%Y%m%d-%H%M%S}.sqlite3"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"counter-{now:%Y%m%d-%H%M%S}-{n}.sqlite3"
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise ServiceError(f"备份没有完成：{exc}", code="backup_failed") from exc
    finally:
        src.close()
    return target
