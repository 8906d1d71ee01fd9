"""``povtor init``, ``povtor demo`` and ``povtor db``: creating, upgrading, inspecting,
backing up, restoring and checking the database."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, announce_upgrade, command_group, confirm, runtime
from povtor.errors import DatabaseProblem
from povtor.i18n import N_, _, ngettext
from povtor.output import Column, Listing, message, render
from povtor.storage import schema

db_app = command_group(
    help="The database file: where it is, its schema, upgrades, backups and checks.",
    no_args_is_help=True,
)


PLURALS = {"touch": "touches"}


def _counts(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "no readable data"
    return ", ".join(
        f"{n} {PLURALS.get(table, table + 's')}" if n != 1 else f"1 {table}"
        for table, n in counts.items()
    )


def init(ctx: typer.Context) -> None:
    """Create the database (migrated to the newest schema) and print where it is.

    Example: povtor --db ~/sales/povtor.db init
    """
    from povtor.app import database

    state = runtime(ctx)
    ready = database.init(state.location, now=state.clock.now)
    if ready.upgraded is not None:
        announce_upgrade(state.location, ready.upgraded)
    message(
        ("database is ready at " if ready.existed else "created database at ") + str(state.location)
    )
    print(state.location)


def demo(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="Where to build it (default: demo.db beside your database)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing demo database.")
    ] = False,
) -> None:
    """Build a realistic demo database from the bundled examples and print its path.

    The demo's dates are moved so that its story ends today. Point povtor at it
    with --db or POVTOR_DB.

    Example: export POVTOR_DB=$(povtor demo) && povtor deal list
    """
    from povtor.app import database

    state = runtime(ctx)
    target = path or (state.location.path or Path("povtor.db")).with_name("demo.db")
    target = target.expanduser()
    counts = database.build_demo(target, force=force, clock=state.clock)
    summary = ", ".join(_demo_count(what, n) for what, n in counts.items())
    message(_("demo database built at {target}: {summary}").format(target=target, summary=summary))
    message(_("try it: povtor --db {quote} plan today").format(quote=shlex.quote(str(target))))
    print(target)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database to the newest schema (a backup is taken first).

    Every command does this on first use; this command does it explicitly.

    Example: povtor db upgrade
    """
    from povtor.app import database

    state = runtime(ctx)
    done = database.upgrade(state.location, now=state.clock.now)
    if done.before == schema.HEAD:
        message(
            _("{location} is up to date (schema {HEAD})").format(
                location=state.location, HEAD=schema.HEAD
            )
        )
    else:
        saved = f"; the previous database is saved as {done.saved}" if done.saved else ""
        message(
            _("{location}: schema {value} → {HEAD}{saved}").format(
                location=state.location, value=done.before or "none", HEAD=schema.HEAD, saved=saved
            )
        )


@db_app.command("info")
def info(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Show where the database is, its schema and how many rows each table has.

    Example: povtor db info --format json
    """
    from povtor.app import database

    state = runtime(ctx)
    found = database.info(state.db)
    rows: list[list[object]] = [["path", str(state.location)], ["schema", found.schema]]
    rows += [[f"{table}_rows", count] for table, count in found.counts.items()]
    render(
        Listing(
            (Column("key", N_("What")), Column("value", N_("Value"), wide=True)),
            rows,
            title=N_("Database"),
        ),
        fmt,
    )


@db_app.command("path")
def path_(ctx: typer.Context) -> None:
    """Print the database location (without opening it).

    Example: ls -l "$(povtor db path)"
    """
    print(runtime(ctx).location)


Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write the copy (default: povtor-YYYYmmdd-HHMMSS.db beside the "
            "database).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Copy the database to a backup file (safe while povtor writes) and print its path.

    The copy is one consistent snapshot made with SQLite's online backup API,
    readable by its owner only. Restore it with: povtor db restore FILE.

    Example: povtor db backup ~/backups/povtor-monday.db
    """
    from povtor.app import database

    state = runtime(ctx)
    done = database.backup(state.db, file, force=force, now=state.clock.now)
    message(
        _("backed up {location} ({counts}) to {path}").format(
            location=state.location, counts=_counts(done.counts), path=done.path
        )
    )
    print(done.path)


@db_app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by povtor db backup.")],
    yes: Yes = False,
) -> None:
    """Replace the database with a backup; the current database is backed up first.

    FILE must be a sound povtor database; one made by an older povtor is upgraded
    after the copy. The current database is saved beside it as
    povtor.db.before-restore-YYYYmmdd-HHMMSS.bak (its path is printed).

    Example: povtor db restore ~/backups/povtor-20261123-093000.db --yes
    """
    from povtor.app import database

    state = runtime(ctx)
    plan = database.plan_restore(state.location, file)
    path, source = plan.path, plan.source
    question = (
        f"Replace {path} ({_counts(plan.current)}) with {source.path} "
        f"({_counts(source.counts)})? The current database is backed up first."
    )
    if not confirm(question, yes=yes, command="db restore"):
        return
    done = database.restore(state.location, plan, now=state.clock.now)
    upgraded = ""
    if done.upgraded_from is not None:
        upgraded = f"; upgraded from schema {done.upgraded_from} to {schema.HEAD}"
    saved = done.saved
    kept = f"; the previous database is saved as {saved}" if saved else ""
    message(
        _("restored {path} from {path2} ({counts}){upgraded}{kept}").format(
            path=path,
            path2=source.path,
            counts=_counts(source.counts),
            upgraded=upgraded,
            kept=kept,
        )
    )
    if saved:
        print(saved)


