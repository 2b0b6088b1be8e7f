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

from db.engine import sqlite_path
from db.models import Office, Operator, PolicyFileRecord, PolicySwitch
from db.paths import APP_NAME
from services.audit import record_audit
from services.clock import Clock
from services.errors import ConflictError, InputError, NotFound, PermissionDenied
from services.office import authenticate, require_supervisor, update_office_settings
from services.policy import (
    Policy,
    PolicyBook,
    UnknownPolicy,
    builtin_policy_dir,
    load_policies,
)
from services.policy_editor import (
    PolicyCheckFailed,
    base_key_of,
    check_draft,
    parse_text,
    serialize,
)
from services.policy_preview import (
    PERIOD_STATES,
    period_state,
)

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


def _active_supervisors(session: Session, office_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Operator.id)).where(
                Operator.office_id == office_id,
                Operator.role == "supervisor",
                Operator.active.is_(True),
            )
        )
        or 0
    )


def needs_confirmation(session: Session, office_id: int) -> bool:
    """Whether saving needs a second supervisor (the office has one)."""
    return _active_supervisors(session, office_id) >= 2


def _confirm(
    session: Session,
    office_id: int,
    operator_id: int,
    username: str | None,
    password: str | None,
) -> int | None:
    if not needs_confirmation(session, office_id):
        return None
    if not username:
        raise PermissionDenied(
            "本单位有两名以上主管：保存政策须由另一名主管输入用户名和密码确认。",
            code="confirmation_required",
        )
    other = authenticate(session, username, password or "")
    if other.id == operator_id:
        raise PermissionDenied("确认人须是另一名主管，不能由保存人自己确认。", code="same_operator")
    require_supervisor(session, other.id, office_id=office_id)
    return other.id


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
    confirmer = _confirm(session, office_id, operator_id, confirm_username, confirm_password)
    data = dict(data)
    key = str(data.get("key", "")).strip()
    base = base_key_of(key)
    builtin_keys = {p.key for p in book if p.path.parent == builtin_policy_dir()}
    if key in builtin_keys:
        raise PolicyCheckFailed(
            f"政策代码“{key}”与内置政策重复；新政策须用新的代码（下一年度，"
            f"或更正本年度时用 {key}-r2）",
            field="key",
        )
    earlier = session.scalars(
        select(PolicyFileRecord)
        .where(PolicyFileRecord.base_key == base)
        .order_by(PolicyFileRecord.revision.desc())
    ).first()
    revision = _next_revision(session, base, folder, builtin=base in builtin_keys)
    data["key"] = _key_for(base, revision)
    data.pop("replaces_builtin", None)
    book_without = PolicyBook({k: p for k, p in book.policies.items() if k != data["key"]})
    policy = check_draft(data, book_without, builtin_keys=sorted(builtin_keys))
    now = clock.now()
    text = serialize(data, header=_header(policy, origin, based_on, saver.display_name, now))
    # The same content under another revision key is still the same content.
    digest = hashlib.sha256(serialize({**data, "key": base}).encode("utf-8")).hexdigest()
    same = session.scalars(
        select(PolicyFileRecord).where(
            PolicyFileRecord.base_key == base, PolicyFileRecord.sha256 == digest
        )
    ).first()
    if same is not None:
        raise ConflictError(
            f"内容相同的政策文件已保存为 {same.key}，无需再次保存。", code="policy_already_saved"
        )
    session.add(
        PolicyFileRecord(
            office_id=office_id,
            key=data["key"],
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
        subject=f"policy:{data['key']}",
        details={
            "origin": origin,
            "based_on": based_on,
            "saved_by": operator_id,
            "confirmed_by": confirmer,
            "sha256": digest,
        },
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['key']}.toml"
    _write_new(path, text)
    return SavedPolicy(
        key=data["key"],
        base_key=base,
        revision=revision,
        path=path,
        saved_by=operator_id,
        confirmed_by=confirmer,
        replaced_key=earlier.key if earlier is not None else None,
    )


def read_import(path: Path) -> dict[str, Any]:
    """The raw data of a file to import (its own checks come with :func:`check_draft`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法读取文件 {path.name}（{exc.strerror or exc}）") from None
    except UnicodeDecodeError:
        raise InputError(f"文件 {path.name} 不是 UTF-8 编码的文本") from None
    data = parse_text(text, path.name)
    if str(data.get("key", "")) != path.stem:
        raise PolicyCheckFailed(
            f"政策代码（key = {data.get('key')!r}）须与文件名一致（文件名为 {path.stem}）",
            field="key",
        )
    return data


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


# --- listing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyListing:
    key: str
    name: str
    region: str
    year: int
    origin: str  # 'builtin' | 'office' | 'extra'
    state: str  # a PERIOD_STATES key
    in_use: bool
    revision: int | None = None
    saved_by: str = ""
    saved_at: dt.datetime | None = None
    confirmed_by: str = ""

    @property
    def origin_label(self) -> str:
        return {"builtin": "内置", "office": "本单位", "extra": "外部目录"}[self.origin]

    @property
    def state_label(self) -> str:
        return PERIOD_STATES[self.state]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "region": self.region,
            "year": self.year,
            "origin": self.origin,
            "state": self.state,
            "state_label": self.state_label,
            "in_use": self.in_use,
            "revision": self.revision,
            "saved_by": self.saved_by or None,
            "saved_at": None if self.saved_at is None else self.saved_at.isoformat(),
            "confirmed_by": self.confirmed_by or None,
        }


def list_policies(
    session: Session | None,
    book: PolicyBook,
    today: dt.date,
    *,
    office_dir: Path | None = None,
    office_id: int | None = None,
) -> list[PolicyListing]:
    """Every loaded policy with where it comes from and its state today."""
    records: dict[str, tuple[PolicyFileRecord, str, str]] = {}
    in_use: set[str] = set()
    if session is not None:
        names: dict[int, str] = {
            row_id: name
            for row_id, name in session.execute(select(Operator.id, Operator.display_name))
        }
        for row in session.scalars(select(PolicyFileRecord)):
            records[row.key] = (
                row,
                names.get(row.saved_by, ""),
                names.get(row.confirmed_by, "") if row.confirmed_by else "",
            )
        query = select(Office.policy_key)
        if office_id is not None:
            query = query.where(Office.id == office_id)
        in_use = set(session.scalars(query))
    result = []
    for policy in sorted(book, key=lambda p: (p.region, p.year, p.key)):
        folder = policy.path.parent
        if folder == builtin_policy_dir():
            origin = "builtin"
        elif office_dir is not None and folder == office_dir:
            origin = "office"
        else:
            origin = "extra"
        record = records.get(policy.key)
        result.append(
            PolicyListing(
                key=policy.key,
                name=policy.name,
                region=policy.region,
                year=policy.year,
                origin=origin,
                state=period_state(policy, today),
                in_use=policy.key in in_use,
                revision=record[0].revision if record else None,
                saved_by=record[1] if record else "",
                saved_at=record[0].saved_at if record else None,
                confirmed_by=record[2] if record else "",
            )
        )
    return result
