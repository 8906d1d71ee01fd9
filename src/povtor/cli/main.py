"""``povtor``: the root command, its global options and its command groups."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor import __version__
from povtor.cli import client, deal, funnel, nudge, plan, setup
from povtor.cli.group import PovtorGroup
from povtor.cli.runtime import Runtime

app = typer.Typer(
    cls=PovtorGroup,
    name="povtor",
    help=(
        "Repeat-sales toolkit: clients, deals, yes-or-no nudges and the daily plan, "
        "in one local SQLite file.\n\n"
        "Try it: povtor demo, then povtor plan today."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(client.app, name="client")
app.add_typer(deal.app, name="deal")
app.add_typer(nudge.app, name="nudge")
app.add_typer(plan.app, name="plan")
app.add_typer(funnel.app, name="funnel")
app.add_typer(setup.db_app, name="db")
app.command("init")(setup.init)
app.command("demo")(setup.demo)


def _version(value: bool) -> None:
    if value:
        print(f"povtor {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="POVTOR_DB",
            help="Database file or sqlite:/// URL. Default: povtor.db in your user data directory.",
            show_envvar=True,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            envvar="POVTOR_TODAY",
            help="Take this date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM) as today.",
            show_envvar=True,
        ),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            envvar="POVTOR_TZ",
            help="Time zone (IANA name, e.g. Europe/Moscow). Default: the system's.",
            show_envvar=True,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Global options; they come before the command: povtor --today 2026-03-02 deal list."""
    state = Runtime(db_option=db, today_option=today, tz_option=tz)
    ctx.obj = state
    ctx.call_on_close(state.close)


def main() -> None:
    app(prog_name="povtor")
