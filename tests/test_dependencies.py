"""pyproject.toml bounds every dependency, and requirements.lock (what
scripts/setup.sh installs) pins each of them to a version inside its range."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        texts.extend(extra)
    return [Requirement(text) for text in texts]


def _name(text: str) -> str:
    return text.lower().replace("_", "-")


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version
    return pins


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [
        str(req)
        for req in _requirements()
        if not any(spec.operator in ("<", "<=", "==", "~=") for spec in req.specifier)
    ]
    assert unbounded == []


def test_the_lock_pins_every_dependency_inside_its_range() -> None:
    pins = _lock()
    for req in _requirements():
        name = _name(req.name)
        assert name in pins, f"{name} is missing from requirements.lock: run scripts/lock.py"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {req}"


def test_setup_installs_with_the_lock() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    installs = [line for line in setup.splitlines() if "pip install" in line and "-e" in line]
    assert installs and all("-c requirements.lock" in line for line in installs)
