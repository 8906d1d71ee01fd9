"""Every column povtor writes in plain SQL is a column the models declare.

The SQLModel tables in ``povtor.storage.models`` are the schema of record (the
migrations are checked against them in test_storage.py). Writes are plain SQL, so
the column lists are written by hand: this test reads every SQL text in the source
(``INSERT INTO t (...)``, ``UPDATE t SET a = ..., b = ...``) and every column tuple
the writers and the importer build their statements from, and checks each name
against the models. A typo or a dropped column fails here, not in a user's hands.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from povtor.storage import models
from povtor.storage.models import SQLModel
from support import Cli

SRC = Path(models.__file__).resolve().parents[1]
TABLES = {name: set(table.columns.keys()) for name, table in SQLModel.metadata.tables.items()}
INSERT = re.compile(r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)\s*\(([^)]*)\)", re.I)
UPDATE = re.compile(r"\bUPDATE\s+(\w+)\s+SET\s+(.*?)(?:\bWHERE\b|$)", re.I | re.S)
ASSIGNED = re.compile(r"(?:^|,)\s*(\w+)\s*=")


def sql_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every string in povtor's source outside the migrations; the
    holes of an f-string are shown as ``{}``."""
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                )
            else:
                continue
            yield f"{path.relative_to(SRC)}:{node.lineno}", text


def written_columns() -> Iterator[tuple[str, str, list[str]]]:
    for where, text in sql_texts():
        for table, columns in INSERT.findall(text):
            yield where, table, [c.strip() for c in columns.split(",") if c.strip()]
        for table, assignments in UPDATE.findall(text):
            if table.lower() in {"sqlite_master"}:
                continue
            names = ASSIGNED.findall(assignments.replace("{}", ""))
            yield where, table, names


def test_the_source_writes_sql_at_all() -> None:
    """The scan sees the writes (a scan that finds nothing would pass anything)."""
    tables = {table for _where, table, _columns in written_columns()}
    assert {"client", "deal", "touch", "stage_change", "person", "fact", "product"} <= tables


@pytest.mark.parametrize(
    ("where", "table", "columns"),
    list(written_columns()),
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_every_written_column_is_declared(where: str, table: str, columns: list[str]) -> None:
    assert table in TABLES, f"{where}: no model declares table {table!r}"
    unknown = [c for c in columns if c not in TABLES[table]]
    assert not unknown, f"{where}: {table} has no column(s) {unknown}"


def test_the_writers_column_tuples_are_declared() -> None:
    """The columns the client, deal, touch and person writers accept (``*_FIELDS``)."""
    from povtor.storage import client_writes, correction_writes, deal_writes

    for table, fields in (
        ("client", client_writes.CLIENT_FIELDS),
        ("deal", deal_writes.DEAL_FIELDS),
        ("touch", deal_writes.TOUCH_FIELDS),
    ):
        assert set(fields) <= TABLES[table], set(fields) - TABLES[table]
        # and nothing a model declares is left out, but povtor's own keys and the owner
        # (written by povtor.storage.seller_writes: client assign, deal assign)
        assert TABLES[table] - set(fields) <= {"id", "search_key", "seller_id"}
    # the fields a person edit may set (storage.database.update_by_id checks against them)
    assert set(correction_writes.PERSON_FIELDS) <= TABLES["person"]


def test_every_statement_run_writes_declared_columns(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SQL povtor really runs, whatever built it (the importer's column tuples, the
    demo, the writers' field lists): every INSERT and UPDATE, traced from the driver while
    the demo is built, exported, imported again and written to."""
    import sqlite3

    executed: list[str] = []
    real = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        connection = real(*args, **kwargs)  # type: ignore[arg-type]
        connection.set_trace_callback(executed.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    demo = tmp_path / "demo.db"
    cli.ok("demo", str(demo))
    folder = tmp_path / "export"
    cli.ok("--db", str(demo), "export", "all", str(folder))
    cli.ok("import", "all", str(folder))
    cli.ok("client", "add", "Новый", "--phone", "+7 900 000-00-00")
    cli.ok("deal", "open", "Новый", "--amount", "1000")
    cli.ok("nudge", "log", "--client", "Новый", "--outcome", "later", "--later", "+7")
    cli.ok("client", "fact", "add", "Новый", "берут 2,5 т в месяц")
    statements = [  # the migrations' own writes (the version, the schema's text) left out
        s
        for s in executed
        if re.match(r"\s*(INSERT|UPDATE)\b", s, re.I)
        and "alembic" not in s
        and not re.match(r"\s*UPDATE sqlite_master\b", s)
    ]
    assert len(statements) > 100  # the trace saw the writes
    tables = set()
    for text in statements:
        for table, columns in INSERT.findall(text):
            names = [c.strip() for c in columns.split(",") if c.strip()]
            tables.add(table)
            assert table in TABLES, text[:200]
            assert set(names) <= TABLES[table], (text[:200], set(names) - TABLES[table])
        for table, assignments in UPDATE.findall(text):
            names = ASSIGNED.findall(assignments)
            tables.add(table)
            assert table in TABLES, text[:200]
            assert set(names) <= TABLES[table], (text[:200], set(names) - TABLES[table])
    assert {"client", "deal", "touch", "stage_change", "person", "fact"} <= tables
