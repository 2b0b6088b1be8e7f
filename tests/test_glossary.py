"""One word per role: pages, messages and documents take theirs from
common/glossary.py; the retired synonyms appear nowhere (issue 14)."""

from __future__ import annotations

from pathlib import Path

from common import glossary

ROOT = Path(__file__).resolve().parent.parent
RETIRED = ("经办员", "操作员", "收款人", "交款人")


def test_no_retired_role_word_in_the_program() -> None:
    found = []
    for folder in ("common", "services", "printing", "ui", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "glossary.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {w}" for w in RETIRED if w in text]
    assert found == []


def test_roles_are_the_glossary_words() -> None:
    from services.office import ROLES

    assert ROLES == {"clerk": "经办人", "supervisor": "主管"}
    assert glossary.role_label("clerk") == glossary.OPERATOR
    assert glossary.role_label("auditor") == "auditor"
