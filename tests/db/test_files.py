"""The database file on disk (issue 10, items 7 and 9): private permissions,
no silent creation, read-only found at once."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from common.errors import ServiceError
from db.files import (
    DatabaseMissing,
    check_database_file,
    create_database_file,
    tighten_permissions,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def test_created_private_in_a_private_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "counter.sqlite3"
    assert create_database_file(f"sqlite:///{path}") == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with pytest.raises(ServiceError) as err:
        create_database_file(f"sqlite:///{path}")
    assert err.value.code == "database_exists"


def test_a_world_readable_database_is_tightened_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "counter.sqlite3"
    path.write_bytes(b"")
    wal = Path(f"{path}-wal")
    wal.write_bytes(b"")
    os.chmod(path, 0o644)
    os.chmod(wal, 0o664)
    assert check_database_file(f"sqlite:///{path}") == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    assert not tighten_permissions(path)  # nothing left to do


def test_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "typo.sqlite3"
    with pytest.raises(DatabaseMissing) as err:
        check_database_file(f"sqlite:///{path}")
    assert str(path) in err.value.message and "init-db" in err.value.message
    assert not path.exists()


def test_other_backends_are_not_files() -> None:
    assert check_database_file("postgresql+psycopg://u@h/db") is None
    assert create_database_file("sqlite://") is None
