"""Check a user's database after the program was upgraded over it.

    python packaging/check_upgrade.py OLD.sqlite3 DATA_FOLDER HEAD_REVISION

OLD.sqlite3 is the database as the previous release left it (the fixture
packaging/fixtures/counter-<version>.sqlite3); DATA_FOLDER is the user's data
folder after the new program has opened a copy of it there as counter.sqlite3.
Checks that the database is now at HEAD_REVISION, that no table lost rows, and,
when the schema changed, that the program first copied the old file aside as
counter.sqlite3.before-<old revision> with every row in it.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path


def revision(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(rows) == 1, f"{path}: {rows}"
    return str(rows[0][0])


def row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name != 'alembic_version'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def main() -> int:
    old, folder, head = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    current = folder / "counter.sqlite3"
    old_rev, old_counts = revision(old), row_counts(old)
    assert sum(old_counts.values()) > 0, f"{old} holds no rows"
    new_rev, new_counts = revision(current), row_counts(current)
    assert new_rev == head, f"database at {new_rev}, program's head is {head}"
    for table, count in old_counts.items():
        assert new_counts.get(table, 0) >= count, (
            f"table {table}: {count} rows before the upgrade, {new_counts.get(table)} after"
        )
    if old_rev == head:
        print(f"upgrade: schema unchanged ({head}); the database opened as it was, rows kept")
        return 0
    copy = folder / f"counter.sqlite3.before-{old_rev}"
    assert copy.exists(), f"no copy {copy.name} made before migrating"
    assert revision(copy) == old_rev and row_counts(copy) == old_counts, f"{copy} differs"
    print(f"upgrade: migrated {old_rev} -> {head}, rows kept, old file copied to {copy.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
