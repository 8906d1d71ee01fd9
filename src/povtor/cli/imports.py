"""``povtor import``: a seller's history in, all or nothing: povtor's own files, other CRMs'
exports (--map), order lists from 1C, Excel or a shop."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from povtor.cli.files import write_atomically, write_stdout
from povtor.cli.runtime import command_group, runtime
from povtor.domain.formats import FILE_NAMES, IMPORT_ORDER
from povtor.errors import InvalidInput
from povtor.i18n import N_, _, ngettext
from povtor.output import Column, Listing, OutputFormat, message, render

if TYPE_CHECKING:
    pass

import_app = command_group(
    help="Bring data in, all or nothing: povtor's own files, other CRMs' exports (--map), "
    "order lists from 1C, Excel or a shop (.csv or .xlsx).",
    no_args_is_help=True,
)

MAX_SHOWN = 50  # problems and notes listed before "and N more"
PROGRESS_MIN_ROWS = 10_000  # smaller files import too fast for a progress bar
SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".xlsx")


MapOption = Annotated[
    Path | None,
    typer.Option("--map", help="A TOML file naming their columns, stages and date format."),
]
DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Show what would be created and updated; change nothing."),
]
PlanFormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Format of the --dry-run plan: table (default on a terminal), csv, tsv, json, jsonl.",
        case_sensitive=False,
        show_default=False,
    ),
]
FileArg = Annotated[
    str, typer.Argument(help="The file (.csv, .tsv, .json, .xlsx), or - for stdin.")
]
ProblemsOption = Annotated[
    Path | None,
    typer.Option(
        "--problems",
        help="Write every problem found to this CSV file (file, line, column, value, "
        "problem), however many there are.",
    ),
]
MapTemplateOption = Annotated[
    bool,
    typer.Option(
        "--map-template",
        help="Print a commented --map for this file's header (and its stages) on stdout; "
        "import nothing.",
    ),
]


def _read(path_text: str, imap: Any) -> Any:
    from povtor.domain.tabular import read_table

    if path_text == "-":
        data = sys.stdin.buffer.read()
        return read_table(data, source="stdin", imap=imap)
    path = Path(path_text).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(
            _("{path}: no such file").format(path=path), hint=_("check the path")
        ) from None
    except IsADirectoryError:
        raise InvalidInput(
            _("{path} is a directory").format(path=path),
            hint=_("give a file, or use povtor import all DIR"),
        ) from None
    except OSError as exc:
        raise InvalidInput(
            _("cannot read {path}: {strerror}").format(path=path, strerror=exc.strerror),
            hint=_("check it"),
        ) from None
    return read_table(data, source=path.name, suffix=path.suffix, imap=imap)


def _show(lines: list[str], *, what: str) -> None:
    for line in lines[:MAX_SHOWN]:
        message(line)
    if len(lines) > MAX_SHOWN:
        message(f"… and {len(lines) - MAX_SHOWN} more {what}")


def _show_problems(found: list[Any], problems_path: Path | None) -> None:
    """Up to MAX_SHOWN problems (each kind among them); if there are more, how many of
    each kind there are, with the first of each."""
    from povtor.domain.importing import summarize

    shown, kinds = summarize(found, MAX_SHOWN)
    for problem in shown:
        message(problem.text)
    hidden = len(found) - len(shown)
    if not hidden:
        return
    where = (
        f"all of them are in {problems_path}"
        if problems_path
        else "--problems FILE writes all of them to a CSV file"
    )
    message(f"… and {hidden} more problems ({where})")
    message(f"{len(found)} problems of {len(kinds)} kind{'s' if len(kinds) != 1 else ''}:")
    width = len(str(kinds[0][1]))
    for _kind, count, first in kinds[:MAX_SHOWN]:
        message(f"  {count:>{width}} like {first.text}")
    if len(kinds) > MAX_SHOWN:
        message(f"  … and {len(kinds) - MAX_SHOWN} more kinds")


def _write_problems(path: Path, found: list[Any]) -> None:
    import csv

    def write(stream: IO[str]) -> None:
        out = csv.writer(stream, lineterminator="\n")
        out.writerow(["file", "line", "column", "value", "problem"])
        for problem in found:
            row = [problem.source, problem.where, problem.column, problem.value, problem.what]
            out.writerow(row)

    write_atomically(path, write)


def on_terminal() -> bool:
    """Whether stderr is a terminal (a person watching): only then a progress bar."""
    return sys.stderr.isatty()


@contextmanager
def _progress(total_rows: int) -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """``task(label, total)`` -> an advance function; a Rich bar on a terminal's stderr only."""
    if total_rows < PROGRESS_MIN_ROWS or not on_terminal():
        yield lambda label, total: lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:

        def task(label: str, total: int) -> Callable[[int], None]:
            task_id = progress.add_task(label, total=total)
            return lambda n: progress.advance(task_id, n)

        yield task


