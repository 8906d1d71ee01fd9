"""The demo database: the bundled example files, their dates moved so that the story ends
on the clock's today, imported as ``povtor import all`` imports a folder of canonical
files (all of them in one transaction)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

from povtor.clock import Clock
from povtor.domain.formats import FIELDS, FILE_NAMES, IMPORT_ORDER
from povtor.domain.tabular import RawTable, read_table
from povtor.storage.database import Database

# What the summary calls the records of each table, in the order it lists them.
SUMMARY = (
    ("clients", "clients"),
    ("people", "people"),
    ("facts", "facts"),
    ("deals", "deals"),
    ("stage-history", "stage changes"),
    ("touches", "touches"),
    ("products", "products"),
    ("deal-products", "deal products"),
    ("occasions", "occasions"),
    ("touches", "perk touches"),
    ("client-steps", "client steps"),
    ("warming-content", "warming items"),
)


def demo_dir() -> Path:
    """The demo files: inside the installed package, or ``examples/demo`` in a checkout."""
    packaged = resources.files("povtor").joinpath("_demo")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "examples" / "demo"


def build_demo(db: Database, clock: Clock, *, folder: Path | None = None) -> dict[str, int]:
    """Load the demo into an empty, migrated database; returns what it holds, by kind."""
    from povtor.storage.transfer import Importer, plan_all

    folder = folder or demo_dir()
    manifest = tomllib.loads((folder / "demo.toml").read_text(encoding="utf-8"))
    anchor = dt.date.fromisoformat(manifest["anchor"])
    shift = clock.today - anchor
    files: list[tuple[str, RawTable]] = []
    for kind in IMPORT_ORDER:
        path = folder / f"{FILE_NAMES[kind]}.csv"
        if path.is_file():
            table = read_table(path.read_bytes(), source=path.name, suffix=".csv")
            files.append((kind, moved(table, kind, shift, anchor)))
    importer = Importer(db, clock)
    with db.transaction():
        plan_all(importer, files)
        if importer.problems:
            raise RuntimeError("the demo files do not import:\n" + "\n".join(importer.problems))
        importer.apply()
    present = dict(files)
    counts: dict[str, int] = {}
    for kind, label in SUMMARY:
        if kind in present:
            if label == "perk touches":
                counts[label] = _perks(present[kind])
            else:
                counts[label] = importer.counts[(kind, "create")]
    return counts


def moved(table: RawTable, kind: str, shift: dt.timedelta, anchor: dt.date) -> RawTable:
    """A canonical file (header on its first line) with every date moved by ``shift``:
    dates and timestamps; an occasion's day (its year only if it has one); and the key of
    a perk touch, as :func:`povtor.domain.perks.moved_key` moves it."""
    from povtor.domain.holidays import on_day
    from povtor.domain.perks import moved_key

    (line, header), *rows = table.rows
    spec = FIELDS[kind]
    dated = [i for i, name in enumerate(header) if spec.get(name) in ("date", "when")]
    column = {name: i for i, name in enumerate(header)}
    moved_rows = [(line, header)]
    for where, cells in rows:
        cells = list(cells)
        if kind == "touches" and cells[column["purpose"]] == "perk":
            key = cells[column["purpose_ref"]]
            if key:
                was = dt.date.fromisoformat(cells[column["on_date"]])
                cells[column["purpose_ref"]] = moved_key(key, was, was + shift)
        for i in dated:
            cells[i] = _moved(cells[i], shift)
        if kind == "occasions":
            month, day, year = (cells[column[c]] for c in ("month", "day", "year"))
            when = on_day(int(month), int(day), int(year) if year else anchor.year) + shift
            cells[column["month"]], cells[column["day"]] = str(when.month), str(when.day)
            cells[column["year"]] = str(when.year) if year else ""
        moved_rows.append((where, cells))
    return dataclasses.replace(table, rows=moved_rows)


def _moved(cell: str, shift: dt.timedelta) -> str:
    """A date (YYYY-MM-DD) or a timestamp (ISO) moved by ``shift``, in the same form."""
    if not cell:
        return cell
    if len(cell) == 10:
        return (dt.date.fromisoformat(cell) + shift).isoformat()
    return (dt.datetime.fromisoformat(cell) + shift).isoformat()


def _perks(touches: RawTable) -> int:
    """How many touches were cards or gifts (purpose perk)."""
    (_, header), *rows = touches.rows
    purpose = header.index("purpose")
    return sum(1 for _, cells in rows if cells[purpose] == "perk")
