"""``povtor client categorize``: categories A, B, C from the ABC analysis of revenue."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, period_options, runtime
from povtor.domain.calendar import Period
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render

CATEGORIZE_COLUMNS = (
    Column("rank", N_("#"), "int"),
    Column("client_id", N_("ID"), "int"),
    Column("client", N_("Client"), wide=True),
    Column("category", N_("Category")),
    Column("category_source", N_("Set by")),
    Column("abc", N_("ABC")),
    Column("revenue", N_("Revenue"), "money"),
    Column("action", N_("Action")),
)


@period_options(default="year")
def categorize(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace categories set by hand too.")
    ] = False,
    changed: Annotated[
        bool,
        typer.Option("--changed", help="List only clients whose ABC category differs from theirs."),
    ] = False,
    *,
    span: Period,
    currency: Annotated[
        str, typer.Option("--currency", help="Count revenue in this currency only.")
    ] = "RUB",
    fmt: FormatOption = None,
) -> None:
    """Set categories from the ABC split of revenue over the 12 months to today.

    The split is the one `povtor stats abc` shows (same period options). Clients
    without a category or with one set by categorize get their ABC category; a category
    set by hand is kept unless --overwrite; clients that came after the period are
    skipped. Lists every client with its action (set, keep (manual), same, skip (new))
    and prints a summary line; all changes are one transaction.

    Example: povtor client categorize --dry-run --changed
    """
    from povtor.app.categorize import categorize as categorise_clients
    from povtor.domain.cells import parse_currency

    code = parse_currency(currency, field="--currency")
    found = categorise_clients(runtime(ctx).db, span, code, overwrite=overwrite, dry_run=dry_run)
    rows = found.rows
    shown = [r for r in rows if r.row.abc != r.row.client.category] if changed else rows
    render(
        Listing(
            CATEGORIZE_COLUMNS,
            [
                [
                    r.row.rank,
                    r.row.client.client_id,
                    r.row.client.name,
                    r.row.client.category,
                    r.source if r.row.client.category else None,
                    r.row.abc,
                    r.row.client.revenue,
                    r.label,
                ]
                for r in shown
            ],
            title=f"Categories by ABC of revenue, {span.label} (as of {span.as_of.isoformat()})"
            + (" — dry run" if dry_run else ""),
            caption=f"Money in {code}.",
            empty_message=N_("no paid deals in the period: nothing to categorise")
            if not found.ranked
            else "no clients match",
            row_styles=["yellow" if r.action == "set" else None for r in shown],
        ),
        fmt,
    )
    if not found.ranked:
        message(_("no paid deals in {code} in the period: no category changed").format(code=code))
        return
    message(found.summary(dry_run=dry_run))
