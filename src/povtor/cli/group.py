"""The one edge where errors become a line on stderr and an exit code."""

from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from povtor.errors import ExitCode, PovtorError

ENV_DEBUG = "POVTOR_DEBUG"


def report(error: PovtorError) -> None:
    line = f"error: {error.message}"
    if error.hint:
        line += f"; {error.hint}"
    print(line, file=sys.stderr)


class PovtorGroup(TyperGroup):
    """A Typer group that turns povtor's errors into one stderr line and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PovtorError as error:
            report(error)
            raise typer.Exit(int(error.exit_code)) from None
        except sqlite3.Error as error:
            report(_database_error(ctx, error))
            raise typer.Exit(int(ExitCode.DATABASE)) from None
        except KeyboardInterrupt:
            print("interrupted: nothing more was changed", file=sys.stderr)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if type(error).__module__.startswith(("typer", "click")):
                raise
            original = getattr(error, "orig", None)
            if isinstance(original, sqlite3.Error):
                report(_database_error(ctx, original))
                raise typer.Exit(int(ExitCode.DATABASE)) from None
            if os.environ.get(ENV_DEBUG):
                raise
            print(
                f"error: internal error ({type(error).__name__}: {error}); this is a bug in "
                f"povtor, please report it (set {ENV_DEBUG}=1 to see the traceback)",
                file=sys.stderr,
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _database_error(ctx: typer.Context, error: sqlite3.Error) -> PovtorError:
    from povtor.cli.runtime import runtime
    from povtor.storage.database import translate_db_error

    try:
        where = str(runtime(ctx).location)
    except PovtorError:
        where = "the database"
    return translate_db_error(error, where)
