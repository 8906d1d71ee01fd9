"""The one edge where errors become a line on stderr and an exit code."""

from __future__ import annotations

import contextlib
import copy
import errno
import importlib
import os
import re
import sqlite3
import sys
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperGroup

from povtor.errors import ExitCode, PovtorError
from povtor.i18n import N_, _
from povtor.i18n import current as current_language
from povtor.records import record

ENV_DEBUG = "POVTOR_DEBUG"


def report(error: PovtorError) -> None:
    line = _("error: {message}").format(message=error.message)
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
            print(_("interrupted: nothing more was changed"), file=sys.stderr)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # the reader went away (povtor ... | head): not an error; stay quiet
            _silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except (typer.Exit, typer.Abort):
            raise
        except OSError as error:
            if error.errno not in _CANNOT_WRITE:
                raise
            # (a full disk or a failing one behind a redirection: povtor ... > file)
            report(cannot_write_output(error))
            _silence_stdout()
            raise typer.Exit(int(ExitCode.DATABASE)) from None
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
                _(
                    "error: internal error ({error}); this is a bug in povtor, please report it "
                    "(set {variable}=1 to see the traceback)"
                ).format(error=f"{type(error).__name__}: {error}", variable=ENV_DEBUG),
                file=sys.stderr,
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


_CANNOT_WRITE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def cannot_write_output(error: OSError) -> PovtorError:
    """Standard output refused what was printed (a full disk behind a redirection)."""
    from povtor.errors import DatabaseProblem

    return DatabaseProblem(
        _("cannot write standard output: {reason}").format(reason=error.strerror or error),
        hint=_("free disk space or write somewhere else"),
    )


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (e.g. under a test runner)
    finally:
        os.close(devnull)


def _database_error(ctx: typer.Context, error: sqlite3.Error) -> PovtorError:
    from povtor.cli.runtime import runtime
    from povtor.storage.database import translate_db_error

    try:
        where = str(runtime(ctx).location)
    except PovtorError:
        where = "the database"
    return translate_db_error(error, where)


@record(frozen=True)
class Part:
    """A command (a function) or a sub-group (a ``typer.Typer``) that another module
    contributes to a group, e.g. ``client referral`` from ``povtor.cli.referral``."""

    name: str
    module: str
    attribute: str


@record(frozen=True)
class LazyGroupSpec:
    """A command group loaded on first use: the module and its ``typer.Typer``, and the
    parts other command modules add to it (registered here, so that no command module
    imports another)."""

    module: str
    attribute: str
    summary: str  # the start of the group's own help, for the root --help listing
    parts: tuple[Part, ...] = ()

    def load(self) -> typer.Typer:
        group = getattr(importlib.import_module(self.module), self.attribute)
        present = {c.name for c in group.registered_commands} | {
            g.name for g in group.registered_groups
        }
        for part in self.parts:
            if part.name in present:
                continue  # registered by an earlier run in this process
            item = getattr(importlib.import_module(part.module), part.attribute)
            if isinstance(item, typer.Typer):
                group.add_typer(item, name=part.name)
            else:
                group.command(part.name)(item)
        return group

    def command(self, name: str) -> Any:
        """The group as a click command named ``name``."""
        command = typer.main.get_group(self.load())
        command.name = name
        return command

    def alone(self, name: str, sub: str) -> Any:
        """The group as a click command named ``name`` holding its subcommand ``sub``
        alone (a command's start does not build the options of its siblings); None: the
        group has no subcommand ``sub``."""
        group = self.load()
        found = [c for c in group.registered_commands if _command_name(c) == sub]
        found_groups = [g for g in group.registered_groups if g.name == sub]
        if not found and not found_groups:
            return None
        group = copy.copy(group)
        group.registered_commands, group.registered_groups = found, found_groups
        command = typer.main.get_group(group)
        command.name = name
        return command if sub in command.commands else None


def _command_name(info: Any) -> str:
    return info.name or typer.main.get_command_name(info.callback.__name__)


@record(frozen=True)
class LazyCommandSpec:
    """A command of the root (not a group) loaded on first use: its module and function."""

    module: str
    attribute: str
    summary: str  # the start of the command's help, for the root --help listing

    def command(self, name: str) -> Any:
        """The function as a click command named ``name``."""
        function = getattr(importlib.import_module(self.module), self.attribute)
        holder = typer.Typer(rich_markup_mode=None, add_completion=False)
        holder.command(name)(function)
        return typer.main.get_command(holder)


