"""Every released schema upgrades to the newest on first use: backup first, no data lost.

``tests/fixtures/schema-REVISION.db`` is a small database as each released povtor
made it (built by ``tests/fixtures/make_fixtures.py``); each is upgraded here.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import stat
import sys
from contextlib import closing
from pathlib import Path

import pytest

from povtor.storage import schema
from support import Cli, dump_database, query

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from make_fixtures import fixture_path, rows_for  # noqa: E402

pytestmark = pytest.mark.sqlite_only("upgrades old SQLite files made by released versions")

RELEASED = list(schema.REVISIONS[:-1])


def test_every_released_schema_has_a_fixture() -> None:
    missing = [r for r in RELEASED if not fixture_path(r).exists()]
    assert not missing, f"run: python tests/fixtures/make_fixtures.py (missing: {missing})"
    assert not fixture_path(schema.HEAD).exists()


def _copy(revision: str, target: Path) -> str | None:
    shutil.copy(fixture_path(revision), target)
    target.chmod(0o600)
    assert query(target, "SELECT version_num FROM alembic_version") == [(revision,)]
    return dump_database(target)


@pytest.mark.parametrize("revision", RELEASED)
def test_an_old_database_is_upgraded_on_first_use(
    blank_cli: Cli, db_path: Path, revision: str
) -> None:
    old = _copy(revision, db_path)
    run = blank_cli.ok("client", "list", "--status", "all", "--format", "csv")
    # the data is all there, at the newest schema
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    assert [line.split(",")[1] for line in run.stdout.splitlines()[1:]] == [
        "Astra Trading",
        "Иван Петров",
        "Семён Ёлкин",
    ]
    for table, columns, rows in rows_for(revision):
        stored = query(db_path, f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1")
        assert stored == sorted(rows, key=lambda row: row[0]), table  # type: ignore[arg-type,return-value]
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_path, "PRAGMA foreign_key_check") == []
    # the backup beside it was taken first: it is the old database, private
    backups = list(db_path.parent.glob(f"{db_path.name}.before-{revision}-*.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert dump_database(backups[0]) == old
    # and the upgraded database works for every kind of command
    assert "Иван Петров" in blank_cli.ok("client", "show", "Иван", "--format", "json").stdout
    blank_cli.ok("nudge", "log", "--client", "Иван", "--text", "С новым годом!")
    blank_cli.ok("deal", "win", "3", "--amount", "180000")
    blank_cli.ok("plan", "today", "--format", "json")
    blank_cli.ok("db", "check")


@pytest.mark.parametrize("revision", RELEASED)
def test_db_upgrade_reports_the_step(blank_cli: Cli, db_path: Path, revision: str) -> None:
    _copy(revision, db_path)
    run = blank_cli.ok("db", "upgrade")
    saved = db_path.with_name(f"{db_path.name}.before-{revision}-20260302-100000.bak")
    assert run.stderr == (
        f"{db_path}: schema {revision} → {schema.HEAD}; the previous database is saved as {saved}\n"
    )
    assert list(db_path.parent.glob("*.bak")) == [saved]


def test_the_newest_schema_is_not_backed_up_again(cli: Cli, db_path: Path) -> None:
    cli.add_client("Иван Петров")
    cli.ok("db", "upgrade")
    assert list(db_path.parent.glob("*.bak")) == []


CHECK = re.compile(r"CONSTRAINT (\w+) CHECK \(([^()]*(?:\([^()]*\)[^()]*)*)\)")


def _checks(path: Path) -> dict[str, str]:
    tables = query(path, "SELECT sql FROM sqlite_master WHERE type = 'table'")
    return dict(found for (sql,) in tables for found in CHECK.findall(str(sql)))


@pytest.mark.parametrize("revision", RELEASED)
def test_an_upgraded_database_checks_values_as_a_new_one_does(
    blank_cli: Cli, db_path: Path, migrated_template: Path, revision: str
) -> None:
    """The CHECKs of a column's values are comparisons (0010), the same as a new
    database's, and still refuse what they refused."""
    _copy(revision, db_path)
    blank_cli.ok("db", "upgrade")
    checks = _checks(db_path)
    assert checks == _checks(migrated_template)
    assert checks["ck_deal_status"] == "status = 'open' OR status = 'won' OR status = 'lost'"
    assert not [rule for rule in checks.values() if " IN (" in rule]
    with (
        pytest.raises(sqlite3.IntegrityError, match="ck_deal_status"),
        closing(sqlite3.connect(db_path)) as connection,
        connection,
    ):
        connection.execute("UPDATE deal SET status = 'paid' WHERE id = 1")
    assert query(db_path, "SELECT status FROM deal WHERE id = 1") == [("won",)]
