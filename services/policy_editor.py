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

import copy
import datetime as dt
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from services.coverage import add_months
from services.errors import ServiceError
from services.policy import (
    Period,
    Policy,
    PolicyBook,
    PolicyFileError,
    builtin_policy_dir,
    load_policy_file,
    parse_amount_fen,
)

#: The waiting-period rule sets a supervisor may choose (POLICY.md §4), in Chinese.
RULE_SET_LABELS: dict[str, str] = {
    "tianjin-2024": "天津2024年度规则（000号文 §8：补缴等待6个月）",
    "tianjin-2025": "天津2025年度及以后规则（002号文：固定等待3个月起）",
    "chongqing-2024": "重庆2024年度规则（004号文 §5：次月起或满90日）",
}
SUBSIDY_LABELS: dict[str, str] = {
    "none": "不资助",
    "full": "全额资助",
    "quota": "定额资助（个人按低档标准的比例缴费）",
    "amount": "定额资助（资助固定金额）",
    "unset": "未给出（报价时拒绝）",
}
FIGURE_LABELS: dict[str, str] = {
    "standard": "个人缴费标准",
    "fiscal_subsidy": "财政补助",
    "benefits": "待遇标准",
    "source": "缴费标准依据",
    "fiscal_subsidy_source": "财政补助依据",
}
_KEY_RE = re.compile(r"[a-z][a-z0-9-]{1,62}")
_YEAR_TAIL_RE = re.compile(r"^(.*-)(\d{4})(-r\d+)?$")

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


# --- the yearly form -------------------------------------------------------------------


@dataclass
class TierFigures:
    """What a notice says for one tier; blank text means "not in the notice"."""

    key: str
    standard: str = ""
    fiscal_subsidy: str = ""
    benefits: str = ""  # one line per item
    #: where the standard (and the benefits) come from, e.g. "津医保发〔2026〕1号 §2";
    #: blank: the year's notice
    source: str = ""
    fiscal_subsidy_source: str = ""  # blank: the year's notice


@dataclass
class YearForm:
    """The fields of 新建年度政策, in the order a notice gives them."""

    base_key: str
    year: int
    key: str = ""  # default: the base key with the new year
    name: str = ""  # default: the base name with the new year
    collection_start: dt.date | None = None
    collection_end: dt.date | None = None
    late_start: dt.date | None = None  # both None: late payment unset
    late_end: dt.date | None = None
    late_unset_reason: str = ""
    tiers: list[TierFigures] = field(default_factory=list)
    #: category key -> "none" | "full" | "quota" | "amount" | "unset"; missing: as in the base
    subsidies: dict[str, str] = field(default_factory=dict)
    #: category key -> the fixed sum of an "amount" subsidy (blank: unset)
    subsidy_amounts: dict[str, str] = field(default_factory=dict)
    #: category key -> where its subsidy comes from (blank: the year's notice)
    subsidy_sources: dict[str, str] = field(default_factory=dict)
    quota_percent: str = ""  # blank: unset
    quota_source: str = ""  # blank: the year's notice
    rules: str = ""  # blank: as in the base
    #: policy-wide benefit notes, one per line; None keeps the base file's
    benefit_notes: str | None = None
    document_no: str = ""
    document_title: str = ""
    document_issued: dt.date | None = None
    document_file: str = ""


def default_key(base_key: str, year: int, base_year: int | None = None) -> str:
    """``tianjin-2025`` → ``tianjin-2026``; the same year → a revision (``tianjin-2025-r2``)."""
    if base_year is not None and year == base_year:
        match = re.search(r"-r(\d+)$", base_key)
        revision = int(match.group(1)) + 1 if match else 2
        return f"{base_key_of(base_key)}-r{revision}"
    match = _YEAR_TAIL_RE.match(base_key)
    if match:
        return f"{match.group(1)}{year}"
    return f"{base_key}-{year}"


def base_key_of(key: str) -> str:
    """The key without its revision suffix (``tianjin-2026-r2`` → ``tianjin-2026``)."""
    return re.sub(r"-r\d+$", "", key)


