"""An office's own policy files: saving, importing, exporting, switching.

The files are ordinary policy files (``services/policies/*.toml`` format) in the
office's data folder (:func:`office_policy_dir`), loaded beside the built-in
ones (:func:`load_office_book`). Each saved file also has a row in
``policy_file`` with its exact text, who saved it and which second supervisor
confirmed it; a switch of the office's policy in use has a row in
``policy_switch``.

A key is never given to two files. Saving or importing a file whose key an
office file already has makes a *revision* with a key of its own
(``tianjin-2026`` → ``tianjin-2026-r2``), and the office chooses it for new
enrolments; enrolments already made keep ``policy_key`` of the revision they
were quoted on, so late payments, refunds and reprints use that one. A key of a
built-in policy is refused.

Audit trail: the calls to
it belong in :func:`save_policy_file` (after the ``PolicyFileRecord`` flush,
action "policy_file_saved", with saved_by and confirmed_by) and in
:func:`switch_policy_in_use` (after the ``PolicySwitch`` flush, action
"policy_switched"); until then these two tables are the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.errors import ConflictError, InputError, NotFound
from db.engine import sqlite_path
from db.models import Office, PolicyFileRecord, PolicySwitch
from db.paths import APP_NAME
from services.audit import record_audit
from services.clock import Clock
from services.office import require_supervisor
from services.office_settings import update_office_settings
from services.policy import PolicyBook, UnknownPolicy, builtin_policy_dir, load_policies
from services.policy_confirmation import confirm_by_second_supervisor
from services.policy_editor import PolicyCheckFailed, check_draft, read_named_policy, serialize
from services.policy_form import base_key_of
from services.policy_types import Policy

OFFICE_POLICY_SUBDIR = "policies"
#: Overrides the office's policy folder (tests, or an office keeping it on a share).
ENV_OFFICE_POLICY_DIR = "YIBAO_OFFICE_POLICY_DIR"
ORIGINS = {"editor": "编辑器新建", "import": "导入"}


def office_policy_dir(db_url: str, environ: Mapping[str, str] | None = None) -> Path:
    """The office's data folder for policy files.

    Beside the SQLite file (so a backup of the folder holds both), else the
    user's data folder; ``YIBAO_OFFICE_POLICY_DIR`` wins.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_OFFICE_POLICY_DIR):
        return Path(env[ENV_OFFICE_POLICY_DIR])
    path = sqlite_path(db_url)
    if path is not None:
        return path.parent / OFFICE_POLICY_SUBDIR
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / OFFICE_POLICY_SUBDIR


def load_office_book(extra_dirs: Sequence[Path], office_dir: Path | None) -> PolicyBook:
    """Built-in policies, the ``--policy-dir`` folders and the office's own files."""
    dirs = [*extra_dirs]
    if office_dir is not None and office_dir.is_dir():
        dirs.append(office_dir)
    return load_policies(dirs)


def restore_missing_files(session: Session, folder: Path) -> list[Path]:
    """Write out files recorded in the database but missing in ``folder``.

    Several windows share one PostgreSQL database, each with its own data
    folder: a file saved at one window reaches the others this way, with its
    exact text. A file that exists is never overwritten.
    """
    written = []
    for row in session.scalars(select(PolicyFileRecord).order_by(PolicyFileRecord.id)):
        path = folder / f"{row.key}.toml"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            _write_new(path, row.content)
            written.append(path)
    return written


# --- saving ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedPolicy:
    key: str
    base_key: str
    revision: int
    path: Path
    saved_by: int
    confirmed_by: int | None
    replaced_key: str | None  # the earlier revision this one corrects, if any


def _next_revision(session: Session, base: str, folder: Path, *, builtin: bool) -> int:
    last = session.scalar(
        select(func.max(PolicyFileRecord.revision)).where(PolicyFileRecord.base_key == base)
    )
    # A built-in policy is revision 1 of its key: an office's correction starts at 2.
    revision = max(int(last or 0), 1 if builtin else 0) + 1
    # A file put in the folder by hand also holds its key.
    while (folder / f"{_key_for(base, revision)}.toml").exists():
        revision += 1
    return revision


