"""``povtor db copy --to``: a database moved into a new file or an empty server database,
and back, holds the same rows; a copy that cannot be made leaves the target as it was."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from postgres import Server
from support import Run, invoke


def ok(*args: str) -> Run:
    run = invoke(args)
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return run


def exported(db: str, folder: Path) -> dict[str, bytes]:
    ok("--db", db, "export", "all", str(folder))
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def plan(db: str) -> str:
    return ok("--db", db, "plan", "today", "--all", "--format", "csv").stdout


def test_sqlite_to_postgresql_and_back_keeps_every_row(
    demo: Path, tmp_path: Path, postgres_server: Server, request: pytest.FixtureRequest
) -> None:
    source = tmp_path / "source.db"
    shutil.copy2(demo, source)
    url = postgres_server.new_database()  # an empty database, migrated by povtor init
    request.addfinalizer(lambda: postgres_server.drop(url))
    back = tmp_path / "back" / "again.db"

    up = ok("--db", str(source), "db", "copy", "--to", url)
    assert up.stdout == ""
    assert "  touch" in up.stderr and "verified" in up.stderr_lines[-1]
    down = ok("--db", url, "db", "copy", "--to", str(back))
    assert f"to {back}, verified" in down.stderr_lines[-1]

    first = exported(str(source), tmp_path / "e1")
    assert len(first) > 3 and any(first.values())
    assert exported(url, tmp_path / "e2") == first
    assert exported(str(back), tmp_path / "e3") == first
    assert plan(url) == plan(str(source)) == plan(str(back))
    assert "is sound" in ok("--db", url, "db", "check").stderr
    assert "is sound" in ok("--db", str(back), "db", "check").stderr
    # the server's ids go on past the copied ones
    ok("--db", url, "client", "add", "Новый Клиент")
    top = sqlite3.connect(source).execute("SELECT MAX(id) FROM client").fetchone()[0]
    shown = ok("--db", url, "client", "show", "Новый Клиент", "--format", "json").stdout
    assert f'"id": {top + 1}' in shown


def test_a_server_database_without_tables_is_made_and_filled(
    demo: Path, tmp_path: Path, postgres_server: Server, request: pytest.FixtureRequest
) -> None:
    name = f"bare_{tmp_path.name}"[:60]
    postgres_server.sql(f'CREATE DATABASE "{name}"')
    url = postgres_server.url(name)
    request.addfinalizer(lambda: postgres_server.drop(url))
    ok("--db", str(demo), "db", "copy", "--to", url)
    assert plan(url) == plan(str(demo))


def test_sqlite_to_sqlite_without_a_server(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    run = ok("--db", str(demo), "db", "copy", "--to", str(target))
    lines = run.stderr_lines
    touches = sqlite3.connect(demo).execute("SELECT COUNT(*) FROM touch").fetchone()[0]
    assert ["touch", str(touches)] in [line.split()[:2] for line in lines]
    assert exported(str(target), tmp_path / "b") == exported(str(demo), tmp_path / "a")
    assert plan(str(target)) == plan(str(demo))
    assert "is sound" in ok("--db", str(target), "db", "check").stderr


def test_a_target_holding_records_is_refused_and_left_as_it_was(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy.db"
    ok("--db", str(target), "client", "add", "Уже Здесь")
    before = exported(str(target), tmp_path / "before")
    run = invoke(["--db", str(demo), "db", "copy", "--to", str(target)])
    assert run.exit_code == 5, run.describe()
    assert run.stderr_lines[0].startswith(f"error: {target} is not empty (1 setting, 1 client)")
    assert exported(str(target), tmp_path / "after") == before


def test_the_database_itself_is_refused(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    shutil.copy2(demo, source)
    run = invoke(["--db", str(source), "db", "copy", "--to", str(source)])
    assert run.exit_code == 5, run.describe()
    assert "is the database itself" in run.stderr


def test_an_old_schema_is_refused_until_upgraded(tmp_path: Path) -> None:
    from povtor.storage import schema

    source = tmp_path / "old.db"
    ok("--db", str(source), "init")
    with sqlite3.connect(source) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (schema.REVISIONS[0],))
    connection.close()
    run = invoke(["--db", str(source), "db", "copy", "--to", str(tmp_path / "new.db")])
    assert run.exit_code == 5, run.describe()
    assert "upgrade first: povtor db upgrade" in run.stderr
    assert not (tmp_path / "new.db").exists()


def test_a_copy_failing_midway_leaves_no_file(demo: Path, tmp_path: Path) -> None:
    source = tmp_path / "tampered.db"
    shutil.copy2(demo, source)
    with sqlite3.connect(source) as connection:  # a touch of a client that is not there
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(
            "UPDATE touch SET client_id = 999999 WHERE id = (SELECT MAX(id) FROM touch)"
        )
    connection.close()
    target = tmp_path / "new" / "copy.db"
    run = invoke(["--db", str(source), "db", "copy", "--to", str(target)])
    assert run.exit_code == 6, run.describe()
    assert run.exception is None or isinstance(run.exception, SystemExit)
    assert "FOREIGN KEY" in run.stderr or "foreign key" in run.stderr
    assert not target.exists()
    assert not Path(f"{target}-wal").exists()
    assert not target.parent.exists()  # nor the folder made for it


def test_a_copy_that_reads_back_differently_is_rolled_back(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from povtor.storage import copy

    real = copy.checksum

    def off_by_one(db: object, table: copy.Table) -> tuple[int, str]:
        n, digest = real(db, table)  # type: ignore[arg-type]
        return (n - 1, digest) if table.name == "deal" else (n, digest)

    monkeypatch.setattr(copy, "checksum", off_by_one)
    target = tmp_path / "copy.db"
    run = invoke(["--db", str(demo), "db", "copy", "--to", str(target)])
    assert run.exit_code == 6, run.describe()
    assert "table deal differs" in run.stderr
    assert not target.exists()


def test_a_failed_copy_leaves_the_server_database_empty(
    demo: Path, tmp_path: Path, postgres_server: Server, request: pytest.FixtureRequest
) -> None:
    source = tmp_path / "tampered.db"
    shutil.copy2(demo, source)
    with sqlite3.connect(source) as connection:  # a deal of a client that is not there
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("UPDATE deal SET client_id = 999999 WHERE id = 7")
    connection.close()
    url = postgres_server.new_database()
    request.addfinalizer(lambda: postgres_server.drop(url))
    run = invoke(["--db", str(source), "db", "copy", "--to", url])
    assert run.exit_code == 6, run.describe()
    assert len(run.stderr_lines) == 1 and "foreign key" in run.stderr.lower()
    counts = ok("--db", url, "db", "info", "--format", "csv").stdout
    assert "client_rows,0" in counts and "touch_rows,0" in counts
    ok("--db", url, "client", "add", "Первый")  # the server's ids start again at 1
    assert '"id": 1' in ok("--db", url, "client", "show", "Первый", "--format", "json").stdout
    run = invoke(["--db", str(demo), "db", "copy", "--to", url])
    assert run.exit_code == 5, run.describe()
