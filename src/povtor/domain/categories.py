"""Client categories from the ABC analysis (``povtor client categorize``).

The split itself is :func:`povtor.domain.metrics.abc_split` (the one ``stats abc``
prints). Here: what categorising does to each client. A category the user set by hand
(source ``manual``, or one with no recorded source) is kept unless ``overwrite``; a
category that came from the ABC analysis (source ``abc``) or no category at all takes
the ABC category; a client without revenue in the period that came after it (a period
in the past) had no chance to buy in it and is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.metrics import AbcRow
from povtor.records import record

ACTIONS = ("set", "keep", "same", "skip")
ACTION_LABELS = {
    "set": "set",
    "keep": "keep (manual)",
    "same": "same",
    "skip": "skip (new)",
}


def set_by_hand(category: str | None, source: str | None) -> bool:
    """A category counts as the user's unless the ABC analysis set it."""
    return category is not None and source != "abc"


@record(frozen=True)
class ClientOrigin:
    """What categorising needs beyond the revenue: who set the category, when it came."""

    source: str | None
    created_on: dt.date


@record(frozen=True)
class Categorised:
    """One client's row of ``client categorize``."""

    row: AbcRow
    source: str | None  # who set the current category
    action: str  # set | keep | same | skip

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def new_category(self) -> str | None:
        return self.row.abc if self.action == "set" else self.row.client.category


def categorise(
    ranked: Iterable[AbcRow],
    origins: Mapping[int, ClientOrigin],
    period_end: dt.date,
    *,
    overwrite: bool,
) -> list[Categorised]:
    """Each ranked client with what categorising does to it, in the ranking's order."""
    found = []
    for row in ranked:
        client = row.client
        origin = origins.get(client.client_id)
        source = origin.source if origin else None
        if client.revenue == 0 and origin is not None and origin.created_on > period_end:
            action = "skip"  # came after the period and bought nothing in it: no judging
        elif client.category == row.abc:
            action = "same"
        elif set_by_hand(client.category, source) and not overwrite:
            action = "keep"
        else:
            action = "set"
        found.append(Categorised(row=row, source=source, action=action))
    return found


def summary(rows: Iterable[Categorised], *, dry_run: bool) -> str:
    """«3 set, 2 kept (manual), 40 unchanged» (and the skipped ones, if any)."""
    counts = dict.fromkeys(ACTIONS, 0)
    for row in rows:
        counts[row.action] += 1
    text = (
        f"{counts['set']} {'to set' if dry_run else 'set'}, {counts['keep']} kept (manual), "
        f"{counts['same']} unchanged"
    )
    if counts["skip"]:
        text += f", {counts['skip']} skipped (came after the period)"
    return f"dry run: {text}; nothing was changed" if dry_run else text
