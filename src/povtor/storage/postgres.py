"""A PostgreSQL server behind the same :class:`~povtor.storage.database.Database` API.

Imported only when ``--db`` (or ``POVTOR_DB``) is a ``postgresql://`` URL: the SQLite
path never pays for it. povtor's queries are written once, in the SQL that SQLite
reads; :class:`Connection` stands where an ``sqlite3.Connection`` would and turns each
statement into PostgreSQL's (placeholders, ``INSERT OR IGNORE``, ``lastrowid``,
``PRAGMA``), caching the result per statement. The few SQLite functions the queries call
are SQL functions in the database's schema (:data:`SETUP`, made by the migrations).

Values keep SQLite's shapes, so that every command prints the same thing on both:
dates and timestamps are ISO text (the columns are ``text``, compared as text),
yes/no columns are ``0``/``1`` (``smallint``), sums of integers are integers. Text is
compared byte by byte (``COLLATE "C"``), as SQLite does.

Writers take one database-wide lock (an advisory lock held to the end of the
transaction), as SQLite's ``BEGIN IMMEDIATE`` does: a write transaction never meets
another's half-done work and never has to be retried; readers are never blocked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import psycopg
import psycopg.errors
from psycopg import ClientCursor
from psycopg.adapt import AdaptersMap
from psycopg.types.numeric import IntDumper, NumericLoader
from psycopg.types.string import StrDumper

from povtor.errors import DatabaseProblem
from povtor.i18n import _

# the one lock every povtor writer takes (the bytes of "povtor"), and how long it waits
WRITE_LOCK = 0x706F76746F72
LOCK_TIMEOUT_S = 15

# -- values: SQLite's shapes ---------------------------------------------------------


class _DateText(StrDumper):
    """A date as SQLite keeps it: ISO text."""

    def dump(self, obj: Any) -> Any:
        return super().dump(obj.isoformat())


class _DatetimeText(StrDumper):
    """A timestamp as SQLite keeps it (``storage.database.db_datetime``)."""

    def dump(self, obj: Any) -> Any:
        return super().dump(obj.strftime("%Y-%m-%d %H:%M:%S.%f"))


class _BoolInt(IntDumper):
    """Yes/no as SQLite keeps it: 1 or 0."""

    def dump(self, obj: Any) -> Any:
        return b"1" if obj else b"0"

    def quote(self, obj: Any) -> Any:
        return self.dump(obj)


class _NumberLoader(NumericLoader):
    """An integer (``SUM`` of integers is ``numeric`` here) or a float, as SQLite returns."""

    def load(self, data: Any) -> Any:
        value = super().load(data)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value


class _BoolLoader(psycopg.adapt.Loader):
    """A comparison's result as SQLite returns it: 1 or 0."""

    def load(self, data: Any) -> Any:
        return 1 if bytes(data) == b"t" else 0


def _adapt(adapters: AdaptersMap) -> None:
    adapters.register_dumper(dt.date, _DateText)
    adapters.register_dumper(dt.datetime, _DatetimeText)
    adapters.register_dumper(bool, _BoolInt)
    adapters.register_loader("numeric", _NumberLoader)
    adapters.register_loader("bool", _BoolLoader)


# -- rows: like sqlite3.Row (by position and by name) --------------------------------


class _RowBase(tuple):
    __slots__ = ()
    _index: dict[str, int] = {}  # noqa: RUF012 - set on each subclass
    _names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            try:
                key = self._index[key.lower()]
            except KeyError:
                raise IndexError("No item with that key") from None
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[_RowBase]:
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name.lower(), position)
    return type("Row", (_RowBase,), {"__slots__": (), "_index": index, "_names": names})


def _row_factory(cursor: Any) -> Any:
    if cursor.description is None:
        return tuple
    return _row_class(tuple(column.name for column in cursor.description))


# -- statements: SQLite's SQL as PostgreSQL's ----------------------------------------