def _summary(importer: Any, *, dry_run: bool, sources: str) -> str:
    verbs = (
        ("create", "created", "to create"),
        ("update", "updated", "to update"),
        ("remove", "removed", "to remove"),
        ("skip", "skipped", "to skip"),
        ("unchanged", "unchanged", "unchanged"),
    )
    parts = []
    for table in (*IMPORT_ORDER, "orders"):
        said = [
            f"{importer.counts[(table, action)]} {future if dry_run else past}"
            for action, past, future in verbs
            if importer.counts[(table, action)]
        ]
        if said:
            parts.append(f"{table.replace('-', ' ')}: {', '.join(said)}")
    head = f"dry run of {sources}, nothing was changed" if dry_run else f"imported {sources}"
    return head + ("; " + "; ".join(parts) if parts else "; nothing to do")


class _Rejected(Exception):
    """The file has problems: leave the transaction, then report them."""


CHANGE_COLUMNS = (
    Column("table", N_("Table")),
    Column("action", N_("Action")),
    Column("id", N_("ID"), "int"),
    Column("record", N_("Record")),
    Column("where", N_("Where")),
    Column("changes", N_("Changes")),
)


def _run(
    ctx: typer.Context,
    files: list[tuple[str, Any]],
    imap: Any,
    *,
    dry_run: bool,
    fmt: OutputFormat | None,
    problems_path: Path | None = None,
) -> None:
    from povtor.storage.transfer import Importer, plan_all

    state = runtime(ctx)
    db = state.db
    sources = ", ".join(table.source for _, table in files)
    total = sum(len(table.rows) for _, table in files)
    # a dry run keeps no planned write; an import runs them as it goes, in its one
    # transaction (rolled back if any row has a problem)
    writes = "drop" if dry_run else "stream"
    importer = Importer(db, state.clock, imap, listing=dry_run, writes=writes)

    def plan(task: Callable[[str, int], Callable[[int], None]]) -> None:
        importer.tick = task("checking rows", total)
        plan_all(importer, files)

    try:
        with _progress(total) as task:
            if dry_run:
                plan(task)
            else:
                with db.transaction():
                    plan(task)
                    if importer.problems:
                        raise _Rejected  # rolls back (nothing was written yet anyway)
                    importer.tick = task("writing", importer.write_count)
                    importer.apply()
    except _Rejected:
        pass
    if dry_run:
        listing = Listing(
            columns=CHANGE_COLUMNS,
            rows=[
                [c.table, c.action, c.id, c.record, c.where, c.changes] for c in importer.changes
            ],
            title=N_("Import plan (dry run)"),
            empty_message=N_("nothing would be created, updated or removed"),
        )
        render(listing, fmt)
    _show(importer.notes, what="notes")
    found = importer.found
    if problems_path is not None:
        _write_problems(problems_path.expanduser(), found)
    if found:
        _show_problems(found, problems_path)
        count = len(found)
        raise InvalidInput(
            ngettext(
                "{sources}: {count} problem; nothing was imported",
                "{sources}: {count} problems; nothing was imported",
                count,
            ).format(sources=sources, count=count),
            hint=_(
                "fix the rows listed above and run the import again (--dry-run checks "
                "a file without importing it)"
            ),
        )
    message(_summary(importer, dry_run=dry_run, sources=sources))


