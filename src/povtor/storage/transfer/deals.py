"""Importing deals and their stage history; funnels and stages by code or name.

A new deal gets a history (open, then win or lose) unless a stage-history file brings
its own; a re-imported deal that changed stage or status gets the event of the change.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from dataclasses import field
from typing import Any

from povtor.domain.formats import row_key
from povtor.domain.importing import Header
from povtor.domain.tabular import RawTable
from povtor.i18n import N_, _, ngettext
from povtor.records import record
from povtor.storage.transfer.clients import client_ref
from povtor.storage.transfer.importer import (
    Change,
    Importer,
    Index,
    explicit,
    folded,
    insert_sql,
    stored,
    update_sql,
)
from povtor.storage.transfer.owners import Owners

DEAL_COLUMNS = (
    "client_id", "funnel_id", "stage_id", "title", "amount_minor", "currency", "status",
    "opened_on", "stage_entered_on", "expected_on", "closed_on", "lost_reason", "follow_up_on",
    "external_id",
)  # fmt: skip
HISTORY_COLUMNS = ("deal_id", "event", "from_stage_id", "to_stage_id", "at", "on_date", "reason")
HISTORY_INSERT = insert_sql("stage_change", HISTORY_COLUMNS)
_deal_values = operator.itemgetter(*DEAL_COLUMNS)  # a deal's values, as a tuple
DEAL_INSERT = insert_sql("deal", DEAL_COLUMNS)
# where _synthesize_history finds what it needs in a deal's values
_FUNNEL, _STAGE, _STATUS, _OPENED, _ENTERED, _CLOSED, _REASON = (
    DEAL_COLUMNS.index(c)
    for c in (
        "funnel_id", "stage_id", "status", "opened_on", "stage_entered_on", "closed_on",
        "lost_reason",
    )
)  # fmt: skip


# -- funnels and stages --------------------------------------------------------------------
@record
class Funnels:
    """The funnels and their stages (in order), and the stages found so far."""

    ids: dict[str, int]  # code -> id
    codes: dict[int, str]  # id -> code
    keys: dict[str, int]  # folded name or code -> id
    stages: dict[int, list[Any]]  # funnel id -> its stages, by position
    found: dict[tuple[int | None, str], Any] = field(default_factory=dict)


def _load_funnels(imp: Importer) -> Funnels:
    funnels = imp.db.rows("SELECT id, code, name FROM funnel ORDER BY id")
    stages: dict[int, list[Any]] = defaultdict(list)
    for row in imp.db.rows(
        "SELECT id, funnel_id, code, name, position, is_won FROM stage ORDER BY position"
    ):
        stages[row["funnel_id"]].append(row)
    return Funnels(
        ids={r["code"]: r["id"] for r in funnels},
        codes={r["id"]: r["code"] for r in funnels},
        keys={folded(r[c]): r["id"] for r in funnels for c in ("name", "code")},
        stages=stages,
    )


def funnel_id(
    imp: Importer, code: str | None, source: str, where: int | str, label: str
) -> int | None:
    funnels = imp.shared(_load_funnels)
    code = code or imp.map.funnel or "repeat"
    found = funnels.keys.get(folded(code).strip())
    if found is not None:
        return found
    imp.check.problem(
        source,
        where,
        _("{label}: {code!r} is not a funnel ({funnels})").format(
            label=label, code=code, funnels=", ".join(funnels.ids)
        ),
    )
    return None


def stage(
    imp: Importer, funnel: int | None, value: str, source: str, where: int | str, label: str
) -> Any | None:
    """A stage by code or name in the funnel; ``funnel/stage`` names the funnel too."""
    funnels = imp.shared(_load_funnels)
    asked = (funnel, value)
    known = funnels.found.get(asked)
    if known is not None:
        return known
    problem = imp.check.problem
    prefix, slash, rest = value.partition("/")
    named = funnels.ids.get(prefix.strip().lower()) if slash else None
    if named is not None:
        if funnel is not None and named != funnel:
            problem(
                source,
                where,
                _("{label}: {value!r} is not in the deal's funnel").format(
                    label=label, value=value
                ),
            )
            return None
        funnel, value = named, rest
    candidates = (
        funnels.stages.get(funnel, [])
        if funnel is not None
        else [s for rows in funnels.stages.values() for s in rows]
    )
    key = folded(value.strip())
    found = [s for s in candidates if key in (folded(s["code"]), folded(s["name"]))]
    if len(found) == 1:
        funnels.found[asked] = found[0]
        return found[0]
    if found:
        problem(
            source,
            where,
            _("{label}: {value!r} is in several funnels; write funnel/stage").format(
                label=label, value=value
            ),
        )
        return None
    if funnel is not None:
        codes = ", ".join(s["code"] for s in candidates)
        what = _("a stage of funnel {funnel} ({codes})").format(
            funnel=funnels.codes[funnel], codes=codes
        )
    else:
        what = _("a stage (see povtor funnel list)")
    problem(
        source,
        where,
        _("{label}: {value!r} is not {what}; map yours in [stages] of a --map file").format(
            label=label, value=value, what=what
        ),
    )
    return None


def first_stage(imp: Importer, funnel: int) -> Any:
    return imp.shared(_load_funnels).stages[funnel][0]


def won_stage(imp: Importer, funnel: int) -> Any:
    return next(s for s in imp.shared(_load_funnels).stages[funnel] if s["is_won"])


def _closed_stages(imp: Importer) -> dict[tuple[int, str], Any]:
    """(funnel, status) -> the stage closed deals start from (None: the map's is wrong)."""
    return {}


def closed_stage(imp: Importer, funnel: int, status: str, source: str) -> Any | None:
    """The stage at which a closed deal given only as won or lost was when it closed: the
    map's ``closed_from`` (an open stage of the funnel), else the funnel's first stage.
    None (and one problem for the file) if the map names no open stage of the funnel."""
    known = imp.shared(_closed_stages)
    key = (funnel, status)
    if key in known:
        return known[key]
    named = imp.map.closed_from.get(status)
    if named is None:
        found = first_stage(imp, funnel)
    else:
        label = f"--map: closed_from ({status} deals)"
        found = stage(imp, funnel, named, source, 1, label)
        if found is not None and found["is_won"]:
            imp.check.problem(
                source,
                1,
                _(
                    "{label}: {named!r} is the paid stage; name the stage deals were at "
                    "before they closed (e.g. invoice)"
                ).format(label=label, named=named),
            )
            found = None
    known[key] = found
    return found


# -- deals -----------------------------------------------------------------------------------
def deals(imp: Importer) -> Index:
    """The deals, stored and planned: by id and external id."""
    return imp.shared(_load_deals)


def _load_deals(imp: Importer) -> Index:
    index = Index(DEAL_COLUMNS)
    for row in imp.db.rows(f"SELECT id, {', '.join(DEAL_COLUMNS)} FROM deal"):
        index.rows[row["id"]] = tuple(row)[1:]
        if row["external_id"]:
            index.by_ext[row["external_id"]] = row["id"]
    return index


def deal_ref(
    imp: Importer, record: dict[str, Any], head: Header, source: str, where: int | str
) -> int | None:
    """The deal a row names by povtor id or external id (None, and a problem, if no such
    deal; None without a problem if the row names none)."""
    index = deals(imp)
    deal_id = record.get("deal_id")
    if deal_id is not None:
        if deal_id not in index.rows:
            imp.check.problem(
                source,
                where,
                _("{label}: no deal #{id} (import deals first)").format(
                    label=head.labels["deal_id"], id=deal_id
                ),
            )
            return None
        return deal_id
    ext = record.get("deal_external_id")
    if ext:
        if ext not in index.by_ext:
            imp.check.problem(
                source,
                where,
                _("{label}: no deal has external id {ext!r}").format(
                    label=head.labels["deal_external_id"], ext=ext
                ),
            )
            return None
        return index.by_ext[ext]
    return None


def plan_deals(imp: Importer, table: RawTable) -> None:
    check = imp.check
    head = check.header(table, "deals")
    if head is None:
        return
    rows = list(check.rows(table, "deals", head))
    imp.reserve("deal", [r["id"] for _, r in rows if r.get("id")])
    seen: dict[Any, int | str] = {}
    present = set(head.index)
    index = deals(imp)
    codes = imp.shared(_load_funnels).codes
    owners = Owners(imp, "deals", head)
    for where, rec in rows:
        source = table.source
        label = f"{source}:{where}"
        if check.repeated(seen, explicit(rec), source, where):
            continue
        opened = rec.get("opened_on")
        if opened is None and "opened_on" not in rec.get("_bad", ()):
            opened = _stand_in_opened(imp, rec, head, source, where)
        known = index.by_ext.get(rec.get("external_id") or "")
        if known is None and rec.get("id") in index.rows:
            known = rec["id"]
        if known is not None and "funnel" not in present:
            funnel = index.value(known, "funnel_id")  # a file without funnels keeps it
        else:
            funnel = funnel_id(
                imp, rec.get("funnel"), source, where, head.labels.get("funnel", "funnel")
            )
        stage_value = rec.get("stage")
        if not check.need(rec, head, source, where, "stage") or funnel is None:
            continue
        status = rec.get("status")
        start = None  # the stage the history starts at, for a deal given only as closed
        if folded(stage_value) == "lost":  # a mapped stage such as «Закрыто и не реализовано»
            status = status or "lost"
            at_stage = start = closed_stage(imp, funnel, "lost", source)
            if at_stage is None:
                continue
        else:
            at_stage = stage(imp, funnel, str(stage_value), source, where, head.labels["stage"])
            if at_stage is None:
                continue
            status = status or ("won" if at_stage["is_won"] else "open")
            if status == "won":
                start = closed_stage(imp, funnel, "won", source)
                if start is None:
                    continue
        if (status == "won") != bool(at_stage["is_won"]):
            check.problem(
                source,
                where,
                _(
                    "{label}: {status!r} does not fit stage {stage!r} "
                    "(won deals, and only they, are at the paid stage)"
                ).format(
                    label=head.labels.get("status", "status"),
                    status=status,
                    stage=at_stage["code"],
                ),
            )
            continue
        if opened is not None and not _dates_in_order(imp, rec, head, source, where, opened):
            continue
        ext, row_id = rec.get("external_id"), rec.get("id")
        client_id = client_ref(
            imp,
            rec,
            head,
            source,
            where,
            created_on=opened or imp.clock.today,
            placeholder=True,
        )
        if client_id is None:
            continue
        if not ext and not row_id:
            who = rec.get("client") or rec.get("client_external_id") or client_id
            ext = row_key(who, codes[funnel], rec.get("title"), opened)
            what = _("the same deal (client, funnel, title, opened_on)")
            if check.repeated(seen, ("deal", ext), source, where, what):
                continue
        found = index.by_ext.get(ext) if ext else None
        if found is not None and row_id is not None and found != row_id:
            check.problem(
                source,
                where,
                _("id {id} does not match: external id {ext!r} is deal #{found}").format(
                    id=row_id, ext=ext, found=found
                ),
            )
            continue
        if found is None and row_id is not None and row_id in index.rows:
            found = row_id
        if not owners.check(rec, source, where) or "_bad" in rec or opened is None:
            continue
        old = dict(zip(DEAL_COLUMNS, index.rows[found], strict=True)) if found else None

        def given(column: str, column_stored: str | None = None, _rec=rec, _old=old) -> Any:
            """The file's value if the file has the column, else the stored one."""
            if column in present:
                return stored(_rec.get(column))
            return _old[column_stored or column] if _old else None

        moved = old is None or (old["stage_id"], old["status"]) != (at_stage["id"], status)
        entered = stored(rec.get("stage_entered_on"))
        closed = stored(rec.get("closed_on"))
        if entered is None:
            if old is None:
                entered = (closed if status == "won" else None) or opened.isoformat()
            elif not moved:
                entered = old["stage_entered_on"]
            else:
                entered = closed or imp.clock.today.isoformat()
        if status == "open":
            closed = None
        elif closed is None:
            closed = old["closed_on"] if old is not None and old["status"] == status else entered
        currency = given("currency") or imp.map.currency or "RUB"
        values = {
            "client_id": client_id,
            "funnel_id": funnel,
            "stage_id": at_stage["id"],
            "title": given("title"),
            "amount_minor": given("amount", "amount_minor"),
            "currency": currency,
            "status": status,
            "opened_on": opened.isoformat(),
            "stage_entered_on": entered,
            "expected_on": given("expected_on"),
            "closed_on": closed,
            "lost_reason": given("lost_reason") if status == "lost" else None,
            "follow_up_on": given("follow_up_on") if status == "open" else None,
            "external_id": ext or given("external_id"),
        }
        shown = values["title"] or f"deal of client #{client_id}"
        moved = found is not None and owners.moves(found, rec)
        deal_id = upsert_deal(
            imp, found, row_id, values, shown, label, start=start, owner_moved=moved
        )
        owners.give(deal_id, rec)
    owners.write()
    stand_ins = imp.shared(_stand_ins)
    for what, lines in stand_ins.items():
        check.note(
            ngettext(
                "{source}: {count} deal(s) with no open date are counted as opened on "
                "their {what} (first on line {line})",
                "{source}: {count} deal(s) with no open date are counted as opened on "
                "their {what} (first on line {line})",
                len(lines),
            ).format(source=source, count=len(lines), what=_(what), line=lines[0])
        )
    stand_ins.clear()


def _stand_ins(imp: Importer) -> dict[str, list[int | str]]:
    """The rows whose open date another date stands for, by that date."""
    return {}


def _stand_in_opened(
    imp: Importer, rec: dict[str, Any], head: Header, source: str, where: int | str
) -> dt.date | None:
    """For a row with no open date: its stage_entered_on, else its closed_on (noted);
    else None and a problem."""
    for column, what in (("stage_entered_on", N_("stage date")), ("closed_on", N_("close date"))):
        if rec.get(column) is not None:
            imp.shared(_stand_ins).setdefault(what, []).append(where)
            day: dt.date = rec[column]
            return day
    label = head.labels.get("opened_on", "opened_on")
    imp.check.problem(
        source,
        where,
        _(
            "{label}: empty (a deal needs the date it opened, or a closed_on or "
            "stage_entered_on date to stand for it)"
        ).format(label=label),
        column=label,
        value="",
    )
    return None


def _dates_in_order(
    imp: Importer,
    rec: dict[str, Any],
    head: Header,
    source: str,
    where: int | str,
    opened: dt.date,
) -> bool:
    """Whether the row's dates come in order: opened, entered its stage, closed."""
    entered, closed = rec.get("stage_entered_on"), rec.get("closed_on")
    labels = head.labels
    if closed is not None and closed < opened:
        imp.check.problem(
            source,
            where,
            _(
                "{label}: {closed!r} is before the deal opened "
                "({opened}): a deal cannot close before it opens"
            ).format(
                label=labels["closed_on"], closed=closed.isoformat(), opened=opened.isoformat()
            ),
        )
        return False
    if entered is not None and entered < opened:
        imp.check.problem(
            source,
            where,
            _("{label}: {entered!r} is before the deal opened ({opened})").format(
                label=labels["stage_entered_on"],
                entered=entered.isoformat(),
                opened=opened.isoformat(),
            ),
        )
        return False
    if entered is not None and closed is not None and closed < entered:
        imp.check.problem(
            source,
            where,
            _("{label}: {closed!r} is before the deal entered its stage ({entered})").format(
                label=labels["closed_on"],
                closed=closed.isoformat(),
                entered=entered.isoformat(),
            ),
        )
        return False
    return True


def upsert_deal(
    imp: Importer,
    found: int | None,
    row_id: int | None,
    values: dict[str, Any],
    label: str,
    where: str,
    *,
    rebuild_history: bool = False,
    start: Any | None = None,
    owner_moved: bool = False,
) -> int:
    """Update the deal ``found`` (with the event of its change, or with its history made
    anew) or add one (with a history, from the stage ``start`` for a closed deal); the
    deal's id. ``owner_moved``: the file gives the deal another owner (written by the caller)."""
    index = deals(imp)
    new = _deal_values(values)
    if found is not None:
        old = index.rows[found]
        changed = [c for c, a, b in zip(DEAL_COLUMNS, old, new, strict=True) if a != b]
        if not changed:
            if owner_moved:
                imp.record(Change("deals", "update", found, label, where, "owner"))
            else:
                imp.counts[("deals", "unchanged")] += 1
            return found
        imp.op(update_sql("deal", DEAL_COLUMNS), (*new, found))
        index.rows[found] = new
        if old[-1] and old[-1] != new[-1]:
            index.by_ext.pop(old[-1], None)
        if new[-1]:
            index.by_ext[new[-1]] = found
        listed = [*changed, "owner"] if owner_moved else changed
        imp.record(Change("deals", "update", found, label, where, ", ".join(listed)))
        if rebuild_history:
            moved = {"stage_id", "status", "opened_on", "closed_on", "stage_entered_on"}
            if moved & set(changed):
                imp.op("DELETE FROM stage_change WHERE deal_id = ?", (found,))
                _synthesize_history(imp, found, new, start)
        else:
            _append_event(imp, found, dict(zip(DEAL_COLUMNS, old, strict=True)), values)
        return found
    return add_deal(imp, new, label, where, row_id=row_id, start=start)


def add_deal(
    imp: Importer,
    values: tuple[Any, ...],
    label: str,
    where: str,
    *,
    row_id: int | None = None,
    start: Any | None = None,
    indexed: bool = True,
) -> int:
    """Add a deal (its values in the order of DEAL_COLUMNS) with a history; its id. Not
    ``indexed``: the deal is not kept among those later rows and files look up."""
    deal_id = row_id or imp.new_id("deal")
    if indexed:
        index = deals(imp)
        index.rows[deal_id] = values
        if values[-1]:
            index.by_ext[values[-1]] = deal_id
    imp.op(DEAL_INSERT, (deal_id, *values))
    imp.counts[("deals", "create")] += 1
    if imp.listing:
        imp.changes.append(Change("deals", "create", deal_id, label, where))
    _synthesize_history(imp, deal_id, values, start)
    return deal_id


# -- the history of deals that came without one ------------------------------------------------
def planned_history_of(imp: Importer) -> dict[int, int]:
    """Planned stage_change id -> deal id."""
    return {}


def _history_op(
    imp: Importer,
    deal_id: int,
    event: str,
    from_stage: int | None,
    to_stage: int | None,
    day: str,
    reason: str | None = None,
) -> None:
    """Plan an event of a deal's history, written after every other write (so that a
    stage-history file can still replace it)."""
    _history_ops(imp, deal_id, [(event, from_stage, to_stage, day, reason)])


def _history_ops(
    imp: Importer, deal_id: int, events: list[tuple[str, int | None, int | None, str, str | None]]
) -> None:
    """Plan the events (event, from stage, to stage, day, reason) of a deal's history."""
    pending = imp.last(HISTORY_INSERT)
    noon = imp.noon
    history_id = imp.new_ids("stage_change", len(events))
    if HISTORY_INSERT not in imp.early_last:  # a stage-history file may replace it
        planned = imp.shared(planned_history_of)
        for number in range(len(events)):
            planned[history_id + number] = deal_id
    for event, from_stage, to_stage, day, reason in events:
        pending.append((history_id, deal_id, event, from_stage, to_stage, noon(day), day, reason))
        history_id += 1
    imp.counts[("stage-history", "create")] += len(events)


def _synthesize_history(
    imp: Importer, deal_id: int, deal: tuple[Any, ...], start: Any | None = None
) -> None:
    """The history of a deal that came without one (its values in the order of
    DEAL_COLUMNS): open (+ move) (+ win or lose). A closed deal opens at ``start`` (the
    map's closed_from) if given, else the first stage."""
    first = (start or first_stage(imp, deal[_FUNNEL]))["id"]
    at_stage, status = deal[_STAGE], deal[_STATUS]
    opened, entered = deal[_OPENED], deal[_ENTERED]
    if status == "won":
        _history_ops(
            imp,
            deal_id,
            [
                ("open", None, first, opened, None),
                ("win", first, at_stage, deal[_CLOSED] or entered, None),
            ],
        )
        return
    events: list[tuple[str, int | None, int | None, str, str | None]] = []
    if at_stage != first and entered > opened:
        events.append(("open", None, first, opened, None))
        events.append(("move", first, at_stage, entered, None))
    else:
        events.append(("open", None, at_stage, opened, None))
    if status == "lost":
        events.append(("lose", at_stage, None, deal[_CLOSED] or entered, deal[_REASON]))
    _history_ops(imp, deal_id, events)


def _append_event(imp: Importer, deal_id: int, old: dict[str, Any], new: dict[str, Any]) -> None:
    """A re-imported deal that changed stage or status gets the event in its history."""
    before, after = old["status"], new["status"]
    if after == "won" and before != "won":
        _history_op(
            imp,
            deal_id,
            "win",
            old["stage_id"],
            new["stage_id"],
            new["closed_on"] or new["stage_entered_on"],
        )
    elif after == "lost" and before != "lost":
        _history_op(
            imp, deal_id, "lose", old["stage_id"], None, new["closed_on"], new["lost_reason"]
        )
    elif after == "open" and before != "open":
        _history_op(
            imp, deal_id, "reopen", old["stage_id"], new["stage_id"], new["stage_entered_on"]
        )
    elif after == "open" and old["stage_id"] != new["stage_id"]:
        _history_op(imp, deal_id, "move", old["stage_id"], new["stage_id"], new["stage_entered_on"])
