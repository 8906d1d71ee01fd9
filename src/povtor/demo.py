"""The demo database: the bundled example CSV files, loaded with their dates moved
so that the story ends on the clock's today."""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from povtor.parsing import parse_amount
from povtor.storage.database import Database, db_datetime
from povtor.storage.queries import search_key

TABLES = ("clients", "people", "facts", "deals", "stage_history", "touches")


def demo_dir() -> Path:
    """The demo files: inside the installed package, or ``examples/demo`` in a checkout."""
    packaged = resources.files("povtor").joinpath("_demo")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples" / "demo"


def _read(folder: Path, name: str) -> Iterator[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def build_demo(db: Database, *, today: dt.date, folder: Path | None = None) -> dict[str, int]:
    """Load the demo into an empty, migrated database; returns rows per table."""
    folder = folder or demo_dir()
    manifest = tomllib.loads((folder / "demo.toml").read_text(encoding="utf-8"))
    shift = dt.timedelta(days=(today - dt.date.fromisoformat(manifest["anchor"])).days)

    def day(value: str) -> str | None:
        return (dt.date.fromisoformat(value) + shift).isoformat() if value else None

    def moment(value: str) -> str:
        return db_datetime(dt.datetime.fromisoformat(value) + shift)

    def text(value: str) -> str | None:
        return value or None

    stages = {
        (r["funnel"], r["stage"]): (r["funnel_id"], r["id"])
        for r in db.rows(
            "SELECT f.code AS funnel, s.code AS stage, f.id AS funnel_id, s.id FROM stage s "
            "JOIN funnel f ON f.id = s.funnel_id"
        )
    }
    stage_ids = {code: sid for (_funnel, code), (_fid, sid) in stages.items()}
    counts: dict[str, int] = {}
    with db.transaction():
        rows: list[tuple[Any, ...]] = [
            (
                int(r["id"]),
                r["name"],
                search_key(r["name"], r["company"] or None),
                text(r["company"]),
                text(r["category"]),
                text(r["industry"]),
                text(r["source"]),
                text(r["phone"]),
                text(r["email"]),
                text(r["address"]),
                text(r["notes"]),
                r["status"] or "active",
                day(r["created_on"]),
                text(r.get("category_source") or ""),
                int(r["referred_by_id"]) if r.get("referred_by_id") else None,
            )
            for r in _read(folder, "clients")
        ]
        db.executemany(
            "INSERT INTO client (id, name, search_key, company, category, industry, source, phone, "
            "email, address, notes, status, created_on, category_source, referred_by_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        counts["clients"] = len(rows)
        rows = [
            (
                int(r["id"]),
                int(r["client_id"]),
                r["name"],
                text(r["role"]),
                text(r["phone"]),
                text(r["email"]),
                day(r["birthday"]),  # moved too, so that upcoming birthdays stay upcoming
            )
            for r in _read(folder, "people")
        ]
        db.executemany(
            "INSERT INTO person (id, client_id, name, role, phone, email, birthday) "
            "VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        counts["people"] = len(rows)
        rows = [
            (int(r["id"]), int(r["client_id"]), text(r["topic"]), r["text"], day(r["noted_on"]))
            for r in _read(folder, "facts")
        ]
        db.executemany(
            "INSERT INTO fact (id, client_id, topic, text, noted_on) VALUES (?,?,?,?,?)", rows
        )
        counts["facts"] = len(rows)
        deal_funnel: dict[str, str] = {}
        rows = []
        for r in _read(folder, "deals"):
            funnel_id, stage_id = stages[(r["funnel"], r["stage"])]
            deal_funnel[r["id"]] = r["funnel"]
            rows.append(
                (
                    int(r["id"]),
                    int(r["client_id"]),
                    funnel_id,
                    stage_id,
                    text(r["title"]),
                    parse_amount(r["amount"]) if r["amount"] else None,
                    r["currency"] or "RUB",
                    r["status"],
                    day(r["opened_on"]),
                    day(r["stage_entered_on"]),
                    day(r["expected_on"]),
                    day(r["closed_on"]),
                    text(r["lost_reason"]),
                    day(r["follow_up_on"]),
                )
            )
        db.executemany(
            "INSERT INTO deal (id, client_id, funnel_id, stage_id, title, amount_minor, currency, "
            "status, opened_on, stage_entered_on, expected_on, closed_on, lost_reason, "
            "follow_up_on) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        counts["deals"] = len(rows)

        def stage_of(deal_id: str, code: str) -> int | None:
            return stages[(deal_funnel[deal_id], code)][1] if code else None

        rows = [
            (
                int(r["id"]),
                int(r["deal_id"]),
                r["event"],
                stage_of(r["deal_id"], r["from_stage"]),
                stage_of(r["deal_id"], r["to_stage"]),
                moment(r["at"]),
                day(r["on_date"]),
                text(r["reason"]),
            )
            for r in _read(folder, "stage_history")
        ]
        db.executemany(
            "INSERT INTO stage_change (id, deal_id, event, from_stage_id, to_stage_id, at, "
            "on_date, reason) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        counts["stage changes"] = len(rows)
        rows = [
            (
                int(r["id"]),
                int(r["client_id"]),
                int(r["deal_id"]) if r["deal_id"] else None,
                stage_of(r["deal_id"], r["stage"]) if r["deal_id"] else stage_ids.get(r["stage"]),
                moment(r["at"]),
                day(r["on_date"]),
                r["kind"],
                r["channel"],
                r["outcome"],
                text(r["reason"]),
                day(r["follow_up_on"]),
                text(r["text"]),
                text(r.get("answer") or ""),  # a service contact's: ok or problem
            )
            for r in _read(folder, "touches")
        ]
        db.executemany(
            "INSERT INTO touch (id, client_id, deal_id, stage_id, at, on_date, kind, channel, "
            "outcome, reason, follow_up_on, text, answer) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        counts["touches"] = len(rows)
        counts.update(_load_products(db, folder))
        counts.update(_load_perks(db, folder, shift, today - shift))
        counts.update(_load_client_steps(db, folder, shift))
    return counts


def _load_products(db: Database, folder: Path) -> dict[str, int]:
    """The product catalog, its links (the ``related`` names of each product) and the
    products of the deals; nothing if the folder has no products.csv."""
    from povtor.text import fold

    if not (folder / "products.csv").is_file():
        return {}
    products = list(_read(folder, "products"))
    db.executemany(
        "INSERT INTO product (id, name, search_key, price_minor, currency, is_backend, note) "
        "VALUES (?,?,?,?,?,?,?)",
        [
            (
                int(r["id"]),
                r["name"],
                fold(r["name"]),
                parse_amount(r["price"]) if r["price"] else None,
                r["currency"] or "RUB",
                r["is_backend"] == "yes",
                r["note"] or None,
            )
            for r in products
        ],
    )
    ids = {fold(r["name"]): int(r["id"]) for r in products}
    links = [
        (int(r["id"]), ids[fold(other.strip())])
        for r in products
        for other in r["related"].split(";")
        if other.strip()
    ]
    db.executemany("INSERT INTO product_link (product_id, related_id) VALUES (?,?)", links)
    held = [(int(r["deal_id"]), int(r["product_id"])) for r in _read(folder, "deal_products")]
    db.executemany("INSERT INTO deal_product (deal_id, product_id) VALUES (?,?)", held)
    return {"products": len(products), "deal products": len(held)}


def _load_perks(db: Database, folder: Path, shift: dt.timedelta, anchor: dt.date) -> dict[str, int]:
    """Clients' occasions (their days moved with the story) and the perk touches (purpose
    perk, keys moved with them: :func:`povtor.domain.perks.moved_key`); nothing without
    occasions.csv."""
    from povtor.domain.holidays import on_day
    from povtor.domain.perks import moved_key

    if not (folder / "occasions.csv").is_file():
        return {}
    rows = []
    for r in _read(folder, "occasions"):
        year = int(r["year"]) if r["year"] else None
        moved = on_day(int(r["month"]), int(r["day"]), year or anchor.year) + shift
        rows.append(
            (
                int(r["id"]),
                int(r["client_id"]),
                int(r["person_id"]) if r["person_id"] else None,
                r["title"],
                moved.month,
                moved.day,
                moved.year if year else None,
            )
        )
    db.executemany(
        "INSERT INTO occasion (id, client_id, person_id, title, month, day, year) "
        "VALUES (?,?,?,?,?,?,?)",
        rows,
    )
    perks = []
    for r in _read(folder, "perk_touches"):
        was = dt.date.fromisoformat(r["on_date"])
        key = r["purpose_ref"] and moved_key(r["purpose_ref"], was, was + shift)
        perks.append((key or None, int(r["touch_id"])))
    db.executemany("UPDATE touch SET purpose = 'perk', purpose_ref = ? WHERE id = ?", perks)
    return {"occasions": len(rows), "perk touches": len(perks)}


def _load_client_steps(db: Database, folder: Path, shift: dt.timedelta) -> dict[str, int]:
    """The roadmap steps clients have done (a step is named by its category and code on the
    default roadmaps); nothing without client_steps.csv."""
    if not (folder / "client_steps.csv").is_file():
        return {}
    step_ids = {
        (r["category"], r["code"]): r["id"]
        for r in db.rows("SELECT id, category, code FROM roadmap_step")
    }
    rows = [
        (
            int(r["client_id"]),
            step_ids[(r["category"], r["step"])],
            (dt.date.fromisoformat(r["done_on"]) + shift).isoformat(),
            r["note"] or None,
        )
        for r in _read(folder, "client_steps")
    ]
    db.executemany(
        "INSERT INTO client_step (client_id, step_id, done_on, note) VALUES (?,?,?,?)", rows
    )
    return {"client steps": len(rows)}