_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?|(?<![:\w]):([A-Za-z_]\w*)|%""")
_INSERT = re.compile(
    r"""^\s*INSERT\s+(OR\s+(IGNORE|REPLACE)\s+)?INTO\s+"?(\w+)"?\s*(\(([^)]*)\))?""",
    re.IGNORECASE,
)
_WORDS = (
    (re.compile(r"\bchar\s*\(", re.IGNORECASE), "chr("),
    # SQLite's "a IS b" compares NULLs as equal
    (
        re.compile(r"\bIS\s+NOT\s+(?!(?:NULL|TRUE|FALSE|DISTINCT|UNKNOWN)\b)", re.IGNORECASE),
        "IS DISTINCT FROM ",
    ),
    (
        re.compile(r"\bIS\s+(?!(?:NOT|NULL|TRUE|FALSE|DISTINCT|UNKNOWN)\b)", re.IGNORECASE),
        "IS NOT DISTINCT FROM ",
    ),
    # a yes/no column (povtor names them is_*) as a condition: SQLite's 0 or 1
    (
        re.compile(
            r"(\b(?:WHEN|WHERE|AND|OR|NOT)\s+|(?<!%)\(\s*)((?:\w+\.)?is_[a-z_]+)"
            r"(?=\s*(?:\bTHEN\b|\bAND\b|\bOR\b|\)|$))",
            re.IGNORECASE,
        ),
        r"\1(\2 <> 0)",
    ),
    # a unary plus that keeps SQLite off an index: PostgreSQL has none for text
    (
        re.compile(
            r"((?:\bAND|\bOR|\bWHERE|\bON|\bSELECT|\bBY|\bWHEN|\bTHEN|\bELSE|[(,=<>])\s*)"
            r"\+(?=[A-Za-z_])",
            re.IGNORECASE,
        ),
        r"\1",
    ),
    (re.compile(r"\bNOT\s+LIKE\b", re.IGNORECASE), "NOT ILIKE"),  # SQLite: ASCII case-blind
    (re.compile(r"(?<!NOT )\bLIKE\b", re.IGNORECASE), "ILIKE"),
)
_NOTHING = "SELECT NULL WHERE FALSE"


class Statement:
    """One SQLite statement as PostgreSQL runs it."""

    __slots__ = ("returning", "sets_ids", "sql", "table")

    def __init__(self, sql: str, table: str | None, returning: bool, sets_ids: bool) -> None:
        self.sql = sql
        self.table = table
        self.returning = returning  # ends with RETURNING id: the cursor's lastrowid
        self.sets_ids = sets_ids  # writes ids itself: the table's id sequence follows


# PRAGMA table_info(name): a table's columns as SQLite lists them
_TABLE_INFO = re.compile(r"PRAGMA\s+table_info\s*\(\s*\"?(\w+)\"?\s*\)", re.IGNORECASE)
_COLUMNS_OF = (
    "SELECT c.ordinal_position - 1 AS cid, c.column_name::text AS name, "
    "upper(c.data_type)::text AS type, (c.is_nullable = 'NO')::integer AS notnull, "
    "c.column_default::text AS dflt_value, "
    "(c.column_name = 'id' AND c.column_default LIKE 'nextval%%')::integer AS pk "
    "FROM information_schema.columns c WHERE c.table_schema = current_schema() "
    "AND c.table_name = '{table}' ORDER BY c.ordinal_position"
)


def translate(
    sql: str, id_tables: frozenset[str], never_null: frozenset[str] = frozenset()
) -> Statement:
    """``sql`` (as SQLite reads it) as PostgreSQL reads it, through psycopg
    (``never_null``: the columns NOT NULL in every table that has them)."""
    stripped = sql.strip().rstrip(";").strip()
    if stripped[:6].upper() == "PRAGMA":
        info = _TABLE_INFO.fullmatch(stripped)
        if info:
            return Statement(_COLUMNS_OF.format(table=info.group(1)), None, False, False)
        return Statement(_NOTHING, None, False, False)
    parts: list[str] = []
    last = 0
    for match in _TOKENS.finditer(stripped):
        token = match.group(0)
        parts.append(_outside(stripped[last : match.start()]))
        if token == "?":
            parts.append("%s")
        elif token == "%":
            parts.append("%%")
        elif match.group(1):
            parts.append(f"%({match.group(1)})s")
        else:  # a literal, a quoted name or a comment: as it is, but for psycopg's %
            parts.append(token.replace("%", "%%"))
        last = match.end()
    parts.append(_outside(stripped[last:]))
    text = "".join(parts)
    text = _yes_no_from_comparison(text)
    text = _name_subqueries(text)
    text = _nulls_as_sqlite(text, never_null)
    text = _latest_rows(text)
    table = None
    returning = sets_ids = False
    insert = _INSERT.match(text)
    if insert:
        table = insert.group(3).lower()
        columns = insert.group(5)
        sets_ids = columns is not None and "id" in {
            c.strip().strip('"').lower() for c in columns.split(",")
        }
        if insert.group(1):
            text = text[: insert.start(1)] + text[insert.end(1) :]
            if insert.group(2).upper() == "IGNORE":
                text += " ON CONFLICT DO NOTHING"
            else:
                raise sqlite3.NotSupportedError("INSERT OR REPLACE is not translated")
        elif table in id_tables and "RETURNING" not in text.upper():
            text += " RETURNING id"
            returning = True
    return Statement(text, table, returning, sets_ids)


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis that closes the one at ``start``, or -1."""
    depths = _depths(text)
    depth = depths[start]
    for index in range(start + 1, len(text)):
        if text[index] == ")" and depths[index] == depth:
            return index
    return -1


