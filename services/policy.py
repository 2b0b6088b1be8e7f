"""Policy data files: one region's rules for one policy year.

A policy is data, never code (POLICY.md §3). Each policy lives in a TOML file;
the built-in ones are in ``services/policies/``, an office can add more from
folders named in ``YIBAO_POLICY_DIR``. This module loads them into a
:class:`PolicyBook`; ``services.quote`` (amounts) and ``services.coverage``
(benefit dates) apply them.

This is the module the rest of the program imports from. The pieces live in:

* ``services.policy_types`` — the frozen dataclasses a policy loads into
  (:class:`Policy`, :class:`Tier`, :class:`Category`, :class:`Unset`, ...);
* ``services.policy_file`` — reading and validating one TOML file, including
  the file format;

and are re-exported here.

Extra folders: a file whose key is new adds a policy. A key already loaded is
an error naming both files — except that an extra file may replace a built-in
policy when it says so with ``replaces_builtin = true`` (an office receiving
the published 2025 rates). Two extra files with the same key are always an
error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from common.errors import NotFound
from services.policy_file import load_policy_file
from services.policy_types import (
    Policy,
    PolicyFileError,
)

__all__ = [
    "ENV_POLICY_DIR",
    "PolicyBook",
    "UnknownPolicy",
    "builtin_policy_dir",
    "load_policies",
    "policy_dirs_from_env",
]

ENV_POLICY_DIR = "YIBAO_POLICY_DIR"


class UnknownPolicy(NotFound):
    code = "unknown_policy"


def builtin_policy_dir() -> Path:
    return Path(__file__).parent / "policies"


@dataclass(frozen=True)
class PolicyBook:
    """The loaded policies, by key."""

    policies: Mapping[str, Policy] = field(default_factory=dict)

    def get(self, key: str) -> Policy:
        try:
            return self.policies[key]
        except KeyError:
            known = "、".join(self.keys()) or "（无）"
            raise UnknownPolicy(f"没有政策 {key}。已有政策：{known}") from None

    def keys(self) -> list[str]:
        return sorted(self.policies)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies[key] for key in self.keys())

    def __len__(self) -> int:
        return len(self.policies)

    def __contains__(self, key: object) -> bool:
        return key in self.policies


def _load_dir(folder: Path) -> list[Policy]:
    if not folder.is_dir():
        raise PolicyFileError(
            str(folder), "政策配置目录不存在或不是文件夹", code="policy_dir_missing"
        )
    return [load_policy_file(path) for path in sorted(folder.glob("*.toml"))]


def load_policies(extra_dirs: Sequence[Path] = ()) -> PolicyBook:
    """The built-in policies plus those in ``extra_dirs`` (see the module docstring)."""
    loaded: dict[str, Policy] = {p.key: p for p in _load_dir(builtin_policy_dir())}
    builtin_keys = set(loaded)
    from_extra: set[str] = set()
    for folder in extra_dirs:
        for policy in _load_dir(Path(folder)):
            other = loaded.get(policy.key)
            if other is not None and (policy.key in from_extra or not policy.replaces_builtin):
                hint = (
                    ""
                    if policy.key in from_extra
                    else "；如要替换内置政策，请在外部文件中写 replaces_builtin = true"
                )
                raise PolicyFileError(
                    str(policy.path),
                    f"政策 {policy.key} 重复，另一个文件是 {other.path}{hint}",
                    field="key",
                    code="duplicate_policy",
                )
            if policy.replaces_builtin and policy.key not in builtin_keys:
                raise PolicyFileError(
                    str(policy.path),
                    f"内置政策中没有 {policy.key}，不能写 replaces_builtin = true",
                    field="replaces_builtin",
                )
            loaded[policy.key] = policy
            from_extra.add(policy.key)
    return PolicyBook(MappingProxyType(loaded))


def policy_dirs_from_env(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Extra policy folders from ``YIBAO_POLICY_DIR`` (``os.pathsep``-separated)."""
    value = (os.environ if environ is None else environ).get(ENV_POLICY_DIR, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]
