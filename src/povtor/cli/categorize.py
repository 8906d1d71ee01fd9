"""``povtor client categorize``: categories A, B, C from the ABC analysis of revenue."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, runtime
from povtor.output import Column, Listing, message, render

CATEGORIZE_COLUMNS = (
    Column("rank", "#", "int"),
    Column("client_id", "ID", "int"),
    Column("client", "Client"),
    Column("category", "Category"),
    Column("category_source", "Set by"),
    Column("abc", "ABC"),
    Column("revenue", "Revenue", "money"),
    Column("action", "Action"),
)


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
    from_: Annotated[
        str | None,
        typer.Option("--from", help="First day counted: YYYY-MM-DD, DD.MM.YYYY or -30 (days ago)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Last day counted (default and latest: the as-of date)."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="month, quarter or year: the calendar period containing --date."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="A day in the --period (default: today).")
    ] = None,
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
    from povtor.cli.stats import resolve_period
    from povtor.domain import categories, metrics
    from povtor.domain.cells import parse_currency
    from povtor.storage import category_queries, stats_queries

    state = runtime(ctx)
    as_of = state.clock.today
    span = resolve_period(as_of, from_, to, period, date, default="year")
    assert span is not None
    code = parse_currency(currency, field="--currency")
    db = state.db

    def decide() -> tuple[list[metrics.AbcRow], list[categories.Categorised]]:
        revenues = stats_queries.client_revenues(db, span.start, span.end, as_of, code)
        ranked = metrics.abc_split(revenues)
        origins = category_queries.client_origins(db)
        return ranked, categories.categorise(ranked, origins, span.end, overwrite=overwrite)

    if dry_run:
        ranked, rows = decide()
    else:
        with db.transaction():  # read and write under one lock: nothing changes in between
            ranked, rows = decide()
            category_queries.set_abc_categories(db, rows)
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
            title=f"Categories by ABC of revenue, {span.label} (as of {as_of.isoformat()})"
            + (" — dry run" if dry_run else ""),
            caption=f"Money in {code}.",
            empty_message="no paid deals in the period: nothing to categorise"
            if not ranked
            else "no clients match",
            row_styles=["yellow" if r.action == "set" else None for r in shown],
        ),
        fmt,
    )
    if not ranked:
        message(f"no paid deals in {code} in the period: no category changed")
        return
    message(categories.summary(rows, dry_run=dry_run))
