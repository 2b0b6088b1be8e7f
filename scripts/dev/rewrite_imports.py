"""Move modules and names between layers, and rewrite every import of them.

Issue 15 (one-way layers) moved the shared vocabulary out of ``services/``
into ``common/`` and the data that printed reports need into ``printing/``.
This script is the migration path for code written against the old places:
it is idempotent, so running it again after merging a branch that still
imports ``services.errors`` (or ``from services import money`` inside a
function) rewrites those imports too.  There are no re-export shims at the
old paths.

What it does, in order:

1. ``MODULE_MOVES``: ``git mv`` each old module file to its new place when the
   old file still exists.  When both exist (``services/labels.py`` →
   ``common/glossary.py``) the old file's body is appended to the new one and
   the old file removed; tidy the merged file by hand afterwards.
2. Rewrites, in every ``.py`` file of the tree (function-local imports too):
   ``import a.b``, ``from a.b import x``, ``from a import b`` for moved modules,
   and ``from a.b import Name`` for the names in ``NAME_MOVES``; other text
   naming a moved module (``mock.patch("services.money.x")``, comments,
   ``services/money.py`` paths in docs) is rewritten too.
3. Runs ``ruff check --fix --select I`` and ``ruff format`` on the files it
   changed, so the imports end up sorted.

Usage, from the repository root::

    python scripts/dev/rewrite_imports.py          # move and rewrite
    python scripts/dev/rewrite_imports.py --check  # list what would change, exit 1 if any
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: old dotted module -> new dotted module
MODULE_MOVES: dict[str, str] = {
    "services.errors": "common.errors",
    "services.money": "common.money",
    "services.idcard": "common.idcard",
    "services.glossary": "common.glossary",
    "services.labels": "common.glossary",
    "services.denominations": "common.denominations",
}

#: (old module, name) -> new module, for names whose definition moved by hand
NAME_MOVES: dict[tuple[str, str], str] = {
    **{
        ("services.progress", name): "printing.report_data"
        for name in ("VillageReturn", "HardshipRate", "WeekPoint", "WeeklyReturn", "percent_text")
    },
    **{
        ("services.reports", name): "printing.report_data"
        for name in ("GroupTotal", "PeriodReport", "OverrideRow")
    },
    # one label glossary
    ("services.deposits", "DEPOSIT_CHANNELS"): "common.glossary",
    ("services.ledger_views", "channel_label"): "common.glossary",
    # one reference rule (payments need one, refunds do not)
    ("services.payments", "clean_reference"): "services.references",
    ("services.payments", "REFERENCE_MAX"): "services.references",
    # modules split by job (the old module no longer re-exports them)
    ("services.registry", "SEARCH_LIMIT"): "services.resident_search",
    ("services.registry", "search_residents"): "services.resident_search",
    ("services.registry", "ResidentRecord"): "services.resident_records",
    ("services.registry", "EnrollmentRecord"): "services.resident_records",
    ("services.office", "MAX_DEPOSIT_DAYS"): "services.office_input",
    ("services.office", "LEVELS"): "services.office_input",
    ("services.policy_store", "needs_confirmation"): "services.policy_confirmation",
    ("services.policy_listing", "needs_confirmation"): "services.policy_confirmation",
    ("services.policy_store", "PolicyListing"): "services.policy_listing",
    ("services.policy_store", "list_policies"): "services.policy_listing",
    # db/ checks a backup's ledger with the check services/ passes in
    **{
        ("db.backup", name): "services.backups"
        for name in ("check_backup", "make_backup", "restore_backup")
    },
    # issue 15 item 3: modules over 500 lines split by job
    **{
        ("services.verification", name): "services.verification_model"
        for name in (
            "MAX_FINDINGS",
            "Finding",
            "CheckResult",
            "Trusted",
            "VerifyRequest",
            "Verification",
            "CheckFn",
        )
    },
    ("services.verification", "CASH_DESK_KINDS"): "services.verification_acts",
    ("services.verification", "check_ledger_acts"): "services.verification_acts",
    **{
        ("services.verification", name): "services.verification_records"
        for name in ("check_receipts", "check_closed_days", "check_operators", "check_enrollments")
    },
    **{
        ("services.day_close", name): "services.day_totals"
        for name in (
            "DayTotals",
            "day_totals",
            "MAX_PIECES",
            "normalise_count",
            "count_total",
            "count_for_amount",
        )
    },
    **{
        ("services.day_close", name): "services.business_day"
        for name in (
            "live_closes",
            "ensure_day_open",
            "BusinessDayInfo",
            "open_day",
            "business_day",
            "day_close_of",
        )
    },
    ("services.day_close", "ClosePreview"): "services.close_preview",
    ("services.day_close", "preview_close"): "services.close_preview",
    **{
        ("services.exports", name): "services.export_workbook"
        for name in (
            "MONEY_FORMAT",
            "ProgressFn",
            "ExportCancelled",
            "ExportSummary",
            "Col",
            "SheetWriter",
            "village_id_by_name",
        )
    },
    **{
        ("services.exports", name): "services.export_rosters"
        for name in ("UNPAID_COLUMNS", "export_unpaid", "PROGRESS_COLUMNS", "export_progress")
    },
    **{
        ("services.deposit_rule", name): "services.deposit_state"
        for name in ("load_cash_movements", "current_deposit_status")
    },
    **{
        ("services.deposit_rule", name): "services.overdue_cash"
        for name in (
            "require_supervisor_id",
            "clean_reason",
            "mark_overdue_cash_payment",
            "overdue_memo",
            "require_cash_on_hand",
        )
    },
    **{
        ("services.ledger_views", name): "services.day_close_record"
        for name in ("DayCloseRecord", "day_close_record", "OfficeExtras", "office_extras")
    },
    **{
        ("db.backup", name): "db.backup_files"
        for name in (
            "KEEP_DAILY",
            "KEEP_MONTHLY",
            "BACKUP_PREFIX",
            "SQLITE_SUFFIX",
            "PG_SUFFIX",
            "backup_file_name",
            "backup_time",
            "list_backups",
            "backups_to_keep",
            "prune_backups",
        )
    },
    **{
        ("printing.layout", name): "printing.marks"
        for name in ("draw_signatures", "draw_stamp", "draw_cut_line", "draw_vertical_label")
    },
    **{
        ("services.accounts", name): "services.security_settings"
        for name in ("SecuritySettings", "security_settings", "update_security_settings")
    },
    **{
        ("services.corrections", name): "services.refunds"
        for name in (
            "REFUND_CATEGORIES",
            "REFUND_AFTER_START",
            "REFUND_METHODS",
            "RefundResult",
            "refund_payment",
        )
    },
    ("services.day_close", "unclosed_days"): "services.close_checks",
    # services.policy no longer re-exports what policy_types/policy_file/policy_reader define
    **{
        ("services.policy", name): "services.policy_types"
        for name in (
            "CATEGORY_KEYS",
            "REQUIRED_CATEGORY_KEYS",
            "SUBSIDY_KINDS",
            "AgeLimits",
            "AgeRule",
            "Category",
            "Chongqing2024Waiting",
            "NewbornRule",
            "Period",
            "Policy",
            "PolicyFileError",
            "Source",
            "Tianjin2023Waiting",
            "Tianjin2024Waiting",
            "Tianjin2025Waiting",
            "Tier",
            "Unset",
            "WaitingRules",
        )
    },
    ("services.policy", "RULE_SETS"): "services.policy_file",
    ("services.policy", "load_policy_file"): "services.policy_file",
    ("services.policy", "parse_amount_fen"): "services.policy_reader",
    **{
        ("services.day_close", name): "common.denominations"
        for name in ("BY_KEY", "DENOMINATIONS", "Denomination")
    },
}

#: (old module, name) -> (new module, new name): a duplicate replaced by the
#: one shared function; the name is renamed wherever it was imported.
RENAMES: dict[tuple[str, str], tuple[str, str]] = {
    # one money formatter (common.money)
    ("services.quote", "fen_text"): ("common.money", "format_fen"),
    ("services.quote_subsidy", "fen_text"): ("common.money", "format_fen"),
    ("ui.pages.day_close_parts", "yuan"): ("common.money", "yuan_text"),
    # one label glossary: the payment channels' words
    ("services.payments", "CHANNELS"): ("common.glossary", "PAYMENT_CHANNELS"),
}

#: (module, attribute) -> (new module, new name) for code that reaches the old
#: function through its module (``from printing import layout as L; L.yuan(...)``).
ATTRIBUTE_RENAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("printing.layout", "yuan"): ("common.money", "format_fen"),
    ("printing.layout", "draw_signatures"): ("printing.marks", "draw_signatures"),
    ("printing.layout", "draw_stamp"): ("printing.marks", "draw_stamp"),
    ("printing.layout", "draw_cut_line"): ("printing.marks", "draw_cut_line"),
    ("printing.layout", "draw_vertical_label"): ("printing.marks", "draw_vertical_label"),
}

SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
TEXT_SUFFIXES = {".py", ".md", ".spec", ".toml", ".cfg", ".ini", ".txt"}
#: never rewritten: the script's own tables name the old paths on purpose
SELF = Path(__file__).resolve()

PACKAGE_DOCS = {
    "common": '"""The shared vocabulary: errors, money, identity numbers, the office\'s words.\n\n'
    "Everything may import ``common``; ``common`` imports only the standard library.\n"
    '"""\n',
}


