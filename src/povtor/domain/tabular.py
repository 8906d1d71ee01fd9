"""Reading a table from a file: CSV/TSV in any of the usual encodings, .xlsx, JSON.

What comes out is a :class:`RawTable`: every row as text cells with its position in
the file (the line of a CSV file, the row of a sheet, the record of a JSON array),
so that every problem can be reported where the user will find it. Nothing here
knows povtor's columns; :mod:`povtor.domain.importing` gives the cells a meaning.

Rules (documented in docs/import-export.md):

- encoding: UTF-8 with a byte-order mark, UTF-16 with one, else UTF-8 if the bytes
  are valid UTF-8, else cp1251 (Windows Cyrillic, what 1C and old Excel write);
- delimiter: ``,``, ``;`` or tab, whichever appears most often on the first lines
  (outside quoted text);
- tab-separated files have no quoting (as ``--format tsv`` writes them), other
  delimited files are RFC 4180 CSV;
- a file that starts with a byte-order mark is a spreadsheet file: its text cells
  may carry the quote that ``--excel`` puts before formula characters.
"""

from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import io
import itertools
import json
import operator
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any, overload

from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.records import record

DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'"[^"]*"')
SNIFF_LINES = 20
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@record
class RawTable:
    source: str  # the name used in messages: the file's name, or "stdin"
    rows: Sequence[tuple[int, list[str]]]  # (position in the file, text cells)
    kind: str = "csv"  # csv | tsv | xlsx | json | jsonl
    fixed_header: bool = False  # json: rows[0] is the header made from the keys
    spreadsheet: bool = False  # cells may carry the --excel quote mark
    encoding: str | None = None
    delimiter: str | None = None

    def let_go(self) -> None:
        """The rows have been read for the last time: a large file's text is let go (its
        first rows, where the header was found, stay)."""
        if isinstance(self.rows, FileRows):
            self.rows.let_go()


@record(frozen=True)
class ImportMap:
    """A ``--map`` file: their column names, stage names and value spellings -> povtor's."""

    columns: dict[str, str] = field(default_factory=dict)  # folded header -> povtor column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> folded -> value
    date_format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    funnel: str | None = None
    currency: str | None = None
    decimal: str | None = None  # "," or ".": the decimal separator of quantities and prices
    # povtor column -> the folded names of their columns it is made of (joined by "/")
    compose: dict[str, tuple[str, ...]] = field(default_factory=dict)
    no_client: str | None = None  # the placeholder client of rows with no client
    # the stage at which closed deals (won, lost) given only as such were when they closed
    closed_from: dict[str, str] = field(default_factory=dict)  # status -> stage


COMPOSE_SEPARATOR = "/"
CLOSED_STATUSES = ("won", "lost")
MAP_KEYS = frozenset(
    {
        "columns",
        "compose",
        "no_client",
        "closed_from",
        "stages",
        "values",
        "date_format",
        "delimiter",
        "encoding",
        "sheet",
        "funnel",
        "currency",
        "decimal",
    }
)
STAGE_COLUMNS = ("stage", "from_stage", "to_stage")


def header_key(name: str) -> str:
    """How column names are compared: folded, trimmed, spaces and dashes as ``_``."""
    from povtor.text import fold

    return re.sub(r"[\s\-]+", "_", fold(name).strip())


