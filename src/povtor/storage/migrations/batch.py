"""Batch mode that rebuilds a table the same way on every run.

On SQLite, Alembic's batch mode changes a table by building a new one from the old one's
reflection. It takes the reflected constraints and indexes from ``Table.constraints`` and
``Table.indexes``: sets of objects hashed by their identity, which iterate in the order
of the addresses the objects happened to get. The CONSTRAINT clauses of the new CREATE
TABLE and its CREATE INDEX statements came out in that order, a different one from run to
run (whatever ``PYTHONHASHSEED``). Here the table is reflected first and handed to Alembic
(``copy_from``) with both in one order: the named constraints by name, the unnamed ones
(the primary key, foreign keys) by kind and columns, the indexes by name. Only the order
is fixed: the table holds what it held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy.util import OrderedSet

__all__ = ["batch_alter_table"]


@contextmanager
def batch_alter_table(table_name: str, **kw: Any) -> Iterator[BatchOperations]:
    """``op.batch_alter_table``, with the table's constraints and indexes in a fixed order
    if it is rebuilt (SQLite; a PostgreSQL server alters the table in place)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        kw["copy_from"] = _ordered(sa.Table(table_name, sa.MetaData(), autoload_with=bind))
    with op.batch_alter_table(table_name, **kw) as batch:
        yield batch


def _ordered(table: sa.Table) -> sa.Table:
    table.constraints = OrderedSet(sorted(table.constraints, key=_constraint_key))
    table.indexes = OrderedSet(sorted(table.indexes, key=lambda index: str(index.name)))
    return table


def _constraint_key(constraint: sa.Constraint) -> tuple[Any, ...]:
    columns = getattr(constraint, "columns", None)
    targets = getattr(constraint, "elements", ())
    return (
        constraint.name is None,
        str(constraint.name or ""),
        type(constraint).__name__,
        tuple(columns.keys()) if columns is not None else (),
        tuple(element.target_fullname for element in targets),
        str(getattr(constraint, "sqltext", "")),
    )
