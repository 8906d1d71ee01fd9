"""CSV for spreadsheets: what Russian Excel opens right by double-click, and safely.

``--excel`` files are UTF-8 with a byte-order mark, ``;``-separated, CRLF line ends,
with a decimal comma in money columns (``125000,00``). A text cell that a spreadsheet
would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return: "CSV injection") gets a single quote in front, and so does a text cell that
starts with a quote already, so that :func:`restore` undoes it exactly. Numeric
columns (ids, money) are never altered: ``-5`` in a number column stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"
BOM = "\ufeff"
EXCEL_DELIMITER = ";"
NUMERIC_KINDS = frozenset({"int", "money", "rate"})


def neutralize(text: str) -> str:
    """``=1+2`` -> ``'=1+2``; ``'x`` -> ``''x``; anything else as it is."""
    if text and (text[0] in FORMULA_STARTS or text[0] == QUOTE):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    """Undo :func:`neutralize` (for cells read back from a spreadsheet file)."""
    return text[1:] if text.startswith(QUOTE) else text


def excel_cell(kind: str, value: Any) -> str:
    """One cell of an ``--excel`` file from its machine value (see ``output.machine_value``)."""
    if value is None:
        return ""
    text = str(value)
    if kind == "money":
        return text.replace(".", ",")
    if kind in NUMERIC_KINDS:
        return text
    return neutralize(text)


def write_excel(
    stream: IO[str], header: Sequence[str], kinds: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Write rows of machine values as an ``--excel`` CSV (BOM, ``;``, CRLF)."""
    stream.write(BOM)
    writer = csv.writer(stream, delimiter=EXCEL_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([excel_cell(k, v) for k, v in zip(kinds, row, strict=True)])
