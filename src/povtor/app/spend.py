"""Money spent per lead source (``povtor spend``): record, list, remove.

``stats sources`` pro-rates these records to its period for the cost per sale.
"""

from __future__ import annotations

import datetime as dt

from povtor.errors import NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.storage import stats_queries
from povtor.storage.database import Database, to_date
from povtor.storage.spend_writes import delete_spend, insert_spend
from povtor.text import fold


@record(frozen=True)
class Spend:
    """Money spent on a lead source over ``start..end`` (both included)."""

    source: str
    start: dt.date
    end: dt.date
    amount_minor: int
    currency: str
    note: str | None = None
    id: int | None = None  # set once recorded

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def add_spend(db: Database, spend: Spend) -> int:
    """Record ``spend``; returns its id."""
    with db.transaction():
        return insert_spend(
            db,
            source=spend.source,
            start=spend.start,
            end=spend.end,
            amount_minor=spend.amount_minor,
            currency=spend.currency,
            note=spend.note,
        )


def list_spend(db: Database, source: str | None = None) -> list[Spend]:
    """The recorded spend, oldest first; only ``source``'s (any case, spaces folded)."""
    found = [
        Spend(
            source=r["source"],
            start=to_date(r["period_start"]),  # type: ignore[arg-type]
            end=to_date(r["period_end"]),  # type: ignore[arg-type]
            amount_minor=r["amount_minor"],
            currency=r["currency"],
            note=r["note"],
            id=r["id"],
        )
        for r in stats_queries.spend_records(db)
    ]
    if source:
        wanted = _source_key(source)
        found = [s for s in found if _source_key(s.source) == wanted]
    return found


def _source_key(source: str) -> str:
    return fold(" ".join(source.split()))


def remove_spend(db: Database, spend_id: int) -> str:
    """Remove a recorded spend; returns its source."""
    with db.transaction():
        source = delete_spend(db, spend_id)
        if source is None:
            raise NotFound(
                _("no spend #{spend_id}").format(spend_id=spend_id),
                hint=_("see them with: povtor spend list"),
            )
    return source
