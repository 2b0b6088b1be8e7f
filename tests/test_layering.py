"""The layers are a stack, not a cycle (STYLE.md; issue 15).

Allowed imports between the product's packages, read from every module's
source with ``ast`` (module-level and function-local imports alike)::

    common    -> nothing of ours (the standard library only)
    db        -> common
    printing  -> common
    services  -> db, printing, common
    ui        -> services, printing, db, common   (never db.models: no ORM queries in pages)
    cli       -> services, printing, db, common   (never db.models: no ORM queries in commands)
    tools     -> anything
    main.py   -> anything (the entry point)

and the core (common, services, db, printing, cli) never imports Qt.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("common", "services", "db", "printing", "cli")
PACKAGES = ("common", "db", "printing", "services", "ui", "cli", "tools")

ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "db": {"common"},
    "printing": {"common"},
    "services": {"common", "db", "printing"},
    "ui": {"common", "db", "printing", "services"},
    "cli": {"common", "db", "printing", "services"},
    "tools": set(PACKAGES),
}
#: modules a package may not import even though their package is allowed
FORBIDDEN: dict[str, tuple[str, ...]] = {"ui": ("db.models",), "cli": ("db.models",)}
#: the few imports that break a rule, each with its reason; a stale entry fails
EXCEPTIONS: dict[str, set[str]] = {
    # A data migration seals the operators of an existing database with the
    # services' own hash functions, so that verify-ledger accepts them later.
    "db/migrations/versions/0005_audit_anchors.py": {"services.audit", "services.operator_history"},
    # ``main.py demo-data``: the one doorway from the product to the demo office
    # in tools/ (absent from the installed program; the command then says so).
    "cli/demo.py": {"tools.demo"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, module: str | None = None) -> set[str]:
    """Every module ``path`` imports, as dotted names; ``from a import b`` gives
    ``a`` and ``a.b`` (b may be a submodule); relative imports are resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = (module or _module_name(path)).split(".")
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def product_files() -> list[Path]:
    files = [ROOT / "main.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def check_file(rel: str, names: set[str]) -> tuple[list[str], set[tuple[str, str]]]:
    """The imports of the file at ``rel`` that break the layers, and the
    exceptions they used."""
    layer = rel.split("/")[0]
    if layer not in ALLOWED:  # main.py, the entry point
        return [], set()
    wrong: list[str] = []
    excused: set[tuple[str, str]] = set()
    for name in sorted(names):
        top = name.split(".")[0]
        if top not in ALLOWED or top == layer:
            continue
        forbidden = any(name == f or name.startswith(f + ".") for f in FORBIDDEN.get(layer, ()))
        if top in ALLOWED[layer] and not forbidden:
            continue
        hit = next(
            (e for e in EXCEPTIONS.get(rel, ()) if name == e or name.startswith(e + ".")), None
        )
        if hit is not None:
            excused.add((rel, hit))
        elif not any(name.startswith(w + ".") for w in wrong):  # the module, not its names
            wrong.append(name)
    return [f"{rel}: {layer} -> {name}" for name in wrong], excused


def _violations() -> tuple[list[str], set[tuple[str, str]]]:
    bad: list[str] = []
    excused: set[tuple[str, str]] = set()
    for path in product_files():
        found, used = check_file(path.relative_to(ROOT).as_posix(), imported_modules(path))
        bad += found
        excused |= used
    return bad, excused


def test_the_import_graph_is_the_allowed_stack() -> None:
    bad, _excused = _violations()
    assert bad == [], "imports against the layers:\n" + "\n".join(bad)


def test_every_exception_is_still_needed() -> None:
    _bad, excused = _violations()
    stale = [
        f"{rel}: {name}"
        for rel, names in EXCEPTIONS.items()
        for name in names
        if (rel, name) not in excused
    ]
    assert stale == [], "drop these from EXCEPTIONS:\n" + "\n".join(stale)


def test_common_uses_the_standard_library_only() -> None:
    outside = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "common").rglob("*.py"))
        for name in imported_modules(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and name.split(".")[0] != "common"
        and name != "__future__.annotations"
    ]
    assert outside == []


def test_the_checker_sees_what_it_must(tmp_path: Path) -> None:
    """Function-local, ``from a import b`` and relative imports are all seen."""
    path = tmp_path / "probe.py"
    path.write_text(
        "from services import ledger\n"
        "def f():\n"
        "    import db.models as m\n"
        "    from . import sibling\n"
        "    from common.money import format_fen\n",
        encoding="utf-8",
    )
    found = imported_modules(path, "printing.probe")
    assert {"services.ledger", "db.models", "printing.sibling", "common.money"} <= found
    bad, _ = check_file("printing/probe.py", found)
    assert bad == [
        "printing/probe.py: printing -> db.models",
        "printing/probe.py: printing -> services",
    ]
    ui_bad, _ = check_file("ui/probe.py", {"db.engine", "db.models", "db.models.Office"})
    assert ui_bad == ["ui/probe.py: ui -> db.models"]


@pytest.mark.parametrize("package", CORE)
def test_core_source_names_no_qt(package):
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / package).rglob("*.py")
        if any(
            n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6", "ui"}
            for n in imported_modules(path)
        )
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
        and any(n.split(".")[0] == "tools" for n in imported_modules(path))
    ]
    assert offenders == []
