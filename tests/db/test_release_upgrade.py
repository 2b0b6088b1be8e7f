"""A database made by the 0.1.0 release opens in this program with nothing lost.

packaging/fixtures/counter-0.1.0.sqlite3 was made by the installed 0.1.0
package (``yibao-counter demo-data --residents 60 --days 6 --seed 16``), then
set to journal_mode DELETE so that reading it leaves no -wal/-shm files. The
packaged upgrade itself is checked in CI (packaging/ci-deb.sh); this catches a
migration that cannot run on a real office's data as soon as it is written.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
from check_upgrade import revision, row_counts  # noqa: E402

from cli.ledger import EXIT_OK  # noqa: E402
from db.engine import Database  # noqa: E402
from db.migrate import head_revision, upgrade_database  # noqa: E402
from main import main  # noqa: E402

FIXTURE = ROOT / "packaging" / "fixtures" / "counter-0.1.0.sqlite3"


@pytest.fixture
def release_db(tmp_path: Path) -> Path:
    folder = tmp_path / "yibao-counter"
    folder.mkdir()
    path = folder / "counter.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


def test_the_release_database_holds_an_office_and_its_cash() -> None:
    counts = row_counts(FIXTURE)
    assert revision(FIXTURE) == "0001"
    assert counts["office"] == 1
    assert counts["payment"] > 0 and counts["ledger_entry"] > 0


def test_release_database_migrates_to_head_keeping_every_row(release_db: Path) -> None:
    before = row_counts(FIXTURE)
    db = Database(f"sqlite:///{release_db}")
    try:
        assert upgrade_database(db) == head_revision()
    finally:
        db.dispose()
    assert revision(release_db) == head_revision()
    after = row_counts(release_db)
    for table, count in before.items():
        assert after[table] >= count, table
    copies = sorted(release_db.parent.glob("counter.sqlite3.before-*"))
    if head_revision() == revision(FIXTURE):
        assert copies == []  # nothing to migrate, nothing copied
    else:
        assert [c.name for c in copies] == ["counter.sqlite3.before-0001"]
        assert row_counts(copies[0]) == before


def test_release_ledger_still_verifies_after_the_upgrade(
    release_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", f"sqlite:///{release_db}", "verify-ledger"]) == EXIT_OK
    assert "台账校验通过" in capsys.readouterr().out
    with sqlite3.connect(release_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
