"""Every test runs against its own database, with a fixed today, in a fixed time zone.

Nothing here (or in any test) can reach a real user's data: ``POVTOR_DB`` points
into the test's temporary directory, and so do ``HOME`` and ``XDG_DATA_HOME`` in
case a command falls back to the default location.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from postgres import TEMPLATE, Server, binaries
from support import TODAY, TZ, Cli, dump_database, invoke


def _no_date_objects(value: object) -> str:
    raise TypeError(
        f"{value!r} handed to sqlite3: pass ISO text (sqlite3's own date and datetime "
        "adapters are deprecated since Python 3.12)"
    )


# Dates go into SQLite as ISO text, written by povtor (and by the tests): never through
# sqlite3's default adapters, deprecated since Python 3.12. This makes any date object
# handed to sqlite3 an error on every Python the tests run on, not only on the newer ones.
sqlite3.register_adapter(dt.date, _no_date_objects)
sqlite3.register_adapter(dt.datetime, _no_date_objects)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own database path; today is Monday 2026-03-02 10:00 in Moscow."""
    db = tmp_path / "povtor.db"
    monkeypatch.setenv("POVTOR_DB", str(db))
    monkeypatch.setenv("POVTOR_TODAY", TODAY)
    monkeypatch.setenv("POVTOR_TZ", TZ)
    monkeypatch.delenv("POVTOR_FORMAT", raising=False)
    monkeypatch.delenv("POVTOR_DEBUG", raising=False)
    monkeypatch.delenv("POVTOR_SELLER", raising=False)
    # the interface in English, whatever the machine's locale (a test of Russian sets it)
    for variable in ("POVTOR_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    from povtor import i18n

    i18n.set_language("en")  # (a run in this process may have left another one)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / ".local" / "share"))
    monkeypatch.setenv("COLUMNS", "160")  # Rich tables: wide enough not to wrap, everywhere
    return db


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database created by ``povtor init`` once per session (migrating costs ~75 ms)."""
    path = tmp_path_factory.mktemp("template") / "povtor.db"
    run = invoke(["--db", str(path), "init"], env={"POVTOR_TODAY": TODAY, "POVTOR_TZ": TZ})
    assert run.exit_code == 0, run.describe()
    assert not Path(f"{path}-wal").exists()  # closed cleanly: the file is the whole database
    return path


# POVTOR_TEST_ENGINE=postgresql: the tests' databases (cli, blank_cli, prepared, on_demo)
# are PostgreSQL databases on a test server instead of SQLite files
ON_SERVER = os.environ.get("POVTOR_TEST_ENGINE", "sqlite") == "postgresql"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): the test is about the SQLite file itself (backups, WAL, "
        "damaged or read-only files, old files to upgrade, completion reading the file); "
        "skipped with its reason when POVTOR_TEST_ENGINE=postgresql",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_SERVER:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.skip(reason=f"SQLite file only: {reason}"))


@pytest.fixture
def cli(isolated: Path, request: pytest.FixtureRequest) -> Cli:
    """Run povtor on the test's database, which starts as a fresh ``povtor init``."""
    if ON_SERVER:
        _on_server(request, TEMPLATE)
    else:
        shutil.copy2(request.getfixturevalue("migrated_template"), isolated)
    return Cli(isolated)


def _on_server(request: pytest.FixtureRequest, template: str) -> str:
    """The test's database: a new one on the test server, a copy of ``template``."""
    server: Server = request.getfixturevalue("postgres_server")
    url = server.new_database(template)
    request.addfinalizer(lambda: server.drop(url))
    request.getfixturevalue("monkeypatch").setenv("POVTOR_DB", url)
    return url


@pytest.fixture
def blank_cli(isolated: Path, request: pytest.FixtureRequest) -> Cli:
    """Run povtor where no database exists yet (the first command creates it)."""
    if ON_SERVER:
        _on_server(request, "template0")
    return Cli(isolated)


@pytest.fixture
def dump(isolated: Path) -> Callable[[], str | None]:
    """``dump()``: the test database as SQL text, to assert "nothing changed"."""
    return lambda: dump_database(isolated)


@pytest.fixture(scope="session")
def _prepared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prepared")


@pytest.fixture
def prepared(
    cli: Cli, isolated: Path, _prepared_dir: Path, request: pytest.FixtureRequest
) -> Callable[..., Cli]:
    """``prepared(key, build)``: the test's database as ``build(cli)`` leaves it.

    The commands of ``build`` run once per session (in the first test that asks for
    ``key``); later tests start from a copy of the result. Each copy is the test's own.
    """

    def prepare(key: str, build: Callable[[Cli], None]) -> Cli:
        if ON_SERVER:
            return _prepare_on_server(key, build)
        saved = _prepared_dir / f"{key}.db"
        if saved.exists():
            shutil.copy2(saved, isolated)
        else:
            build(cli)
            assert not Path(f"{isolated}-wal").exists()  # every command closed the file
            shutil.copy2(isolated, saved)
        return cli

    def _prepare_on_server(key: str, build: Callable[[Cli], None]) -> Cli:
        server: Server = request.getfixturevalue("postgres_server")
        name = f"prepared_{key}".replace("-", "_")
        if name not in server.made:
            build(cli)
            server.copy_current(os.environ["POVTOR_DB"], name)
        else:
            _on_server(request, name)
        return cli

    return prepare


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database as of the tests' today, built once for the session: the tests
    that use it only read it (``on_demo`` gives a test its own copy to write to)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    run = invoke(
        ["--db", str(path), "demo", str(path)], env={"POVTOR_TODAY": TODAY, "POVTOR_TZ": TZ}
    )
    assert run.exit_code == 0, run.describe()
    return path


@pytest.fixture
def on_demo(isolated: Path, request: pytest.FixtureRequest) -> Cli:
    """Run povtor on the test's own copy of the demo."""
    if ON_SERVER:
        _on_server(request, request.getfixturevalue("demo_on_server"))
    else:
        shutil.copy2(request.getfixturevalue("demo"), isolated)
    return Cli(isolated)


@pytest.fixture(scope="session")
def demo_on_server(postgres_server: Server) -> str:
    """The demo built into a database on the test server (a template to copy)."""
    from povtor.app.demo import build_demo
    from povtor.clock import make_clock
    from povtor.storage.database import open_database
    from povtor.storage.location import resolve_location

    name = "povtor_demo"
    postgres_server.sql(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    database = open_database(resolve_location(postgres_server.url(name)))
    try:
        build_demo(database, make_clock(TODAY, TZ))
    finally:
        database.close()
    return name


# -- PostgreSQL: the same commands on a server ---------------------------------------
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """A PostgreSQL server for the session, with a migrated template database."""
    folder = binaries()
    if folder is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL's programs (initdb, pg_ctl, postgres) are not installed")
        pytest.skip("PostgreSQL's programs (initdb, pg_ctl, postgres) are not installed")
    server = Server(folder)
    try:
        server.start()
        server.sql(f'CREATE DATABASE "{TEMPLATE}"')
        run = invoke(["--db", server.url(TEMPLATE), "init"], env={"POVTOR_TODAY": TODAY})
        assert run.exit_code == 0, run.describe()
        server.make_ahead()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(isolated: Path, request: pytest.FixtureRequest) -> str:
    """The test's own PostgreSQL database (a fresh ``povtor init``), as ``POVTOR_DB``."""
    return _on_server(request, TEMPLATE)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, isolated: Path, migrated_template: Path) -> str:
    """The test's database on each engine in turn (a fresh ``povtor init``), as
    ``POVTOR_DB``: a test that takes it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        shutil.copy2(migrated_template, isolated)
        return str(isolated)
    url: str = request.getfixturevalue("pg_url")
    return url
