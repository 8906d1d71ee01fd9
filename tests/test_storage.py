"""The database file: how it is created, its schema and migrations, and the ``db`` commands."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from povtor.storage import schema
from povtor.storage.database import Beside, Database, open_database
from povtor.storage.location import resolve_location
from povtor.storage.migrate import script_revisions
from povtor.storage.models import SQLModel
from support import Cli, execute, query, where


@pytest.mark.sqlite_only("the new file's permissions and WAL mode")
def test_a_new_database_is_private_wal_and_migrated(blank_cli: Cli, db_path: Path) -> None:
    assert not db_path.exists()
    blank_cli.add_client("Иван Петров")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]


def test_a_new_database_in_a_new_directory(blank_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "sales" / "2026" / "povtor.db"
    blank_cli.ok("--db", str(target), "client", "add", "Иван Петров")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert query(target, "SELECT name FROM client") == [("Иван Петров",)]


def test_a_sqlite_url_names_the_same_file(blank_cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "url.db"
    blank_cli.ok("--db", f"sqlite:///{target}", "client", "add", "Иван Петров")
    run = blank_cli.ok("--db", str(target), "client", "list", "--format", "csv")
    assert run.stdout.splitlines()[1].startswith("1,Иван Петров,")


def test_povtor_connections_enforce_foreign_keys(cli: Cli, db_path: Path) -> None:
    database = open_database(resolve_location(str(db_path)))
    try:
        assert database.scalar("PRAGMA foreign_keys") == 1
        assert database.scalar("PRAGMA journal_mode") == "wal"
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            database.execute(
                "INSERT INTO fact (client_id, text, noted_on) VALUES (999, 'x', '2026-03-02')"
            )
    finally:
        database.close()


def test_work_beside_runs_on_a_second_connection_and_raises_in_the_caller(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    database = open_database(resolve_location(where(cli.db)), create=False)
    seen: list[Database] = []

    def names(other: Database) -> list[str]:
        seen.append(other)
        return [name for (name,) in other.tuples("SELECT name FROM client")]

    def failing(other: Database) -> None:
        other.execute("SELECT * FROM no_such_table")

    try:
        assert Beside(database, names).result() == ["Иван Петров"]
        [other] = seen
        assert other is not database and other.connection is not database.connection
        with pytest.raises(Exception, match="closed"):
            other.scalar("SELECT 1")  # (closed when the work was done)
        with pytest.raises(Exception, match="no_such_table"):
            Beside(database, failing).result()
    finally:
        database.close()


def test_rows_read_at_once_are_the_rows_read_one_by_one(cli: Cli) -> None:
    for name in ('Иван "Ваня" Петров', "ООО «Ромашка»", "Zoë \\ Ltd"):
        cli.add_client(name)
    cli.open_deal("1", "--amount", "9999999999999.99")  # (the largest amount kept)
    database = open_database(resolve_location(where(cli.db)), create=False)
    sql = """SELECT c.id, c.name, c.company, d.amount_minor, d.title, :text, :big FROM client c
             LEFT JOIN deal d ON d.client_id = c.id WHERE c.id >= :low ORDER BY c.id DESC"""
    text, big = 'строка\n\t"в кавычках"\\\x01', 2**53 + 1  # (no float on the way)
    try:
        one_by_one = database.tuples(sql, {"low": 1, "text": text, "big": big})
        assert len(one_by_one) == 3 and one_by_one[-1][3:] == (999_999_999_999_999, None, text, big)
        at_once = database.read_at_once(sql, {"low": 1, "text": text, "big": big})
        assert at_once == one_by_one  # (the order, the types, the text)
        assert database.read_at_once(sql, {"low": 99, "text": text, "big": big}) == []
        assert database.read_at_once("SELECT id FROM client WHERE id < ?", (3,)) == [(1,), (2,)]
        some = "SELECT id FROM client WHERE id IN (SELECT value FROM json_each(:ids)) ORDER BY id"
        ended = [some + ";", some + " -- the clients asked for", some + " DESC;\n"]
        for statement in ended:  # (a statement as written in a file: its end is its own)
            assert database.read_at_once(statement, {"ids": "[3, 1]"}) == database.tuples(
                statement, {"ids": "[3, 1]"}
            )
    finally:
        database.close()


def test_work_beside_a_transaction_is_done_in_it_and_sees_its_writes(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    database = open_database(resolve_location(where(cli.db)), create=False)

    def names(other: Database) -> list[str]:
        return [name for (name,) in other.read_at_once("SELECT name FROM client ORDER BY id")]

    try:
        with database.transaction():
            database.execute(
                "UPDATE client SET name = 'Пётр Иванов', search_key = 'пётр иванов' WHERE id = 1"
            )
            assert Beside(database, names).result() == ["Пётр Иванов"]  # (not committed)

            def failing(other: Database) -> None:
                raise ValueError("the work's own error")

            beside = Beside(database, failing)  # (done at once, raised when asked for)
            with pytest.raises(ValueError, match="own error"):
                beside.result()
    finally:
        database.close()


def test_deleting_a_client_with_deals_is_refused_by_the_schema(cli: Cli, db_path: Path) -> None:
    cli.add_client("Иван Петров")
    cli.open_deal("1")
    database = open_database(resolve_location(where(db_path)))
    try:
        with pytest.raises(sqlite3.IntegrityError, match=r"(?i)foreign key"):
            database.execute("DELETE FROM client WHERE id = 1")
    finally:
        database.close()


def test_migration_scripts_match_the_known_revisions() -> None:
    assert script_revisions() == list(schema.REVISIONS)
    assert schema.REVISIONS[-1] == schema.HEAD


@pytest.mark.sqlite_only("compares the models with the SQLite file's schema")
def test_models_match_the_migrated_schema(cli: Cli, db_path: Path) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_every_migration_goes_down_and_up_again(cli: Cli, db_path: Path) -> None:
    from alembic import command

    from povtor.storage.migrate import alembic_config, engine_for

    database = open_database(resolve_location(where(db_path)))
    if database.engine == "sqlite":  # (batch mode rebuilds tables that others refer to)
        database.connection.execute("PRAGMA foreign_keys = OFF")
    engine, config = engine_for(database), alembic_config()
    try:
        for before in reversed(("base", *schema.REVISIONS[:-1])):
            with engine.connect() as connection:
                connection.begin()
                config.attributes["connection"] = connection
                command.downgrade(config, "-1")
                connection.commit()
            assert database.schema_version() == (None if before == "base" else before)
        with engine.connect() as connection:
            connection.begin()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        assert database.schema_version() == schema.HEAD
    finally:
        engine.dispose()
        database.close()
    if not where(db_path).startswith("postgresql"):  # (a server's columns differ by design)
        test_models_match_the_migrated_schema(cli, db_path)


def test_default_funnels_are_seeded(cli: Cli, db_path: Path) -> None:
    assert query(db_path, "SELECT code FROM funnel ORDER BY id") == [
        ("repeat",),
        ("first",),
        ("refusal",),
    ]
    stages = query(
        db_path,
        "SELECT s.code FROM stage s JOIN funnel f ON f.id = s.funnel_id "
        "WHERE f.code = 'repeat' ORDER BY s.position",
    )
    assert [code for (code,) in stages] == ["base", "request", "proposal", "invoice", "paid"]


@pytest.mark.sqlite_only("a file stamped by a newer povtor")
def test_a_database_from_a_newer_povtor_is_refused(
    cli: Cli, db_path: Path, dump: Callable[[], str | None]
) -> None:
    cli.add_client("Иван Петров")
    execute(db_path, "UPDATE alembic_version SET version_num = '9999_future'")
    before = dump()
    for args in (("client", "list"), ("client", "add", "Новый"), ("db", "upgrade")):
        run = cli(*args)
        assert (run.exit_code, run.stdout, run.stderr) == (
            6,
            "",
            f"error: {db_path} was made by a newer povtor (schema 9999_future); "
            "upgrade povtor: pip install --upgrade povtor\n",
        )
    assert dump() == before


@pytest.mark.sqlite_only("the upgrade creates the file")
def test_db_upgrade_creates_then_reports_up_to_date(blank_cli: Cli, db_path: Path) -> None:
    run = blank_cli.ok("db", "upgrade")
    assert (run.stdout, run.stderr) == ("", f"{db_path}: schema none → {schema.HEAD}\n")
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    run = blank_cli.ok("db", "upgrade")
    assert (run.stdout, run.stderr) == ("", f"{db_path} is up to date (schema {schema.HEAD})\n")


@pytest.mark.sqlite_only("an old file upgraded, with a backup file")
def test_db_upgrade_from_the_first_revision_keeps_data_and_takes_a_backup(
    blank_cli: Cli, db_path: Path
) -> None:
    assert len(schema.REVISIONS) >= 2, "an upgrade needs an older revision to start from"
    from alembic import command

    from povtor.storage.migrate import alembic_config, engine_for

    database = open_database(resolve_location(str(db_path)), migrate=False)
    try:
        config = alembic_config()
        with engine_for(database).connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, schema.REVISIONS[0])
            connection.commit()
    finally:
        database.close()
    execute(
        db_path,
        "INSERT INTO client (name, search_key, status, created_on) "
        "VALUES ('Иван Петров', 'иван петров', 'active', '2026-01-15')",
    )
    run = blank_cli.ok("db", "upgrade")
    saved = db_path.with_name(f"{db_path.name}.before-{schema.REVISIONS[0]}-20260302-100000.bak")
    assert run.stderr == (
        f"{db_path}: schema {schema.REVISIONS[0]} → {schema.HEAD}; "
        f"the previous database is saved as {saved}\n"
    )
    assert query(db_path, "SELECT name FROM client") == [("Иван Петров",)]
    backups = sorted(db_path.parent.glob(f"{db_path.name}.before-{schema.REVISIONS[0]}-*.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert query(backups[0], "SELECT name FROM client") == [("Иван Петров",)]
    assert query(backups[0], "SELECT version_num FROM alembic_version") == [(schema.REVISIONS[0],)]


@pytest.mark.sqlite_only("the file's size, journal and path")
def test_db_info(cli: Cli, db_path: Path) -> None:
    cli.add_client("Иван Петров")
    cli.ok("client", "fact", "add", "1", "любит коньяк «Весенний»")
    cli.open_deal("1")
    cli.ok("deal", "move", "1", "proposal")
    run = cli.ok("db", "info", "--format", "csv")
    lines = run.stdout.splitlines()
    assert lines[:3] == ["key,value", f"path,{db_path}", f"schema,{schema.HEAD}"]
    counts = dict(line.split(",") for line in lines[3:])
    assert {k: counts[k] for k in ("client_rows", "person_rows", "fact_rows", "deal_rows")} == {
        "client_rows": "1",
        "person_rows": "0",
        "fact_rows": "1",
        "deal_rows": "1",
    }
    assert counts["stage_change_rows"] == "2"
    assert counts["touch_rows"] == "0"


@pytest.mark.sqlite_only("the file's path")
def test_db_path_prints_the_location_without_creating_it(
    blank_cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    run = blank_cli.ok("db", "path")
    assert (run.stdout, run.stderr) == (f"{db_path}\n", "")
    assert not db_path.exists()
    other = tmp_path / "other.db"
    assert blank_cli.ok("--db", str(other), "db", "path").stdout == f"{other}\n"
    assert blank_cli.ok("--db", f"sqlite:///{other}", "db", "path").stdout == f"{other}\n"
    assert not other.exists()


def test_the_default_location_is_the_user_data_directory(blank_cli: Cli, tmp_path: Path) -> None:
    run = blank_cli.ok("db", "path", env={"POVTOR_DB": None})
    assert run.stdout == f"{tmp_path}/home/.local/share/povtor/povtor.db\n"


@pytest.mark.sqlite_only("init creates the file")
def test_init_creates_then_finds_the_database(blank_cli: Cli, db_path: Path) -> None:
    run = blank_cli.ok("init")
    assert (run.stdout, run.stderr) == (f"{db_path}\n", f"created database at {db_path}\n")
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    run = blank_cli.ok("init")
    assert (run.stdout, run.stderr) == (f"{db_path}\n", f"database is ready at {db_path}\n")


@pytest.mark.sqlite_only("an empty file")
def test_an_empty_file_becomes_a_database(blank_cli: Cli, db_path: Path) -> None:
    db_path.touch()
    blank_cli.add_client("Иван Петров")
    assert query(db_path, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]


def test_a_failed_command_in_a_fresh_place_leaves_no_half_made_data(
    blank_cli: Cli, db_path: Path
) -> None:
    run = blank_cli("client", "add", "Иван\u202eПетров")
    assert run.exit_code == 2
    # validation comes before the database is touched: no file appears
    assert not db_path.exists()