def load_map(path: Path) -> ImportMap:
    """Read and check a ``--map`` TOML file."""
    from povtor.text import fold

    where = f"--map {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InvalidInput(
            _("{where}: no such file").format(where=where), hint=_("check the path")
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            _("{where}: cannot read it ({exc})").format(where=where, exc=exc),
            hint=_("save it as UTF-8"),
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            _("{where}: not valid TOML ({exc})").format(where=where, exc=exc),
            hint=_('write lines like "Сумма" = "amount"'),
        ) from None
    unknown = sorted(set(data) - MAP_KEYS)
    if unknown:
        raise InvalidInput(
            _("{where}: unknown setting {unknown}").format(where=where, unknown=repr(unknown[0])),
            hint="known: " + ", ".join(sorted(MAP_KEYS)),
        )

    def table(value: Any, name: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise InvalidInput(
                _("{where}: [{name}] must map names to names").format(where=where, name=name),
                hint=_('e.g. "Won" = "paid"'),
            )
        return value

    def text(name: str) -> str | None:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(
                _("{where}: {name} must be a string").format(where=where, name=name),
                hint=_('e.g. {name} = "..."').format(name=name),
            )
        return value

    columns = {
        header_key(k): v.strip() for k, v in table(data.get("columns", {}), "columns").items()
    }
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values", {})
    if not isinstance(raw_values, dict):
        raise InvalidInput(
            _("{where}: [values] must hold tables").format(where=where),
            hint=_("e.g. [values.channel]"),
        )
    for column, mapping in raw_values.items():
        values[column] = {fold(k).strip(): v for k, v in table(mapping, f"values.{column}").items()}
    stages = {fold(k).strip(): v for k, v in table(data.get("stages", {}), "stages").items()}
    for theirs, ours in table(data.get("stages", {}), "stages").items():
        if not ours.strip():
            raise InvalidInput(
                _("{where}: [stages] {theirs} maps to nothing").format(
                    where=where, theirs=repr(theirs)
                ),
                hint=_('name a povtor stage, e.g. "Счёт выставлен" = "invoice"'),
            )
    for column in STAGE_COLUMNS:
        values.setdefault(column, {}).update(stages)
    delimiter = text("delimiter")
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if delimiter not in DELIMITERS:
            raise InvalidInput(
                _("{where}: delimiter {delimiter} is not one of , ; tab").format(
                    where=where, delimiter=repr(delimiter)
                ),
                hint=_('e.g. delimiter = ";"'),
            )
    encoding = text("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(
                _("{where}: unknown encoding {encoding}").format(
                    where=where, encoding=repr(encoding)
                ),
                hint=_("e.g. utf-8 or cp1251"),
            ) from None
    date_format = text("date_format")
    if date_format is not None and "%" not in date_format:
        raise InvalidInput(
            _("{where}: date_format {date_format} has no % fields").format(
                where=where, date_format=repr(date_format)
            ),
            hint=_('use strftime codes, e.g. date_format = "%d/%m/%Y"'),
        )
    decimal = text("decimal")
    if decimal is not None and decimal not in (",", "."):
        raise InvalidInput(
            _('{where}: decimal must be "," or "."').format(where=where),
            hint=_('e.g. decimal = ","'),
        )
    compose: dict[str, tuple[str, ...]] = {}
    raw_compose = data.get("compose", {})
    if not isinstance(raw_compose, dict):
        raise InvalidInput(
            _("{where}: [compose] must name columns").format(where=where),
            hint=_('e.g. order_id = ["Клиент", "Дата"]'),
        )
    for target, parts in raw_compose.items():
        if (
            not isinstance(parts, list)
            or not parts
            or not all(isinstance(p, str) and p.strip() for p in parts)
        ):
            raise InvalidInput(
                _("{where}: [compose] {target} must be a list of their column names").format(
                    where=where, target=target
                ),
                hint=_('e.g. {target} = ["Клиент", "Дата"]').format(target=target),
            )
        compose[target.strip()] = tuple(header_key(p) for p in parts)
    no_client = text("no_client")
    client_values = values.get("client", {})
    if "" in client_values:  # [values.client] "" = "...": the same choice, spelt as a value
        no_client = no_client or client_values.pop("")
    if no_client is not None:
        no_client = no_client.strip()
        if not no_client:
            raise InvalidInput(
                _("{where}: no_client must name the placeholder client").format(where=where),
                hint=_('e.g. no_client = "(no account)"'),
            )
    closed_from = _closed_from(data.get("closed_from"), where)
    return ImportMap(
        columns=columns,
        values=values,
        date_format=date_format,
        delimiter=delimiter,
        encoding=encoding,
        sheet=text("sheet"),
        funnel=text("funnel"),
        currency=text("currency"),
        decimal=decimal,
        compose=compose,
        no_client=no_client,
        closed_from=closed_from,
    )


def _closed_from(value: Any, where: str) -> dict[str, str]:
    """``closed_from = "invoice"`` (won and lost deals alike) or a table by status."""
    hint = 'e.g. closed_from = "invoice", or [closed_from] won = "invoice", lost = "proposal"'
    if value is None:
        return {}
    if isinstance(value, str) and value.strip():
        return dict.fromkeys(CLOSED_STATUSES, value.strip())
    if isinstance(value, dict) and value:
        unknown = sorted(set(value) - set(CLOSED_STATUSES))
        if unknown or not all(isinstance(v, str) and v.strip() for v in value.values()):
            raise InvalidInput(
                _("{where}: [closed_from] names a stage for won and/or lost deals").format(
                    where=where
                ),
                hint=hint,
            )
        return {status: stage.strip() for status, stage in value.items()}
    raise InvalidInput(_("{where}: closed_from must name a stage").format(where=where), hint=hint)


# -- reading ---------------------------------------------------------------------
def read_table(
    data: bytes, *, source: str, suffix: str = "", imap: ImportMap | None = None
) -> RawTable:
    """Read a file's bytes as rows of text cells; the format comes from the suffix or content."""
    imap = imap or ImportMap()
    suffix = suffix.lower()
    if data.startswith(XLS_MAGIC) or suffix == ".xls":
        raise InvalidInput(
            _("{source}: this is an old Excel .xls file").format(source=source),
            hint=_("save it as .xlsx or CSV and retry"),
        )
    if data.startswith(XLSX_MAGIC) or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, source=source, sheet=imap.sheet)
    if is_binary(data):
        raise InvalidInput(
            _("{source}: a binary file, not a table of text").format(source=source),
            hint=_(
                "give a CSV, TSV, JSON or .xlsx file (save it as CSV in the program that made it)"
            ),
        )
    # a large file is checked to decode, but only its start is held as text at first
    text, spreadsheet, encoding = decode(data, source=source, encoding=imap.encoding, whole=False)
    whole = len(data) <= HEAD_BYTES or encoding not in STREAMED
    start = text.lstrip()[:1]
    json_file = suffix in (".json", ".jsonl", ".ndjson") or start in ("[", "{") or not start
    if not whole and (json_file or text.count("\n") < SNIFF_LINES):
        text, spreadsheet, encoding = decode(data, source=source, encoding=imap.encoding)
        whole = True
        start = text.lstrip()[:1]
    if suffix in (".json", ".jsonl", ".ndjson") or start in ("[", "{"):
        return _read_json(text, source=source, lines=suffix != ".json" and start == "{")
    delimiter = imap.delimiter or detect_delimiter(text)
    rows: Sequence[tuple[int, list[str]]]
    if delimiter != "\t" and (
        encoding == "utf-8-sig" or (encoding in STREAMED and not spreadsheet)
    ):
        del text  # read again from the bytes as the rows are gone through
        rows = FileRows(data, encoding, delimiter, source=source)
    else:
        if not whole:
            text, spreadsheet, encoding = decode(data, source=source, encoding=imap.encoding)
        rows = _read_delimited(text, delimiter, source=source)
    return RawTable(
        source=source,
        rows=rows,
        kind="tsv" if delimiter == "\t" else "csv",
        spreadsheet=spreadsheet,
        encoding=encoding,
        delimiter=delimiter,
    )


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f") + b"\x7f"


