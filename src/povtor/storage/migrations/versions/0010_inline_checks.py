"""Checks of a column's values written as comparisons: ``x = 'a' OR x = 'b'``, not
``x IN ('a', 'b')``.

SQLite evaluates ``x IN (...)`` in a CHECK constraint by building a small table for
the list on every row written; the same rule as comparisons is checked in place, which
makes writing many rows (an import of a long history) markedly faster. The rule is the
same, so no stored row can break it.

Only the text of each CHECK changes: the table definitions are rewritten in place, as
SQLite's documentation describes for changing CHECK constraints (``writable_schema``,
then a new schema version), inside the upgrade's one transaction. Rebuilding the tables
instead would drop tables that others point at, with their rows cascading away, while
the foreign keys are enforced. Every row, index and foreign key stays as it was.

On a PostgreSQL server nothing changes: it checks ``x IN (...)`` in place, and both
spellings admit the same values, so its constraints stay as they were made.

Revision ID: 0010_inline_checks
Revises: 0009_conversation_indexes
Create Date: 2026-12-06
"""

from __future__ import annotations

import re
from collections.abc import Callable

from alembic import op

revision = "0010_inline_checks"
down_revision = "0009_conversation_indexes"
branch_labels = None
depends_on = None

_VALUE = r"'(?:[^']|'')*'"
_LISTED = re.compile(rf"CHECK \((\w+) IN \(({_VALUE}(?:, {_VALUE})*)\)\)")
_COMPARED = re.compile(rf"CHECK \(((\w+) = {_VALUE}(?: OR \2 = {_VALUE})+)\)")


def _as_comparisons(found: re.Match[str]) -> str:
    column, values = found.group(1), re.findall(_VALUE, found.group(2))
    return "CHECK (" + " OR ".join(f"{column} = {value}" for value in values) + ")"


def _as_list(found: re.Match[str]) -> str:
    column = found.group(2)
    values = re.findall(_VALUE, found.group(1))
    return f"CHECK ({column} IN ({', '.join(values)}))"


def _rewrite(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> None:
    """Rewrite the CHECK constraints that ``pattern`` finds in every table's definition."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    tables = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%CHECK%'"
    ).fetchall()
    changed = []
    for name, old in tables:
        new = pattern.sub(replace, old)
        if new != old:
            changed.append((name, new))
    if not changed:
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        for name, sql in changed:
            bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, name)
            )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").fetchall()
    if problems != [("ok",)]:
        raise RuntimeError(f"the rewritten schema does not check: {problems[:3]}")


def upgrade() -> None:
    _rewrite(_LISTED, _as_comparisons)


def downgrade() -> None:
    _rewrite(_COMPARED, _as_list)
