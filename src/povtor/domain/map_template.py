"""A commented ``--map`` template made for a file's own header (``--map-template``).

Every column of the file gets a line: the povtor column it already matches (its
canonical name, a usual name for orders, or the given map's), else ``"-"`` (ignored) for
the user to replace. The stage (or order status) values found in the file get a line
each under ``[stages]`` when they are not povtor stages already. The result is valid
TOML: it can be used as it is and changed bit by bit.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence

from povtor.domain.formats import CANCELLED_WORDS, FIELDS, ORDER_ALIASES, PAID_WORDS, REQUIRED
from povtor.domain.importing import HEADER_SEARCH_ROWS
from povtor.domain.tabular import ImportMap, RawTable, header_key
from povtor.text import fold

STAGE_VALUES_SHOWN = 40  # distinct stage values listed, at most
COMMENT_AT = 32  # the column at which the comments of the lines start
# Guesses for the columns of other systems' exports (the template marks them): a pattern
# of the folded header name, and the povtor column, per kind of file.
GUESSES: dict[str, tuple[tuple[str, str], ...]] = {
    "deals": (
        (r"stage|этап|status|статус", "stage"),
        (r"clos|закры|won|lost", "closed_on"),
        (r"creat|open|engage|start|созда|откры|начал", "opened_on"),
        (r"account|compan|customer|client|компан|клиент|контрагент|организац|покупат", "client"),
        (r"amount|value|budget|revenue|price|сумм|бюджет|стоимост", "amount"),
        (r"(^|_)id$|^id_|number|номер|^№", "external_id"),
        (r"title|name|subject|назван|сделк", "title"),
        (r"currenc|валют", "currency"),
        (r"reason|причин", "lost_reason"),
        (r"expect|forecast|ожида|план", "expected_on"),
        (r"funnel|pipeline|воронк", "funnel"),
    ),
    "orders": (
        (r"invoice_?(no|num|id)?$|order_?(no|num|id)?$|номер|№|заказ", "order_id"),
        (r"date|дата|период", "date"),
        (r"customer_?id|client_?id|code|код|инн", "client_code"),
        (r"customer|client|account|compan|buyer|клиент|контрагент|покупат|компан", "client"),
        (r"quantit|qty|кол", "quantity"),
        (r"unit_?price|price|цена", "price"),
        (r"sales|amount|total|sum|revenue|value|сумм|итог", "amount"),
        (r"product|item|description|stock|товар|номенклат|наимен", "product"),
        (r"status|state|статус|состоян", "status"),
        (r"currenc|валют", "currency"),
    ),
}
# the column whose values name stages, per kind of file
STAGE_COLUMN = {"deals": "stage", "orders": "status", "touches": "stage"}
EXAMPLE_DATES = "2024-12-31, 31.12.2024, either with a time"


def quoted(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def columns_line(kind: str) -> tuple[str, str]:
    """(the columns a file of ``kind`` needs, the others it may have)."""
    required = REQUIRED[kind]
    needed = ", ".join(" or ".join(need) for need in required)
    optional = ", ".join(c for c in FIELDS[kind] if not any(c in need for need in required))
    return needed, optional


def map_template(
    kind: str,
    table: RawTable,
    imap: ImportMap,
    stages: Mapping[str, Sequence[str]],
    *,
    command: str,
) -> str:
    """The template for ``table`` (a file of ``kind``); ``stages``: funnel code -> its
    stage codes; ``command``: how the user imports the file (for the first comment)."""
    spec = FIELDS[kind]
    aliases = _aliases(kind)
    names, line, start = _header(table, kind, imap, aliases)
    needed, optional = columns_line(kind)
    out = [
        f"# A --map for {table.source}; use it with: {command} --map map.toml --dry-run",
        f"# povtor's columns for {kind}: needed {needed}; also {optional}.",
        f"# Read as {table.kind}"
        + (f", encoding {table.encoding}" if table.encoding else "")
        + (f", delimiter {quoted(table.delimiter)}" if table.delimiter else "")
        + f", the header on line {line}.",
        "",
        commented(
            f"# date_format = {quoted('%d/%m/%Y')}",
            f"strptime codes, for dates other than {EXAMPLE_DATES}",
        ),
    ]
    if kind in ("deals", "orders"):
        out += [
            commented(f"# funnel = {quoted(imap.funnel or 'repeat')}", "the deals' funnel"),
            commented(
                f"# currency = {quoted(imap.currency or 'RUB')}", "for rows with no currency"
            ),
            commented(
                f"# no_client = {quoted(imap.no_client or '(no client)')}",
                "rows with an empty client go to this placeholder (archived: never in the plan)",
            ),
            commented(
                f"# closed_from = {quoted('invoice')}",
                "the stage won and lost deals were at when they closed (default: the first)",
            ),
        ]
    if kind == "orders":
        out.append(
            commented(f"# decimal = {quoted(',')}", "the decimal separator of quantities, prices")
        )
    out += ["", commented("[columns]", 'their column = povtor\'s ("-": ignore it)')]
    taken: set[str] = set()
    rows: list[tuple[str, str | None, bool]] = []  # (their name, povtor column, guessed)
    for name in names:
        key = header_key(name)
        if not key:
            continue
        target = imap.columns.get(key) or (key if key in spec else aliases.get(key))
        if target and target in spec and target not in taken:
            taken.add(target)
            rows.append((name.strip(), target, False))
        else:
            rows.append((name.strip(), None, False))
    for i, (name, target, _) in enumerate(rows):
        guess = None if target else _guess(kind, header_key(name), taken)
        if guess:
            taken.add(guess)
            rows[i] = (name, guess, True)
    for name, target, guessed in rows:
        text = f"{quoted(name)} = {quoted(target or '-')}"
        if guessed:
            text = commented(text, "a guess: check it")
        elif target is None:
            text = commented(text, "which povtor column? (or leave it ignored)")
        out.append(text)
    column_of = {name: target for name, target, _ in rows if target}
    missing = [" or ".join(need) for need in REQUIRED[kind] if not any(c in taken for c in need)]
    if missing:
        out.append(f"# still needed: {', '.join(missing)}")
    if kind == "orders" and "order_id" not in taken:
        out += [
            "",
            "# no order id? make it of columns that tell the orders apart, joined by /:",
            "# [compose]",
            f"# order_id = [{quoted(names[0].strip()) if names else quoted('Клиент')}, "
            f"{quoted('Дата')}]",
        ]
    out += _stages(kind, table, imap, names, start, stages, column_of)
    return "\n".join(out) + "\n"


def commented(line: str, comment: str) -> str:
    return f"{line.ljust(COMMENT_AT - 2)}  # {comment}"


def _guess(kind: str, key: str, taken: set[str]) -> str | None:
    """A povtor column that a column called ``key`` (folded) is likely to be, or None."""
    for pattern, column in GUESSES.get(kind, ()):
        if column not in taken and re.search(pattern, key):
            return column
    return None


def _aliases(kind: str) -> dict[str, str]:
    """The usual names of the columns (orders only): folded name -> povtor column."""
    if kind != "orders":
        return {}
    return {header_key(a): c for c, names in ORDER_ALIASES.items() for a in names}


def _header(
    table: RawTable, kind: str, imap: ImportMap, aliases: dict[str, str]
) -> tuple[list[str], int, int]:
    """The header row: the first of the first rows that has the needed columns, else the
    first row; with its line and the position of the first data row."""
    spec = FIELDS[kind]
    candidates = table.rows[:1] if table.fixed_header else table.rows[:HEADER_SEARCH_ROWS]
    for position, (where, names) in enumerate(candidates):
        found = set()
        for name in names:
            key = header_key(name)
            target = imap.columns.get(key) or (key if key in spec else aliases.get(key))
            if target:
                found.add(target)
        if all(any(c in found for c in need) for need in REQUIRED[kind]):
            return names, where or 1, position + 1
    if not candidates:
        return [], 1, 0
    where, names = candidates[0]
    return names, where or 1, 1


def _stages(
    kind: str,
    table: RawTable,
    imap: ImportMap,
    names: list[str],
    start: int,
    stages: Mapping[str, Sequence[str]],
    column_of: dict[str, str],
) -> list[str]:
    """The [stages] table: the file's stage values that are not povtor's stages yet."""
    column = STAGE_COLUMN.get(kind)
    funnel = imap.funnel or "repeat"
    codes = list(stages.get(funnel, ()))
    choices = ", ".join(codes) + ", or lost" + (", cancelled" if kind == "orders" else "")
    lines = ["", commented("[stages]", f"their stage = a stage of {funnel}: {choices}")]
    position = next(
        (i for i, name in enumerate(names) if column_of.get(name.strip()) == column), None
    )
    if position is None:
        return [*lines, '# "Их этап" = "invoice"']
    known = {fold(c) for c in codes} | {"lost"}
    if kind == "orders":
        known |= CANCELLED_WORDS | PAID_WORDS
    mapped = imap.values.get(column or "", {})
    seen: dict[str, str] = {}
    for _where, cells in itertools.islice(table.rows, start, None):
        if position >= len(cells):
            continue
        value = cells[position].strip()
        key = fold(value)
        if value and key not in known and key not in seen:
            seen[key] = value
            if len(seen) >= STAGE_VALUES_SHOWN:
                break
    for key, value in seen.items():
        target = mapped.get(key, "")
        text = f"{quoted(value)} = {quoted(target)}"
        lines.append(text if target else commented(text, "which stage?"))
    if not seen:
        lines.append("# (every value in the file is a povtor stage already)")
    return lines