def is_binary(data: bytes) -> bool:
    """Whether the bytes are not text: a zero byte, or many control characters, in the
    first 8 KiB (UTF-16 text, which has zero bytes, starts with its byte-order mark)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(len(sample) // 100, 2)


HEAD_BYTES = 1 << 20  # decoded in pieces of this size when only the start is kept


def _decoded(data: bytes | memoryview, encoding: str, *, whole: bool) -> str:
    """The text of ``data`` (``whole``), or its first piece after every piece is checked
    to decode (a large file is not held twice over as text); UnicodeDecodeError as
    ``bytes.decode`` raises it."""
    if whole or len(data) <= HEAD_BYTES or encoding not in STREAMED:
        return str(data, encoding)
    decoder = codecs.getincrementaldecoder(encoding)()
    head = ""
    view = memoryview(data)
    try:
        for at in range(0, len(view), HEAD_BYTES):
            piece = decoder.decode(view[at : at + HEAD_BYTES], at + HEAD_BYTES >= len(view))
            head = head or piece
    except UnicodeDecodeError:
        str(view, encoding)  # raises with the position in the whole file
        raise
    return head


def decode(
    data: bytes, *, source: str, encoding: str | None = None, whole: bool = True
) -> tuple[str, bool, str]:
    """(text, starts with a byte-order mark, encoding used); not ``whole``: the text of
    the first HEAD_BYTES of a larger file in a streamed encoding, the rest only checked."""
    if encoding:
        try:
            text = _decoded(data, encoding, whole=whole)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                _("{source}: not valid {encoding} at byte {start}").format(
                    source=source, encoding=encoding, start=exc.start
                ),
                hint=_("check encoding in the --map file"),
            ) from None
        if text.startswith("\ufeff"):
            return text[1:], True, encoding
        return text, False, encoding
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), True, "utf-16"
        except UnicodeDecodeError:
            raise InvalidInput(
                _("{source}: broken UTF-16 text").format(source=source),
                hint=_("save it again as UTF-8 CSV"),
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = _decoded(memoryview(data)[len(codecs.BOM_UTF8) :], "utf-8", whole=whole)
            return text, True, "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                _("{source}: starts as UTF-8 but byte {n} is not UTF-8").format(
                    source=source, n=exc.start + 3
                ),
                hint=_("save it again as UTF-8 CSV"),
            ) from None
    try:
        return _decoded(data, "utf-8", whole=whole), False, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _decoded(data, "cp1251", whole=whole), False, "cp1251"
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _("{source}: neither UTF-8 nor cp1251 text (byte {start})").format(
                source=source, start=exc.start
            ),
            hint=_('save it as UTF-8 CSV, or name its encoding in a --map file: encoding = "..."'),
        ) from None


def detect_delimiter(text: str) -> str:
    """``,``, ``;`` or tab: the one that every one of the first lines has equally often (a
    two-column file of names with commas in them splits right), the most often if several;
    else the one with the most occurrences on one of the first lines. Quoted cells are
    left out first, over the whole sample: a quoted cell may hold line breaks."""
    sample = "\n".join(text.split("\n", SNIFF_LINES)[:SNIFF_LINES])
    lines = [line for line in _QUOTED.sub("", sample).split("\n") if line.strip()]
    steady = [
        (lines[0].count(c), c)
        for c in (",", "\t", ";")
        if lines and lines[0].count(c) and all(line.count(c) == lines[0].count(c) for line in lines)
    ]
    if steady and len(lines) > 1:
        return max(steady)[1]
    best, best_count = ",", 0
    for line in lines:
        for candidate in (";", "\t", ","):
            count = line.count(candidate)
            if count > best_count:
                best, best_count = candidate, count
    return best


def _read_delimited(text: str, delimiter: str, *, source: str) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    if delimiter == "\t":
        # povtor's tsv: no quoting, one row a line, no tabs or line breaks inside cells
        for number, line in enumerate(text.split("\n"), start=1):
            line = line.removesuffix("\r")
            if line:
                rows.append((number, line.split("\t")))
        return rows
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous = 0
    try:
        for cells in reader:
            rows.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error as exc:
        raise InvalidInput(
            _("{source}:{n}: broken CSV ({exc})").format(source=source, n=previous + 1, exc=exc),
            hint=_("check the quotes on that line"),
        ) from None
    return rows


STREAMED = ("utf-8", "utf-8-sig", "cp1251")  # encodings whose files are read as they go
FILE_ROWS_KEPT = 32  # the first rows of a file, kept (where a header is looked for)


class FileRows(Sequence[tuple[int, list[str]]]):
    """The rows of a CSV file, read from its bytes each time they are gone through, so that
    a large file is never held as millions of cells. The whole file is read once at the
    start: to count its rows, and so that broken quoting is found before anything else."""

    def __init__(self, data: bytes, encoding: str, delimiter: str, *, source: str) -> None:
        self._data: bytes | None = data
        self._encoding = encoding
        self._delimiter = delimiter
        self._source = source
        self._first: list[tuple[int, list[str]]] = []
        reader = self._reader(data)
        try:
            previous = 0
            for cells in reader:
                self._first.append((previous + 1, cells))
                previous = reader.line_num
                if len(self._first) == FILE_ROWS_KEPT:
                    break
            # the other rows are only counted (the last of them numbered, at C speed)
            last = collections.deque(enumerate(reader, len(self._first) + 1), maxlen=1)
        except csv.Error:
            for _row in self:  # read again row by row: the error names its line
                pass
            raise
        self._count = last[0][0] if last else len(self._first)

    def _reader(self, data: bytes) -> Any:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding=self._encoding, newline="")
        return csv.reader(stream, delimiter=self._delimiter, strict=True)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        if self._data is None:  # let go (see let_go)
            yield from self._first
            return
        reader = self._reader(self._data)
        previous = 0
        try:
            for cells in reader:
                yield previous + 1, cells
                previous = reader.line_num
        except csv.Error as exc:
            raise InvalidInput(
                _("{source}:{n}: broken CSV ({exc})").format(
                    source=self._source, n=previous + 1, exc=exc
                ),
                hint=_("check the quotes on that line"),
            ) from None

    def let_go(self) -> None:
        """Let the file's bytes go: the rows are not gone through again (only the first
        rows stay)."""
        self._data = None
        self._count = len(self._first)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, item: int) -> tuple[int, list[str]]: ...

    @overload
    def __getitem__(self, item: slice) -> list[tuple[int, list[str]]]: ...

    def __getitem__(self, item: int | slice) -> tuple[int, list[str]] | list[tuple[int, list[str]]]:
        if isinstance(item, slice):
            start, stop, step = item.indices(self._count)
            if step == 1 and stop <= len(self._first):
                return self._first[start:stop]
            return list(itertools.islice(self, start, stop, step))
        index = operator.index(item)
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(item)
        if index < len(self._first):
            return self._first[index]
        return next(itertools.islice(self, index, None))


def _read_json(text: str, *, source: str, lines: bool) -> RawTable:
    records: list[tuple[int, Any]] = []
    try:
        if lines:
            for number, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    records.append((number, json.loads(line)))
        else:
            records = list(enumerate(json.loads(text), start=1))
    except (json.JSONDecodeError, TypeError) as exc:
        raise InvalidInput(
            _("{source}: not valid JSON ({exc})").format(source=source, exc=exc),
            hint=_("export it again"),
        ) from None
    header: dict[str, None] = {}
    for number, entry in records:
        if not isinstance(entry, dict):
            raise InvalidInput(
                _("{source}:{number}: expected an object with column names").format(
                    source=source, number=number
                ),
                hint=_('write records like {"name": "..."}'),
            )
        header.update(dict.fromkeys(entry))
    names = list(header)
    rows: list[tuple[int, list[str]]] = [(0, names)]
    for number, entry in records:
        rows.append((number, [cell_text(entry.get(name)) for name in names]))
    return RawTable(source=source, rows=rows, kind="jsonl" if lines else "json", fixed_header=True)


def _read_xlsx(data: bytes, *, source: str, sheet: str | None) -> RawTable:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise InvalidInput(
            _("reading .xlsx files needs openpyxl"), hint=_("pip install openpyxl")
        ) from None
    import zipfile

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(
            _("{source}: not a readable .xlsx workbook ({exc})").format(source=source, exc=exc),
            hint=_("save it again from Excel"),
        ) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise InvalidInput(
                    _("{source}: no sheet {sheet}").format(source=source, sheet=repr(sheet)),
                    hint="sheets: " + ", ".join(book.sheetnames),
                )
            ws: Any = book[sheet]
        else:
            ws = book.worksheets[0]
        ws.reset_dimensions()
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
    finally:
        book.close()
    return RawTable(source=source, rows=rows, kind="xlsx")


def cell_text(value: Any) -> str:
    """A typed cell (xlsx, json) as the text povtor parses."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(round(value, 9))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
