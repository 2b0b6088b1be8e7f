"""The database file on disk: found, private, writable — or an honest refusal.

A mistyped ``--db`` path must not quietly become a new, empty office, so
opening never creates a file: :func:`check_database_file` refuses a missing
one, and :func:`create_database_file` is the explicit first-run step (the
window asks, showing the path; ``main.py init-db`` on the command line).

The file holds ID numbers and phone numbers: it is created ``0600`` in a
``0700`` folder, and an existing file that others can read is tightened when
the program opens it (SQLite gives its ``-wal`` and ``-shm`` files the main
file's permissions).

A read-only file or folder is found at start-up, before the clerk types
anything, rather than at the first payment.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from common.errors import ServiceError
from db.engine import sqlite_path
from db.paths import DATA_DIR_ENV, data_folder

FILE_MODE = 0o600
FOLDER_MODE = 0o700


__all__ = [
    "DATA_DIR_ENV",
    "DatabaseMissing",
    "DatabaseReadOnly",
    "check_database_file",
    "create_database_file",
    "data_folder",
    "make_private_folder",
    "tighten_permissions",
]


class DatabaseMissing(ServiceError):
    code = "database_missing"


class DatabaseReadOnly(ServiceError):
    code = "db_read_only"


def _is_posix() -> bool:
    return os.name == "posix"


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and its parents; the folder itself 0700."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, mode=FOLDER_MODE)
    if _is_posix():
        os.chmod(folder, FOLDER_MODE)


def tighten_permissions(path: Path) -> bool:
    """Make an existing database file (and its WAL/SHM) readable by its owner
    only; True when something was changed. Files owned by someone else are
    left alone (chmod would fail)."""
    if not _is_posix():
        return False
    changed = False
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            info = candidate.stat()
        except FileNotFoundError:
            continue
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(candidate, stat.S_IMODE(info.st_mode) & 0o700)
            changed = True
    return changed


def check_database_file(
    url: str, access: Callable[[Path, int], bool] = lambda p, m: os.access(p, m)
) -> Path | None:
    """Refuse a SQLite URL whose file is missing, read-only or in a read-only
    folder; return the file (None for other backends)."""
    path = sqlite_path(url)
    if path is None:
        return None
    if not path.exists():
        raise DatabaseMissing(
            f"数据库文件不存在：{path}。如果路径输错了，请改正后重试；"
            f"若确实要新建一个空的数据库，请在窗口中确认新建，或运行 main.py init-db --db {url}。"
        )
    if not path.is_file():
        raise DatabaseMissing(f"数据库路径不是文件：{path}")
    if not access(path, os.R_OK | os.W_OK):
        raise DatabaseReadOnly(
            f"数据库文件是只读的：{path}。程序无法保存任何数据，请让管理员检查该文件的权限。"
        )
    if not access(path.parent, os.W_OK | os.X_OK):
        raise DatabaseReadOnly(
            f"数据库所在文件夹是只读的：{path.parent}。程序无法写入预写文件（-wal、-shm），"
            "请让管理员检查该文件夹的权限。"
        )
    for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if side.exists() and not access(side, os.R_OK | os.W_OK):
            raise DatabaseReadOnly(f"数据库的附属文件是只读的：{side}。请让管理员检查其权限。")
    tighten_permissions(path)
    return path


def create_database_file(url: str) -> Path | None:
    """The explicit first-run step: an empty database file, 0600 in a 0700
    folder. Refuses a file that is already there. None for other backends."""
    path = sqlite_path(url)
    if path is None:
        return None
    if path.exists():
        raise ServiceError(f"数据库文件已存在：{path}", code="database_exists")
    try:
        make_private_folder(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.close(fd)
    except OSError as exc:
        raise DatabaseReadOnly(
            f"无法在 {path.parent} 新建数据库：{exc.strerror or exc}。请检查该文件夹的权限。"
        ) from exc
    return path
