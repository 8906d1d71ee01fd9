"""``povtor funnel``: the funnels and their ordered stages (data, not code)."""

from __future__ import annotations

import typer

from povtor.cli.runtime import FormatOption, command_group, runtime
from povtor.output import Column, Listing, render
from povtor.storage import queries

app = command_group(help="Funnels and their stages.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List every funnel with its stages in order and each stage's time limit.

    Example: povtor funnel list --format csv
    """
    rows = queries.list_funnels(runtime(ctx).db)
    columns = (
        Column("funnel", "Funnel"),
        Column("position", "#", "int"),
        Column("stage", "Stage"),
        Column("stage_name", "Name"),
        Column("is_won", "Paid", "bool"),
        Column("limit_days", "Limit (days)", "int"),
    )
    render(
        Listing(
            columns,
            [[r[c.key] if c.key != "is_won" else bool(r["is_won"]) for c in columns] for r in rows],
            title="Funnels",
        ),
        fmt,
    )
