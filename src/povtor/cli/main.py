"""``povtor``: the root command, its global options and its command groups."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from povtor import __version__
from povtor.cli.group import (
    LazyCommandSpec,
    LazyGroupSpec,
    Part,
    PovtorRootGroup,
    cannot_write_output,
    report,
)
from povtor.cli.runtime import Runtime
from povtor.i18n import N_

# Command groups are imported only when used (and for the root --help): a command
# pays for its own group's modules, not for all of them. This is the one module that
# joins command modules together: a group's parts from other modules are named here.
PovtorRootGroup.lazy_groups = {
    "init": LazyCommandSpec(
        "povtor.cli.setup",
        "init",
        N_("Create the database (migrated to the newest schema) and print where it is."),
    ),
    "demo": LazyCommandSpec(
        "povtor.cli.setup",
        "demo",
        N_("Build a realistic demo database from the bundled examples and print its path."),
    ),
    "db": LazyGroupSpec(
        "povtor.cli.setup",
        "db_app",
        N_("The database file: where it is, its schema, upgrades, backups and checks."),
    ),
    "client": LazyGroupSpec(
        "povtor.cli.client",
        "app",
        N_("Clients: add, edit, show the card, list and find, archive; people and facts."),
        parts=(
            Part("person", "povtor.cli.people", "person_app"),
            Part("fact", "povtor.cli.people", "fact_app"),
            Part("referral", "povtor.cli.referral", "referral"),
            Part("categorize", "povtor.cli.categorize", "categorize"),
            Part("roadmap", "povtor.cli.roadmap", "client_roadmap"),
            Part("occasion", "povtor.cli.occasion", "occasion_app"),
            Part("step", "povtor.cli.roadmap", "step_app"),
            Part("assign", "povtor.cli.sellers", "client_assign"),
        ),
    ),
    "deal": LazyGroupSpec(
        "povtor.cli.deal",
        "app",
        N_("Deals: open, move through stages, win, lose, reopen, edit; list and show."),
        parts=(
            Part("product", "povtor.cli.product", "deal_app"),
            Part("assign", "povtor.cli.sellers", "deal_assign"),
        ),
    ),
    "nudge": LazyGroupSpec(
        "povtor.cli.nudge",
        "app",
        N_("Touches and yes-or-no nudges («буравчик»): log them, draft the message, templates."),
        parts=(Part("content", "povtor.cli.content", "content_app"),),
    ),
    "plan": LazyGroupSpec(
        "povtor.cli.plan",
        "app",
        N_("The plan of nudges: who to contact today and why."),
        parts=(Part("run", "povtor.cli.plan_run", "run"),),
    ),
    "stats": LazyGroupSpec(
        "povtor.cli.stats",
        "app",
        N_("Statistics: funnel conversion, nudge outcomes, repeat purchases, cohorts..."),
    ),
    "report": LazyCommandSpec(
        "povtor.cli.report",
        "report",
        N_("Write a month's report as one self-contained HTML page, ready to print to PDF."),
    ),
    "export": LazyGroupSpec(
        "povtor.cli.export",
        "export_app",
        N_("Write a table out: csv, tsv, json, jsonl, or CSV for Excel."),
    ),
    "import": LazyGroupSpec(
        "povtor.cli.imports",
        "import_app",
        N_("Bring data in, all or nothing: povtor's files, other CRMs', orders."),
    ),
    "funnel": LazyGroupSpec("povtor.cli.funnel", "app", N_("Funnels and their stages.")),
    "product": LazyGroupSpec(
        "povtor.cli.product",
        "app",
        N_("Products: the catalog, backend products for the top clients, related products..."),
    ),
    "roadmap": LazyGroupSpec(
        "povtor.cli.roadmap",
        "app",
        N_("Roadmaps: each category's steps to large regular purchases, with a call script..."),
    ),
    "perks": LazyGroupSpec(
        "povtor.cli.perks",
        "app",
        N_(
            "Perks («ништяки»): professional holidays by industry, birthdays and clients' "
            "own dates..."
        ),
        parts=(Part("stats", "povtor.cli.stats.clients", "perks"),),
    ),
    "seller": LazyGroupSpec(
        "povtor.cli.sellers",
        "app",
        N_("The team: sellers on one database, each with their own clients and plan."),
    ),
    "spend": LazyGroupSpec(
        "povtor.cli.stats.spend",
        "spend_app",
        N_("Money spent per lead source, for the cost per sale in stats sources."),
    ),
}

app = typer.Typer(
    cls=PovtorRootGroup,
    name="povtor",
    help=(
        "Repeat-sales toolkit: clients, deals, yes-or-no nudges and the daily plan, "
        "in one local SQLite file.\n\n"
        'Try it on the demo database: povtor --db "$(povtor demo)" plan today'
        " (povtor demo builds it and prints its path)."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
            help="Database file, sqlite:/// URL or postgresql://user@host/database URL. "
            "Default: povtor.db in your user data directory.",
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
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Print long output straight to the terminal (default: through POVTOR_PAGER, "
            "PAGER or less -FRX, as git does).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Global options; they come before the command: povtor --today 2026-03-02 deal list."""
    from povtor import terminal

    terminal.allow_paging(not no_pager)
    state = Runtime(db_option=db, today_option=today, tz_option=tz)
    state.clock  # read the clock once, now: a bad --today or --tz fails every command  # noqa: B018
    ctx.obj = state
    ctx.call_on_close(state.close)


def main() -> None:
    from povtor import process

    _settle_collector()
    process.ending_at_once()
    try:
        app(prog_name="povtor")
    except SystemExit as stop:
        process.end(_written(_exit_code(stop.code)))
    process.end(_written(0))


def _written(code: int) -> int:
    """``code``, once what is left of the output is written; a write refused now (a full
    disk behind a redirection) is said in one line, exit code 6 (the reader gone, as in
    ``povtor ... | head``, is no error)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as error:
        problem = cannot_write_output(error)
        report(problem)
        return code or int(problem.exit_code)
    except ValueError:  # (a closed stream)
        pass
    return code


def _exit_code(code: object) -> int:
    """The exit code of ``sys.exit(code)``: a message is written, as Python would."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _settle_collector() -> None:
    """A command runs once and ends. What starting it made (the modules, the command
    line's machinery) lives to its end, so the cyclic collector leaves those objects alone
    (frozen: no pass walks them again), and passes over the young objects once per
    20,000 made rather than per 700: a report or a plan makes hundreds of thousands that
    refer to no cycle, and each pass walked every object that survived the ones before.
    Memory is freed as before, as objects are dropped; a cycle is still collected."""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