class PovtorRootGroup(PovtorGroup):
    """The root group: loads command groups lazily, and turns usage errors (a missing
    argument, an unknown option, a bad choice) into one ``error:`` line, exit code 2."""

    lazy_groups: ClassVar[dict[str, LazyGroupSpec | LazyCommandSpec]] = {}  # (and commands)
    # each lazy group built with one subcommand alone, by (group, subcommand)
    built_alone: ClassVar[dict[tuple[str, str], Any]] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy_groups]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands without importing the lazy groups (root --help stays fast)."""
        rows = []
        for name in self.list_commands(ctx):
            spec = self.lazy_groups.get(name)
            if spec is not None:
                rows.append((name, _(spec.summary)))
                continue
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 20)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: Any, name: str) -> Any:
        spec = self.lazy_groups.get(name)
        if spec is None:
            return hide_old_spellings(super().get_command(ctx, name))
        if name not in self.commands:
            self.commands[name] = hide_old_spellings(spec.command(name))
        return speak(self.commands[name])

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command of ``args``; a lazy group invoked with one of its subcommands is
        built with that subcommand alone (its help, completion or a mistyped name: whole)."""
        spec = self.lazy_groups.get(args[0]) if args else None
        if (
            isinstance(spec, LazyGroupSpec)
            and args[0] not in self.commands
            and len(args) > 1
            and not ctx.resilient_parsing
        ):
            key = (args[0], args[1])
            built = self.built_alone.get(key)
            if built is None:
                built = spec.alone(args[0], args[1])
                if built is None:  # (not one of its subcommands: the whole group says so)
                    return super().resolve_command(ctx, args)
                built = self.built_alone[key] = hide_old_spellings(built)
            return args[0], speak(built), args[1:]
        return super().resolve_command(ctx, args)

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        choose_language(sys.argv[1:] if args is None else list(args))
        speak(self)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        undecodable = _not_utf8(sys.argv[1:] if args is None else list(args))
        if undecodable is not None:
            report(undecodable)
            sys.exit(int(undecodable.exit_code))
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except typer.Abort:
            print(_("error: aborted; nothing more was changed"), file=sys.stderr)
            sys.exit(1)
        except Exception as error:
            if not (hasattr(error, "exit_code") and hasattr(error, "format_message")):
                raise
            if type(error).__name__ == "NoArgsIsHelpError":
                error.show()  # type: ignore[attr-defined]
                sys.exit(error.exit_code)
            sys.exit(_usage_line(error))
        sys.exit(result if isinstance(result, int) else 0)


def choose_language(args: list[str]) -> None:
    """Speak the run's language (see :mod:`povtor.i18n`) from its first word: the
    database's ``lang`` setting is read from the file named by ``--db`` or ``POVTOR_DB``."""
    from povtor import i18n

    stored = None
    if not i18n.known(os.environ.get(i18n.ENV_LANG)):
        from povtor.storage.location import resolve_location, stored_setting

        with contextlib.suppress(PovtorError):  # a bad --db: the command itself says so
            stored = stored_setting(resolve_location(_db_option(args)), "lang")
    i18n.set_language(i18n.choose_language(stored))


def _db_option(args: list[str]) -> str | None:
    """The ``--db`` value among the arguments (a global option: before the command)."""
    words = iter(args)
    for arg in words:
        if arg == "--db":
            return next(words, None)
        if arg.startswith("--db="):
            return arg.removeprefix("--db=")
        if arg in ("--today", "--tz"):
            next(words, None)
        elif not arg.startswith("-"):
            break  # the command: --db comes before it
    return None


# -- help in the run's language ----------------------------------------------------------
# What click and Typer write around povtor's own help, translated where it is written.
HELP_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("env var:"),
    N_("default:"),
    N_("required"),
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
ENGLISH_HELP = "_povtor_english"  # where a command or option keeps its English help
_EXTRAS = re.compile(r"(?<=\[)(env var:|default:|required)")


def speak(command: Any) -> Any:
    """``command`` and every command under it with their help in the run's language.

    A command's help is translated paragraph by paragraph, an option's whole; the English
    text is kept on the object, so that a later run in this process (a test) can speak
    another language. Commands not loaded yet (the lazy groups) are left alone."""
    english = command.__dict__.setdefault(ENGLISH_HELP, command.help)
    if english:
        command.help = "\n\n".join(_(part) for part in english.split("\n\n"))
    for param in command.params:
        text = param.__dict__.setdefault(ENGLISH_HELP, getattr(param, "help", None))
        if text:
            param.help = _(text)
    for sub in getattr(command, "commands", {}).values():
        speak(sub)
    return command


_HelpFormatter: Any = typer.Context.formatter_class  # (click's, as Typer ships it)


