"""The core never imports Qt (STYLE.md: a core with no GUI in it)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("services", "db", "printing", "cli")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", CORE)
def test_core_source_names_no_qt(package):
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / package).rglob("*.py")
        if any(n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "ui"} for n in _imports(path))
    ]
    assert offenders == []


def test_importing_the_core_loads_no_qt():
    modules = [
        f"{p.parent.name}.{p.stem}" if p.stem != "__init__" else p.parent.name
        for package in CORE
        for p in sorted((ROOT / package).glob("*.py"))
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCT = ("services", "db", "printing", "ui", "cli")
#: the one doorway from the product to the tooling: ``main.py demo-data``
TOOLS_DOORWAY = {"cli/demo.py"}


def test_the_product_does_not_import_the_tooling():
    offenders = [
        str(path.relative_to(ROOT))
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        if str(path.relative_to(ROOT)) not in TOOLS_DOORWAY
        and any(n.split(".")[0] == "tools" for n in _imports(path))
    ]
    assert offenders == []
