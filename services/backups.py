"""Backups with the ledger checked: the database layer copies, the services verify.

``db.backup`` copies, checks integrity and the schema version, and asks the
``check_ledger`` it is given to read the ledger in the copy; this module is
that check (``services.ledger.verify_ledger``, and for a backup of this
program's version everything ``verify-ledger`` checks), so ``db/`` never
imports ``services/``.  The UI and the CLI back up and restore through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from db import backup as db_backup
from db.backup import BackupCheck, BackupResult, LedgerFindings, RestoreResult
from services.ledger import verify_ledger
from services.verification import verify_everything


def check_ledger(session: Session, whole: bool) -> LedgerFindings:
    """The hash chains of the ledger in a backup; with ``whole``, everything."""
    result = verify_ledger(session)
    problem = None
    if not result.ok:
        assert result.first_bad is not None
        problem = f"备份中的台账校验失败：{result.first_bad.describe()}"
    elif whole:
        everything = verify_everything(session)
        if not everything.ok:
            problem = f"备份中的{everything.summary()}"
    return LedgerFindings(result.rows_checked, result.offices_checked, problem)


def check_backup(path: Path, known_revision: Callable[[str], bool] | None = None) -> BackupCheck:
    """Integrity, schema version and ledger of a SQLite backup file."""
    return db_backup.check_backup(path, check_ledger, known_revision)


def make_backup(url: str, folder: Path, now: dt.datetime, *, prune: bool = True) -> BackupResult:
    """Back the database at ``url`` up into ``folder``, verified; then prune."""
    return db_backup.make_backup(url, folder, now, check_ledger=check_ledger, prune=prune)


def restore_backup(backup: Path, url: str, now: dt.datetime) -> RestoreResult:
    """Restore a SQLite backup into the database at ``url`` (the current file is kept aside)."""
    return db_backup.restore_backup(backup, url, now, check_ledger=check_ledger)
