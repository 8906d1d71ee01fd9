"""``client categorize``: clients' categories from the ABC split of revenue.

The split is the one ``stats abc`` shows; :mod:`povtor.domain.categories` decides what
happens to each client. Reading the revenue and writing the categories is one
transaction, so nothing changes in between.
"""

from __future__ import annotations

from povtor.domain import categories, metrics
from povtor.domain.calendar import Period
from povtor.records import record
from povtor.storage import category_queries, stats_queries
from povtor.storage.database import Database


@record(frozen=True)
class Categorisation:
    ranked: list[metrics.AbcRow]  # the ABC split (empty: no revenue in the period)
    rows: list[categories.Categorised]  # every client with its action

    def summary(self, *, dry_run: bool) -> str:
        return categories.summary(self.rows, dry_run=dry_run)


def categorize(
    db: Database, span: Period, currency: str, *, overwrite: bool, dry_run: bool
) -> Categorisation:
    """Categorise the active clients by their revenue in ``span`` (amounts in
    ``currency``); with ``dry_run`` only say what would change."""

    def decide() -> Categorisation:
        revenues = stats_queries.client_revenues(db, span.start, span.end, span.as_of, currency)
        ranked = metrics.abc_split(revenues)
        origins = category_queries.client_origins(db)
        rows = categories.categorise(ranked, origins, span.end, overwrite=overwrite)
        return Categorisation(ranked, rows)

    if dry_run:
        return decide()
    with db.transaction():
        found = decide()
        category_queries.set_abc_categories(db, found.rows)
    return found