def _import(
    ctx: typer.Context,
    kind: str,
    file: str,
    map_path: Path | None,
    dry_run: bool,
    fmt: OutputFormat | None,
    problems_path: Path | None,
    map_template: bool,
) -> None:
    from povtor.domain.tabular import ImportMap, load_map

    imap = load_map(map_path.expanduser()) if map_path else None
    table = _read(file, imap)
    if map_template:
        from povtor.domain.map_template import map_template as template
        from povtor.storage import queries

        stages: dict[str, list[str]] = {}
        for row in queries.list_funnels(runtime(ctx).db):
            stages.setdefault(row["funnel"], []).append(row["stage"])
        command = f"povtor import {kind} {file}"
        text = template(kind, table, imap or ImportMap(), stages, command=command)

        def write(stream: IO[str]) -> None:
            stream.write(text)

        write_stdout(write)
        return
    _run(ctx, [(kind, table)], imap, dry_run=dry_run, fmt=fmt, problems_path=problems_path)


IMPORT_HELP = {
    "clients": (
        "Import clients. A row updates the client with its external_id, else its id; "
        "a row with neither matches a client of the same name or adds one.",
        "povtor import clients clients.csv --dry-run",
    ),
    "people": (
        "Import people at clients (client by client_id, client_external_id or client name).",
        "povtor import people people.csv",
    ),
    "facts": (
        "Import talking facts about clients.",
        "povtor import facts facts.csv",
    ),
    "deals": (
        "Import deals: funnel and stage by code or name (or mapped with --map); new deals get "
        "a stage history (open, then win or lose), changed ones the event of the change. "
        "A deal with no opened_on counts as opened on its stage_entered_on, else its "
        "closed_on; one closed before it opened is refused.",
        "povtor import deals amocrm.csv --map amocrm.toml --dry-run",
    ),
    "stage-history": (
        "Import stage history: the file replaces the whole history of each deal it names.",
        "povtor import stage-history stage_history.csv",
    ),
    "touches": (
        "Import touches (warming, closing, service) as history: outcomes do not move deals.",
        "povtor import touches touches.csv",
    ),
    "products": (
        "Import the product catalog: a product is matched by its id, else its name (any "
        "case); related (names separated by ';') replaces its related products.",
        "povtor import products products.csv --dry-run",
    ),
    "deal-products": (
        "Import the products of deals (deal by deal_id or deal_external_id, product by name "
        "or product_id); products a deal holds already stay.",
        "povtor import deal-products deal_products.csv",
    ),
    "occasions": (
        "Import clients' own dates (month, day, and a year for a one-off); a row matches the "
        "occasion with its id, else the client's occasion of the same title and person.",
        "povtor import occasions occasions.csv",
    ),
    "client-steps": (
        "Import clients' progress along their roadmaps: the step by its category and code, "
        "done_on (default today).",
        "povtor import client-steps client_steps.csv",
    ),
    "roadmap": (
        "Import roadmap steps: a row updates the step of its category and code or adds one; "
        "each category's steps are then numbered 1, 2, ... by position.",
        "povtor import roadmap roadmap.csv --dry-run",
    ),
    "holiday-links": (
        "Import your links of professional holidays to industries (see povtor perks link); "
        "links there already stay.",
        "povtor import holiday-links holiday_links.csv",
    ),
    "warming-content": (
        "Import useful material for warming touches (text; industry, tag, lang ru or en, "
        "added_on); an item there already (same text, industry and language) stays.",
        "povtor import warming-content warming_content.csv",
    ),
    "orders": (
        "Import an order or invoice list (one row per order, or per line: quantity × price "
        "summed per order) as paid deals in the repeat funnel, creating clients as needed "
        "(a client known only by client_code is named by it). A cancelled order, or one "
        "whose returns bring its net total to 0 or less, is skipped (and its earlier import "
        "removed); an order worth 0 with nothing returned (a sample) is a purchase. "
        "Re-importing updates: deals are keyed order:<id>.",
        "povtor import orders 1c-orders-2025.xlsx --dry-run",
    ),
}


