#!/usr/bin/env bash
# Until the first release, the schema is one migration: regenerate it from the models, keeping the
# hand-written part (the audit log's append-only triggers, which autogenerate cannot see).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f src/hirehub/db/migrations/versions/*.py
.venv/bin/python scripts/make_migration.py "initial schema" >/dev/null
f=$(ls src/hirehub/db/migrations/versions/*.py)
.venv/bin/python - "$f" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace(
    "import hirehub.db.base\n",
    "import hirehub.db.base\nfrom hirehub.audit.models import DROP_POSTGRES_TRIGGERS, DROP_SQLITE_TRIGGERS, append_only_ddl\n",
    1,
)
text = text.replace(
    "    # ### end Alembic commands ###\n\n\ndef downgrade() -> None:\n",
    "    # ### end Alembic commands ###\n    for statement in append_only_ddl(op.get_bind().dialect.name):\n"
    "        op.execute(statement)\n\n\ndef downgrade() -> None:\n"
    "    drops = DROP_POSTGRES_TRIGGERS if op.get_bind().dialect.name == \"postgresql\" else DROP_SQLITE_TRIGGERS\n"
    "    for statement in drops:\n        op.execute(statement)\n",
    1,
)
open(path, "w").write(text)
PY
echo "$f"
