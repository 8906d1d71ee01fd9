"""What every command shares: the database location, the clock, the output format."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from povtor.clock import Clock, make_clock
from povtor.output import OutputFormat
from povtor.storage.database import Database, open_database
from povtor.storage.location import Location, resolve_location

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass
class Runtime:
    """Built once per run from the global options; opens the database on first use."""

    db_option: str | None = None
    today_option: str | None = None
    tz_option: str | None = None
    _clock: Clock | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    @property
    def clock(self) -> Clock:
        if self._clock is None:
            self._clock = make_clock(self.today_option, self.tz_option)
        return self._clock

    @property
    def location(self) -> Location:
        return resolve_location(self.db_option)

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.location)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def runtime(ctx: typer.Context) -> Runtime:
    root = ctx.find_root()
    if not isinstance(root.obj, Runtime):
        root.obj = Runtime()
    return root.obj


FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table (default on a terminal), csv, tsv (default in a pipe), "
        "json or jsonl.",
        case_sensitive=False,
        show_default=False,
    ),
]


@contextmanager
def writing(ctx: typer.Context) -> Iterator[tuple[Session, Database, Clock]]:
    """One write transaction for a command: the ORM session, the database, the clock."""
    from povtor.storage.orm import write_session

    state = runtime(ctx)
    db = state.db
    clock = state.clock
    with write_session(db) as session:
        yield session, db, clock


def choose(value: str | None, allowed: tuple[str, ...], *, option: str) -> str | None:
    """Validate a fixed-choice option case-insensitively (A/a, Won/won)."""
    if value is None:
        return None
    for choice in allowed:
        if value.strip().casefold() == choice.casefold():
            return choice
    from povtor.errors import InvalidInput

    raise InvalidInput(
        f"{option}: {value!r} is not one of {', '.join(allowed)}", hint=f"use {option} {allowed[0]}"
    )


def command_group(**settings: Any) -> typer.Typer:
    """A command group with povtor's defaults: plain help (no Rich import, fast) and
    help instead of an error when called without a command."""
    settings.setdefault("rich_markup_mode", None)
    settings.setdefault("no_args_is_help", True)
    return typer.Typer(**settings)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool, command: str) -> bool:
    """Ask before something that cannot be undone; ``--yes`` answers for the user.

    Without ``--yes`` and without a terminal to ask on (a script, a pipe) the
    command is refused rather than run unasked.
    """
    from povtor.errors import InvalidInput
    from povtor.output import message

    if yes:
        return True
    if not stdin_is_terminal():
        raise InvalidInput(
            f"{command} asks for confirmation, and there is no terminal to ask on",
            hint="add --yes to go ahead without the question",
        )
    if typer.confirm(question, default=False, err=True):
        return True
    message("nothing was changed")
    return False
