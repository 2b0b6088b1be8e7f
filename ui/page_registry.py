"""The pages of the main window, in navigation order (F1, F2, …), and the
window's own keys. Each page's module is imported on first use by a plain
import, so that packaging sees it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtWidgets import QWidget


def _register_page() -> type[QWidget]:
    from ui.pages.register_page import RegisterPage

    return RegisterPage


def _collect_page() -> type[QWidget]:
    from ui.pages.collect_page import CollectPage

    return CollectPage


def _ledger_page() -> type[QWidget]:
    from ui.pages.ledger_page import LedgerPage

    return LedgerPage


def _deposit_page() -> type[QWidget]:
    from ui.pages.deposit_page import DepositPage

    return DepositPage


def _day_close_page() -> type[QWidget]:
    from ui.pages.day_close_page import DayClosePage

    return DayClosePage


def _reports_page() -> type[QWidget]:
    from ui.pages.reports_page import ReportsPage

    return ReportsPage


def _settings_page() -> type[QWidget]:
    from ui.pages.settings_page import SettingsPage

    return SettingsPage


def _residents_page() -> type[QWidget]:
    from ui.pages.residents_page import ResidentsPage

    return ResidentsPage


@dataclasses.dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    #: imports the page's module on first use (plain imports, so packaging sees them)
    load: Callable[[], type[QWidget]]


PAGES: tuple[PageSpec, ...] = (
    PageSpec("register", "登记", _register_page),
    PageSpec("collect", "缴费", _collect_page),
    PageSpec("ledger", "台账", _ledger_page),
    PageSpec("deposit", "入库", _deposit_page),
    PageSpec("day_close", "日结", _day_close_page),
    PageSpec("reports", "报表", _reports_page),
    PageSpec("settings", "设置", _settings_page),
    PageSpec("residents", "居民", _residents_page),
)
# Pages that print; each is handed the window's one document output (preview
# and printer, or a test's fake), so all printing goes the same way.
PRINTING_PAGES = frozenset(
    {"collect", "ledger", "deposit", "day_close", "reports", "residents", "settings"}
)
PRELOAD_DELAY_MS = 300
NAVIGATION_KEYS = frozenset(
    [f"F{n}" for n in range(1, len(PAGES) + 1)] + [f"Ctrl+{n}" for n in range(1, len(PAGES) + 1)]
)
LOGOUT_KEY = "Ctrl+L"
QUIT_KEY = "Ctrl+Q"
# Keys the window owns on every page; a page must not bind them (ui/keys.py).
RESERVED_KEYS = NAVIGATION_KEYS | {LOGOUT_KEY, QUIT_KEY}
