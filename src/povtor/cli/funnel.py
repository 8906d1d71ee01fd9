"""``povtor funnel``: the funnels and their ordered stages (data, not code)."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, command_group, runtime
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render
from povtor.storage import queries

app = command_group(help="Funnels and their stages.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List every funnel with its stages in order and each stage's time limit.

    Example: povtor funnel list --format csv
    """
    rows = queries.list_funnels(runtime(ctx).db)
    columns = (
        Column("funnel", N_("Funnel")),
        Column("position", N_("#"), "int"),
        Column("stage", N_("Stage")),
        Column("stage_name", N_("Name")),
        Column("is_won", N_("Paid"), "bool"),
        Column("limit_days", N_("Limit (days)"), "int"),
    )
    render(
        Listing(
            columns,
            [[r[c.key] if c.key != "is_won" else bool(r["is_won"]) for c in columns] for r in rows],
            title=N_("Funnels"),
        ),
        fmt,
    )


MAX_LIMIT_DAYS = 365


@app.command("limit")
def limit(
    ctx: typer.Context,
    funnel: Annotated[str, typer.Argument(help="The funnel: its code, name or number.")],
    stage: Annotated[str, typer.Argument(help="The stage: its code, name or position.")],
    days: Annotated[str, typer.Argument(help="Days a deal may wait in it, or 'none'.")],
) -> None:
    """Set how long a deal may wait in a stage before the plan calls it stuck.

    The days count as plan.working_days says (working days by default). 'none'
    removes the limit: a deal in that stage is then never stuck. The paid stage
    has no limit.

    Example: povtor funnel limit repeat invoice 5
    """
    text = days.strip().lower()
    if text in ("none", "-", "no"):
        new: int | None = None
    elif text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT_DAYS:
        new = int(text)
    else:
        raise InvalidInput(
            _("days: {days} is not a number of days from 1 to {MAX_LIMIT_DAYS}").format(
                days=repr(days), MAX_LIMIT_DAYS=MAX_LIMIT_DAYS
            ),
            hint=_("give whole days, e.g. 5, or 'none' for no limit"),
        )
    from povtor.app.funnels import set_stage_limit

    done = set_stage_limit(runtime(ctx).db, funnel, stage, new)
    before = done.before
    unit = "working days" if done.working else "days"
    message(
        f"{done.where}: "
        + (f"limit {new} {unit}" if new is not None else "no limit")
        + f" (was {f'{before} {unit}' if before is not None else 'no limit'})"
    )
