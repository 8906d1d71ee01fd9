"""Importing touches (warming, closing, service) as history: outcomes do not move deals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from povtor.domain.formats import CLIENT_ANY, row_key
from povtor.domain.tabular import RawTable
from povtor.domain.vocabulary import PURPOSES
from povtor.i18n import _
from povtor.storage.transfer.clients import client_ref
from povtor.storage.transfer.deals import deal_ref, deals, stage
from povtor.storage.transfer.history import dated, when
from povtor.storage.transfer.importer import (
    Change,
    Importer,
    explicit,
    insert_sql,
    shorten,
    stored,
    update_sql,
)
from povtor.storage.transfer.owners import Owners

TOUCH_COLUMNS = (
    "client_id", "deal_id", "stage_id", "at", "on_date", "kind", "channel", "outcome", "reason",
    "follow_up_on", "text", "external_id", "answer", "purpose", "purpose_ref",
)  # fmt: skip


def plan_touches(imp: Importer, table: RawTable) -> None:
    check = imp.check
    head = check.header(table, "touches")
    if head is None:
        return
    existing: dict[int, tuple[Any, ...]] = {}
    by_ext: dict[str, int] = {}
    for row in imp.db.rows(f"SELECT id, {', '.join(TOUCH_COLUMNS)} FROM touch"):
        existing[row["id"]] = tuple(row)[1:]
        if row["external_id"]:
            by_ext[row["external_id"]] = row["id"]
    rows = list(check.rows(table, "touches", head))
    imp.reserve("touch", [r["id"] for _, r in rows if r.get("id")])
    seen: dict[Any, int | str] = {}
    present = set(head.index)
    index = deals(imp)
    owners = Owners(imp, "touches", head)
    for where, rec in rows:
        source = table.source
        if check.repeated(seen, explicit(rec), source, where):
            continue
        if not check.need(rec, head, source, where, "kind") or not dated(imp, rec, source, where):
            continue
        day, at = when(imp, rec.get("at"), rec.get("on_date"))
        deal_id = deal_ref(imp, rec, head, source, where)
        if deal_id is None and (rec.get("deal_id") or rec.get("deal_external_id")):
            continue
        deal_client = index.value(deal_id, "client_id") if deal_id else None
        if any(rec.get(c) for c in CLIENT_ANY):
            client_id = client_ref(
                imp, rec, head, source, where, created_on=dt.date.fromisoformat(day)
            )
            if client_id is None:
                continue
            if deal_client is not None and client_id != deal_client:
                check.problem(
                    source,
                    where,
                    _("deal #{deal} is client #{owner}'s, not client #{client}'s").format(
                        deal=deal_id, owner=deal_client, client=client_id
                    ),
                )
                continue
        elif deal_client is not None:
            client_id = deal_client
        else:
            check.problem(source, where, _("no client: give a client or a deal"))
            continue
        stage_id = index.value(deal_id, "stage_id") if deal_id else None
        if "stage" in present:
            stage_value = rec.get("stage")
            stage_id = None
            if stage_value:
                funnel = index.value(deal_id, "funnel_id") if deal_id else None
                found_stage = stage(imp, funnel, stage_value, source, where, head.labels["stage"])
                if found_stage is None:
                    continue
                stage_id = found_stage["id"]
        ext, row_id = rec.get("external_id"), rec.get("id")
        if not ext and not row_id:
            who = rec.get("client") or rec.get("client_external_id") or client_id
            deal_text = rec.get("deal_external_id") or deal_id
            ext = row_key(who, deal_text, at, rec["kind"], rec.get("channel"), rec.get("text"))
            what = _("the same touch (client, deal, at, kind, channel, text)")
            if check.repeated(seen, ("touch", ext), source, where, what):
                continue
        if not owners.check(rec, source, where) or "_bad" in rec:
            continue
        found = by_ext.get(ext) if ext else None
        if found is not None and row_id is not None and found != row_id:
            check.problem(
                source,
                where,
                _("id {id} does not match: external id {ext!r} is touch #{found}").format(
                    id=row_id, ext=ext, found=found
                ),
            )
            continue
        if found is None and row_id in existing:
            found = row_id
        values = {
            "client_id": client_id,
            "deal_id": deal_id,
            "stage_id": stage_id,
            "at": at,
            "on_date": day,
            "kind": rec["kind"],
            "channel": rec.get("channel") or "other",
            "outcome": rec.get("outcome") or "pending",
            "reason": rec.get("reason"),
            "follow_up_on": stored(rec.get("follow_up_on")),
            "text": rec.get("text"),
            "external_id": ext,
            "answer": rec.get("answer"),
            "purpose": rec.get("purpose"),
            "purpose_ref": rec.get("purpose_ref"),
        }
        if values["purpose_ref"] and not values["purpose"] and "purpose" in present:
            check.problem(
                source,
                where,
                _("{label}: a purpose_ref needs a purpose ({purposes})").format(
                    label=head.labels["purpose_ref"], purposes=", ".join(PURPOSES)
                ),
            )
            continue
        if values["answer"] and values["kind"] != "service":
            check.problem(
                source,
                where,
                _("{label}: only a service touch has an answer (this one is {kind})").format(
                    label=head.labels["answer"], kind=values["kind"]
                ),
            )
            continue
        shown = shorten(values["text"] or values["kind"])
        label = f"{source}:{where}"
        if found is not None:
            owners.give(found, rec)
            old = existing[found]
            given = present | {"client_id", "deal_id", "stage_id", "at", "on_date"}
            given |= {"external_id"} if ext else set()
            new = tuple(values[c] if c in given else old[i] for i, c in enumerate(TOUCH_COLUMNS))
            changed = [c for c, a, b in zip(TOUCH_COLUMNS, old, new, strict=True) if a != b]
            if changed:
                imp.op(update_sql("touch", TOUCH_COLUMNS), (*new, found))
                existing[found] = new
            if owners.moves(found, rec):
                changed.append("owner")
            if not changed:
                imp.counts[("touches", "unchanged")] += 1
                continue
            imp.record(Change("touches", "update", found, shown, label, ", ".join(changed)))
            continue
        touch_id = row_id or imp.new_id("touch")
        new = tuple(values[c] for c in TOUCH_COLUMNS)
        existing[touch_id] = new
        if ext:
            by_ext[ext] = touch_id
        imp.op(insert_sql("touch", TOUCH_COLUMNS), (touch_id, *new))
        imp.record(Change("touches", "create", touch_id, shown, label))
        owners.give(touch_id, rec)
    owners.write()