def form_from_policy(base: Policy, year: int | None = None) -> YearForm:
    """A form filled with the base policy's values moved to ``year`` (default: next year).

    Amounts and their sources start blank: the supervisor types each one from
    the notice, so a figure of last year is never carried over by mistake.
    """
    year = year or base.year + 1
    delta = year - base.year
    late = base.late if isinstance(base.late, Period) else None
    return YearForm(
        base_key=base.key,
        year=year,
        key=default_key(base.key, year, base.year),
        name=base.name.replace(str(base.year), str(year)),
        collection_start=shift_date(base.collection.start, delta),
        collection_end=shift_date(base.collection.end, delta),
        late_start=shift_date(late.start, delta) if late else None,
        late_end=shift_date(late.end, delta) if late else None,
        tiers=[TierFigures(key=key) for key in base.tiers],
        subsidies={
            key: (c.subsidy if isinstance(c.subsidy, str) else "unset")
            for key, c in base.categories.items()
        },
        quota_percent=""
        if not isinstance(base.quota_personal_percent, int)
        else str(base.quota_personal_percent),
        rules=base.rules,
        benefit_notes="\n".join(base.benefit_notes),
    )


def shift_date(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 Feb → 28 Feb)."""
    return add_months(day, 12 * years)


def _shift_dates(value: Any, years: int) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return shift_date(value, years)
    if isinstance(value, dict):
        return {k: _shift_dates(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift_dates(v, years) for v in value]
    return value


def _unset(reason: str) -> dict[str, str]:
    return {"unset": reason}


def build_draft(base: Policy, form: YearForm, book: PolicyBook) -> dict[str, Any]:
    """The raw data of the new policy file: the base file's data with the form applied.

    Refuses (``PolicyCheckFailed``, field named in Chinese) what the form itself
    gets wrong; the file format's own checks are :func:`check_draft`'s.
    """
    data = copy.deepcopy(read_policy_data(base))
    year = form.year
    if not 2000 <= year <= 2100:
        raise PolicyCheckFailed("政策年度须在2000到2100之间", field="year")
    delta = year - base.year
    data.pop("replaces_builtin", None)
    data["key"] = (form.key or default_key(base.key, year, base.year)).strip()
    data["year"] = year
    data["name"] = (form.name or base.name.replace(str(base.year), str(year))).strip()

    # Waiting-period rules: chosen from the rule sets the program knows, with
    # the parameters of a built-in policy that uses them.
    rules = form.rules or base.rules
    if rules not in RULE_SET_LABELS and rules != base.rules:
        raise PolicyCheckFailed(f"待遇等待期规则“{rules}”不是本程序已有的规则", field="rules")
    if rules != data.get("rules"):
        exemplar = _exemplar(book, rules)
        waiting = read_policy_data(exemplar).get("waiting")
        data["rules"] = rules
        if waiting is None:
            data.pop("waiting", None)
        else:
            data["waiting"] = _shift_dates(waiting, year - exemplar.year)
    elif "waiting" in data:
        # Dates inside the rule parameters (e.g. 重庆 next_month_until) move with the year.
        data["waiting"] = _shift_dates(data["waiting"], delta)
    if "newborn" in data:
        data["newborn"] = _shift_dates(data["newborn"], delta)

    # Source document of the notice: first in the list, the older ones kept
    # (categories still cite them).
    if form.document_title.strip() or form.document_no.strip():
        if form.document_issued is None:
            raise PolicyCheckFailed("请填写通知的发文日期", field="sources[0].issued")
        if not form.document_title.strip():
            raise PolicyCheckFailed("请填写通知的标题", field="sources[0].title")
        source: dict[str, Any] = {
            "file": form.document_file.strip() or form.document_title.strip(),
            "document_no": form.document_no.strip() or _unset("通知未载明文号"),
            "title": form.document_title.strip(),
            "issued": form.document_issued,
        }
        data["sources"] = [source, *data.get("sources", [])]
    cite = form.document_no.strip() or form.document_title.strip() or f"{year}年度通知"

    # Periods.
    periods = data.setdefault("periods", {})
    if form.collection_start is None or form.collection_end is None:
        raise PolicyCheckFailed("请填写集中缴费期的开始和结束日期", field="periods.collection")
    periods["collection"] = {
        "start": form.collection_start,
        "end": form.collection_end,
        "source": cite,
    }
    if form.late_start is None and form.late_end is None:
        periods["late"] = _unset(form.late_unset_reason.strip() or f"{cite}未规定补缴期")
    elif form.late_start is None or form.late_end is None:
        raise PolicyCheckFailed("补缴期须同时填写开始和结束日期，或都不填", field="periods.late")
    else:
        periods["late"] = {"start": form.late_start, "end": form.late_end, "source": cite}

    # Tiers: every figure typed, or explicitly unset.
    tiers = data.get("tiers", {})
    for figures in form.tiers:
        if figures.key not in tiers:
            raise PolicyCheckFailed(f"档次 {figures.key} 不存在", field=f"tiers.{figures.key}")
        tier = tiers[figures.key]
        label = tier.get("label", figures.key)
        for name in ("standard", "fiscal_subsidy"):
            text = getattr(figures, name).strip()
            where = f"tiers.{figures.key}.{name}"
            if not text:
                tier[name] = _unset(f"{year}年度{label}{FIGURE_LABELS[name]}未在{cite}中给出")
                continue
            if parse_amount_fen(text) is None:
                raise PolicyCheckFailed(
                    f"档次“{label}”{FIGURE_LABELS[name]}“{text}”不正确：须为非负金额，最多两位小数",
                    field=where,
                )
            tier[name] = text if "." in text else f"{text}.00"
        lines = [line.strip() for line in figures.benefits.splitlines() if line.strip()]
        tier["benefits"] = lines or _unset(f"{year}年度{label}待遇标准未在{cite}中给出")
        tier["source"] = figures.source.strip() or cite
        tier["fiscal_subsidy_source"] = figures.fiscal_subsidy_source.strip() or cite

    if form.benefit_notes is not None:
        data["benefit_notes"] = [
            line.strip() for line in form.benefit_notes.splitlines() if line.strip()
        ]

    # Subsidy classes.
    categories = data.get("categories", {})
    for key, kind in form.subsidies.items():
        if key not in categories:
            raise PolicyCheckFailed(f"参保类别 {key} 不存在", field=f"categories.{key}")
        if kind not in SUBSIDY_LABELS:
            raise PolicyCheckFailed(f"资助方式“{kind}”不正确", field=f"categories.{key}.subsidy")
        category = categories[key]
        label = category.get("label", key)
        category.pop("subsidy_amount", None)
        category["subsidy"] = _unset(f"{cite}未给出{label}的资助标准") if kind == "unset" else kind
        if kind == "amount":
            text = form.subsidy_amounts.get(key, "").strip()
            if not text:  # the class is known but not the sum: unset, never guessed
                category["subsidy"] = _unset(f"{cite}未给出{label}的定额资助金额")
            elif parse_amount_fen(text) is None:
                raise PolicyCheckFailed(
                    f"类别“{label}”定额资助金额“{text}”不正确：须为非负金额，最多两位小数",
                    field=f"categories.{key}.subsidy_amount",
                )
            else:
                category["subsidy_amount"] = text if "." in text else f"{text}.00"
        category["subsidy_source"] = form.subsidy_sources.get(key, "").strip() or cite
    quota = data.setdefault("quota_subsidy", {})
    quota["source"] = form.quota_source.strip() or cite
    percent = form.quota_percent.strip()
    if not percent:
        quota["personal_percent"] = _unset(f"{cite}未给出定额资助的个人缴费比例")
    elif not percent.isdigit() or not 0 <= int(percent) <= 100:
        raise PolicyCheckFailed(
            f"定额资助个人缴费比例“{percent}”不正确：须为0到100的整数（资助不能超过缴费标准）",
            field="quota_subsidy.personal_percent",
        )
    else:
        quota["personal_percent"] = int(percent)
    return data


def _exemplar(book: PolicyBook, rules: str) -> Policy:
    candidates = [p for p in book if p.rules == rules and p.path.parent == builtin_policy_dir()]
    if not candidates:
        raise PolicyCheckFailed(f"没有使用规则“{rules}”的内置政策可作参照", field="rules")
    return max(candidates, key=lambda p: p.year)


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


def check_file(path: Path, book: PolicyBook) -> Policy:
    """Check a policy file as the editor would before importing it."""
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
            f"政策代码（key）须与文件名一致（文件名为 {path.stem}）", field="key"
        )
    loaded = book.policies.get(path.stem)
    if loaded is not None and loaded.path.resolve() == path.resolve():
        # The file the book was loaded from: check it against the others only.
        others = PolicyBook({k: p for k, p in book.policies.items() if k != path.stem})
        builtins = [p.key for p in book if p.path.parent == builtin_policy_dir()]
        return check_draft(data, others, builtin_keys=[k for k in builtins if k != path.stem])
    return check_draft(data, book)