@db_app.command("check")
def check(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Rebuild every client's activity from its touches and deals first.",
        ),
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """Check the database: page integrity, references between rows, schema revision,
    and each client's activity (what the plan reads) against its touches and deals.

    Lists each check, and each client whose activity differs; exits with code 6 if
    anything is wrong. A damaged file: restore a backup (povtor db restore FILE). An
    activity that differs: povtor db check --repair rebuilds it from the history.
    Changes nothing without --repair.

    Example: povtor db check --format json
    """
    from povtor.app import database

    state = runtime(ctx)
    findings = database.check(state.location, repair=repair)
    render(
        Listing(
            (
                Column("check", N_("Check")),
                Column("status", N_("Status")),
                Column("detail", N_("Detail")),
            ),
            [[f.check, f.status, f.detail] for f in findings],
            title=_("Database check: {location}").format(location=state.location),
        ),
        fmt,
    )
    problems = [f for f in findings if f.status == "problem"]
    if problems:
        first = problems[0]
        only_activity = all(f.check == "activity" for f in problems)
        raise DatabaseProblem(
            _("{location} has {n} problem(s); first: {check}: {detail}").format(
                location=state.location, n=len(problems), check=first.check, detail=first.detail
            ),
            hint=_("rebuild the activity from the history: povtor db check --repair")
            if only_activity
            else _("restore a backup: povtor db restore FILE"),
        )
    message(_("{location} is sound").format(location=state.location))


@db_app.command("copy")
def copy(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="A new SQLite file, or an empty PostgreSQL database "
            "(postgresql://user@host:port/db).",
            show_default=False,
        ),
    ],
) -> None:
    """Copy every row of the database into a new file or an empty server database.

    The target is made at the same schema; ids are kept. The copy is one transaction
    on the target, verified table by table (row count and checksum) before it is
    committed: on any failure the target is left as it was (a new file is removed).
    A target that holds records is refused (exit code 5), as is a database not at
    the newest schema (run povtor db upgrade first). Each table's rows are listed
    on stderr.

    Example: povtor --db ~/sales/povtor.db db copy --to postgresql://anna@db.local/sales
    """
    from povtor.app import database

    state = runtime(ctx)
    done = database.copy_to(state.location, to, now=state.clock.now)
    width = max(len(t.table) for t in done.tables)
    for table in done.tables:
        message(f"  {table.table:<{width}}  {table.rows:>7}  sha256 {table.checksum[:12]}")
    total = sum(t.rows for t in done.tables)
    message(
        _("copied {total} rows in {n} tables to {target}, verified").format(
            target=done.target, total=total, n=len(done.tables)
        )
    )


CHANGE_ENTITIES = ("touch", "deal", "person")


@db_app.command("changes")
def changes(
    ctx: typer.Context,
    client: Annotated[
        str | None, typer.Option("--client", "-c", help="Only this client's corrections.")
    ] = None,
    deal: Annotated[
        str | None, typer.Option("--deal", help="Only this deal's (and its touches').")
    ] = None,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Only corrections of: touch, deal or person.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many, newest first.")
    ] = 50,
    fmt: FormatOption = None,
) -> None:
    """List the corrections, newest first: touches undone, edited or deleted, deals and
    people edited, people removed, main contacts chosen.

    Each keeps the record as it was before and after (the before and after columns of
    json, csv and tsv), so a figure that changed can be explained.

    Example: povtor db changes --deal 7 --format json
    """
    from povtor.app.change_log import list_changes
    from povtor.cli.runtime import choose

    state = runtime(ctx)
    found = list_changes(
        state.db,
        client=client,
        deal=deal,
        entity=choose(entity, CHANGE_ENTITIES, option="--entity"),
        limit=limit,
    )
    import json

    def as_json(value: object) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    columns = (
        Column("id", N_("ID"), "int"),
        Column("at", N_("When (UTC)"), "datetime", in_table=False),
        Column("on_date", N_("Date"), "date"),
        Column("entity", N_("What")),
        Column("entity_id", N_("Id"), "int"),
        Column("action", N_("Action")),
        Column("client_id", N_("Client id"), "int", in_table=False),
        Column("client", N_("Client")),
        Column("deal_id", N_("Deal"), "int"),
        Column("summary", N_("Change"), wide=True),
        Column("before", N_("Before"), in_table=False),
        Column("after", N_("After"), in_table=False),
    )
    rows = [
        [
            c.id,
            c.at,
            c.on_date,
            c.entity,
            c.entity_id,
            c.action,
            c.client_id,
            c.client,
            c.deal_id,
            c.summary(),
            as_json(c.before),
            as_json(c.after),
        ]
        for c in found
    ]
    render(
        Listing(
            columns, rows, title=N_("Corrections"), empty_message=N_("no corrections recorded")
        ),
        fmt,
    )


def _demo_count(what: str, n: int) -> str:
    """``49 clients``: a count of the demo's summary, in the language of the run."""
    forms = {
        "clients": ngettext("{n} client", "{n} clients", n),
        "people": ngettext("{n} person", "{n} people", n),
        "facts": ngettext("{n} fact", "{n} facts", n),
        "deals": ngettext("{n} deal", "{n} deals", n),
        "stage changes": ngettext("{n} stage change", "{n} stage changes", n),
        "touches": ngettext("{n} touch", "{n} touches", n),
        "products": ngettext("{n} product", "{n} products", n),
        "deal products": ngettext("{n} deal product", "{n} deal products", n),
        "occasions": ngettext("{n} occasion", "{n} occasions", n),
        "perk touches": ngettext("{n} perk touch", "{n} perk touches", n),
        "client steps": ngettext("{n} client step", "{n} client steps", n),
        "warming items": ngettext("{n} warming item", "{n} warming items", n),
    }
    form = forms.get(what)
    return f"{n} {what}" if form is None else form.format(n=n)