_SUBQUERY = re.compile(r"\b(?:FROM|JOIN)\s*\(\s*SELECT\b", re.IGNORECASE)
_ALIASED = re.compile(
    r"\s*(?!(?:WHERE|JOIN|LEFT|INNER|CROSS|ON|GROUP|ORDER|UNION|LIMIT|HAVING|EXCEPT)\b)"
    r"(?:AS\s+)?[A-Za-z_]\w*",
    re.IGNORECASE,
)


def _name_subqueries(text: str) -> str:
    """``FROM (SELECT ...)`` with no name: SQLite allows it, PostgreSQL 15 asks for one."""
    ends = []
    for match in _SUBQUERY.finditer(text):
        end = _closing(text, text.index("(", match.start()))
        if end > 0 and not _ALIASED.match(text, end + 1):
            ends.append(end)
    for number, end in reversed(list(enumerate(ends))):
        text = f"{text[: end + 1]} AS povtor_rows{number}{text[end + 1 :]}"
    return text


_SET_YES_NO = re.compile(r"\bSET\s+(?:\w+\.)?is_\w+\s*=\s*\(", re.IGNORECASE)


def _yes_no_from_comparison(text: str) -> str:
    """``SET is_x = (a comparison)``: SQLite stores its 1 or 0; so does this."""
    match = _SET_YES_NO.search(text)
    if match is None:
        return text
    start = match.end() - 1
    end = _closing(text, start)
    if end < 0:
        return text
    inner = text[start : end + 1]
    return f"{text[:start]}CASE WHEN {inner} THEN 1 ELSE 0 END{text[end + 1 :]}"


_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
# what ends an ORDER BY list at its own depth (besides a closing parenthesis)
_ORDER_END = re.compile(
    r"\b(?:LIMIT|OFFSET|FETCH|UNION|EXCEPT|INTERSECT|FOR|RETURNING|WINDOW|ROWS|RANGE|GROUPS)\b"
    r"|;",
    re.IGNORECASE,
)
_HAS_NULLS = re.compile(r"\bNULLS\s+(?:FIRST|LAST)\s*$", re.IGNORECASE)
_DESCENDING = re.compile(r"\bDESC\s*$", re.IGNORECASE)
_DIRECTION = re.compile(r"\s+(?:ASC|DESC)\s*$", re.IGNORECASE)
_COLUMN = re.compile(r"(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)")
_OUTER_JOIN = re.compile(r"\b(?:LEFT|RIGHT|FULL)\b", re.IGNORECASE)


def _nulls_as_sqlite(text: str, never_null: frozenset[str]) -> str:
    """Every ORDER BY term with SQLite's place for NULLs: first when ascending, last when
    descending (PostgreSQL's default is the other way round). A term that is a column NOT
    NULL in every table (when no outer join can make it NULL, nor an alias shadow it) is
    left as it is, so that its index still gives the order."""
    if "ORDER" not in text.upper():
        return text
    depths = _depths(text)
    outer = _OUTER_JOIN.search(text) is not None
    inserts: list[tuple[int, str]] = []
    for match in _ORDER_BY.finditer(text):
        depth = depths[match.start()]
        if depth < 0:
            continue
        start = match.end()
        end = start
        while end < len(text):
            if 0 <= depths[end] < depth:
                break  # the parenthesis the list is in closes
            if (
                depths[end] == depth
                and not (text[end - 1].isalnum() or text[end - 1] == "_")
                and _ORDER_END.match(text, end)
            ):
                break
            end += 1
        term_start = start
        for index in range(start, end + 1):
            if index == end or (text[index] == "," and depths[index] == depth):
                term = text[term_start:index].strip()
                if term and not _HAS_NULLS.search(term):
                    column = _COLUMN.fullmatch(_DIRECTION.sub("", term))
                    keep = (
                        column is not None
                        and column.group(1).lower() in never_null
                        and not outer
                        and not re.search(rf"\bAS\s+{column.group(1)}\b", text, re.IGNORECASE)
                    )
                    if not keep:
                        where = term_start + len(text[term_start:index].rstrip())
                        nulls = " NULLS LAST" if _DESCENDING.search(term) else " NULLS FIRST"
                        inserts.append((where, nulls))
                term_start = index + 1
    for where, nulls in sorted(inserts, reverse=True):
        text = text[:where] + nulls + text[where:]
    return text


