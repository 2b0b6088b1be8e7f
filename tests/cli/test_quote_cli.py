"""``main.py quote``: JSON and text output, refusals with exit code 2."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from cli import quote as quote_cli
from services.policy import load_policies

BOOK = load_policies()


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Parse ``argv`` the way main.py does (a top-level --policy-dir, then the
    subcommand) and run the quote command."""
    parser = argparse.ArgumentParser(prog="main.py")
    parser.add_argument("--policy-dir", action="append", default=[])
    parser.add_argument("--db")
    quote_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    assert args.command == "quote"
    code = quote_cli.run(args, BOOK)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli(["quote", *argv, "--json"], capsys)
    assert out.count("\n") == 1  # one JSON object on one line
    return code, json.loads(out)


def test_json_quote(capsys):
    code, data = run_json(
        [
            "--policy",
            "tianjin-2024",
            "--category",
            "adult",
            "--tier",
            "high",
            "--paid-on",
            "2023-11-01",
        ],
        capsys,
    )
    assert code == 0
    assert data["policy"] == "tianjin-2024" and data["tier"] == "high"
    assert (data["standard"], data["subsidy"], data["personal_due"]) == (
        "1010.00",
        "0.00",
        "1010.00",
    )
    assert data["benefit_start"] == "2024-01-01" and data["benefit_end"] == "2024-12-31"
    assert data["waiting_months"] == 0 and data["covered"] is True
    assert isinstance(data["rules"], list) and data["rules"]


def test_json_is_not_ascii_escaped(capsys):
    code, out, _ = run_cli(
        [
            "quote",
            "--policy",
            "tianjin-2024",
            "--category",
            "orphan",
            "--paid-on",
            "2023-11-01",
            "--birth-date",
            "2012-03-04",
            "--json",
        ],
        capsys,
    )
    assert code == 0 and "孤儿" in out and "\\u" not in out
    assert json.loads(out)["personal_due"] == "0.00"
    assert json.loads(out)["benefit_tier"] == "high"  # a minor orphan keeps high benefits


def test_all_facts_flags(capsys):
    code, data = run_json(
        [
            "--policy",
            "tianjin-2024",
            "--category",
            "adult",
            "--tier",
            "low",
            "--paid-on",
            "2024-03-15",
            "--continuous-years",
            "2",
            "--gap-months",
            "3",
            "--gap-years",
            "0",
            "--repaired-years",
            "0",
            "--birth-date",
            "1990-01-01",
            "--job-change",
            "--hardship-certified",
        ],
        capsys,
    )
    assert code == 0 and data["benefit_start"] == "2024-03-16" and data["late"] is True


def test_newborn_and_via_school(capsys):
    code, data = run_json(
        [
            "--policy",
            "tianjin-2024",
            "--category",
            "newborn",
            "--paid-on",
            "2024-05-15",
            "--birth-date",
            "2024-01-15",
        ],
        capsys,
    )
    assert code == 0 and data["benefit_start"] == "2024-01-15" and data["benefit_tier"] == "high"
    code, data = run_json(
        [
            "--policy",
            "tianjin-2024",
            "--category",
            "student",
            "--paid-on",
            "2023-11-01",
            "--via-school",
        ],
        capsys,
    )
    assert code == 0 and data["benefit_start"] == "2023-09-01"


def test_not_covered_still_answers(capsys):
    code, data = run_json(
        [
            "--policy",
            "tianjin-2024",
            "--category",
            "adult",
            "--tier",
            "low",
            "--paid-on",
            "2024-08-31",
        ],
        capsys,
    )
    assert code == 0
    assert data["covered"] is False and data["benefit_start"] is None
    assert data["waiting_months"] == 6 and "不能享受" in data["notice"]


def test_tianjin_2025_gap_years(capsys):
    code, data = run_json(
        [
            "--policy",
            "tianjin-2025",
            "--category",
            "adult",
            "--tier",
            "high",
            "--paid-on",
            "2025-02-10",
            "--gap-years",
            "3",
        ],
        capsys,
    )
    assert code == 2 and data["error"] == "value_unset" and "高档个人缴费标准" in data["message"]


