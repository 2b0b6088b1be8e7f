"""Fixtures for the counter-window tests.

An office with two villages, a supervisor and a clerk, made through
``services.office`` on the fresh migrated database of ``tests/conftest.py``;
an ``AppContext`` logged in as the clerk, on the fixed clock (2023-11-06, in
the Tianjin 2024 collection period); ``ops`` with its message boxes switched
off (tests read ``ops.last_error``); and a document output that keeps PDFs.
"""

from __future__ import annotations

import pytest
from counter_fixtures import TRACKED_WINDOWS, Office, create_test_office

from db.engine import Database
from services.clock import FixedClock
from services.policy import PolicyBook, load_policies
from ui.context import AppContext, OperatorSession
from ui.operations import Operations
from ui.printing_bridge import RecordingOutput
from ui.translations import install_qt_translations


@pytest.fixture(scope="session", autouse=True)
def chinese_qt(qapp):  # type: ignore[no-untyped-def]
    """Qt's standard buttons and dialogs in Chinese, as in the window."""
    install_qt_translations(qapp)


@pytest.fixture(autouse=True)
def close_tracked_windows():  # type: ignore[no-untyped-def]
    yield
    import shiboken6

    for window in TRACKED_WINDOWS:
        if shiboken6.isValid(window):
            window.close()
    TRACKED_WINDOWS.clear()


@pytest.fixture(autouse=True)
def machine_settings_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's per-computer settings (QSettings) go to a folder of its own,
    never to the real user's configuration."""
    from PySide6.QtCore import QSettings

    folder = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


@pytest.fixture(scope="session")
def policies() -> PolicyBook:
    return load_policies()


@pytest.fixture
def office(db: Database, clock: FixedClock, policies: PolicyBook) -> Office:
    return create_test_office(db, clock, policies)


@pytest.fixture
def ctx(db: Database, clock: FixedClock, policies: PolicyBook, office: Office) -> AppContext:
    session = OperatorSession(
        office_id=office.id,
        office_name=office.name,
        operator_id=office.clerk_id,
        operator_name="李经办",
        role="clerk",
    )
    return AppContext(db=db, clock=clock, policies=policies, session=session)


@pytest.fixture
def ops(ctx: AppContext) -> Operations:
    operations = Operations(ctx)
    operations.show_dialogs = False
    return operations


@pytest.fixture
def documents() -> RecordingOutput:
    return RecordingOutput()