_LATEST = re.compile(
    r"^\s*SELECT\s+(?P<key>[\w.]+)\s*,\s*(?P<fn>MAX|MIN)\((?P<x>[\w.]+)\)\s*,(?P<rest>[^()]*?)"
    r"\s+FROM\s+(?P<source>.*?)\s+GROUP\s+BY\s+(?P=key)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_UNION_ALL = re.compile(r"\bUNION\s+ALL\b", re.IGNORECASE)


def _latest_rows(text: str) -> str:
    """SQLite's ``SELECT k, MAX(x), other columns ... GROUP BY k`` takes the other
    columns from each group's row with the largest ``x``: here that is ``DISTINCT ON``."""
    if "GROUP BY" not in text.upper():
        return text
    branches = _UNION_ALL.split(text)
    found = [_LATEST.match(branch) for branch in branches]
    if not all(found):
        return text
    rewritten = []
    for match in found:
        assert match is not None
        key, x = match["key"], match["x"]
        order = "DESC NULLS LAST" if match["fn"].upper() == "MAX" else "ASC NULLS LAST"
        rewritten.append(
            f"SELECT DISTINCT ON ({key}) {key}, {x},{match['rest']} FROM {match['source']} "
            f"ORDER BY {key}, {x} {order}"
        )
    if len(rewritten) == 1:
        return rewritten[0]
    return "\nUNION ALL\n".join(f"({branch})" for branch in rewritten)


def _depths(text: str) -> list[int]:
    """Each character's parenthesis depth (-1 inside a literal, a quoted name or a
    comment)."""
    depths = []
    depth = 0
    quote = ""
    for index, char in enumerate(text):
        if quote:
            depths.append(-1)
            if char == quote or (quote == "\n" and char == "\n"):
                quote = ""
            continue
        if char in "'\"":
            quote = char
            depths.append(-1)
            continue
        if char == "-" and text.startswith("--", index):
            quote = "\n"
            depths.append(-1)
            continue
        if char == ")":
            depth -= 1
        depths.append(depth)
        if char == "(":
            depth += 1
    return depths


_KEYWORDS = re.compile(r"\b(SELECT|FROM|UNION(?:\s+ALL)?)\b", re.IGNORECASE)


def _region(text: str, depths: list[int], opening: int) -> tuple[int, int, int]:
    """Start, end and depth of the inside of the ``opening``-th parenthesis (-1: the
    whole statement)."""
    if opening < 0:
        return 0, len(text), 0
    seen = -1
    for index, char in enumerate(text):
        if char == "(" and depths[index] >= 0:
            seen += 1
            if seen == opening:
                depth = depths[index] + 1
                end = index + 1
                while end < len(text) and not (text[end] == ")" and depths[end] == depth - 1):
                    end += 1
                return index + 1, end, depth
    raise ValueError(opening)


def _branches(
    text: str, depths: list[int], start: int, end: int, depth: int
) -> list[tuple[int, int]]:
    """(after SELECT, before FROM) of each SELECT in a region, at its depth."""
    branches = []
    select = None
    for match in _KEYWORDS.finditer(text, start, end):
        if depths[match.start()] != depth:
            continue
        word = match.group(1).split()[0].upper()
        if word == "SELECT":
            select = match.end()
        elif word == "FROM" and select is not None:
            branches.append((select, match.start()))
            select = None
    return branches


def dynamic_column(template: str, sent: str, position: int) -> str | None:
    """``template`` with the select item at ``position`` of ``sent`` (the statement as
    sent, its values in place: where PostgreSQL found that the branches of a UNION give a
    column different types, which SQLite allows) made JSON in every branch: each row's
    value comes back as it is, a number or a text."""
    depths = _depths(sent)
    at = max(0, min(position - 1, len(sent) - 1))
    depth = depths[at]
    if depth < 0:
        return None
    opening = -1  # the parenthesis the UNION is in
    for index in range(at, -1, -1) if depth > 0 else ():
        if sent[index] == "(" and depths[index] == depth - 1:
            opening = sum(1 for i in range(index) if sent[i] == "(" and depths[i] >= 0)
            break
    start, end, depth = _region(sent, depths, opening)
    here = [(a, b) for a, b in _branches(sent, depths, start, end, depth) if a <= at < b]
    if not here:
        return None
    wanted = sum(1 for i in range(here[0][0], at) if sent[i] == "," and depths[i] == depth)
    depths = _depths(template)
    start, end, depth = _region(template, depths, opening)
    out = template
    for a, b in reversed(_branches(template, depths, start, end, depth)):
        commas = [i for i in range(a, b) if template[i] == "," and depths[i] == depth]
        bounds = [a, *[c + 1 for c in commas], b + 1]
        if wanted + 1 >= len(bounds):
            return None
        lo, hi = bounds[wanted], bounds[wanted + 1] - 1
        item = out[lo:hi].strip()
        made = "NULL::json" if item.upper() == "NULL" else f"to_json({item})"
        out = f"{out[:lo]} {made}{' ' if hi == b else ''}{out[hi:]}"
    return out


def _outside(text: str) -> str:
    """SQL outside literals: SQLite's words as PostgreSQL's."""
    for pattern, replacement in _WORDS:
        text = pattern.sub(replacement, text)
    return text


# -- errors: as sqlite3's, so that every caller handles them as it does already -------


def _as_sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return sqlite3.OperationalError(f"database is locked ({text})")
    if isinstance(exc, psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected):
        return sqlite3.OperationalError(f"database is busy ({text})")
    if isinstance(exc, psycopg.errors.IntegrityError):
        return sqlite3.IntegrityError(text)
    if isinstance(exc, psycopg.errors.DiskFull):
        return sqlite3.OperationalError(f"database or disk is full ({text})")
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(text)
    if isinstance(exc, psycopg.ProgrammingError | psycopg.errors.DataError):
        return sqlite3.OperationalError(text)
    return sqlite3.DatabaseError(text)


class Cursor:
    """Like ``sqlite3.Cursor``: ``execute`` returns the cursor; rows like sqlite3.Row
    (``row_factory = None``: plain tuples); ``lastrowid`` after an insert."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._cursor: ClientCursor[Any] = ClientCursor(connection.raw)
        self.row_factory: Any = True  # sqlite3's "use the connection's" (rows by name)
        self.lastrowid: int | None = None
        self._buffer: list[Any] | None = None

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self) -> Any:
        return self._cursor.description

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        statement = self._connection.statement(sql)
        self._cursor.row_factory = (
            _row_factory if self.row_factory is not None else psycopg.rows.tuple_row
        )
        if statement.table:
            self._connection.note_insert(statement.table)
        try:
            try:
                self._cursor.execute(statement.sql, _params(params))
            except psycopg.errors.DatatypeMismatch as exc:
                sent = self._cursor.mogrify(statement.sql, _params(params))
                statement = self._connection.typed_again(sql, statement, sent, exc)
                self._cursor.execute(statement.sql, _params(params))
            self._connection.count_changes(self._cursor)
            if statement.returning:
                ids = self._cursor.fetchall()
                self.lastrowid = int(ids[-1][0]) if ids else None
            if statement.sets_ids and statement.table:
                self._connection.follow_ids(statement.table)
        except psycopg.Error as exc:
            _debug(statement.sql, exc)
            raise _as_sqlite_error(exc) from exc
        return self

    def executemany(self, sql: str, seq: Sequence[Any]) -> Cursor:
        statement = self._connection.statement(sql)
        text = statement.sql
        if statement.returning:
            text = text[: -len(" RETURNING id")]
        if statement.table:
            self._connection.note_insert(statement.table)
        try:
            self._cursor.executemany(text, [_params(p) for p in seq])
            self._connection.count_changes(self._cursor)
            if statement.sets_ids and statement.table:
                self._connection.follow_ids(statement.table)
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc
        return self

    def fetchone(self) -> Any:
        try:
            return self._cursor.fetchone() if self._cursor.description else None
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return self._cursor.fetchall() if self._cursor.description else []
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc

    def fetchmany(self, size: int = 1) -> list[Any]:
        try:
            return self._cursor.fetchmany(size) if self._cursor.description else []
        except psycopg.Error as exc:
            raise _as_sqlite_error(exc) from exc

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def close(self) -> None:
        self._cursor.close()


def _debug(sql: str, exc: BaseException) -> None:
    if os.environ.get("POVTOR_DEBUG"):
        print(f"{exc}\nin: {sql}", file=sys.stderr)


def _params(params: Any) -> Any:
    if isinstance(params, dict):
        return params
    return list(params or ())


class Connection:
    """Stands where an ``sqlite3.Connection`` would (autocommit; ``BEGIN IMMEDIATE``
    takes povtor's write lock)."""

    engine = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        _adapt(raw.adapters)
        self._statements: dict[str, Statement] = {}
        self._id_tables: frozenset[str] | None = None
        self._never_null: frozenset[str] | None = None
        self.total_changes = 0  # rows inserted, updated or deleted, as sqlite3 counts them
        # the next id of each table written in this transaction, as it was before
        self._next_ids: dict[str, int | None] = {}

    def note_insert(self, table: str) -> None:
        """Before the transaction's first insert into ``table``: its next id, given back
        if the transaction is rolled back (as SQLite gives a rolled-back id again)."""
        if table in self._next_ids or not self.in_transaction or table not in self.id_tables():
            return
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass)",
                (f'"{table}"',),
            )
            row = cursor.fetchone()
        self._next_ids[table] = None if not row or row[0] is None else int(row[0]) + 1

    def _give_ids_back(self) -> None:
        """After a rollback: each table's next id back to what it was (or past the rows
        written since), under the write lock so that no other writer holds an id."""
        tables, self._next_ids = self._next_ids, {}
        if not tables or self.in_transaction:
            return
        try:
            with self.raw.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
                cursor.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                for table, next_id in tables.items():
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        f'GREATEST(%s, (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}")), false)',
                        (f'"{table}"', next_id),
                    )
                cursor.execute("COMMIT")
        except psycopg.Error:  # the ids are not given again: nothing else is lost
            self._quiet_rollback()

    def count_changes(self, cursor: ClientCursor[Any]) -> None:
        status = (cursor.statusmessage or "").split(" ", 1)[0]
        if status in {"INSERT", "UPDATE", "DELETE", "MERGE"} and cursor.rowcount > 0:
            self.total_changes += cursor.rowcount

    # -- statements
    def statement(self, sql: str) -> Statement:
        found = self._statements.get(sql)
        if found is None:
            found = self._statements[sql] = translate(sql, self.id_tables(), self.never_null())
        return found

    def typed_again(self, sql: str, statement: Statement, sent: str, exc: Exception) -> Statement:
        """After "UNION types ... cannot be matched": the statement with that column as
        JSON (see :func:`dynamic_column`), kept for the next time; else the error."""
        position = getattr(getattr(exc, "diag", None), "statement_position", None)
        if "UNION types" not in str(exc) or not position or self.in_transaction:
            raise exc
        fixed = dynamic_column(statement.sql, sent, int(position))
        if fixed is None:
            raise exc
        statement = Statement(fixed, statement.table, statement.returning, statement.sets_ids)
        self._statements[sql] = statement
        return statement

    def id_tables(self) -> frozenset[str]:
        """The tables whose rows have an ``id`` (an insert returns it)."""
        if self._id_tables is None:
            self._read_catalog()
        assert self._id_tables is not None
        return self._id_tables

    def never_null(self) -> frozenset[str]:
        """The columns NOT NULL in every table (and view) that has one of that name (an
        ORDER BY on them needs no word on where NULLs go)."""
        if self._never_null is None:
            self._read_catalog()
        assert self._never_null is not None
        return self._never_null

    def _read_catalog(self) -> None:
        """What the translation needs to know of the schema, in one query."""
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name, is_nullable = 'NO' "
                "FROM information_schema.columns WHERE table_schema = current_schema()"
            )
            columns = cursor.fetchall()
        nullable = {str(c).lower() for _t, c, not_null in columns if not not_null}
        self._id_tables = frozenset(t for t, c, _n in columns if c == "id")
        self._never_null = frozenset(str(c).lower() for _t, c, _n in columns) - nullable

    def schema_changed(self) -> None:
        self._statements.clear()
        self._id_tables = None
        self._never_null = None

    def follow_ids(self, table: str) -> None:
        """After ids were written by hand: the next id the table gives is above them."""
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 0) + 1, false) "
                f'FROM "{table}"',
                (f'"{table}"',),
            )

    # -- like sqlite3.Connection
    def cursor(self) -> Cursor:
        return Cursor(self)

    def execute(self, sql: str, params: Any = ()) -> Cursor:
        if sql.strip().upper() == "BEGIN IMMEDIATE":
            self.begin_writing()
            return Cursor(self)
        return Cursor(self).execute(sql, params)

    def executemany(self, sql: str, seq: Sequence[Any]) -> Cursor:
        return Cursor(self).executemany(sql, seq)

    def begin_writing(self) -> None:
        """A write transaction holding povtor's write lock (waits up to
        :data:`LOCK_TIMEOUT_S` for another writer, then fails as SQLite's busy file)."""
        try:
            with self.raw.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
                cursor.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        except psycopg.Error as exc:
            self._quiet_rollback()
            raise _as_sqlite_error(exc) from exc

    def begin_writing_at_once(self) -> bool:
        """A write transaction if povtor's write lock is free now; False (no transaction)
        while another command holds it: nobody waits."""
        try:
            with self.raw.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute(f"SELECT pg_try_advisory_xact_lock({WRITE_LOCK})")
                row = cursor.fetchone()
        except psycopg.Error:
            self._quiet_rollback()
            return False
        if not (row and row[0]):
            self._quiet_rollback()
            return False
        return True

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def commit(self) -> None:
        self._next_ids = {}
        if self.raw.autocommit and not self.in_transaction:
            return
        try:
            if self.raw.autocommit:
                self.raw.execute("COMMIT")
            else:
                self.raw.commit()
        except psycopg.Error as exc:
            self._quiet_rollback()
            raise _as_sqlite_error(exc) from exc

    def rollback(self) -> None:
        self._quiet_rollback()
        self._give_ids_back()

    def _quiet_rollback(self) -> None:
        if not self.in_transaction:
            return
        try:
            if self.raw.autocommit:
                self.raw.execute("ROLLBACK")
            else:
                self.raw.rollback()
        except psycopg.Error:
            pass

    def close(self) -> None:
        self.raw.close()


