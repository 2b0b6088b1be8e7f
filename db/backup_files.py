"""Backup files by name: naming, listing, and which to keep (daily and monthly).

Pure file-name logic; making, checking and restoring a backup is
:mod:`db.backup`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

#: How many days and months of backups a folder keeps.
KEEP_DAILY = 30


KEEP_MONTHLY = 12


BACKUP_PREFIX = "counter-"


SQLITE_SUFFIX = ".sqlite3"


PG_SUFFIX = ".pgdump"


STAMP_FORMAT = "%Y%m%d-%H%M%S"


_NAME = re.compile(r"^" + re.escape(BACKUP_PREFIX) + r"(\d{8}-\d{6})(?:-\d+)?(\.sqlite3|\.pgdump)$")


def backup_file_name(when: dt.datetime, suffix: str = SQLITE_SUFFIX) -> str:
    return f"{BACKUP_PREFIX}{when.strftime(STAMP_FORMAT)}{suffix}"


def backup_time(path: Path) -> dt.datetime | None:
    """When a backup was made, read from its name (None: not one of ours)."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), STAMP_FORMAT)


def list_backups(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """Our backups in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [(t, p) for p in folder.iterdir() if (t := backup_time(p)) is not None]
    return sorted(found)


def backups_to_keep(
    stamps: list[tuple[dt.datetime, Path]],
    keep_daily: int = KEEP_DAILY,
    keep_monthly: int = KEEP_MONTHLY,
) -> set[Path]:
    """The newest backup of each of the last ``keep_daily`` days that have one,
    and of each of the last ``keep_monthly`` months (the borg/restic rule)."""
    keep: set[Path] = set()
    days: set[dt.date] = set()
    months: set[tuple[int, int]] = set()
    for when, path in sorted(stamps, reverse=True):
        if when.date() not in days and len(days) < keep_daily:
            days.add(when.date())
            keep.add(path)
        month = (when.year, when.month)
        if month not in months and len(months) < keep_monthly:
            months.add(month)
            keep.add(path)
    return keep


def prune_backups(
    folder: Path, keep_daily: int = KEEP_DAILY, keep_monthly: int = KEEP_MONTHLY
) -> list[Path]:
    """Delete the backups the keep rule no longer needs; return what was removed."""
    stamps = list_backups(folder)
    keep = backups_to_keep(stamps, keep_daily, keep_monthly)
    removed = []
    for _when, path in stamps:
        if path not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
