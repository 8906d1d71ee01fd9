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
            )
            for r in _read(folder, "clients")
        ]
        db.executemany(
            "INSERT INTO client (id, name, search_key, company, category, industry, source, phone, "
            "email, address, notes, status, created_on) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
            )
            for r in _read(folder, "touches")
        ]
        db.executemany(
            "INSERT INTO touch (id, client_id, deal_id, stage_id, at, on_date, kind, channel, "
            "outcome, reason, follow_up_on, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        counts["touches"] = len(rows)
    return counts