CONNECT_TIMEOUT_S = 10  # unless the URL says its own (?connect_timeout=N)

# The connection a run's first read (its language, before the command loads) opened, or
# why it could not: the command takes it over, so a run connects once and an unreachable
# server is said at once, not after a second wait.
_opened: dict[str, psycopg.Connection[Any] | DatabaseProblem] = {}


def _open(url: str, shown: str) -> psycopg.Connection[Any]:
    """One attempt to connect (one line if it fails: :class:`DatabaseProblem`)."""
    timeout: dict[str, Any] = (
        {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_S}
    )
    try:
        raw = psycopg.connect(url, autocommit=True, **timeout)
    except psycopg.Error as exc:
        raise DatabaseProblem(
            _("cannot connect to {location}: {reason}").format(location=shown, reason=_reason(exc)),
            hint=_(
                "check that the server runs and the URL's user, host, port and database "
                "(--db or POVTOR_DB)"
            ),
        ) from None
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    except psycopg.Error:
        raw.close()
        raise
    return raw


def _reason(exc: psycopg.Error) -> str:
    """libpq's reason, its first line (the rest is advice the hint gives)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    return lines[0].removeprefix("connection failed: ")


def first_connection(url: str, shown: str) -> psycopg.Connection[Any] | None:
    """The run's connection, opened for its first read and kept for the command
    (:func:`connect` takes it); None when it failed (the command then says why, without
    trying again)."""
    forget_first()
    try:
        raw = _open(url, shown)
    except DatabaseProblem as problem:
        _opened[url] = problem
        return None
    _opened[url] = raw
    return raw


def forget_first() -> None:
    """Close the connection a first read kept, if the command never took it."""
    for kept in _opened.values():
        if not isinstance(kept, DatabaseProblem):
            kept.close()
    _opened.clear()


def connect(url: str, shown: str) -> Connection:
    """A connection to the server at ``url`` (``shown``: the URL without a password): the
    one the run's first read opened, if any, else a new one."""
    kept = _opened.pop(url, None)
    if isinstance(kept, DatabaseProblem):
        raise kept
    if (
        kept is not None
        and not kept.closed
        and kept.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    ):
        return Connection(kept)
    if kept is not None:
        kept.close()
    return Connection(_open(url, shown))


