"""A database's schema is the same text whichever run made it.

A migration that rebuilds a table (batch mode on SQLite) wrote its constraints and
indexes in an order that changed from process to process; ``sqlite3 povtor.db .schema``
then differed between two new databases. Each database here is made by the installed
``povtor`` in a process of its own, with its own hash seed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from povtor.storage import schema
from support import query
from test_subprocess import executable

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from make_fixtures import fixture_path  # noqa: E402

pytestmark = pytest.mark.sqlite_only("compares the SQL text SQLite keeps of each table")

SEEDS = ("0", "1", "2")


def _povtor(path: Path, *args: str, seed: str) -> None:
    done = subprocess.run(
        [executable(), "--db", str(path), *args],
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()


def _schema(path: Path) -> list[tuple[str, str, str]]:
    """Each table's and index's SQL, in the order SQLite keeps them."""
    rows = query(path, "SELECT type, name, sql FROM sqlite_master ORDER BY rowid")
    return [(kind, name, sql) for kind, name, sql in rows if sql is not None]


def test_new_databases_have_the_same_schema_text(tmp_path: Path) -> None:
    schemas = []
    for seed in SEEDS:
        path = tmp_path / f"new-{seed}.db"
        _povtor(path, "init", seed=seed)
        schemas.append(_schema(path))
    assert schemas[1:] == schemas[:1] * (len(SEEDS) - 1)
    touch = next(sql for kind, name, sql in schemas[0] if name == "touch")
    # the constraints by name, in the order the last rebuild of the table (0019) wrote them
    clauses = [line.strip() for line in touch.splitlines() if line.startswith("\tCONSTRAINT")]
    assert [clause.split()[1] for clause in clauses] == [
        "ck_touch_answer",
        "ck_touch_channel",
        "ck_touch_kind",
        "ck_touch_outcome",
        "uq_touch_external_id",
    ]


def test_an_old_database_upgrades_to_the_same_schema_text(tmp_path: Path) -> None:
    """The oldest fixture passes through every migration, those rebuilding ``touch`` too."""
    oldest = schema.REVISIONS[0]
    schemas = []
    for seed in SEEDS[:2]:
        path = tmp_path / f"old-{seed}.db"
        shutil.copy(fixture_path(oldest), path)
        path.chmod(0o600)
        _povtor(path, "db", "upgrade", seed=seed)
        assert query(path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
        schemas.append(_schema(path))
    assert schemas[1] == schemas[0]
    # and each table and index is written as a new database's is (SQLite keeps the
    # fixture's in another order: the fixture was vacuumed)
    new = tmp_path / "new.db"
    _povtor(new, "init", seed=SEEDS[2])
    assert sorted(schemas[0]) == sorted(_schema(new))