@pytest.mark.parametrize(
    ("argv", "error", "fragment"),
    [
        (
            ["--policy", "beijing-2024", "--category", "adult", "--paid-on", "2024-01-01"],
            "unknown_policy",
            "tianjin-2024",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "low",
                "--paid-on",
                "2024-02-30",
            ],
            "invalid_input",
            "--paid-on",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "low",
                "--paid-on",
                "2024/01/01",
            ],
            "invalid_input",
            "YYYY-MM-DD",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "newborn",
                "--paid-on",
                "2024-03-01",
                "--birth-date",
                "yesterday",
            ],
            "invalid_input",
            "--birth-date",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "low",
                "--paid-on",
                "2024-03-01",
                "--gap-months",
                "-1",
            ],
            "invalid_input",
            "--gap-months",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "low",
                "--paid-on",
                "2024-03-01",
                "--continuous-years",
                "two",
            ],
            "invalid_input",
            "--continuous-years",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "low",
                "--paid-on",
                "2024-03-01",
                "--gap-years",
                "1",
                "--repaired-years",
                "2",
            ],
            "invalid_input",
            "修复",
        ),
        (
            ["--policy", "tianjin-2024", "--category", "adult", "--tier", "low"],
            "invalid_input",
            "--paid-on",
        ),
        (["--category", "adult", "--paid-on", "2024-03-01"], "invalid_input", "--policy"),
        (["--policy", "tianjin-2024", "--paid-on", "2024-03-01"], "invalid_input", "--category"),
        (
            ["--policy", "tianjin-2024", "--category", "adult", "--paid-on", "2024-03-01"],
            "tier_required",
            "缴费档次",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "gold",
                "--paid-on",
                "2024-03-01",
            ],
            "unknown_tier",
            "gold",
        ),
        (
            ["--policy", "tianjin-2024", "--category", "newborn", "--paid-on", "2024-03-01"],
            "birth_date_required",
            "出生日期",
        ),
        (
            [
                "--policy",
                "chongqing-zhongxian-2024",
                "--category",
                "adult",
                "--tier",
                "tier1",
                "--paid-on",
                "2024-10-01",
            ],
            "late_payment_closed",
            "2024-09-30",
        ),
        (
            [
                "--policy",
                "chongqing-zhongxian-2024",
                "--category",
                "adult",
                "--tier",
                "tier1",
                "--paid-on",
                "2024-07-01",
            ],
            "value_unset",
            "财政补助",
        ),
        (
            [
                "--policy",
                "tianjin-2024",
                "--category",
                "adult",
                "--tier",
                "low",
                "--paid-on",
                "2023-10-01",
            ],
            "before_collection_period",
            "2023-10-10",
        ),
    ],
)
def test_refusals_exit_2_with_json_error(capsys, argv, error, fragment):
    code, data = run_json(argv, capsys)
    assert code == 2
    assert set(data) == {"error", "message"}
    assert data["error"] == error and fragment in data["message"]


def test_text_output(capsys):
    code, out, err = run_cli(
        [
            "quote",
            "--policy",
            "tianjin-2024",
            "--category",
            "minimum_living",
            "--paid-on",
            "2023-11-01",
            "--birth-date",
            "1980-05-05",
        ],
        capsys,
    )
    assert code == 0 and err == ""
    assert "应缴金额：38.00 元" in out
    assert "待遇享受期：2024-01-01 至 2024-12-31" in out
    assert "依据：" in out and "000 §2(4)" in out


def test_text_output_when_not_covered(capsys):
    code, out, _ = run_cli(
        [
            "quote",
            "--policy",
            "tianjin-2024",
            "--category",
            "adult",
            "--tier",
            "low",
            "--paid-on",
            "2024-08-31",
        ],
        capsys,
    )
    assert code == 0 and "本年度无（按规定应自 2025-03-01 起）" in out


def test_text_refusal_goes_to_stderr(capsys):
    code, out, err = run_cli(
        [
            "quote",
            "--policy",
            "chongqing-zhongxian-2024",
            "--category",
            "adult",
            "--tier",
            "tier1",
            "--paid-on",
            "2024-10-01",
        ],
        capsys,
    )
    assert code == 2 and out == ""
    assert err.startswith("错误：") and "2024-09-30" in err


def test_policy_option_is_not_taken_for_policy_dir(capsys):
    code, data = run_json(
        [
            "--policy",
            "tianjin-2023",
            "--category",
            "adult",
            "--tier",
            "high",
            "--paid-on",
            "2022-10-01",
        ],
        capsys,
    )
    assert code == 0 and data["personal_due"] == "980.00"
