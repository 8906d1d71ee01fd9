"""Importing what grows a client: their own dates (occasions), the roadmaps and the steps
clients have done along them, and the user's links of professional holidays to industries."""

from __future__ import annotations

import calendar
from collections import deque
from typing import Any

from povtor.domain.tabular import RawTable
from povtor.errors import PovtorError
from povtor.i18n import _
from povtor.storage.transfer.clients import client_ref, people
from povtor.storage.transfer.importer import (
    Change,
    Importer,
    explicit,
    folded,
    insert_sql,
    shorten,
    stored,
)

OCCASION_COLUMNS = ("client_id", "person_id", "title", "month", "day", "year")
CLIENT_STEP_COLUMNS = ("client_id", "step_id", "done_on", "note")
STEP_COLUMNS = ("category", "position", "code", "title", "script")


def steps(imp: Importer) -> dict[tuple[str, str], int]:
    """(category, code) -> roadmap step id, stored and planned."""
    return imp.shared(_load_steps)


def _load_steps(imp: Importer) -> dict[tuple[str, str], int]:
    return {
        (r["category"], r["code"]): r["id"]
        for r in imp.db.rows("SELECT id, category, code FROM roadmap_step")
    }


# -- occasions -------------------------------------------------------------------------------
def plan_occasions(imp: Importer, table: RawTable) -> None:
    check = imp.check
    head = check.header(table, "occasions")
    if head is None:
        return
    source = table.source
    existing: dict[int, tuple[Any, ...]] = {}
    by_natural: dict[tuple[Any, ...], int] = {}
    for row in imp.db.rows(f"SELECT id, {', '.join(OCCASION_COLUMNS)} FROM occasion"):
        existing[row["id"]] = tuple(row)[1:]
        by_natural[(row["client_id"], row["person_id"], folded(row["title"]))] = row["id"]
    rows = list(check.rows(table, "occasions", head))
    imp.reserve("occasion", [r["id"] for _, r in rows if r.get("id")])
    present = set(head.index)
    seen: dict[Any, int | str] = {}
    today = imp.clock.today
    whose_people = people(imp)
    for where, rec in rows:
        if check.repeated(seen, explicit(rec), source, where):
            continue
        if not all(check.need(rec, head, source, where, c) for c in ("title", "month", "day")):
            continue
        client_id = client_ref(imp, rec, head, source, where, created_on=today)
        if client_id is None:
            continue
        month, day, year = rec["month"], rec["day"], rec.get("year")
        if month > 12:
            check.problem(
                source,
                where,
                _("{label}: {month} is not a month (1 to 12)").format(
                    label=head.labels["month"], month=month
                ),
            )
            continue
        last = calendar.monthrange(year or 2024, month)[1]  # 2024: 29 February is a day
        if day > last:
            check.problem(
                source,
                where,
                _("{label}: {month:02}-{day:02} is not a date").format(
                    label=head.labels["day"], month=month, day=day
                ),
            )
            continue
        person_id = rec.get("person_id")
        if person_id is not None and whose_people.get(person_id) != client_id:
            whose = whose_people.get(person_id)
            check.problem(
                source,
                where,
                (
                    _("{label}: no person #{id} at client #{client} (it is client #{whose}'s)")
                    if whose
                    else _("{label}: no person #{id} (import people first)")
                ).format(
                    label=head.labels["person_id"], id=person_id, client=client_id, whose=whose
                ),
            )
            continue
        natural = (client_id, person_id, folded(rec["title"]))
        row_id = rec.get("id")
        if not row_id and check.repeated(
            seen,
            ("natural", natural),
            source,
            where,
            f"occasion {rec['title']!r} of client #{client_id}",
        ):
            continue
        if "_bad" in rec:
            continue
        found = row_id if row_id in existing else None
        if row_id is None:
            found = by_natural.get(natural)
        values = (client_id, person_id, rec["title"], month, day, year)
        if found is not None and "year" not in present:
            values = (*values[:-1], existing[found][-1])
        occasion_id = imp.upsert(
            "occasions",
            "occasion",
            OCCASION_COLUMNS,
            existing,
            found,
            values,
            rec["title"],
            f"{source}:{where}",
            row_id=row_id,
        )
        by_natural[natural] = occasion_id


