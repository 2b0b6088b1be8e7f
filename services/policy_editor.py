"""Making a new policy year without a programmer: draft, check, preview.

A supervisor starts from the office's current policy and types what a yearly
notice changes (``YearForm``). :func:`build_draft` turns that into the raw data
of an ordinary policy file — the same TOML format as ``services/policies/`` —
starting from the base file's own data, so every field the base file has
(including fields this module does not know) is carried over unchanged.
:func:`serialize` writes such data back as TOML; :func:`check_draft` validates
it with ``services.policy_file`` (the very checks the built-in files pass) plus
the checks between years. The preview of a checked draft is in
``services.policy_preview``.

Saving, importing, exporting and switching the office's policy in use are in
``services.policy_store``.

A figure left blank is written ``{ unset = "why" }``: quotes that need it are
refused naming it, never guessed (POLICY.md §3).
"""

from __future__ import annotations

import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from common.errors import ServiceError
from services.policy import PolicyBook, builtin_policy_dir
from services.policy_file import load_policy_file
from services.policy_types import Policy, PolicyFileError

FIGURE_LABELS: dict[str, str] = {
    "standard": "个人缴费标准",
    "fiscal_subsidy": "财政补助",
    "benefits": "待遇标准",
    "source": "缴费标准依据",
    "fiscal_subsidy_source": "财政补助依据",
}
_KEY_RE = re.compile(r"[a-z][a-z0-9-]{1,62}")

# Field paths of the file format, in Chinese, for error messages.
_TOP_LABELS = {
    "key": "政策代码",
    "region": "地区",
    "year": "政策年度",
    "name": "政策名称",
    "rules": "待遇等待期规则",
    "low_tier": "低档档次",
    "benefit_notes": "待遇说明",
    "replaces_builtin": "替换内置政策",
    "sources": "政策依据文件",
    "periods": "缴费期",
    "periods.collection": "集中缴费期",
    "periods.late": "补缴期",
    "quota_subsidy": "定额资助",
    "quota_subsidy.personal_percent": "定额资助个人缴费比例",
    "quota_subsidy.source": "定额资助个人缴费比例依据",
    "tiers": "缴费档次",
    "categories": "参保类别",
    "newborn": "新生儿规则",
    "waiting": "等待期参数",
}
_SOURCE_LABELS = {
    "file": "文件名",
    "document_no": "文号",
    "title": "文件标题",
    "issued": "发文日期",
}
_CATEGORY_FIELD_LABELS = {
    "subsidy": "资助方式",
    "subsidy_amount": "定额资助金额",
    "subsidy_source": "资助依据",
    "tiers": "可选档次",
    "default_tier": "默认档次",
    "benefit_tier": "待遇档次",
    "label": "名称",
}


class PolicyCheckFailed(ServiceError):
    """A policy draft or file that cannot be used; the message names the field in Chinese."""

    code = "policy_check_failed"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def field_label(path: str | None, data: Mapping[str, Any] | None = None) -> str:
    """``tiers.high.standard`` → ``“高档”个人缴费标准`` (the file's own labels when known)."""
    if not path:
        return "文件"
    if path in _TOP_LABELS:
        return _TOP_LABELS[path]
    parts = path.split(".")
    if parts[0] == "tiers" and len(parts) >= 2:
        label = _label_of(data, "tiers", parts[1])
        rest = ".".join(parts[2:])
        return f"档次“{label}”" + (FIGURE_LABELS.get(rest, rest) if rest else "")
    if parts[0] == "categories" and len(parts) >= 2:
        label = _label_of(data, "categories", parts[1])
        rest = ".".join(parts[2:])
        return f"类别“{label}”" + (_CATEGORY_FIELD_LABELS.get(rest, rest) if rest else "")
    match = re.fullmatch(r"sources\[(\d+)\](?:\.(\w+))?", path)
    if match:
        return f"第{int(match.group(1)) + 1}个依据文件" + _SOURCE_LABELS.get(
            match.group(2) or "", match.group(2) or ""
        )
    for prefix in ("periods.collection", "periods.late"):
        if path.startswith(prefix + "."):
            end = {"start": "开始日期", "end": "结束日期"}.get(path[len(prefix) + 1 :], "")
            return _TOP_LABELS[prefix] + end
    if parts[0] in ("waiting", "newborn", "quota_subsidy", "periods"):
        return f"{_TOP_LABELS[parts[0]]} {'.'.join(parts[1:])}"
    return path


def _label_of(data: Mapping[str, Any] | None, table: str, key: str) -> str:
    try:
        label = data[table][key]["label"] if data is not None else None
    except (KeyError, TypeError):
        label = None
    return str(label) if isinstance(label, str) and label else key


def describe_file_error(exc: PolicyFileError, data: Mapping[str, Any] | None = None) -> str:
    """The parser's error with the field named in Chinese (the path kept in brackets)."""
    where = f"政策配置文件 {exc.file}" + (f" 字段 {exc.field}" if exc.field else "")
    problem = exc.message.removeprefix(where).removeprefix("：")
    if not exc.field:
        return f"政策文件 {exc.file}：{problem}"
    return f"{field_label(exc.field, data)}（{exc.field}）：{problem}"


