"""Importing a stage-history file: the whole history of each deal it names replaces the
one it had; and the dates of history and touch rows (a day, or a moment with its day)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from povtor.domain.tabular import RawTable
from povtor.i18n import _
from povtor.storage.database import db_datetime
from povtor.storage.transfer.deals import (
    HISTORY_COLUMNS,
    HISTORY_INSERT,
    deal_ref,
    deals,
    planned_history_of,
    stage,
)
from povtor.storage.transfer.importer import Change, Importer


# -- stage history ---------------------------------------------------------------------------
def plan_history(imp: Importer, table: RawTable) -> None:
    """The file is the whole history of each deal it names: that history is replaced."""
    check = imp.check
    head = check.header(table, "stage-history")
    if head is None:
        return
    existing: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    owner: dict[int, int] = {}  # stage_change id -> deal id, stored and planned
    for row in imp.db.rows(
        f"SELECT id, {', '.join(HISTORY_COLUMNS)} FROM stage_change ORDER BY id"
    ):
        existing[row["deal_id"]].append(tuple(row))
        owner[row["id"]] = row["deal_id"]
    planned_history = imp.shared(planned_history_of)
    owner.update(planned_history)
    planned: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    wanted_ids: dict[int, int | str] = {}
    source = table.source
    for where, rec in check.rows(table, "stage-history", head):
        deal_id = deal_ref(imp, rec, head, source, where)
        if deal_id is None:
            if rec.get("deal_id") is None and rec.get("deal_external_id") is None:
                check.problem(source, where, _("no deal: the deal cell is empty"))
            continue
        event = rec.get("event")
        if not check.need(rec, head, source, where, "event") or not dated(imp, rec, source, where):
            continue
        funnel = deals(imp).value(deal_id, "funnel_id")
        stage_ids: list[int | None] = []
        for column in ("from_stage", "to_stage"):
            value = rec.get(column)
            found = stage(imp, funnel, value, source, where, head.labels[column]) if value else None
            stage_ids.append(found["id"] if found else None)
            if value and found is None:
                break
        else:
            if "_bad" in rec:
                continue
            if event != "lose" and stage_ids[1] is None:
                check.problem(
                    source, where, _("a {event} event needs a to_stage").format(event=event)
                )
                continue
            row_id = rec.get("id")
            if row_id is not None:
                if row_id in wanted_ids:
                    check.problem(
                        source,
                        where,
                        _("id {id} is repeated (first on {first})").format(
                            id=row_id, first=wanted_ids[row_id]
                        ),
                    )
                    continue
                wanted_ids[row_id] = where
            day, at = when(imp, rec.get("at"), rec.get("on_date"))
            planned[deal_id].append(
                (row_id, deal_id, event, *stage_ids, at, day, rec.get("reason"))
            )
    for deal_id in [d for d, rows in planned.items() if rows == existing.get(d)]:
        imp.counts[("stage-history", "unchanged")] += len(planned.pop(deal_id))
    taken = {i for i, d in owner.items() if d not in planned}
    imp.reserve("stage_change", [i for i in wanted_ids if i not in taken])
    for deal_id in planned:
        imp.op("DELETE FROM stage_change WHERE deal_id = ?", (deal_id,))
        imp.counts[("stage-history", "remove")] += len(existing.get(deal_id, ()))
    for history_id in [i for i, d in planned_history.items() if d in planned]:
        del planned_history[history_id]  # planned with its deal, replaced unwritten
    pending = imp.last(HISTORY_INSERT)
    kept = [r for r in pending if r[1] not in planned]
    imp.counts[("stage-history", "create")] -= len(pending) - len(kept)
    pending[:] = kept
    for deal_id, rows in planned.items():
        for event in rows:
            free = event[0] is not None and event[0] not in taken
            history_id = event[0] if free else imp.new_id("stage_change")
            planned_history[history_id] = deal_id
            imp.op(HISTORY_INSERT, (history_id, *event[1:]))
            imp.counts[("stage-history", "create")] += 1
        action = "update" if existing.get(deal_id) else "create"
        imp.changes.append(
            Change(
                "stage-history",
                action,
                deal_id,
                f"history of deal #{deal_id}: {len(rows)} event(s)",
                f"{source}",
            )
        )


def dated(imp: Importer, rec: dict[str, Any], source: str, where: int | str) -> bool:
    """Whether the row has a date (on_date or at); no date is a problem."""
    if rec.get("at") is not None or rec.get("on_date") is not None:
        return True
    if not {"at", "on_date"} & rec.get("_bad", set()):
        imp.check.problem(source, where, _("no date: on_date and at are empty"))
    return False


def when(
    imp: Importer, at_value: tuple[dt.date, dt.time | None] | None, on_value: Any
) -> tuple[str, str]:
    """(on_date, stored at) from the at (UTC) and on_date (local) cells."""
    if at_value is not None:
        day, time = at_value
        at = imp.moment(day, None) if time is None else db_datetime(dt.datetime.combine(day, time))
        if on_value is not None:
            return on_value[0].isoformat(), at
        local = imp.clock.local_date(dt.datetime.fromisoformat(at))
        return local.isoformat(), at
    day, time = on_value
    return day.isoformat(), imp.moment(day, time)
