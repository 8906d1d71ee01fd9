"""Driving povtor from the user's side: the CLI in-process, and the database as a dump.

Every test gets its own database and a fixed today from ``conftest.py``; these
helpers run commands against that environment and return what a user would see.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import typer
from typer.testing import CliRunner

T = TypeVar("T")

TODAY = "2026-03-02T10:00"  # a Monday, 10:00 in Moscow = 07:00 UTC
TODAY_DATE = "2026-03-02"
TZ = "Europe/Moscow"

# This Typer's CliRunner keeps stdout and stderr apart (Result.stdout / .stderr;
# .output mixes them), so data and messages can be checked separately.
_RUNNER = CliRunner()


@cache
def _command() -> Any:
    """The click command tree of the app, built once (building it costs ~20 ms)."""
    from povtor.cli.main import app

    return typer.main.get_command(app)


@dataclass(frozen=True)
class Run:
    """What one invocation showed: exit code, stdout, stderr, and any escaped exception."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None
    traceback: str = ""

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def describe(self) -> str:
        return (
            f"povtor {' '.join(self.args)}\nexit code: {self.exit_code}\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}{self.traceback}"
        )


def invoke(
    args: Sequence[str], *, env: Mapping[str, str | None] | None = None, input: str | None = None
) -> Run:
    """Run ``povtor ARGS`` in this process as the installed entry point would."""
    exit_code = 0
    escaped: BaseException | None = None
    trace = ""
    with _RUNNER.isolation(input=input, env=env) as (out, err, _mixed):
        try:
            _command().main(args=list(args), prog_name="povtor", standalone_mode=True)
        except SystemExit as stop:
            code = stop.code
            exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        except Exception as error:  # what a user would see as a traceback
            escaped = error
            exit_code = 1
            trace = traceback.format_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            stdout = out.getvalue().decode("utf-8")
            stderr = err.getvalue().decode("utf-8")
    return Run(tuple(args), exit_code, stdout, stderr, escaped, trace)


class Cli:
    """The ``cli`` fixture: ``cli("client", "list")`` runs povtor on the test's database."""

    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(
        self, *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> Run:
        return invoke(args, env=env, input=input)

    def ok(self, *args: str, env: Mapping[str, str | None] | None = None) -> Run:
        """Run a command that must succeed."""
        run = invoke(args, env=env)
        assert run.exit_code == 0 and run.exception is None, run.describe()
        return run

    def add_client(self, name: str, *options: str) -> int:
        """``povtor client add NAME OPTIONS``; returns the id printed on stdout."""
        run = self.ok("client", "add", name, *options)
        return int(run.stdout)

    def open_deal(self, client: str | int, *options: str) -> int:
        """``povtor deal open CLIENT OPTIONS``; returns the id printed on stdout."""
        run = self.ok("deal", "open", str(client), *options)
        return int(run.stdout)

    def csv(self, *args: str) -> str:
        """A listing's stdout in csv."""
        return self.ok(*args, "--format", "csv").stdout


def _on_server(path: Path) -> str | None:
    """The test's server database when the tests run on PostgreSQL (``POVTOR_TEST_ENGINE``)
    and ``path``, the test's file, is not there: its URL."""
    url = os.environ.get("POVTOR_DB", "")
    return url if url.startswith("postgresql://") and not Path(path).exists() else None


def load_demo(cli: Cli, name: str) -> None:
    """Make the test's database the demo (built as the file ``name`` beside it): the file
    copied over the test's, or copied row by row into the test's server database."""
    demo = cli.db.with_name(name)
    cli.ok("demo", str(demo), "--force")
    url = _on_server(cli.db)
    if url is not None:
        cli.ok("--db", str(demo), "db", "copy", "--to", url)
    else:
        shutil.copy2(demo, cli.db)


def where(path: Path) -> str:
    """What a command says the test's database is: its file, or its server URL when the
    suite runs on PostgreSQL."""
    return _on_server(path) or str(path)


def _server_rows(url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    return _server_reads(url, lambda read: read(sql, params))


def _server_reads(url: str, reads: Callable[[Callable[..., list[tuple[Any, ...]]]], T]) -> T:
    """``reads(read)`` on one connection to the server database (``read(sql, params)``:
    its rows as tuples)."""
    from povtor.storage.database import open_database
    from povtor.storage.location import resolve_location

    database = open_database(resolve_location(url), migrate=False)
    try:
        cursor = database.connection.cursor()
        cursor.row_factory = None

        def read(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in cursor.execute(sql, params).fetchall()]

        return reads(read)
    finally:
        database.close()


def _server_dump(read: Callable[..., list[tuple[Any, ...]]]) -> str:
    tables = read("SELECT name FROM sqlite_master WHERE type = 'table'")
    return "\n".join(
        f"{table}: {row!r}"
        for (table,) in sorted(tables)
        for row in sorted(read(f'SELECT * FROM "{table}"'), key=repr)
    )


def dump_database(path: Path) -> str | None:
    """The whole database as SQL text (``None`` if there is no file), to compare before/after."""
    url = _on_server(path)
    if url is not None:
        return _server_reads(url, _server_dump)
    if not path.exists():
        return None
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def query(path: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the database directly (for what no command shows)."""
    url = _on_server(path)
    if url is not None:
        return _server_rows(url, sql, params)
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def execute(path: Path, sql: str, params: Sequence[Any] = ()) -> None:
    """Change the database directly, as another program (or an older povtor) would."""
    url = _on_server(path)
    if url is not None:
        _server_rows(url, sql, params)
        return
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(sql, params)
    finally:
        connection.close()