def _files(suffixes: set[str]) -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        if any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix in suffixes and path.resolve() != SELF:
            out.append(path)
    return sorted(out)


def _module_path(dotted: str) -> Path:
    return ROOT / (dotted.replace(".", "/") + ".py")


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True)


def _strip_header(text: str) -> str:
    """The body of a module without its docstring and ``__future__`` import."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for node in tree.body[:3]:
        docstring = (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if docstring or future:
            drop.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
    return "".join(line for i, line in enumerate(lines) if i not in drop).strip() + "\n"


def move_files(check: bool) -> list[str]:
    done = []
    for old, new in MODULE_MOVES.items():
        src, dst = _module_path(old), _module_path(new)
        if not src.exists():
            continue
        done.append(f"{old} -> {new}")
        if check:
            continue
        package = dst.parent
        if not (package / "__init__.py").exists():
            package.mkdir(parents=True, exist_ok=True)
            doc = PACKAGE_DOCS.get(package.name, "")
            (package / "__init__.py").write_text(doc, encoding="utf-8")
            _git("add", str(package / "__init__.py"))
        if dst.exists():
            merged = dst.read_text(encoding="utf-8").rstrip("\n") + "\n\n\n"
            merged += "# --- merged in by scripts/dev/rewrite_imports.py ---\n\n" + _strip_header(
                src.read_text("utf-8")
            )
            dst.write_text(merged, encoding="utf-8")
            _git("rm", "-q", str(src))
            _git("add", str(dst))
        else:
            _git("mv", str(src), str(dst))
    return done


def _alias(name: str, asname: str | None) -> str:
    return f"{name} as {asname}" if asname and asname != name else name


def _rewrite_from(node: ast.ImportFrom, here: str, renamed: dict[str, str]) -> list[str] | None:
    """New ``from`` statements for one node, or None when nothing moves.

    Names imported under a new name are added to ``renamed`` (old -> new).
    """
    module = node.module or ""
    groups: dict[str, list[str]] = {}
    changed = False
    for alias in node.names:
        target = module
        name, asname = alias.name, alias.asname
        full = f"{module}.{name}"
        if full in MODULE_MOVES:  # from services import errors
            new_module = MODULE_MOVES[full]
            target, _, new_name = new_module.rpartition(".")
            asname = asname or (name if new_name != name else None)
            name = new_name
            changed = True
        elif module in MODULE_MOVES:  # from services.errors import X
            target = MODULE_MOVES[module]
            changed = True
        elif (module, name) in RENAMES and module != here:  # from services.quote import fen_text
            target, new_name = RENAMES[(module, name)]
            if asname is None:
                renamed[name] = new_name
            name, changed = new_name, True
        elif NAME_MOVES.get((module, name), here) != here:  # from services.progress import X
            target = NAME_MOVES[(module, name)]
            changed = True
        groups.setdefault(target, []).append(_alias(name, asname))
    if not changed:
        return None
    return [f"from {target} import {', '.join(names)}" for target, names in groups.items()]


def _rewrite_import(node: ast.Import) -> list[str] | None:
    """``import services.money [as m]`` -> ``import common.money [as m]``."""
    out, changed = [], False
    for alias in node.names:
        name = alias.name
        if name in MODULE_MOVES:
            name, changed = MODULE_MOVES[name], True
        out.append(_alias(name, alias.asname))
    return [f"import {', '.join(out)}"] if changed else None


def rewrite_python(path: Path, text: str) -> str:
    tops = {m.split(".")[0] for m in MODULE_MOVES}
    tops |= {m.split(".")[0] for m, _ in [*NAME_MOVES, *RENAMES, *ATTRIBUTE_RENAMES]}
    if not any(top in text for top in tops):
        return text
    try:
        tree = ast.parse(text)
    except SyntaxError:
        print(f"skipped (does not parse): {path.relative_to(ROOT)}", file=sys.stderr)
        return text
    here = ".".join(path.relative_to(ROOT).with_suffix("").parts)  # the new module itself
    renamed: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            new = _rewrite_from(node, here, renamed)
        elif isinstance(node, ast.Import):
            new = _rewrite_import(node)
        else:
            continue
        if new is None:
            continue
        start, end = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        segment = "".join(lines[start : end + 1])
        if segment.strip() != ast.get_source_segment(text, node):
            # another statement shares the line (``import x; y``): leave it to a human
            print(f"not rewritten (shares its line): {path}:{node.lineno}", file=sys.stderr)
            continue
        if "#" in segment:
            print(f"comment dropped from import: {path}:{node.lineno}", file=sys.stderr)
        edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        indent = re.match(r"\s*", lines[start]).group(0)  # type: ignore[union-attr]
        lines[start : end + 1] = [f"{indent}{stmt}\n" for stmt in new]
    text = "".join(lines)
    for old, new_name in renamed.items():
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new_name, text)
    return _rename_attributes(tree, text)


def _rename_attributes(tree: ast.Module, text: str) -> str:
    """``L.yuan(x)`` -> ``format_fen(x)`` where ``L`` is the old module."""
    aliases: dict[str, str] = {}  # local name -> dotted module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    needed: set[tuple[str, str]] = set()
    for (module, attr), (new_module, new_name) in ATTRIBUTE_RENAMES.items():
        for local, dotted in aliases.items():
            pattern = rf"(?<![\w.]){re.escape(local)}\.{re.escape(attr)}(?!\w)"
            if dotted == module and re.search(pattern, text):
                text = re.sub(pattern, new_name, text)
                needed.add((new_module, new_name))
    if not needed:
        return text
    body = ast.parse(text).body
    imports = [n for n in body if isinstance(n, ast.Import | ast.ImportFrom)]
    at = imports[-1].end_lineno if imports else 0
    lines = text.splitlines(keepends=True)
    new_lines = [f"from {m} import {n}\n" for m, n in sorted(needed)]
    return "".join(lines[:at] + new_lines + lines[at:])


def rewrite_text(text: str) -> str:
    """Other mentions of a moved module: strings, comments, paths in docs."""
    for old, new in MODULE_MOVES.items():
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, text)
        old_path, new_path = old.replace(".", "/") + ".py", new.replace(".", "/") + ".py"
        text = re.sub(rf"(?<![\w./]){re.escape(old_path)}", new_path, text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)

    moved = move_files(args.check)
    changed: list[Path] = []
    for path in _files(TEXT_SUFFIXES):
        text = path.read_text(encoding="utf-8")
        new = rewrite_python(path, text) if path.suffix == ".py" else text
        new = rewrite_text(new)
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for line in moved:
        print(f"moved {line}")
    for path in changed:
        print(f"rewrote {path.relative_to(ROOT)}")
    if args.check:
        return 1 if (moved or changed) else 0
    py = [str(p) for p in changed if p.suffix == ".py"]
    if py:
        ruff = [sys.executable, "-m", "ruff"]
        subprocess.run([*ruff, "check", "--fix", "--select", "I", "-q", *py], cwd=ROOT)
        subprocess.run([*ruff, "format", "-q", *py], cwd=ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
