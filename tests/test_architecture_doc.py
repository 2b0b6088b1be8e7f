"""docs/ARCHITECTURE.md points at code that exists (issue 15).

The page names every place by a code span ``path/to/file.py`` or
``path/to/file.py::name`` (``name`` a function, class, ``Class.method`` or a
module-level constant). Each such span must name an existing file that defines
the name, read with ``ast``; so after a module is split or a function moves,
this test lists the lines of the page to correct. A dotted ``services.x.y``
span is refused: it could not be checked.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
PACKAGES = ("common", "db", "printing", "services", "ui", "cli", "tools", "tests")

SPAN = re.compile(r"`([^`\n]+)`")
REFERENCE = re.compile(r"^(?P<path>[\w./-]+\.(?:py|toml|md))(?:::(?P<name>[A-Za-z_][\w.]*))?$")
DOTTED = re.compile(rf"^(?:{'|'.join(PACKAGES)})\.\w+\.\w+")


def references(text: str) -> list[tuple[int, str, str | None]]:
    """(line number, path, name or None) of every checkable code span."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for span in SPAN.findall(line):
            match = REFERENCE.match(span.strip())
            if match:
                found.append((number, match["path"], match["name"]))
    return found


def _defined_in(body: list[ast.stmt]) -> dict[str, ast.AST]:
    names: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


@cache
def _module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def defines(path: Path, dotted: str) -> bool:
    """True when ``path`` defines ``dotted`` (``f``, ``C``, ``C.m``, ``CONSTANT``)."""
    scope: list[ast.stmt] = _module(path).body
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        node = _defined_in(scope).get(part)
        if node is None:
            return False
        if i < len(parts) - 1:
            if not isinstance(node, ast.ClassDef):
                return False
            scope = node.body
    return True


def problems(text: str) -> list[str]:
    out = []
    for number, path_text, name in references(text):
        path = ROOT / path_text
        if not path.is_file():
            out.append(f"line {number}: no file {path_text}")
        elif name is not None and not defines(path, name):
            out.append(f"line {number}: {path_text} defines no {name}")
    return out


def test_the_page_exists_and_names_many_places() -> None:
    refs = references(DOC.read_text(encoding="utf-8"))
    named = [r for r in refs if r[2] is not None]
    # the layers, the payment path and one row per POLICY rule: far more than 100
    assert len(named) > 100, len(named)
    assert any(path.startswith("tests/") for _, path, _ in named)
    assert any(path.startswith("services/") for _, path, _ in named)


def test_every_reference_names_a_file_that_defines_it() -> None:
    assert problems(DOC.read_text(encoding="utf-8")) == []


def test_no_reference_is_written_in_an_uncheckable_dotted_form() -> None:
    text = DOC.read_text(encoding="utf-8")
    dotted = [
        f"line {n}: {span}"
        for n, line in enumerate(text.splitlines(), start=1)
        for span in SPAN.findall(line)
        if DOTTED.match(span) and not span.startswith("db.models")
    ]
    assert dotted == []


def test_every_numbered_policy_section_has_a_row() -> None:
    policy = (ROOT / "docs" / "POLICY.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (\d+)\. ", policy, flags=re.MULTILINE)
    rows = DOC.read_text(encoding="utf-8").split("## 3. Where each rule", 1)[1]
    covered = set(re.findall(r"^\| §(\d+)", rows, flags=re.MULTILINE))
    assert sections and set(sections) <= covered, sorted(set(sections) - covered)


def test_the_checker_catches_a_moved_function(tmp_path: Path) -> None:
    text = (
        "`services/payments.py::take_payment` "
        "`services/payments.py::no_such_function` "
        "`services/no_such_module.py::take_payment` "
        "`services/clock.py::FixedClock.advance` `services/clock.py::FixedClock.nope` "
        "`db/immutability.py::APPEND_ONLY_TABLES`"
    )
    assert problems(text) == [
        "line 1: services/payments.py defines no no_such_function",
        "line 1: no file services/no_such_module.py",
        "line 1: services/clock.py defines no FixedClock.nope",
    ]