def upgrade_error(exc: BaseException | None, location: Any) -> DatabaseProblem:
    """A failed schema upgrade on the server as one line (nothing was changed)."""
    from povtor.storage import schema
    from povtor.storage.database import translate_db_error

    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return DatabaseProblem(
            _(
                "{location} needs its schema made or upgraded (to {head}), and this "
                "role may not change it: nothing was changed"
            ).format(location=location, head=schema.HEAD),
            hint=_("run povtor init or povtor db upgrade as the database's owner role"),
        )
    if isinstance(exc, psycopg.Error):
        error = translate_db_error(_as_sqlite_error(exc), location)
        return DatabaseProblem(error.message, hint=error.hint)
    return DatabaseProblem(
        _("cannot upgrade {location}: {reason}").format(location=location, reason=exc), hint=None
    )


# -- the schema's PostgreSQL side (run by the migrations, as the owner) ---------------

SETUP = (
    # SQLite's functions that povtor's queries call
    "CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT strpos(haystack, needle)'",
    "CREATE OR REPLACE FUNCTION povtor_concat(acc text, item text, sep text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
    "'SELECT CASE WHEN item IS NULL THEN acc WHEN acc IS NULL THEN item "
    "ELSE acc || sep || item END'",
    "CREATE OR REPLACE FUNCTION povtor_concat(acc text, item text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT povtor_concat(acc, item, '','')'",
    "CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = povtor_concat, STYPE = text)",
    "CREATE OR REPLACE AGGREGATE group_concat(text) (SFUNC = povtor_concat, STYPE = text)",
    # SUM(a = b): SQLite counts the true comparisons
    "CREATE OR REPLACE FUNCTION povtor_count_true(acc bigint, item boolean) RETURNS bigint "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
    "'SELECT CASE WHEN item IS NULL THEN acc ELSE COALESCE(acc, 0) + item::integer END'",
    "CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = povtor_count_true, STYPE = bigint)",
    # json_each(?) over a JSON list of ids (the only way povtor calls it)
    "CREATE OR REPLACE FUNCTION json_each(doc text) RETURNS TABLE (value bigint) "
    "LANGUAGE sql IMMUTABLE AS "
    "'SELECT item::bigint FROM json_array_elements_text(doc::json) AS item'",
    # the tables, where povtor reads SQLite's catalogue
    "CREATE OR REPLACE VIEW sqlite_master AS "
    "SELECT 'table'::text AS type, table_name::text AS name, table_name::text AS tbl_name, "
    "NULL::text AS sql FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
)