# -- roadmaps and clients' steps -----------------------------------------------------------
def plan_roadmap(imp: Importer, table: RawTable) -> None:
    """Steps by (category, code): updated or added; the steps of a category are then
    numbered 1, 2, ... in the order of their positions (a file's step before a stored one
    at the same position; a new step without a position goes last)."""
    from povtor.domain.roadmaps import check_code
    from povtor.domain.templates import check as check_script

    check = imp.check
    head = check.header(table, "roadmap")
    if head is None:
        return
    source = table.source
    existing: dict[int, tuple[Any, ...]] = {}
    for row in imp.db.rows(f"SELECT id, {', '.join(STEP_COLUMNS)} FROM roadmap_step"):
        existing[row["id"]] = tuple(row)[1:]
    known = steps(imp)
    present = set(head.index)
    seen: dict[Any, int | str] = {}
    planned: list[tuple[int | str, int | None, dict[str, Any]]] = []
    for where, rec in check.rows(table, "roadmap", head):
        if not all(check.need(rec, head, source, where, c) for c in ("category", "code", "title")):
            continue
        try:
            code = check_code(rec["code"], field=head.labels["code"])
            script = check_script(rec["script"]) if rec.get("script") else None
        except PovtorError as error:
            check.problem(source, where, error.message)
            continue
        category = rec["category"]
        if check.repeated(
            seen,
            ("step", (category, code)),
            source,
            where,
            _("step {category} {code!r}").format(category=category, code=code),
        ):
            continue
        if "_bad" in rec:
            continue
        found = known.get((category, code))
        old = existing.get(found) if found is not None else None
        values = {
            "category": category,
            "position": rec.get("position") or (old[1] if old else None),
            "code": code,
            "title": rec["title"],
            "script": script if "script" in present or old is None else old[4],
        }
        planned.append((where, found, values))
    if not planned:
        return
    # positions from the file are kept; the other steps fill the free places in order
    categories = {v["category"] for _, _, v in planned}
    in_file = {found for _, found, _ in planned if found is not None}
    final: dict[int, int] = {}  # step id (or -order-1 for a new one) -> position
    for category in categories:
        others = deque(
            step_id
            for step_id, old in sorted(existing.items(), key=lambda item: item[1][1])
            if old[0] == category and step_id not in in_file
        )
        mine = [
            (v["position"], order, found if found is not None else -order - 1)
            for order, (_, found, v) in enumerate(planned)
            if v["category"] == category
        ]
        fixed = deque(sorted(m for m in mine if m[0] is not None))
        ordered: list[int] = []
        while fixed or others:
            if fixed and (not others or fixed[0][0] <= len(ordered) + 1):
                ordered.append(fixed.popleft()[2])
            else:
                ordered.append(others.popleft())
        ordered += [m[2] for m in mine if m[0] is None]
        final.update((step_id, number) for number, step_id in enumerate(ordered, start=1))
    for category in categories:
        moved = any(
            final[i] != existing[i][1] for i in final if i > 0 and existing[i][0] == category
        )
        if moved:  # (category, position) is unique: first out of the way, then in place
            imp.op("UPDATE roadmap_step SET position = -position WHERE category = ?", (category,))
            for step_id, old in existing.items():  # those the updates below leave out
                if old[0] == category and (step_id not in in_file or final[step_id] == old[1]):
                    imp.op(
                        "UPDATE roadmap_step SET position = ? WHERE id = ?",
                        (final[step_id], step_id),
                    )
    for order, (where, found, values) in enumerate(planned):
        values["position"] = final[found if found is not None else -order - 1]
        step_row = tuple(values[c] for c in STEP_COLUMNS)
        step_id = imp.upsert(
            "roadmap",
            "roadmap_step",
            STEP_COLUMNS,
            existing,
            found,
            step_row,
            f"{values['category']} {values['code']}",
            f"{source}:{where}",
        )
        known[(values["category"], values["code"])] = step_id


