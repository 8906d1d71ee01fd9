"""Where the database is: ``--db``, else ``POVTOR_DB``, else the user data directory.

A file path, a SQLAlchemy URL (``sqlite:///path/to/file.db``) or a PostgreSQL server's
URL (``postgresql://user@host:port/database``, with the ``postgres`` extra) are accepted.
"""

from __future__ import annotations

import os
from pathlib import Path

from povtor.errors import DatabaseProblem, InvalidInput
from povtor.i18n import _
from povtor.records import record

ENV_DB = "POVTOR_DB"
DEFAULT_FILENAME = "povtor.db"


@record(frozen=True)
class Location:
    """A resolved database location."""

    url: str
    path: Path | None  # the SQLite file, when the database is one

    @property
    def dialect(self) -> str:
        return self.url.split(":", 1)[0].split("+", 1)[0]

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        return _without_password(self.url)


SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def _without_password(url: str) -> str:
    """The URL as messages show it: ``user:secret@host`` as ``user@host``."""
    scheme, rest = url.split("://", 1)
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        user, _at, host = authority.rpartition("@")
        authority = f"{user.split(':', 1)[0]}@{host}"
    return f"{scheme}://{authority}{slash}{tail}"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("povtor", appauthor=False)) / DEFAULT_FILENAME


def resolve_location(option: str | None) -> Location:
    """Resolve the ``--db`` value (or ``POVTOR_DB``, or the default) to a location.

    An empty value (``--db ''``, ``POVTOR_DB=``) is an error, not the default: a
    variable meant to name another database must not quietly write to the usual one.
    """
    if option is not None:
        raw, given = option, "--db"
    elif ENV_DB in os.environ:
        raw, given = os.environ[ENV_DB], ENV_DB
    else:
        path = default_path()
        return Location(url=f"sqlite:///{path}", path=path)
    if not raw.strip():
        raise InvalidInput(
            _("{given} is empty").format(given=given),
            hint=_(
                "give a database file, or leave out --db and unset {ENV_DB} to use the "
                "default (povtor db path prints it)"
            ).format(ENV_DB=ENV_DB),
        )
    raw = raw.strip()
    if "://" not in raw:
        path = Path(raw).expanduser()
        return Location(url=f"sqlite:///{path}", path=path)
    scheme = raw.split("://", 1)[0]
    if scheme in ("sqlite", "sqlite+pysqlite"):
        rest = raw.split("://", 1)[1]
        if not rest.startswith("/") or rest == "/":
            raise DatabaseProblem(
                _("database URL {raw} names no file").format(raw=repr(raw)),
                hint=_("use sqlite:///relative/path.db or sqlite:////absolute/path.db"),
            )
        path = Path(rest[1:].split("?", 1)[0]).expanduser()
        return Location(url=f"sqlite:///{path}", path=path)
    if scheme.lower() in SERVER_SCHEMES:
        rest = raw.split("://", 1)[1]
        if not rest.partition("?")[0].partition("/")[2]:
            raise DatabaseProblem(
                _("database URL {raw} names no database").format(raw=repr(_without_password(raw))),
                hint=_("use postgresql://user@host:port/database"),
            )
        return Location(url=f"postgresql://{rest}", path=None)
    raise DatabaseProblem(
        _("database URL scheme {scheme} is not supported").format(scheme=repr(scheme)),
        hint=_("give a file path, a sqlite:/// URL or a postgresql:// URL (--db or POVTOR_DB)"),
    )


def stored_setting(location: Location, key: str) -> str | None:
    """A setting as the database file holds it, read before a command loads (the language
    of its help and messages): stdlib sqlite3, read-only, never creating the file. None
    when the file or the setting is not there, or the file cannot be read (the command
    itself then says why). On a PostgreSQL server the setting is read from it the same
    way (not while the shell completes a word: completion never waits on a server)."""
    path = location.path
    if path is None:
        return _server_setting(location, key)
    if not path.is_file():
        return None
    import contextlib
    import sqlite3

    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            row = connection.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    except (sqlite3.Error, OSError, ValueError):
        return None
    return str(row[0]) if row else None


def _server_setting(location: Location, key: str) -> str | None:
    if location.dialect != "postgresql" or os.environ.get("_POVTOR_COMPLETE"):
        return None
    try:
        from povtor.storage import postgres
    except ImportError:  # without the extra: the command itself says what to install
        return None
    import psycopg

    # the command takes this connection over (one connect per run, one error at once)
    connection = postgres.first_connection(location.url, str(location))
    if connection is None:
        return None
    try:
        row = connection.execute("SELECT value FROM setting WHERE key = %s", (key,)).fetchone()
    except psycopg.Error:  # not a povtor database (yet): the command says so
        postgres.forget_first()
        return None
    return str(row[0]) if row else None
