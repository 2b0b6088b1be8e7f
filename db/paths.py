"""Where the program keeps its data, without loading the database layer.

The window's start (ui/startup.py) sets up the log file before SQLAlchemy is
imported, so the data folder is worked out here, from platformdirs alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "yibao-counter"
#: Moves the data folder (database, logs, backups); the tests use it.
DATA_DIR_ENV = "YIBAO_DATA_DIR"


def data_folder() -> Path:
    """Where the default database and the log files live."""
    if configured := os.environ.get(DATA_DIR_ENV):
        return Path(configured)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