def plan_client_steps(imp: Importer, table: RawTable) -> None:
    check = imp.check
    head = check.header(table, "client-steps")
    if head is None:
        return
    source = table.source
    existing: dict[int, tuple[Any, ...]] = {}
    by_pair: dict[tuple[int, int], int] = {}
    for row in imp.db.rows(f"SELECT id, {', '.join(CLIENT_STEP_COLUMNS)} FROM client_step"):
        existing[row["id"]] = tuple(row)[1:]
        by_pair[(row["client_id"], row["step_id"])] = row["id"]
    present = set(head.index)
    seen: dict[Any, int | str] = {}
    today = imp.clock.today
    known = steps(imp)
    for where, rec in check.rows(table, "client-steps", head):
        if not all(check.need(rec, head, source, where, c) for c in ("category", "step")):
            continue
        code = folded(rec["step"].strip())
        step_id = known.get((rec["category"], code))
        if step_id is None:
            check.problem(
                source,
                where,
                _(
                    "{label}: roadmap {category} has no step {step!r} "
                    "(see povtor roadmap list {category})"
                ).format(label=head.labels["step"], category=rec["category"], step=rec["step"]),
            )
            continue
        client_id = client_ref(imp, rec, head, source, where, created_on=today)
        if client_id is None:
            continue
        pair = (client_id, step_id)
        if check.repeated(
            seen,
            ("pair", pair),
            source,
            where,
            f"step {rec['category']} {code!r} of client #{client_id}",
        ):
            continue
        if "_bad" in rec:
            continue
        found = by_pair.get(pair)
        old = existing.get(found) if found is not None else None
        done_on = stored(rec.get("done_on")) or (old[2] if old else today.isoformat())
        note = rec.get("note") if "note" in present or old is None else old[3]
        by_pair[pair] = imp.upsert(
            "client-steps",
            "client_step",
            CLIENT_STEP_COLUMNS,
            existing,
            found,
            (client_id, step_id, done_on, note),
            f"#{client_id}: {rec['category']} {code}",
            f"{source}:{where}",
        )


# -- holiday links -------------------------------------------------------------------------
def plan_holiday_links(imp: Importer, table: RawTable) -> None:
    """The user's links of professional holidays to industries: added if missing."""
    from povtor.domain.holidays import find_holiday, normalise_keyword

    check = imp.check
    head = check.header(table, "holiday-links")
    if head is None:
        return
    source = table.source
    linked = {
        (r["holiday"], r["industry"])
        for r in imp.db.rows("SELECT holiday, industry FROM holiday_industry")
    }
    seen: dict[Any, int | str] = {}
    for where, rec in check.rows(table, "holiday-links", head):
        if not all(check.need(rec, head, source, where, c) for c in ("holiday", "industry")):
            continue
        try:
            holiday = find_holiday(rec["holiday"])
            keyword = normalise_keyword(rec["industry"])
        except PovtorError as error:
            check.problem(source, where, f"{head.labels['holiday']}: {error.message}")
            continue
        pair = (holiday.code, keyword)
        if check.repeated(
            seen,
            ("link", pair),
            source,
            where,
            _("link {holiday} – {keyword}").format(holiday=holiday.code, keyword=keyword),
        ):
            continue
        if "_bad" in rec:
            continue
        if pair in linked or keyword in holiday.keywords:
            imp.counts[("holiday-links", "unchanged")] += 1
            continue
        linked.add(pair)
        new_id = imp.new_id("holiday_industry")
        imp.op(insert_sql("holiday_industry", ("holiday", "industry")), (new_id, *pair))
        imp.record(
            Change(
                "holiday-links",
                "create",
                new_id,
                f"{holiday.code} – {keyword}",
                f"{source}:{where}",
            )
        )


def plan_warming_content(imp: Importer, table: RawTable) -> None:
    """The seller's useful material for warming touches: an item (the same text, industry
    and language, whatever the letter case) that is there already stays; others are added."""
    check = imp.check
    head = check.header(table, "warming-content")
    if head is None:
        return
    source = table.source
    have = {
        (folded(r["text"]), folded(r["industry"] or ""), r["lang"])
        for r in imp.db.rows("SELECT text, industry, lang FROM warming_content")
    }
    seen: dict[Any, int | str] = {}
    for where, rec in check.rows(table, "warming-content", head):
        if not check.need(rec, head, source, where, "text"):
            continue
        lang = (rec.get("lang") or "ru").strip().lower()
        if lang not in ("ru", "en"):
            check.problem(
                source,
                where,
                _("{label}: {lang!r} is not ru or en").format(
                    label=head.labels.get("lang", "lang"), lang=lang
                ),
            )
            continue
        key = (folded(rec["text"]), folded(rec.get("industry") or ""), lang)
        if check.repeated(seen, ("content", key), source, where, _("this item")):
            continue
        if "_bad" in rec:
            continue
        if key in have:
            imp.counts[("warming-content", "unchanged")] += 1
            continue
        have.add(key)
        new_id = imp.new_id("warming_content")
        added = rec.get("added_on")
        added_on = added.isoformat() if added else imp.clock.today.isoformat()
        imp.op(
            insert_sql("warming_content", ("text", "industry", "tag", "lang", "added_on")),
            (new_id, rec["text"], rec.get("industry"), rec.get("tag"), lang, added_on),
        )
        imp.record(
            Change("warming-content", "create", new_id, shorten(rec["text"]), f"{source}:{where}")
        )