# --- raw data and TOML ---------------------------------------------------------------


def read_policy_data(policy: Policy) -> dict[str, Any]:
    """The raw TOML data of a loaded policy's file (every field, as written)."""
    return tomllib.loads(policy.path.read_text(encoding="utf-8"))


def serialize(data: Mapping[str, Any], *, header: str = "") -> str:
    """Policy data as TOML text that ``services.policy_file`` reads back to the same policy.

    Generic: every key and value of ``data`` is written as it is (tomli-w), so a
    field added to the format later survives an edit without a change here.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    body = tomli_w.dumps(_plain(data))
    return ("\n".join(lines) + "\n\n" if lines else "") + body


def _plain(value: Any) -> Any:
    """tomllib gives dicts and lists; keep them, turn tuples into lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def parse_text(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyCheckFailed(f"政策文件 {file} 不是正确的 TOML 格式（{exc}）") from None


def load_data(data: Mapping[str, Any], *, file_key: str | None = None) -> Policy:
    """Validate raw data exactly as a file on disk is validated; returns the Policy.

    The returned policy's ``path`` points at a temporary file that no longer
    exists; callers that keep the policy replace it (see ``policy_store``).
    """
    key = file_key or str(data.get("key", "")) or "policy"
    if not _KEY_RE.fullmatch(key):
        raise PolicyCheckFailed(
            f"政策代码“{key}”不正确：只能用小写字母、数字和连字符，以字母开头，最多63个字符",
            field="key",
        )
    with tempfile.TemporaryDirectory(prefix="policy-check-") as folder:
        path = Path(folder) / f"{key}.toml"
        path.write_text(serialize(data), encoding="utf-8")
        try:
            return load_policy_file(path)
        except PolicyFileError as exc:
            raise PolicyCheckFailed(describe_file_error(exc, data), field=exc.field) from None


# --- checks ----------------------------------------------------------------------------


def previous_policy(policy: Policy | Mapping[str, Any], book: PolicyBook) -> Policy | None:
    """The policy of the same region a year earlier (the newest revision of it)."""
    region = policy.region if isinstance(policy, Policy) else policy.get("region")
    year = policy.year if isinstance(policy, Policy) else policy.get("year")
    if not isinstance(year, int):
        return None
    candidates = [p for p in book if p.region == region and p.year == year - 1]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.path.parent != builtin_policy_dir(), _revision(p.key)))


def _revision(key: str) -> int:
    match = re.search(r"-r(\d+)$", key)
    return int(match.group(1)) if match else 1


def check_draft(
    data: Mapping[str, Any], book: PolicyBook, *, builtin_keys: Sequence[str] | None = None
) -> Policy:
    """Validate raw data: the file format's checks, then those between files and years."""
    key = str(data.get("key", ""))
    builtins = (
        set(builtin_keys)
        if builtin_keys is not None
        else {p.key for p in book if p.path.parent == builtin_policy_dir()}
    )
    if key in builtins:
        raise PolicyCheckFailed(
            f"政策代码“{key}”与内置政策重复；新政策须用新的代码（下一年度，"
            f"或更正本年度时用 {key}-r2）",
            field="key",
        )
    policy = load_data(data)
    previous = previous_policy(policy, book)
    if previous is not None and policy.collection.start <= previous.collection.end:
        raise PolicyCheckFailed(
            f"集中缴费期（开始 {policy.collection.start:%Y-%m-%d}）与上一年度"
            f"（{previous.key}，至 {previous.collection.end:%Y-%m-%d}）重叠",
            field="periods.collection",
        )
    for category in policy.categories.values():
        if not category.tiers:  # pragma: no cover - policy_file refuses it first
            raise PolicyCheckFailed(
                f"类别“{category.label}”没有任何缴费档次", field=f"categories.{category.key}"
            )
    return policy


def read_named_policy(path: Path) -> dict[str, Any]:
    """The raw data of a policy file whose key must be its file name.

    Both the editor's check of a file and the import of one read a file this way;
    the policy's own checks come with :func:`check_draft`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyCheckFailed(f"无法读取政策文件 {path.name}（{exc.strerror or exc}）") from None
    except UnicodeDecodeError:
        raise PolicyCheckFailed(f"政策文件 {path.name} 不是 UTF-8 编码的文本") from None
    data = parse_text(text, path.name)
    if str(data.get("key", "")) != path.stem:
        raise PolicyCheckFailed(
            f"政策代码（key = {data.get('key')!r}）须与文件名一致（文件名为 {path.stem}）",
            field="key",
        )
    return data


def check_file(path: Path, book: PolicyBook) -> Policy:
    """Check a policy file as the editor would before importing it."""
    path = Path(path)
    data = read_named_policy(path)
    loaded = book.policies.get(path.stem)
    if loaded is not None and loaded.path.resolve() == path.resolve():
        # The file the book was loaded from: check it against the others only.
        others = PolicyBook({k: p for k, p in book.policies.items() if k != path.stem})
        builtins = [p.key for p in book if p.path.parent == builtin_policy_dir()]
        return check_draft(data, others, builtin_keys=[k for k in builtins if k != path.stem])
    return check_draft(data, book)
