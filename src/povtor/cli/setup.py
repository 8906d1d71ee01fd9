"""``povtor init``, ``povtor demo`` and ``povtor db``: creating, upgrading and inspecting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, runtime
from povtor.errors import Conflict
from povtor.output import Column, Listing, message, render
from povtor.storage import queries, schema
from povtor.storage.database import open_database
from povtor.storage.location import resolve_location

db_app = typer.Typer(
    help="The database file: where it is, its schema, upgrades.", no_args_is_help=True
)


def init(ctx: typer.Context) -> None:
    """Create the database (migrated to the newest schema) and print where it is.

    Example: povtor --db ~/sales/povtor.db init
    """
    state = runtime(ctx)
    existed = state.location.path is not None and state.location.path.exists()
    state.db  # opening creates and migrates  # noqa: B018
    message(("database is ready at " if existed else "created database at ") + str(state.location))
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
    from povtor.demo import build_demo

    state = runtime(ctx)
    target = path or (resolve_location(state.db_option).path or Path("povtor.db")).with_name(
        "demo.db"
    )
    target = target.expanduser()
    if target.exists():
        if not force:
            raise Conflict(
                f"{target} exists already", hint="add --force to rebuild it, or give another path"
            )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    database = open_database(resolve_location(str(target)))
    try:
        counts = build_demo(database, today=state.clock.today)
    finally:
        database.close()
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    message(f"demo database built at {target}: {summary}")
    print(target)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Bring the database to the newest schema (a backup is taken first).

    Every command does this on first use; this command does it explicitly.

    Example: povtor db upgrade
    """
    state = runtime(ctx)
    database = open_database(state.location, migrate=False)
    try:
        before = database.schema_version()
        database.ensure_schema()
    finally:
        database.close()
    if before == schema.HEAD:
        message(f"{state.location} is up to date (schema {schema.HEAD})")
    else:
        message(f"{state.location}: schema {before or 'none'} → {schema.HEAD}")


@db_app.command("info")
def info(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """Show where the database is, its schema and how many rows each table has.

    Example: povtor db info --format json
    """
    state = runtime(ctx)
    db = state.db
    rows: list[list[object]] = [["path", str(state.location)], ["schema", db.schema_version()]]
    rows += [[f"{table}_rows", count] for table, count in queries.table_counts(db).items()]
    render(
        Listing(
            (Column("key", "What"), Column("value", "Value", wide=True)), rows, title="Database"
        ),
        fmt,
    )


@db_app.command("path")
def path_(ctx: typer.Context) -> None:
    """Print the database location (without opening it).

    Example: ls -l "$(povtor db path)"
    """
    print(runtime(ctx).location)
