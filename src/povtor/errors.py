"""The one family of user-facing errors and their documented exit codes.

Every error a user can cause is a :class:`PovtorError`. The CLI catches the
family in one place and prints ``error: <message>`` (plus ``hint: ...`` when
there is a fix to suggest) on stderr, then exits with the error's code.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug in povtor: please report it
    INVALID_INPUT = 2  # malformed date, amount, option value, bad file
    NOT_FOUND = 3  # unknown client, deal, stage, funnel, ...
    AMBIGUOUS = 4  # a name matches more than one record
    CONFLICT = 5  # not allowed in the current state (closed deal, backwards move)
    DATABASE = 6  # unreadable, foreign, newer or read-only database
    INTERRUPTED = 130


class PovtorError(Exception):
    """Base of every error a user can cause; carries a hint and an exit code."""

    exit_code: ExitCode = ExitCode.INVALID_INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InvalidInput(PovtorError):
    exit_code = ExitCode.INVALID_INPUT


class NotFound(PovtorError):
    exit_code = ExitCode.NOT_FOUND


class Ambiguous(PovtorError):
    exit_code = ExitCode.AMBIGUOUS


class Conflict(PovtorError):
    exit_code = ExitCode.CONFLICT


class DatabaseProblem(PovtorError):
    exit_code = ExitCode.DATABASE
