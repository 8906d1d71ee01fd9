"""Importing clients, their people and facts; finding the client a row of any file names."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from povtor.domain.formats import client_key
from povtor.domain.importing import Header
from povtor.domain.tabular import RawTable
from povtor.i18n import _, ngettext
from povtor.storage.queries import search_key
from povtor.storage.transfer.importer import (
    Change,
    Importer,
    Index,
    explicit,
    folded,
    in_future,
    insert_sql,
    shorten,
    stored,
    unshared,
    update_sql,
)
from povtor.storage.transfer.owners import Owners

# (external_id last: the index reads it as values[-1])
CLIENT_COLUMNS = (
    "name", "search_key", "company", "category", "industry", "source", "phone", "email",
    "address", "notes", "status", "created_on", "category_source", "external_id",
)  # fmt: skip
PERSON_COLUMNS = ("client_id", "name", "role", "phone", "email", "birthday", "is_main")
FACT_COLUMNS = ("client_id", "topic", "text", "noted_on")


# -- lookups -------------------------------------------------------------------------------
def clients(imp: Importer) -> Index:
    """The clients, stored and planned: by id, external id, name and company."""
    return imp.shared(_load_clients)


def let_go_of_clients(imp: Importer) -> None:
    """Forget the clients looked up so far (the last file of an import has found or made
    all its clients): a large file's new clients are not held while its other rows are
    written."""
    imp.let_go(_load_clients)


def _load_clients(imp: Importer) -> Index:
    index = Index(CLIENT_COLUMNS)
    for row in imp.db.rows(f"SELECT id, {', '.join(CLIENT_COLUMNS)} FROM client"):
        _index_client(index, row["id"], tuple(row)[1:])
    return index


def _index_client(index: Index, client_id: int, values: tuple[Any, ...]) -> None:
    index.rows[client_id] = values
    name_key, _, company_key = values[1].partition("\n")
    index.by_name[name_key].append(client_id)
    if company_key:
        index.by_company[company_key].append(client_id)
    if values[-1]:
        index.by_ext[values[-1]] = client_id


def _reindex_client(
    index: Index, client_id: int, old: tuple[Any, ...], new: tuple[Any, ...]
) -> None:
    old_name, _, old_company = old[1].partition("\n")
    index.by_name[old_name].remove(client_id)
    if old_company:
        index.by_company[old_company].remove(client_id)
    if old[-1]:
        index.by_ext.pop(old[-1], None)
    _index_client(index, client_id, new)


def people(imp: Importer) -> dict[int, int]:
    """Person id -> client id, stored and planned."""
    return imp.shared(_load_people)


def _load_people(imp: Importer) -> dict[int, int]:
    return {r["id"]: r["client_id"] for r in imp.db.rows("SELECT id, client_id FROM person")}


def _referrals(imp: Importer) -> dict[int, int | None]:
    """Who referred each client (stored, and planned by an earlier file)."""
    return {
        r["id"]: r["referred_by_id"] for r in imp.db.rows("SELECT id, referred_by_id FROM client")
    }


def client_ref(
    imp: Importer,
    record: dict[str, Any],
    head: Header,
    source: str,
    where: int | str,
    *,
    created_on: dt.date,
    name_column: str = "client",
    ext_column: str = "client_external_id",
    placeholder: bool = False,
    code_names: bool = False,
    by_name: bool = True,
    key: str | None = None,
) -> int | None:
    """The client a row names: by povtor id, external id or name (created if new).

    With ``placeholder``, a row that names no client gets the map's ``no_client`` (if it
    has one); with ``code_names``, a new client known only by its code (an order file's
    ``client_code``) is created with the code as its name. Not ``by_name``: no later row
    of the import looks a new client up by its name or id (only by its external id), so
    it is not kept for that. ``key``: the name folded, if the caller has it."""
    index = clients(imp)
    problem = imp.check.problem
    labels = head.labels  # (a column's label, else its name, in the problems)
    client_id = record.get("client_id")
    if client_id is not None:
        if client_id not in index.rows:
            problem(
                source,
                where,
                _("{label}: no client #{id} (import clients first)").format(
                    label=labels.get("client_id", "client_id"), id=client_id
                ),
            )
            return None
        return client_id
    ext = record.get(ext_column)
    name = record.get(name_column)
    if ext and ext in index.by_ext:
        return index.by_ext[ext]
    if not name and ext and code_names:
        imp.shared(_named_by_code).append(where)
        return _create_client(imp, ext, ext, created_on, source, where, by_name=by_name)
    if not name:
        if ext:
            problem(
                source,
                where,
                _(
                    "{label}: no client has external id {ext!r}; add the "
                    "client's name in a client column to create it"
                ).format(label=labels.get(ext_column, ext_column), ext=ext),
            )
        elif placeholder and imp.map.no_client:
            return placeholder_client(imp, source, created_on)
        elif {name_column, ext_column} & set(record.get("_bad", ())):
            pass  # a client cell that could not be read: reported already, not "empty"
        else:
            label = head.labels.get(name_column) or head.labels.get(ext_column) or name_column
            problem(
                source,
                where,
                _(
                    "{label}: empty (to import rows without a client under a placeholder "
                    'client, name it in a --map file: no_client = "(no client)")'
                ).format(label=label),
                column=label,
                value="",
            )
        return None
    if key is None:
        key = folded(name)
    derived = client_key(name, folded=key)
    if not ext and derived in index.by_ext:
        return index.by_ext[derived]
    ids = _by_name(index, name, linkable=bool(ext), company=True, key=key)
    if len(ids) > 1:
        listed = ", ".join(f"#{i}" for i in sorted(ids)[:5])
        problem(
            source,
            where,
            _(
                "{label}: {count} clients are called {name!r} ({listed}); "
                "name the client by id or external id"
            ).format(
                label=labels.get(name_column, name_column), count=len(ids), name=name, listed=listed
            ),
        )
        return None
    if ids:
        found = ids[0]
        if ext:
            _set_client_ext(imp, found, ext, source, where)
        return found
    return _create_client(
        imp, name, ext or derived, created_on, source, where, by_name=by_name, key=key
    )


def _named_by_code(imp: Importer) -> list[int | str]:
    """The rows whose new client is named by its code (no name in the file)."""
    return []


PLACEHOLDER_NOTE = "stands for the imported rows that name no client (no_client in a --map)"


def _placeholder(imp: Importer) -> list[int | None]:
    """[the placeholder client's id] once looked up or planned; [None] if it cannot be."""
    return []


PLACEHOLDER_CREATED = "UPDATE client SET created_on = ? WHERE id = ?"


def placeholder_client(imp: Importer, source: str, created_on: dt.date) -> int | None:
    """The map's ``no_client``: an archived client (so the plan never greets it), found by
    its name or created (on the earliest date of its rows); None, and one problem, if an
    active client has that name."""
    found = imp.shared(_placeholder)
    if found:
        created = imp.last(PLACEHOLDER_CREATED)
        if created and created_on.isoformat() < created[0][0]:
            created[0] = (created_on.isoformat(), found[0])
        return found[0]
    name = imp.map.no_client
    assert name is not None
    index = clients(imp)
    ids = _by_name(index, name, linkable=False, company=False)
    status = CLIENT_COLUMNS.index("status")
    if len(ids) > 1 or any(index.rows[i][status] != "archived" for i in ids):
        shown = ", ".join(f"#{i}" for i in sorted(ids)[:5])
        imp.check.problem(
            source,
            1,
            _(
                "--map: {name!r}, the placeholder for rows without a client (no_client, or "
                '[values.client] ""), is the name of a client already ({shown}); the '
                "placeholder must be a client of its own: choose another name"
            ).format(name=name, shown=shown),
        )
        found.append(None)
        return None
    if ids:
        found.append(ids[0])
        return ids[0]
    client_id = _create_client(
        imp, name, client_key(name), created_on, source, 1, status="archived"
    )
    imp.last(PLACEHOLDER_CREATED).append((created_on.isoformat(), client_id))
    imp.check.note(
        _(
            "{source}: rows without a client go to the placeholder client {name!r} "
            "(#{id}, archived: it counts in the statistics and never in the plan)"
        ).format(source=source, name=name, id=client_id)
    )
    found.append(client_id)
    return client_id


def created_by_code(imp: Importer, source: str) -> None:
    """Say which new clients were named by their code (a file with no client names)."""
    rows = imp.shared(_named_by_code)
    if rows:
        imp.check.note(
            ngettext(
                "{source}: {count} new client(s) named by their code (first on line "
                "{line}); import clients with external_id and name to name them",
                "{source}: {count} new client(s) named by their code (first on line "
                "{line}); import clients with external_id and name to name them",
                len(rows),
            ).format(source=source, count=len(rows), line=rows[0])
        )
        rows.clear()


def _by_name(
    index: Index, name: str, *, linkable: bool, company: bool, key: str | None = None
) -> list[int]:
    """Clients called ``name`` (by name, else by company); with ``linkable``, only those
    that have no external id of their own yet (one known by its name only counts).
    ``key``: the name folded, if the caller has it."""
    if key is None:
        key = folded(name)
    ids = index.by_name.get(key) or (index.by_company.get(key) if company else None) or []
    if linkable:
        ids = [
            i
            for i in ids
            if not index.value(i, "external_id")
            or str(index.value(i, "external_id")).startswith("name:")
        ]
    return ids


def _set_client_ext(imp: Importer, client_id: int, ext: str, source: str, where: Any) -> None:
    index = clients(imp)
    values = list(index.rows[client_id])
    if values[-1]:
        index.by_ext.pop(values[-1], None)
    values[-1] = ext
    index.rows[client_id] = tuple(values)
    index.by_ext[ext] = client_id
    imp.op("UPDATE client SET external_id = ? WHERE id = ?", (ext, client_id))
    imp.record(
        Change("clients", "update", client_id, values[0], f"{source}:{where}", "external_id")
    )


def _create_client(
    imp: Importer,
    name: str,
    external_id: str | None,
    created_on: dt.date,
    source: str,
    where: Any,
    *,
    status: str = "active",
    by_name: bool = True,
    key: str | None = None,
) -> int:
    """A new client (``key``: its name folded, its search key, if the caller has it)."""
    client_id = imp.new_id("client")
    notes = PLACEHOLDER_NOTE if status == "archived" else None
    searched = sys.intern(search_key(name, None) if key is None else key)
    values = (
        name, searched, None, None, None, None, None, None, None, notes, status,
        imp.day_text(created_on), None, external_id,
    )  # fmt: skip
    if by_name:
        _index_client(clients(imp), client_id, values)
    elif external_id:  # (see client_ref)
        clients(imp).by_ext[external_id] = client_id
    # the name and search key are kept (by the lookups and the caller) as long as the
    # import runs: written as copies, which take the UTF-8 form sqlite3 makes with them
    written = (client_id, unshared(name), unshared(values[1]), *values[2:])
    imp.op(insert_sql("client", CLIENT_COLUMNS), written)
    imp.counts[("clients", "create")] += 1
    if imp.listing:
        imp.changes.append(Change("clients", "create", client_id, name, f"{source}:{where}"))
    return client_id


# -- clients ---------------------------------------------------------------------------------
def plan_clients(imp: Importer, table: RawTable) -> None:
    check = imp.check
    head = check.header(table, "clients")
    if head is None:
        return
    index = clients(imp)
    rows = list(check.rows(table, "clients", head))
    imp.reserve("client", [r["id"] for _, r in rows if r.get("id")])
    seen: dict[Any, int | str] = {}
    today = imp.clock.today.isoformat()
    present = set(head.index)
    referrals = imp.shared(_referrals)
    file_ids = {r["id"] for _, r in rows if r.get("id")}
    referred: list[tuple[int | None, int]] = []  # (referrer, client): set after the rows
    owners = Owners(imp, "clients", head)
    for where, rec in rows:
        ext, row_id, name = rec.get("external_id"), rec.get("id"), rec.get("name")
        if not check.need(rec, head, table.source, where, "name"):
            continue
        assert name is not None  # (need: the cell is there and not empty)
        if in_future(imp, rec, head, table.source, where, ("created_on",)):
            continue
        key = explicit(rec) or ("name", folded(name))
        if check.repeated(seen, key, table.source, where):
            continue
        found = index.by_ext.get(ext) if ext else None
        if found is not None and row_id is not None and row_id != found:
            check.problem(
                table.source,
                where,
                _("id {id} does not match: external id {ext!r} is client #{found}").format(
                    id=row_id, ext=ext, found=found
                ),
            )
            continue
        if found is None and row_id is not None:
            found = row_id if row_id in index.rows else None
        if found is None and row_id is None:
            derived = client_key(name)
            found = None if ext else index.by_ext.get(derived)
            if found is None:
                ids = _by_name(index, name, linkable=bool(ext), company=False)
                if len(ids) > 1:
                    check.problem(
                        table.source,
                        where,
                        _("{count} clients are called {name!r}; add an id or external_id").format(
                            count=len(ids), name=name
                        ),
                    )
                    continue
                found = ids[0] if ids else None
                if found is None and not ext:
                    rec["external_id"] = derived
        referrer = rec.get("referred_by")
        if referrer is not None:
            if referrer == (found or row_id):
                check.problem(
                    table.source,
                    where,
                    _("{label}: a client cannot refer itself").format(
                        label=head.labels["referred_by"]
                    ),
                )
                continue
            if referrer not in index.rows and referrer not in file_ids:
                check.problem(
                    table.source,
                    where,
                    _(
                        "{label}: no client #{id} (give the id of the client who gave the referral)"
                    ).format(label=head.labels["referred_by"], id=referrer),
                )
                continue
        if not owners.check(rec, table.source, where) or "_bad" in rec:
            continue
        label = f"{table.source}:{where}"
        if found is not None:
            owners.give(found, rec)
            old = index.rows[found]
            new = dict(zip(CLIENT_COLUMNS, old, strict=True))
            keyed = explicit(rec) is not None  # a row without a key keeps the stored one
            for column in CLIENT_COLUMNS:
                if column in present and column in rec and (column != "external_id" or keyed):
                    new[column] = stored(rec[column])
            if not keyed and folded(new["name"]) == folded(old[0]):
                new["name"] = old[0]  # matched by its name: keep how povtor spells it
            if "status" in present and new["status"] is None:
                new["status"] = "active"
            if "created_on" in present and new["created_on"] is None:
                new["created_on"] = old[CLIENT_COLUMNS.index("created_on")]
            new["category_source"] = _category_source(
                new["category"],
                rec.get("category_source") if "category_source" in present else None,
                before=(
                    old[CLIENT_COLUMNS.index("category")],
                    old[CLIENT_COLUMNS.index("category_source")],
                ),
            )
            new["search_key"] = search_key(new["name"], new["company"])
            values = tuple(new[c] for c in CLIENT_COLUMNS)
            changed = [c for c, a, b in zip(CLIENT_COLUMNS, old, values, strict=True) if a != b]
            if "referred_by" in present and referrals.get(found) != referrer:
                changed.append("referred_by")
                referred.append((referrer, found))
            if owners.moves(found, rec):
                changed.append("owner")
            if not changed:
                imp.counts[("clients", "unchanged")] += 1
                continue
            if set(changed) - {"referred_by", "owner"}:
                imp.op(update_sql("client", CLIENT_COLUMNS), (*values, found))
                _reindex_client(index, found, old, values)
            imp.record(Change("clients", "update", found, name, label, ", ".join(changed)))
            continue
        client_id = row_id or imp.new_id("client")
        values = (
            name,
            search_key(name, rec.get("company")),
            rec.get("company"),
            rec.get("category"),
            rec.get("industry"),
            rec.get("source"),
            rec.get("phone"),
            rec.get("email"),
            rec.get("address"),
            rec.get("notes"),
            rec.get("status") or "active",
            stored(rec.get("created_on")) or today,
            _category_source(rec.get("category"), rec.get("category_source")),
            rec.get("external_id"),
        )
        _index_client(index, client_id, values)
        imp.op(insert_sql("client", CLIENT_COLUMNS), (client_id, *values))
        imp.record(Change("clients", "create", client_id, name, label))
        owners.give(client_id, rec)
        if referrer is not None:
            referred.append((referrer, client_id))
    for referrer, client_id in referred:  # every client of the file is written by now
        imp.op("UPDATE client SET referred_by_id = ? WHERE id = ?", (referrer, client_id))
        referrals[client_id] = referrer
    owners.write()


def _category_source(
    category: str | None, given: str | None, *, before: tuple[str | None, str | None] = (None, None)
) -> str | None:
    """Who set an imported category: the file's ``category_source`` if it says; else the
    stored one while the category stays the same; else ``manual`` (a category a file
    brings is the user's). No category, no source."""
    if category is None:
        return None
    if given:
        return given
    old_category, old_source = before
    if category == old_category and old_source:
        return old_source
    return "manual"


# -- people and facts ----------------------------------------------------------------------
def plan_people(imp: Importer, table: RawTable) -> None:
    _plan_child(imp, table, "people", "person", PERSON_COLUMNS, "name")


def plan_facts(imp: Importer, table: RawTable) -> None:
    _plan_child(imp, table, "facts", "fact", FACT_COLUMNS, "text")


def _plan_child(
    imp: Importer,
    table: RawTable,
    kind: str,
    sql_table: str,
    columns: tuple[str, ...],
    natural: str,
) -> None:
    check = imp.check
    head = check.header(table, kind)
    if head is None:
        return
    existing: dict[int, tuple[Any, ...]] = {}
    by_natural: dict[tuple[int, str], int] = {}
    for row in imp.db.rows(f"SELECT id, {', '.join(columns)} FROM {sql_table}"):
        existing[row["id"]] = tuple(row)[1:]
        by_natural[(row["client_id"], folded(row[natural]))] = row["id"]
    rows = list(check.rows(table, kind, head))
    imp.reserve(sql_table, [r["id"] for _, r in rows if r.get("id")])
    today = imp.clock.today
    seen: dict[Any, int | str] = {}
    present = set(head.index) | {"client_id"}
    for where, rec in rows:
        text = rec.get(natural)
        row_id = rec.get("id")
        if check.repeated(seen, explicit(rec), table.source, where):
            continue
        if not check.need(rec, head, table.source, where, natural):
            continue
        if in_future(imp, rec, head, table.source, where, ("birthday", "noted_on")):
            continue
        client_id = client_ref(imp, rec, head, table.source, where, created_on=today)
        if client_id is None:
            continue
        rec["client_id"] = client_id
        if kind == "people":  # the main contact: yes or no (no: when the file does not say)
            rec["is_main"] = int(rec.get("is_main") == "yes")
        if not row_id and check.repeated(
            seen,
            (natural, (client_id, folded(text))),
            table.source,
            where,
            f"{natural} {text!r} of client #{client_id}",
        ):
            continue
        if "_bad" in rec:
            continue
        found = row_id if row_id in existing else None
        if row_id is None:
            found = by_natural.get((client_id, folded(text)))
        label = f"{table.source}:{where}"
        shown = shorten(text or "")
        if found is not None:
            old = existing[found]
            new = tuple(
                stored(rec.get(c)) if c in present else old[i] for i, c in enumerate(columns)
            )
            if kind == "facts" and new[columns.index("noted_on")] is None:
                new = tuple(
                    old[i] if c == "noted_on" else v
                    for i, (c, v) in enumerate(zip(columns, new, strict=True))
                )
            changed = [c for c, a, b in zip(columns, old, new, strict=True) if a != b]
            if not changed:
                imp.counts[(kind, "unchanged")] += 1
                continue
            imp.op(update_sql(sql_table, columns), (*new, found))
            existing[found] = new
            if kind == "people":
                people(imp)[found] = client_id
            imp.record(Change(kind, "update", found, shown, label, ", ".join(changed)))
            continue
        new_id = row_id or imp.new_id(sql_table)
        if kind == "people":
            people(imp)[new_id] = client_id
        values = tuple(stored(rec.get(c)) for c in columns)
        if kind == "facts" and values[-1] is None:
            values = (*values[:-1], today.isoformat())
        existing[new_id] = values
        by_natural[(client_id, folded(text))] = new_id
        imp.op(insert_sql(sql_table, columns), (new_id, *values))
        imp.record(Change(kind, "create", new_id, shown, label))