MAP_EXAMPLES = {
    "deals": (
        'no_client = "(no account)"     # rows without a client: this placeholder',
        'closed_from = "invoice"        # won and lost deals were at invoice',
        "[columns]",
        '"Сделка" = "external_id"',
        '"Компания" = "client"',
        '"Этап" = "stage"',
        '"Создана" = "opened_on"',
        '"Закрыта" = "closed_on"',
        "[stages]",
        '"Успешно реализовано" = "paid"',
        '"Закрыто и не реализовано" = "lost"',
    ),
    "orders": (
        "[columns]",
        '"CustomerID" = "client_code"',
        '"InvoiceDate" = "date"',
        '"Sales" = "amount"',
        "[compose]                      # no order id? made of these columns",
        'order_id = ["CustomerID", "InvoiceDate"]',
    ),
}


def import_help(kind: str) -> str:
    """The --help of ``povtor import KIND``: what it does, its columns, a map, an example."""
    from povtor.domain.map_template import columns_line

    text, example = IMPORT_HELP[kind]
    needed, optional = columns_line(kind)
    columns = f"Columns (named in the header, any order): needed {needed}; also {optional}."
    if kind == "orders":
        columns += " The usual names work too (Номер, Дата, Контрагент, Сумма, Количество, ...)."
    lines = MAP_EXAMPLES.get(kind, ("[columns]", '"Their name" = "povtor_column"'))
    shown = "\n".join(f"  {line}" for line in lines)
    return (
        f"{text}\n\n{columns}\n\n\b\nOther names: a --map FILE (TOML), e.g.\n{shown}\n"
        f"Start from the map made for your file's header:\n"
        f"  povtor import {kind} FILE --map-template > map.toml\n\n"
        "All or nothing: a file with bad rows changes nothing; every bad row is listed "
        f"(--problems FILE writes them all).\n\nExample: {example}"
    )


def _import_command(kind: str) -> None:
    def command(
        ctx: typer.Context,
        file: FileArg,
        map_path: MapOption = None,
        dry_run: DryRunOption = False,
        fmt: PlanFormatOption = None,
        problems_path: ProblemsOption = None,
        map_template: MapTemplateOption = False,
    ) -> None:
        _import(ctx, kind, file, map_path, dry_run, fmt, problems_path, map_template)

    command.__name__ = f"import_{kind.replace('-', '_')}"
    import_app.command(kind, help=import_help(kind))(command)


for _kind in (*IMPORT_ORDER, "orders"):
    _import_command(_kind)


@import_app.command("all")
def import_all(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A directory written by povtor export all.")],
    dry_run: DryRunOption = False,
    fmt: PlanFormatOption = None,
    problems_path: ProblemsOption = None,
) -> None:
    """Import every table file found in a directory (clients.csv, people.csv, facts.csv,
    products.csv, deals.csv, deal_products.csv, stage_history.csv, touches.csv,
    occasions.csv, roadmap.csv, client_steps.csv, holiday_links.csv, warming_content.csv; or
    .tsv, .json, .jsonl,
    .xlsx) in one transaction, in that order: all of them, or nothing.

    Example: povtor --db new.db import all backup-2026-03-02
    """
    folder = folder.expanduser()
    if not folder.is_dir():
        raise InvalidInput(
            _("{folder} is not a directory").format(folder=folder),
            hint=_("give the directory of the files"),
        )
    files = []
    for table in IMPORT_ORDER:
        for suffix in SUFFIXES:
            path = folder / f"{FILE_NAMES[table]}{suffix}"
            if path.is_file():
                if path.read_bytes().strip() not in (b"", b"[]"):  # an empty table's json
                    files.append((table, _read(str(path), None)))
                break
    if not files:
        raise InvalidInput(
            _("{folder} holds none of the table files").format(folder=folder),
            hint=_("expected clients.csv, deals.csv, …, as povtor export all writes them"),
        )
    _run(ctx, files, None, dry_run=dry_run, fmt=fmt, problems_path=problems_path)
