"""Development only, until the first release: rewrite migration 0001 from the models.

After a release, schema changes are new revisions (``alembic revision
--autogenerate``), never edits of an applied one.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import MIGRATIONS_DIR, alembic_config  # noqa: E402

target = MIGRATIONS_DIR / "versions" / "0001_initial_schema.py"
target.unlink(missing_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    db = Database(f"sqlite:///{tmp}/gen.db")
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
s = target.read_text()
s = s.replace(
    "from alembic import op\n",
    "from alembic import op\n\nfrom db.immutability import create_triggers, drop_triggers\n",
    1,
)
s = s.replace("Revises: \n", "Revises: (none)\n")
s = s.replace(
    "    # ### end Alembic commands ###\n",
    "    # ### end Alembic commands ###\n    create_triggers(op.get_bind())\n",
    1,
)
s = s.replace(
    "def downgrade() -> None:\n", "def downgrade() -> None:\n    drop_triggers(op.get_bind())\n"
)
s = re.sub(r"Create Date: .*\n", "Create Date: 2026-11-22\n", s)
target.write_text(s)
# Keep the generated file as the linter wants it (imports sorted, formatted).
ruff = Path(sys.executable).with_name("ruff")
subprocess.run([str(ruff), "check", "--fix", "-q", str(target)], check=False)
subprocess.run([str(ruff), "format", "-q", str(target)], check=False)
print(f"wrote {target}")
