"""``povtor export``: every table out in povtor's canonical format (csv, tsv, json, jsonl,
or CSV for Excel), one table or all of them (a backup that ``povtor import all`` reads)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from povtor.cli.files import not_written, write_atomically, write_stdout
from povtor.cli.runtime import command_group, runtime
from povtor.domain.formats import FILE_NAMES, IMPORT_ORDER, TABLES
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.output import Column, Listing, OutputFormat, message, render

if TYPE_CHECKING:
    from povtor.storage.database import Database

export_app = command_group(
    help="Write a table out in povtor's canonical format: csv, tsv, json, jsonl, or CSV "
    "that Excel opens by double-click (--excel).",
    no_args_is_help=True,
)


class ExportFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


ExportFormatOption = Annotated[
    ExportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="csv (default), tsv, json or jsonl; -o FILE.json etc. picks it from the name.",
        case_sensitive=False,
        show_default=False,
    ),
]
ExcelOption = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV for Excel: UTF-8 with BOM, ';', decimal comma in money, formulas defused.",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout."),
]


# -- export --------------------------------------------------------------------------
def _format_for(fmt: ExportFormat | None, excel: bool, output: Path | None) -> ExportFormat:
    if fmt is None and output is not None:
        fmt = {".tsv": ExportFormat.tsv, ".json": ExportFormat.json}.get(output.suffix.lower())
        if output.suffix.lower() in (".jsonl", ".ndjson"):
            fmt = ExportFormat.jsonl
    fmt = fmt or ExportFormat.csv
    if excel and fmt is not ExportFormat.csv:
        raise InvalidInput(
            _("--excel writes CSV, not {value}").format(value=fmt.value),
            hint=_("drop --format, or drop --excel"),
        )
    return fmt


def _writer(listing: Listing, fmt: ExportFormat, excel: bool) -> Callable[[IO[str]], int]:
    """How to write the listing to a stream; the writer returns the number of rows."""
    if not excel:
        return lambda stream: render(listing, OutputFormat(fmt.value), out=stream)
    from povtor.domain.csvsafe import write_excel
    from povtor.output import machine_value

    columns = listing.columns

    def write(stream: IO[str]) -> int:
        count = 0

        def counted() -> Iterator[list[Any]]:
            nonlocal count
            for r in listing.rows:
                count += 1
                yield [machine_value(c.kind, v) for c, v in zip(columns, r, strict=True)]

        write_excel(stream, [c.key for c in columns], [c.kind for c in columns], counted())
        return count

    return write


def _export_listing(db: Database, table: str) -> Listing:
    """All rows of one table in the canonical format, ordered by id, read as written."""
    from povtor.storage.transfer.export import columns, iterate_table

    return Listing(
        columns=[Column(name, name, kind) for name, kind in columns(db, table)],
        rows=iterate_table(db, table),
        title=table,
        empty_message=f"no {table}",
    )


def _export(ctx: typer.Context, table: str, fmt: Any, excel: bool, output: Path | None) -> None:
    chosen = _format_for(fmt, excel, output)
    listing = _export_listing(runtime(ctx).db, table)
    write = _writer(listing, chosen, excel)
    if output is None or str(output) == "-":
        write_stdout(write)
        return
    count = write_atomically(output, write)
    message(_("exported {n} {table} to {path}").format(n=count, table=table, path=output))


def _export_command(table: str) -> None:
    file_name = FILE_NAMES[table]
    columns = ", ".join(name for name, _ in TABLES[table])

    def command(
        ctx: typer.Context,
        fmt: ExportFormatOption = None,
        excel: ExcelOption = False,
        output: OutputOption = None,
    ) -> None:
        _export(ctx, table, fmt, excel, output)

    command.__name__ = f"export_{file_name}"
    export_app.command(
        table,
        help=f"Export all {table.replace('-', ' ')} in the canonical format.\n\n"
        f"Columns: {columns}.\n\n"
        f"Example: povtor export {table} --excel -o {file_name}.csv",
    )(command)


for _table in IMPORT_ORDER:
    _export_command(_table)


@export_app.command("all")
def export_all(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Directory for the files (created).")],
    fmt: ExportFormatOption = None,
    excel: ExcelOption = False,
) -> None:
    """Export every table into a directory: clients.csv, people.csv, facts.csv, products.csv,
    deals.csv, deal_products.csv, stage_history.csv, touches.csv, occasions.csv, roadmap.csv,
    client_steps.csv, holiday_links.csv, warming_content.csv (a backup that povtor import all
    reads back).

    Example: povtor export all backup-2026-03-02
    """
    chosen = _format_for(fmt, excel, None)
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(
            _("{folder} is a file, not a directory").format(folder=folder),
            hint=_("give a directory"),
        )
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # every file is written into a private folder beside the target first: the
        # export is whole or not there at all
        partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=parent))
    except OSError as exc:
        raise InvalidInput(
            _("cannot create {folder}: {strerror}").format(folder=folder, strerror=exc.strerror),
            hint=_("check the path"),
        ) from None
    db = runtime(ctx).db
    counts = []
    try:
        for table in IMPORT_ORDER:
            listing = _export_listing(db, table)
            target = partial / f"{FILE_NAMES[table]}.{chosen.value}"
            written = write_atomically(target, _writer(listing, chosen, excel), shown=folder)
            counts.append(f"{written} {table}")
        if folder.is_dir():  # into an existing folder: each file replaced once all are written
            for done in partial.iterdir():
                os.replace(done, folder / done.name)
            partial.rmdir()
        else:
            os.replace(partial, folder)
    except OSError as exc:
        raise not_written(folder, exc) from None
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    message(_("exported to {folder}: {counts}").format(folder=folder, counts=", ".join(counts)))


# -- import --------------------------------------------------------------------------