_COLUMNS = """
SELECT c.table_name, c.column_name, c.data_type, c.collation_name, c.column_default,
       c.character_maximum_length
FROM information_schema.columns c
JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
"""


def setup_statements(columns: list[tuple[Any, ...]], id_tables: list[str]) -> list[str]:
    """What makes the schema the migrations built read and compare as SQLite's does:
    :data:`SETUP`, then each column to its SQLite shape, then each id sequence past the
    ids written by hand (the migrations' own rows)."""
    out = list(SETUP)
    changes: dict[str, list[str]] = {}
    for table, column, kind, collation, default, length in columns:
        target = f'ALTER COLUMN "{column}"'
        change = changes.setdefault(table, [])
        if kind == "boolean":
            change.append(f"{target} DROP DEFAULT")
            change.append(f'{target} TYPE smallint USING "{column}"::integer')
            if default is not None:
                value = 1 if "true" in default.lower() or "'1'" in default else 0
                change.append(f"{target} SET DEFAULT {value}")
        elif kind in ("date", "timestamp without time zone"):
            shape = "YYYY-MM-DD" if kind == "date" else "YYYY-MM-DD HH24:MI:SS.US"
            change.append(f'{target} TYPE text COLLATE "C" USING to_char("{column}", \'{shape}\')')
        elif kind in ("character varying", "text") and collation != "C":
            shape = "text" if length is None else f"varchar({length})"
            change.append(f'{target} TYPE {shape} COLLATE "C"')
    # a table's columns at once: its checks compare them with each other
    out += [f'ALTER TABLE "{t}" ' + ", ".join(c) for t, c in changes.items() if c]
    for table in id_tables:
        out.append(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE(MAX(id), 0) + 1, false) FROM "{table}"'
        )
    return out


def setup(connection: Any) -> None:
    """Run :func:`setup_statements` on a SQLAlchemy connection (inside the migration's
    transaction)."""
    columns = [tuple(r) for r in connection.exec_driver_sql(_COLUMNS).fetchall()]
    id_tables = [
        r[0]
        for r in connection.exec_driver_sql(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'id' "
            "AND column_default LIKE 'nextval%%'"
        ).fetchall()
    ]
    for statement in setup_statements(columns, id_tables):
        connection.exec_driver_sql(statement)
    from povtor.storage.activity import rebuild_sql

    for statement in rebuild_sql():  # derived from the history: filled again
        connection.exec_driver_sql(_nulls_as_sqlite(statement, frozenset()))
