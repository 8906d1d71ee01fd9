"""What every command shares: the database location, the clock, the output format, and
the period options of the reports."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import field
from typing import Annotated, Any, TypeVar

import typer

from povtor.clock import Clock, make_clock
from povtor.i18n import _
from povtor.output import OutputFormat
from povtor.records import record
from povtor.storage.database import Database, Upgrade, open_database
from povtor.storage.location import Location, resolve_location


@record
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
            self._db = open_database(
                self.location,
                now=self.clock.now,
                before_upgrade=lambda before: announce_slow_upgrade(self.location, before),
            )
            if self._db.upgraded is not None:
                announce_upgrade(self.location, self._db.upgraded)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def announce_slow_upgrade(location: Location, before: str) -> None:
    """One line on stderr before a big file is upgraded, which takes a while."""
    from povtor.output import message
    from povtor.storage import schema

    message(
        _(
            "upgrading {location} from schema {before} to {HEAD}: a copy is saved first, "
            "and a big file takes a few minutes (stopped, the file stays as it was)"
        ).format(location=location, before=before, HEAD=schema.HEAD)
    )


def announce_upgrade(location: Location, upgraded: Upgrade) -> None:
    """One line on stderr when opening the database upgraded it: a newer povtor's first use."""
    from povtor.output import message
    from povtor.storage import schema

    saved = f"; the previous database is saved as {upgraded.saved}" if upgraded.saved else ""
    message(
        _("upgraded {location} from schema {before} to {HEAD}{saved}").format(
            location=location, before=upgraded.before, HEAD=schema.HEAD, saved=saved
        )
    )


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


def choose(value: str | None, allowed: tuple[str, ...], *, option: str) -> str | None:
    """Validate a fixed-choice option case-insensitively (A/a, Won/won)."""
    if value is None:
        return None
    for choice in allowed:
        if value.strip().casefold() == choice.casefold():
            return choice
    from povtor.errors import InvalidInput

    raise InvalidInput(
        _("{option}: {value} is not one of {allowed}").format(
            option=option, value=repr(value), allowed=", ".join(allowed)
        ),
        hint=_("use {option} {example}").format(option=option, example=allowed[0]),
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
            _("{command} asks for confirmation, and there is no terminal to ask on").format(
                command=command
            ),
            hint=_("add --yes to go ahead without the question"),
        )
    if typer.confirm(question, default=False, err=True):
        return True
    message(_("nothing was changed"))
    return False


# -- the period of a report ----------------------------------------------------------------
From = Annotated[
    str | None,
    typer.Option("--from", help="First day counted: YYYY-MM-DD, DD.MM.YYYY or -30 (days ago)."),
]
To = Annotated[
    str | None,
    typer.Option("--to", help="Last day counted (default and latest: the as-of date)."),
]
PeriodKind = Annotated[
    str | None,
    typer.Option("--period", help="month, quarter or year: the calendar period containing --on."),
]
OnDate = Annotated[
    str | None, typer.Option("--on", "--date", help="A day in the --period (default: today).")
]
_PERIOD_OPTIONS = (("from_", From), ("to", To), ("period", PeriodKind), ("date", OnDate))

Command = TypeVar("Command", bound=Callable[..., Any])


def period_options(*, default: str) -> Callable[[Command], Command]:
    """The period options of a report, declared once for every command that has them.

    The command declares a keyword-only parameter ``span``; in its place the command
    line gets ``--from``, ``--to``, ``--period`` and ``--on``, and the command is
    called with the :class:`~povtor.domain.calendar.Period` they give, as of today
    (``default``: see :func:`~povtor.domain.calendar.resolve_period`; ``"all"`` gives
    ``None`` without any of them).
    """

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        parameters: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            if parameter.name != "span":
                parameters.append(parameter)
                continue
            parameters += [
                inspect.Parameter(name, parameter.kind, default=None, annotation=annotation)
                for name, annotation in _PERIOD_OPTIONS
            ]

        if "span" not in signature.parameters:
            raise TypeError(f"{command.__name__} has no keyword-only parameter 'span'")

        @functools.wraps(command)
        def with_period(*args: Any, **kwargs: Any) -> Any:
            from povtor.domain.calendar import resolve_period  # (not on the --help path)

            given = [kwargs.pop(name) for name, _ in _PERIOD_OPTIONS]
            today = runtime(kwargs["ctx"]).clock.today
            return command(*args, span=resolve_period(today, *given, default=default), **kwargs)

        with_period.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        with_period.__annotations__ = {p.name: p.annotation for p in parameters} | {
            "return": signature.return_annotation
        }
        return with_period  # type: ignore[return-value]

    return decorate
