"""Clients: add, edit, archive, forget; people and talking facts; the card; referrals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from povtor.clock import Clock
from povtor.records import record
from povtor.storage import client_writes, kept_figures, queries
from povtor.storage.database import Database, Row


@record(frozen=True)
class Named:
    """A record a command changed: its id, and the name of the client it belongs to."""

    id: int
    name: str  # the record's own name (a client's, a person's) or its client's
    client_id: int
    client: str


def add_client(
    db: Database, clock: Clock, fields: Mapping[str, Any], *, seller_id: int | None = None
) -> Named:
    """A new client; with ``seller_id``, that seller's (the current seller's)."""
    values = {"created_on": clock.today, **fields}
    if values["created_on"] is None:
        values["created_on"] = clock.today
    with kept_figures.leaving_them(db):
        client_id = client_writes.insert_client(db, values)
        if seller_id is not None:
            from povtor.storage.seller_writes import move_client

            move_client(db, client_id, None, seller_id)
    return Named(client_id, values["name"], client_id, values["name"])


def edit_client(db: Database, ref: str, changes: Mapping[str, Any]) -> Named:
    with kept_figures.leaving_them(db):
        row = queries.find_client(db, ref)
        name = client_writes.update_client(db, row["id"], changes)
    return Named(row["id"], name, row["id"], name)


def set_status(db: Database, ref: str, status: str) -> tuple[Row, bool]:
    """Archive or restore a client; (the client, whether anything changed)."""
    with kept_figures.leaving_them(db):
        row = queries.find_client(db, ref)
        if row["status"] == status:
            return row, False
        client_writes.update_client(db, row["id"], {"status": status})
    return row, True


def add_person(db: Database, ref: str, fields: Mapping[str, Any]) -> Named:
    with kept_figures.leaving_them(db):
        row = queries.find_client(db, ref)
        person_id = client_writes.insert_person(db, client_id=row["id"], **fields)
    return Named(person_id, fields["name"], row["id"], row["name"])


def add_fact(db: Database, ref: str, *, text: str, topic: str | None, on: dt.date) -> Named:
    with kept_figures.leaving_them(db):
        row = queries.find_client(db, ref)
        fact_id = client_writes.insert_fact(db, client_id=row["id"], text=text, topic=topic, on=on)
    return Named(fact_id, row["name"], row["id"], row["name"])


def remove_fact(db: Database, ref: str, fact_id: int) -> Named:
    with kept_figures.leaving_them(db):
        row = queries.find_client(db, ref)
        client_writes.delete_fact(db, client_id=row["id"], fact_id=fact_id)
    return Named(fact_id, row["name"], row["id"], row["name"])


# -- forgetting ---------------------------------------------------------------------------
@record(frozen=True)
class ForgetPreview:
    client: Row
    counts: dict[str, int]


def forget_preview(db: Database, ref: str) -> ForgetPreview:
    """What ``client forget`` would erase, for the question asked before it."""
    row = queries.find_client(db, ref)
    return ForgetPreview(row, client_writes.forget_counts(db, row["id"]))


@record(frozen=True)
class ForgetResult:
    done: client_writes.Forgotten
    backups: list[str]  # copies made before that still hold the client's data


def forget(db: Database, client_id: int) -> ForgetResult:
    from povtor.storage import safety

    done = client_writes.forget_client(db, client_id)
    path = db.location.path
    copies = (
        [str(p) for p in safety.copies_holding(path, client_id, erased_name=done.name)]
        if path is not None
        else []
    )
    return ForgetResult(done, copies)


# -- referrals ----------------------------------------------------------------------------
def add_referral_in(
    db: Database,
    clock: Clock,
    *,
    referrer: Row,
    name: str,
    person: str | None = None,
    title: str | None = None,
    amount_minor: int | None = None,
    fields: Mapping[str, Any],
) -> tuple[int, str, int]:
    """Inside the caller's transaction: a referred client (source ``referral from
    <referrer>``, ``referred_by_id``; in a team, the referrer's seller's), its first
    person if named, and a first-sale deal at the funnel's first stage; (client id, name,
    deal id)."""
    from povtor.app.deals import open_in
    from povtor.domain.service import referral_source

    client_id = client_writes.insert_client(
        db,
        {
            "name": name,
            "source": referral_source(referrer["name"]),
            "referred_by_id": referrer["id"],
            "created_on": clock.today,
            **fields,
        },
    )
    if person:
        client_writes.insert_person(db, client_id=client_id, name=person)
    from povtor.storage.seller_queries import client_owner
    from povtor.storage.seller_writes import move_client

    owner = client_owner(db, referrer["id"])
    if owner is not None:  # in a team, a referral is its referrer's seller's
        move_client(db, client_id, None, owner)
    funnel = queries.find_funnel(db, "first")
    deal_id = open_in(
        db,
        clock,
        client={"id": client_id, "name": name, "status": "active"},
        funnel_id=funnel["id"],
        stage=None,
        on=clock.today,
        title=title,
        amount_minor=amount_minor,
    )
    return client_id, name, deal_id


@record(frozen=True)
class ReferralAdded:
    client_id: int
    name: str
    deal_id: int
    referrer: Row


def add_referral(
    db: Database,
    clock: Clock,
    *,
    referrer: str,
    name: str,
    person: str | None,
    title: str | None,
    amount_minor: int | None,
    fields: Mapping[str, Any],
) -> ReferralAdded:
    """``povtor client referral``: all of it one transaction."""
    with db.transaction():
        referrer_row = queries.find_client(db, referrer)
        client_id, client_name, deal_id = add_referral_in(
            db,
            clock,
            referrer=referrer_row,
            name=name,
            person=person,
            title=title,
            amount_minor=amount_minor,
            fields=fields,
        )
    return ReferralAdded(client_id, client_name, deal_id, referrer_row)


# -- reading: the card ------------------------------------------------------------------
def client_card(db: Database, ref: str, today: dt.date) -> dict[str, Any]:
    """The client card: the client's fields, people, facts (against the category's norm),
    deals, last touch, referrals and roadmap."""
    from povtor.domain.cards import completeness
    from povtor.domain.perks import shown_birthday
    from povtor.parsing import format_money
    from povtor.storage.plan_queries import load_settings
    from povtor.storage.roadmap_queries import card_roadmap
    from povtor.storage.seller_queries import client_owner, seller_name
    from povtor.storage.service_queries import referral_links

    row = queries.find_client(db, ref)
    deals = queries.list_deals(db, queries.DealFilter(status="all", client_id=row["id"]))
    touch = queries.last_touch(db, row["id"])
    card: dict[str, Any] = {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row
    card["people"] = [
        {
            **{k: p[k] for k in p.keys() if k != "is_main"},  # noqa: SIM118
            "birthday": shown_birthday(p["birthday"]),
            "main": bool(p["is_main"]),
        }
        for p in queries.client_people(db, row["id"])
    ]
    card["facts"] = [dict(f) for f in queries.client_facts(db, row["id"])]
    # the card's talking facts (noted by today) against the category's norm
    day = today.isoformat()
    noted = sum(1 for f in card["facts"] if str(f["noted_on"])[:10] <= day)
    card["card"] = completeness(noted, row["category"], load_settings(db)).as_dict()
    card["deals"] = [
        {
            "id": d["id"],
            "funnel": d["funnel"],
            "stage": d["stage"],
            "status": d["status"],
            "amount": format_money(d["amount_minor"]) if d["amount_minor"] is not None else None,
            "currency": d["currency"],
            "title": d["title"],
            "opened_on": d["opened_on"],
            "closed_on": d["closed_on"],
        }
        for d in deals
    ]
    card["last_touch"] = dict(touch) if touch else None
    card.update(referral_links(db, row["id"]))  # referred_by, referrals
    card["roadmap"] = card_roadmap(db, row["id"], row["category"])
    owner = seller_name(db, client_owner(db, row["id"]))
    if owner is not None:  # a team's client: whose it is (a solo seller's card is as before)
        card["seller"] = owner
    return card
