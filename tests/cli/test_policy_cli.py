"""``main.py policy list|check|preview`` (issue 17): through main() as a user runs it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import main
from services.policy import load_policies
from services.policy_editor import serialize
from services.policy_form import build_draft, form_from_policy

BOOK = load_policies()


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _tianjin_2026(folder: Path) -> Path:
    form = form_from_policy(BOOK.get("tianjin-2025"))
    for tier in form.tiers:
        tier.standard = {"low": "390.00", "high": "1030.00"}[tier.key]
    path = folder / "tianjin-2026.toml"
    path.write_text(serialize(build_draft(BOOK.get("tianjin-2025"), form, BOOK)), "utf-8")
    return path


def test_list_names_builtin_and_office_files(db_path, tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("YIBAO_OFFICE_POLICY_DIR", raising=False)
    office_dir = db_path.parent / "policies"
    office_dir.mkdir()
    _tianjin_2026(office_dir)
    code, out, _ = _run(["--db", f"sqlite:///{db_path}", "policy", "list", "--json"], capsys)
    assert code == 0
    rows = {row["key"]: row for row in json.loads(out)}
    assert rows["tianjin-2024"]["origin"] == "builtin"
    assert rows["tianjin-2026"]["origin"] == "office"
    assert rows["tianjin-2026"]["state"] in {"upcoming", "collection", "late", "closed"}
    code, out, _ = _run(["--db", f"sqlite:///{db_path}", "policy", "list"], capsys)
    assert code == 0 and "tianjin-2026　天津市2026年度城乡居民基本医疗保险　本单位" in out


def test_check_passes_a_good_file_and_refuses_a_bad_one(db_path, tmp_path, capsys):  # type: ignore[no-untyped-def]
    path = _tianjin_2026(tmp_path)
    db = ["--db", f"sqlite:///{db_path}"]
    code, out, _ = _run([*db, "policy", "check", str(path)], capsys)
    assert (code, out.strip()) == (0, "检查通过：tianjin-2026　天津市2026年度城乡居民基本医疗保险")
    path.write_text(path.read_text("utf-8").replace('"1030.00"', '"1030.005"'), "utf-8")
    code, out, err = _run([*db, "policy", "check", str(path)], capsys)
    assert code == 2
    assert "档次“高档”个人缴费标准（tiers.high.standard）" in err
    code, out, _ = _run([*db, "policy", "check", str(path), "--json"], capsys)
    assert code == 2
    assert json.loads(out)["error"] == "policy_check_failed"


def test_preview_json_has_the_table_beside_the_previous_year(db_path, tmp_path, capsys):  # type: ignore[no-untyped-def]
    _tianjin_2026(tmp_path)
    code, out, _ = _run(
        [
            "--db",
            f"sqlite:///{db_path}",
            "--policy-dir",
            str(tmp_path),
            "policy",
            "preview",
            "tianjin-2026",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert (data["policy"], data["previous"]) == ("tianjin-2026", "tianjin-2025")
    assert data["days"] == {"first": "2025-09-01", "last": "2025-12-31", "late": "2026-01-01"}
    row = next(
        r
        for r in data["rows"]
        if (r["category"], r["tier"], r["day"]) == ("adult", "high", "first")
    )
    assert row["new"]["personal_due"] == "1030.00"
    assert row["previous"]["ok"] is False and "未在政策文件中" in row["previous"]["message"]
    assert dt.date.fromisoformat(row["new"]["paid_on"]) == dt.date(2025, 9, 1)
    # each figure with its source, beside last year's (issue 17)
    standard = next(f for f in data["figures"] if (f["kind"], f["key"]) == ("standard", "high"))
    assert (standard["value"], standard["previous_source"]) == ("1030.00元", "002")
    assert standard["source"]
    code, out, _ = _run(
        ["--db", f"sqlite:///{db_path}", "policy", "preview", "nope", "--json"], capsys
    )
    assert code == 2 and json.loads(out)["error"] == "unknown_policy"