class PovtorHelpFormatter(_HelpFormatter):
    """click's help formatter, its own words (Usage, Options, [default: ...]) translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage:") + " " if prefix is None else prefix)

    def section(self, name: str) -> Any:
        return super().section(_(name))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _EXTRAS.sub(lambda m: _(m.group(1)), _(text))) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


for context_class in typer.Context.__mro__[:-1]:  # Typer's Context and click's under it
    setattr(context_class, "formatter_class", PovtorHelpFormatter)  # noqa: B010


# Old spellings of options: they keep working (scripts use them) but --help and completion
# show only the current ones. The date of an event is --on (was --date or --created), the
# day to come back after is --until (was --later), and -c is --client everywhere, so
# --category's old -c stays only where a command has no --client (see docs/commands.md).
OLD_SPELLINGS = frozenset({"--date", "--created", "--later"})


def _old_names(option: Any) -> list[str]:
    return [
        name
        for name in option.opts
        if name in OLD_SPELLINGS or (name == "-c" and "--category" in option.opts)
    ]


def hide_old_spellings(command: Any) -> Any:
    """Move the old spellings of each option of ``command`` (and of its subcommands)
    into a hidden twin of the option: same name, type and default, so either spelling
    sets the same parameter. Each parameter also gets its value completion here."""
    if command is None or getattr(command, "_old_spellings_hidden", False):
        return command
    command._old_spellings_hidden = True
    for sub in getattr(command, "commands", {}).values():
        hide_old_spellings(sub)
    from povtor.cli.complete import attach

    params = []
    for param in command.params:
        attach(param)
        params.append(param)
        if param.param_type_name != "option":
            continue
        old = _old_names(param)
        if not old or len(old) == len(param.opts):
            continue
        twin = copy.copy(param)
        param.opts = [name for name in param.opts if name not in old]
        twin.opts, twin.secondary_opts, twin.hidden = old, [], True
        params.append(twin)
    command.params = params
    return command


# the variables povtor reads: a value in them must be text, as the arguments must
ENVIRONMENT = ("POVTOR_DB", "POVTOR_TODAY", "POVTOR_TZ", "POVTOR_FORMAT")


def _not_utf8(args: list[str]) -> PovtorError | None:
    """An argument (or a povtor variable) that holds bytes which are not UTF-8: a terminal
    or a script in another encoding (cp1251, koi8-r). Python keeps such bytes as lone
    surrogates, which no file, database or screen can take: refuse them at the door."""
    from povtor.errors import InvalidInput

    given = [(_("argument {n}").format(n=n), arg) for n, arg in enumerate(args, start=1)]
    given += [(name, os.environ[name]) for name in ENVIRONMENT if name in os.environ]
    for where, value in given:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return InvalidInput(
                _("{where} ({value}) is not UTF-8 text").format(where=where, value=_shown(value)),
                hint=_(
                    "switch the terminal (or the script's file) to UTF-8, "
                    "e.g. LANG=ru_RU.UTF-8, and type it again"
                ),
            )
    return None


def _shown(value: str) -> str:
    """The value in quotes, its undecodable bytes shown as escapes (``\\xff``)."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "backslashreplace")
    return "'" + raw.decode("utf-8", "backslashreplace") + "'"


# click's usage errors (as Typer ships it, in English only), each read back from its
# English wording and said again in the run's language: the pattern, the text to say.
USAGE_ERRORS = (
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
        N_("No such option: {name} (Possible options: {options})"),
    ),
    (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
    (
        r"No such command (?P<name>'.*?')\. Did you mean (?P<options>.+)\?",
        N_("No such command {name}. Did you mean {options}?"),
    ),
    (r"No such command (?P<name>'.*?')", N_("No such command {name}")),
    (r"Missing argument (?P<name>.+)", N_("Missing argument {name}")),
    (r"Missing option (?P<name>.+)", N_("Missing option {name}")),
    (
        r"Got unexpected extra argument\(s\) \((?P<args>.*)\)",
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (r"Option (?P<name>'.*?') requires an argument", N_("Option {name} requires an argument")),
    (r"Option (?P<name>'.*?') does not take a value", N_("Option {name} does not take a value")),
    (
        r"Invalid value for (?P<name>.+?): (?P<value>'.*?') is not one of (?P<options>.+)",
        N_("Invalid value for {name}: {value} is not one of {options}"),
    ),
    (
        r"Invalid value for (?P<name>.+?): (?P<value>'.*?') is not a valid integer(?: range)?",
        N_("Invalid value for {name}: {value} is not a whole number"),
    ),
    (
        r"Invalid value for (?P<name>.+?): (?P<value>'.*?') is not a valid float(?: range)?",
        N_("Invalid value for {name}: {value} is not a number"),
    ),
    (
        r"Invalid value for (?P<name>.+?): (?P<value>'.*?') is not a valid boolean.*",
        N_("Invalid value for {name}: {value} is not yes or no"),
    ),
)


def _usage_text(english: str) -> str:
    """A usage error's English text in the run's language (unchanged in English)."""
    if current_language() == "en":
        return english
    for pattern, text in USAGE_ERRORS:
        found = re.fullmatch(pattern, english, re.DOTALL)
        if found:
            return _(text).format(**found.groupdict())
    return english


def _usage_line(error: Any) -> int:
    text = _usage_text(str(error.format_message()).strip().rstrip("."))
    ctx = getattr(error, "ctx", None)
    where = _("; see: {command} --help").format(command=ctx.command_path) if ctx is not None else ""
    print(_("error: {message}").format(message=text) + where, file=sys.stderr)
    return int(error.exit_code)