def _key_for(base: str, revision: int) -> str:
    return base if revision == 1 else f"{base}-r{revision}"


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never replaces another file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, path)  # fails if ``path`` exists: no silent replacement
    except FileExistsError:
        raise ConflictError(
            f"政策文件 {path.name} 已存在，不会覆盖。", code="policy_file_exists"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_in_folder(folder: Path, name: str, text: str) -> Path:
    """A new file in the office's folder (made if missing); never replaces one."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    _write_new(path, text)
    return path


def _header(policy: Policy, origin: str, based_on: str, who: str, when: dt.datetime) -> str:
    how = f"由 {based_on} 新建" if origin == "editor" and based_on else ORIGINS[origin]
    return (
        f"{policy.name}（{policy.key}）\n"
        f"{how}；保存人 {who}，{when:%Y-%m-%d %H:%M}。\n"
        "格式与内置政策文件相同（见 services/policies/tianjin-2024.toml）；\n"
        '未给出的值写成 { unset = "原因" }，报价时拒绝并说明原因。'
    )


def save_policy_file(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    data: Mapping[str, Any],
    book: PolicyBook,
    folder: Path,
    origin: str = "editor",
    based_on: str = "",
    confirm_username: str | None = None,
    confirm_password: str | None = None,
) -> SavedPolicy:
    """Check and save a policy file in the office's folder; never replaces a file.

    A key an office file already has becomes the next revision (``-r2``…);
    identical content is refused as already saved; a built-in key is refused.
    The database row is written first and the file last, inside the caller's
    transaction: a failure leaves neither.
    """
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}")
    saver = require_supervisor(session, operator_id, office_id=office_id)
    confirmer = confirm_by_second_supervisor(
        session, office_id, operator_id, confirm_username, confirm_password
    )
    data = dict(data)
    key = str(data.get("key", "")).strip()
    base = base_key_of(key)
    builtin_keys = {p.key for p in book if p.path.parent == builtin_policy_dir()}
    _refuse_builtin_key(key, builtin_keys)
    earlier = session.scalars(
        select(PolicyFileRecord)
        .where(PolicyFileRecord.base_key == base)
        .order_by(PolicyFileRecord.revision.desc())
    ).first()
    revision = _next_revision(session, base, folder, builtin=base in builtin_keys)
    policy = _check_revision(data, book, _key_for(base, revision), builtin_keys)
    saving = _Saving(
        office_id=office_id,
        operator_id=operator_id,
        saver_name=saver.display_name,
        confirmer=confirmer,
        origin=origin,
        based_on=based_on,
        now=clock.now(),
    )
    text = _record_saved(session, policy, data, base, revision, saving)
    path = _write_in_folder(folder, f"{data['key']}.toml", text)
    return SavedPolicy(
        key=data["key"],
        base_key=base,
        revision=revision,
        path=path,
        saved_by=operator_id,
        confirmed_by=confirmer,
        replaced_key=earlier.key if earlier is not None else None,
    )


def _check_revision(
    data: dict[str, Any], book: PolicyBook, key: str, builtin_keys: set[str]
) -> Policy:
    """The draft under its revision key, checked against the other policies."""
    data["key"] = key
    data.pop("replaces_builtin", None)
    book_without = PolicyBook({k: p for k, p in book.policies.items() if k != key})
    return check_draft(data, book_without, builtin_keys=sorted(builtin_keys))


def _refuse_builtin_key(key: str, builtin_keys: set[str]) -> None:
    """A built-in key is never saved over: a new policy takes a new key."""
    if key in builtin_keys:
        raise PolicyCheckFailed(
            f"政策代码“{key}”与内置政策重复；新政策须用新的代码（下一年度，"
            f"或更正本年度时用 {key}-r2）",
            field="key",
        )


def _refuse_same_content(session: Session, base: str, digest: str) -> None:
    """The same content under another revision key is still the same content."""
    same = session.scalars(
        select(PolicyFileRecord).where(
            PolicyFileRecord.base_key == base, PolicyFileRecord.sha256 == digest
        )
    ).first()
    if same is not None:
        raise ConflictError(
            f"内容相同的政策文件已保存为 {same.key}，无需再次保存。", code="policy_already_saved"
        )


@dataclass(frozen=True)
class _Saving:
    """Who saves a policy file, confirmed by whom, from what, and when."""

    office_id: int
    operator_id: int
    saver_name: str
    confirmer: int | None
    origin: str
    based_on: str
    now: dt.datetime


def _record_saved(
    session: Session,
    policy: Policy,
    data: dict[str, Any],
    base: str,
    revision: int,
    saving: _Saving,
) -> str:
    """The file's text, its database row and its line in the audit journal; the
    same content saved before (under any revision key) is refused."""
    office_id, operator_id, confirmer = saving.office_id, saving.operator_id, saving.confirmer
    origin, based_on, now = saving.origin, saving.based_on, saving.now
    key = data["key"]
    text = serialize(data, header=_header(policy, origin, based_on, saving.saver_name, now))
    # The same content under another revision key is still the same content.
    digest = hashlib.sha256(serialize({**data, "key": base}).encode("utf-8")).hexdigest()
    _refuse_same_content(session, base, digest)
    session.add(
        PolicyFileRecord(
            office_id=office_id,
            key=key,
            base_key=base,
            revision=revision,
            year=policy.year,
            name=policy.name,
            origin=origin,
            based_on=based_on,
            content=text,
            sha256=digest,
            saved_by=operator_id,
            saved_at=now,
            confirmed_by=confirmer,
            confirmed_at=now if confirmer is not None else None,
        )
    )
    session.flush()
    record_audit(
        session,
        at=now,
        operator_id=operator_id,
        office_id=office_id,
        action="policy_file_saved",
        subject=f"policy:{key}",
        details={
            "origin": origin,
            "based_on": based_on,
            "saved_by": operator_id,
            "confirmed_by": confirmer,
            "sha256": digest,
        },
    )
    return text


def read_import(path: Path) -> dict[str, Any]:
    """The raw data of a file to import (its own checks come with :func:`check_draft`)."""
    return read_named_policy(path)


def export_policy(policy: Policy, target: Path) -> Path:
    """Copy a policy's file as it is (a street office hands it to its villages)."""
    target = Path(target)
    if target.is_dir() or target.suffix != ".toml":
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"{policy.key}.toml"
    if target.stem != policy.key:
        raise InputError(f"导出的文件名须为 {policy.key}.toml（文件名与政策代码一致）")
    if target.exists():
        raise ConflictError(f"文件 {target} 已存在，不会覆盖。", code="file_exists")
    _write_new(target, policy.path.read_text(encoding="utf-8"))
    return target


# --- the policy in use -----------------------------------------------------------------


def switch_policy_in_use(
    session: Session,
    clock: Clock,
    *,
    office_id: int,
    operator_id: int,
    policy_key: str,
    book: PolicyBook,
) -> str:
    """Choose the policy for new enrolments; earlier enrolments keep theirs."""
    require_supervisor(session, operator_id, office_id=office_id)
    try:
        policy = book.get(policy_key)
    except UnknownPolicy as exc:
        raise InputError(exc.message, code="unknown_policy") from None
    office = session.get(Office, office_id)
    if office is None:  # pragma: no cover - require_supervisor found its operator
        raise NotFound(f"没有编号为 {office_id} 的单位。", code="office_not_found")
    if office.policy_key == policy.key:
        raise InputError(f"{policy.name} 已是本单位的执行政策。", code="already_in_use")
    now = clock.now()
    session.add(
        PolicySwitch(
            office_id=office_id,
            from_key=office.policy_key,
            to_key=policy.key,
            switched_by=operator_id,
            switched_at=now,
        )
    )
    from_key = office.policy_key
    office.policy_key = policy.key
    office.updated_at = now
    office.updated_by = operator_id
    session.flush()
    record_audit(
        session,
        at=now,
        operator_id=operator_id,
        office_id=office_id,
        action="policy_switched",
        subject=f"policy:{policy.key}",
        details={"from": from_key, "to": policy.key},
    )
    return policy.key


def update_office_and_policy(
    session: Session,
    clock: Clock,
    *,
    book: PolicyBook,
    office_id: int,
    operator_id: int,
    policy_key: str,
    **settings: Any,
) -> Any:
    """设置 → 单位 saved in one transaction: a changed policy in use goes through
    :func:`switch_policy_in_use` (so the switch is recorded), then the rest
    through ``services.office.update_office_settings``."""
    office = session.get(Office, office_id)
    if office is not None and office.policy_key != policy_key:
        switch_policy_in_use(
            session,
            clock,
            office_id=office_id,
            operator_id=operator_id,
            policy_key=policy_key,
            book=book,
        )
    return update_office_settings(
        session,
        clock,
        office_id=office_id,
        operator_id=operator_id,
        known_policies=frozenset(book.keys()),
        **settings,
    )
