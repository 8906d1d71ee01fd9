"""Bad input, table-driven: the documented exit code (src/povtor/errors.py), exactly one
``error: ...`` line on stderr, nothing on stdout, no traceback, and the data unchanged."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from povtor.errors import ExitCode
from support import Cli, Run, query

INVALID = int(ExitCode.INVALID_INPUT)  # 2
NOT_FOUND = int(ExitCode.NOT_FOUND)  # 3
AMBIGUOUS = int(ExitCode.AMBIGUOUS)  # 4
CONFLICT = int(ExitCode.CONFLICT)  # 5
DATABASE = int(ExitCode.DATABASE)  # 6

HUGE = "99999999999999999999"  # more than any integer SQLite keeps
NOT_A_DATE = "write it as YYYY-MM-DD (e.g. 2026-03-31) or DD.MM.YYYY"
NOT_REAL = "check the day and month (e.g. February has 28 or 29 days)"
NOT_MONEY = "write digits with at most two decimals, e.g. 12500 or 12 500,50"
CLIENT_HOW = "list clients with: povtor client find TEXT"
CURRENCY = "use a three-letter code such as RUB, USD, EUR"
STAGES = "its stages are: base, request, proposal, invoice, paid"
CONTROL = "remove it; only plain text is accepted"
BIDI = "retype the text without it"
NOT_POVTOR = "point --db (or POVTOR_DB) at a povtor database or a new file"
REOPEN_2 = "reopen it first: povtor deal reopen 2"


def _build_world(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка")
    cli.add_client("Иван Сидоров")
    cli.add_client("Семён Ёлкин")
    cli.ok("client", "fact", "add", "1", "берут позицию №35 по 2,5 т в месяц")
    cli.open_deal("1", "--stage", "proposal", "--on", "2026-02-25", "--title", "Щебень 40 т")
    cli.open_deal("3", "--on", "2026-02-26")
    cli.ok("deal", "lose", "2", "--reason", "дорого", "--on", "2026-02-27")


@pytest.fixture
def world(prepared: Callable[..., Cli]) -> Cli:
    """Two Ivans, one Semyon; deal 1 open at proposal since 25.02, deal 2 lost on 27.02."""
    return prepared("errors-world", _build_world)


def assert_one_error_line(run: Run, code: int, line: str) -> None:
    assert run.exception is None, run.describe()
    assert "Traceback" not in run.stdout + run.stderr
    assert (run.exit_code, run.stdout, run.stderr) == (code, "", line + "\n"), run.describe()
    assert line.startswith("error: ")
    assert len(run.stderr_lines) == 1


CASES = [
    # -- unknown things: 3 ------------------------------------------------------------
    pytest.param(
        ("client", "show", "Пупкин"),
        NOT_FOUND,
        f"error: no client matches 'Пупкин'; {CLIENT_HOW}",
        id="unknown-client-name",
    ),
    pytest.param(
        ("client", "show", "99"), NOT_FOUND, f"error: no client #99; {CLIENT_HOW}", id="client-id"
    ),
    pytest.param(
        ("client", "show", "Иван\nПетров"),
        NOT_FOUND,
        f"error: no client matches 'Иван\\nПетров'; {CLIENT_HOW}",
        id="client-name-with-newline-stays-one-line",
    ),
    pytest.param(
        ("client", "show", "   "),
        NOT_FOUND,
        f"error: empty client name; {CLIENT_HOW}",
        id="blank-client-ref",
    ),
    pytest.param(
        ("client", "edit", "#99", "--phone", "+7 900"),
        NOT_FOUND,
        f"error: no client #99; {CLIENT_HOW}",
        id="edit-unknown-client",
    ),
    pytest.param(
        ("client", "fact", "remove", "1", "99"),
        NOT_FOUND,
        "error: client #1 has no fact #99; see its facts with: povtor client show 1",
        id="unknown-fact",
    ),
    pytest.param(
        ("deal", "show", "99"),
        NOT_FOUND,
        "error: no deal #99; list deals with: povtor deal list",
        id="unknown-deal-id",
    ),
    pytest.param(
        ("deal", "move", "Пупкин", "invoice"),
        NOT_FOUND,
        "error: no deal matches 'Пупкин'; list deals with: povtor deal list --client NAME",
        id="unknown-deal-name",
    ),
    pytest.param(
        ("deal", "move", "1", "shipment"),
        NOT_FOUND,
        f"error: no stage 'shipment' in funnel repeat; {STAGES}",
        id="unknown-stage-move",
    ),
    pytest.param(
        ("deal", "open", "3", "--stage", "shipment"),
        NOT_FOUND,
        f"error: no stage 'shipment' in funnel repeat; {STAGES}",
        id="unknown-stage-open",
    ),
    pytest.param(
        ("deal", "reopen", "2", "--stage", "shipment"),
        NOT_FOUND,
        f"error: no stage 'shipment' in funnel repeat; {STAGES}",
        id="unknown-stage-reopen",
    ),
    pytest.param(
        ("deal", "open", "3", "--funnel", "wholesale"),
        NOT_FOUND,
        "error: no funnel 'wholesale'; funnels are: repeat, first, refusal",
        id="unknown-funnel-open",
    ),
    pytest.param(
        ("deal", "list", "--funnel", "wholesale"),
        NOT_FOUND,
        "error: no funnel 'wholesale'; funnels are: repeat, first, refusal",
        id="unknown-funnel-list",
    ),
    pytest.param(
        ("deal", "list", "--client", "Пупкин"),
        NOT_FOUND,
        f"error: no client matches 'Пупкин'; {CLIENT_HOW}",
        id="unknown-client-deal-list",
    ),
    # -- ambiguous names: 4 -----------------------------------------------------------
    pytest.param(
        ("client", "show", "Иван"),
        AMBIGUOUS,
        "error: 'Иван' matches 2 clients: #1 Иван Петров (ООО Ромашка); #2 Иван Сидоров; "
        "name the client by its id",
        id="ambiguous-client-show",
    ),
    pytest.param(
        ("deal", "open", "иван", "--amount", "100"),
        AMBIGUOUS,
        "error: 'иван' matches 2 clients: #1 Иван Петров (ООО Ромашка); #2 Иван Сидоров; "
        "name the client by its id",
        id="ambiguous-client-deal-open",
    ),
    pytest.param(
        ("client", "person", "add", "ИВАН", "Мария"),
        AMBIGUOUS,
        "error: 'ИВАН' matches 2 clients: #1 Иван Петров (ООО Ромашка); #2 Иван Сидоров; "
        "name the client by its id",
        id="ambiguous-client-person-add",
    ),
    # -- dates: 2 ---------------------------------------------------------------------
    pytest.param(
        ("deal", "open", "3", "--on", "2026-02-30"),
        INVALID,
        f"error: --on: '2026-02-30' is not a real calendar date; {NOT_REAL}",
        id="date-feb-30",
    ),
    pytest.param(
        ("deal", "open", "3", "--on", "31/12/2026"),
        INVALID,
        f"error: --on: '31/12/2026' is not a date; {NOT_A_DATE}",
        id="date-slashes",
    ),
    pytest.param(
        ("deal", "move", "1", "invoice", "--on", "завтра"),
        INVALID,
        f"error: --on: 'завтра' is not a date; {NOT_A_DATE}",
        id="date-russian-word",
    ),
    pytest.param(
        ("deal", "open", "3", "--expected", "2026-13-01"),
        INVALID,
        f"error: --expected: '2026-13-01' is not a real calendar date; {NOT_REAL}",
        id="date-month-13",
    ),
    pytest.param(
        ("client", "person", "add", "1", "Мария", "--birthday", "31.02.1980"),
        INVALID,
        f"error: --birthday: '31.02.1980' is not a real calendar date; {NOT_REAL}",
        id="date-birthday",
    ),
    pytest.param(
        ("client", "add", "Новый", "--on", "вчера"),
        INVALID,
        f"error: --on: 'вчера' is not a date; {NOT_A_DATE}",
        id="date-created",
    ),
    pytest.param(
        ("deal", "move", "1", "invoice", "--on", "tomorrow"),
        INVALID,
        "error: --on 2026-03-03 is in the future (today is 2026-03-02); "
        "log what already happened; plan the future with a follow-up date",
        id="date-in-the-future",
    ),
    pytest.param(
        ("deal", "move", "1", "invoice", "--on", "2026-02-24"),
        INVALID,
        "error: --on 2026-02-24 is before deal #1's last change (2026-02-25); "
        "give a date on or after 2026-02-25",
        id="date-before-last-change",
    ),
    pytest.param(
        ("deal", "open", "3", "--on", "+1"),
        INVALID,
        "error: --on 2026-03-03 is in the future; open deals as of today or earlier",
        id="date-open-in-the-future",
    ),
    # -- amounts: 2 -------------------------------------------------------------------
    *(
        pytest.param(
            ("deal", "open", "3", "--amount", text),
            INVALID,
            f"error: --amount: {text!r} is not an amount of money; {NOT_MONEY}",
            id=f"amount-{label}",
        )
        for label, text in (
            ("misgrouped", "12,3,4"),
            ("exponent", "1e400"),
            ("nan", "NaN"),
            ("infinity", "inf"),
            ("letters", "abc"),
            ("empty", ""),
            ("arabic-digits", "١٢٣"),
            ("two-decimal-marks", "1.2.3,4"),
        )
    ),
    pytest.param(
        ("deal", "open", "3", "--amount", "-5"),
        INVALID,
        "error: --amount: '-5' is negative; amounts must be zero or more; "
        "write the amount without a minus sign",
        id="amount-negative",
    ),
    *(
        pytest.param(
            ("deal", "open", "3", "--amount", text),
            INVALID,
            f"error: --amount: {text!r} has more than two decimal places; "
            "round it to kopecks/cents, e.g. 12.50",
            id=f"amount-decimals-{text}",
        )
        for text in ("1.555", "1.234", "0,001")
    ),
    *(
        pytest.param(
            ("deal", "open", "3", "--amount", text),
            INVALID,
            f"error: --amount: {text!r} is too large; amounts up to 9 999 999 999 999.99 are kept",
            id=f"amount-too-large-{len(text)}-digits",
        )
        for text in ("10000000000000", "1" * 5000)
    ),
    pytest.param(
        ("deal", "win", "1", "--amount", "abc"),
        INVALID,
        f"error: --amount: 'abc' is not an amount of money; {NOT_MONEY}",
        id="amount-win",
    ),
    # -- not allowed now: 5 -----------------------------------------------------------
    pytest.param(
        ("deal", "move", "2", "invoice"),
        CONFLICT,
        f"error: deal #2 is lost; a closed deal does not move; {REOPEN_2}",
        id="move-closed-deal",
    ),
    pytest.param(
        ("deal", "win", "2"),
        CONFLICT,
        f"error: deal #2 is lost; a closed deal does not move; {REOPEN_2}",
        id="win-closed-deal",
    ),
    pytest.param(
        ("deal", "lose", "2", "--reason", "дорого"),
        CONFLICT,
        f"error: deal #2 is lost; a closed deal does not move; {REOPEN_2}",
        id="lose-closed-deal",
    ),
    pytest.param(
        ("deal", "move", "1", "request"),
        CONFLICT,
        "error: moving deal #1 back from proposal to request; "
        "add --force if the deal really went back",
        id="move-backwards",
    ),
    pytest.param(
        ("deal", "reopen", "1"),
        CONFLICT,
        "error: deal #1 is open already; nothing to do",
        id="reopen-open-deal",
    ),
    # -- the clock: 2 -----------------------------------------------------------------
    pytest.param(
        ("--today", "2026-02-30", "deal", "list"),
        INVALID,
        f"error: --today: '2026-02-30' is not a real calendar date; {NOT_REAL}",
        id="today-feb-30",
    ),
    pytest.param(
        ("--today", "31/12/2026", "client", "add", "Новый"),
        INVALID,
        f"error: --today: '31/12/2026' is not a date; {NOT_A_DATE}",
        id="today-slashes",
    ),
    pytest.param(
        ("--today", "2026-03-02T25:00", "client", "add", "Новый"),
        INVALID,
        "error: --today: '2026-03-02T25:00' has an impossible time; use HH:MM from 00:00 to 23:59",
        id="today-hour-25",
    ),
    pytest.param(
        ("--tz", "Mars/Olympus", "deal", "list"),
        INVALID,
        "error: time zone 'Mars/Olympus' is unknown; "
        "use an IANA name such as Europe/Moscow or UTC (--tz or POVTOR_TZ)",
        id="tz-unknown",
    ),
    pytest.param(
        ("--tz", "../../etc/passwd", "deal", "open", "3"),
        INVALID,
        "error: time zone '../../etc/passwd' is unknown; "
        "use an IANA name such as Europe/Moscow or UTC (--tz or POVTOR_TZ)",
        id="tz-path",
    ),
    # -- currency and choices: 2 ------------------------------------------------------
    *(
        pytest.param(
            ("deal", "open", "3", "--currency", code),
            INVALID,
            f"error: --currency: {code!r} is not a currency code; {CURRENCY}",
            id=f"currency-{label}",
        )
        for label, code in (
            ("four-letters", "RUBL"),
            ("sign", "€"),  # (₽, руб and р are the rouble: RUB)
            ("digits", "643"),
            ("cyrillic", "рубли"),
            ("empty", ""),
        )
    ),
    pytest.param(
        ("client", "add", "Новый", "--category", "D"),
        INVALID,
        "error: --category: 'D' is not one of A, B, C; use --category A",
        id="category",
    ),
    pytest.param(
        ("client", "list", "--status", "deleted"),
        INVALID,
        "error: --status: 'deleted' is not one of active, archived, all; use --status active",
        id="client-status",
    ),
    pytest.param(
        ("deal", "list", "--status", "pending"),
        INVALID,
        "error: --status: 'pending' is not one of open, won, lost, closed, all; use --status open",
        id="deal-status",
    ),
    pytest.param(
        ("client", "add", "Новый", "--email", "not-an-email"),
        INVALID,
        "error: --email: 'not-an-email' is not an e-mail address; write it as name@example.ru",
        id="email",
    ),
    pytest.param(
        ("client", "edit", "1"),
        INVALID,
        "error: nothing to change; give at least one option, e.g. --phone",
        id="edit-nothing",
    ),
    pytest.param(
        ("client", "show", "1", "--format", "csv"),
        INVALID,
        "error: client show prints one card; --format csv is for lists; "
        "use --format table or json (lists: povtor client list)",
        id="card-as-csv",
    ),
    pytest.param(
        ("deal", "show", "1", "--format", "tsv"),
        INVALID,
        "error: deal show prints one deal; --format tsv is for lists; "
        "use --format table or json (lists: povtor deal list)",
        id="deal-as-tsv",
    ),
    # -- names and text: 2 ------------------------------------------------------------
    pytest.param(
        ("client", "add", ""),
        INVALID,
        "error: name must not be empty; give a value for name",
        id="name-empty",
    ),
    pytest.param(
        ("client", "add", " \u00a0 "),
        INVALID,
        "error: name must not be empty; give a value for name",
        id="name-blank",
    ),
    pytest.param(
        ("client", "add", "я" * 10_000),
        INVALID,
        "error: name is 10000 characters long; at most 200 are allowed; shorten it",
        id="name-10000-characters",
    ),
    pytest.param(
        ("client", "add", "Иван\x07Петров"),
        INVALID,
        f"error: name contains a control character (U+0007) at character 5; {CONTROL}",
        id="name-bell",
    ),
    pytest.param(
        ("client", "add", "Иван\nПетров"),
        INVALID,
        f"error: name contains a control character (U+000A) at character 5; {CONTROL}",
        id="name-newline",
    ),
    pytest.param(
        ("client", "add", "Иван\u202eвортеП"),
        INVALID,
        f"error: name contains an invisible direction mark (U+202E) at character 5; {BIDI}",
        id="name-right-to-left-override",
    ),
    pytest.param(
        ("client", "add", "\u200fИван"),
        INVALID,
        f"error: name contains an invisible direction mark (U+200F) at character 1; {BIDI}",
        id="name-right-to-left-mark",
    ),
    pytest.param(
        ("client", "edit", "1", "--company", "ООО\u2067Ромашка"),
        INVALID,
        f"error: --company contains an invisible direction mark (U+2067) at character 4; {BIDI}",
        id="company-isolate",
    ),
    pytest.param(
        ("client", "fact", "add", "1", "любит \x1b[31mконьяк"),
        INVALID,
        f"error: fact contains a control character (U+001B) at character 7; {CONTROL}",
        id="fact-escape-sequence",
    ),
    pytest.param(
        ("deal", "open", "3", "--title", "Щебень\u202e"),
        INVALID,
        f"error: --title contains an invisible direction mark (U+202E) at character 7; {BIDI}",
        id="title-rlo",
    ),
    pytest.param(
        ("client", "person", "add", "1", ""),
        INVALID,
        "error: name must not be empty; give a value for name",
        id="person-name-empty",
    ),
    pytest.param(
        ("client", "edit", "1", "--notes", "а" * 10_001),
        INVALID,
        "error: --notes is 10001 characters long; at most 10000 are allowed; shorten it",
        id="notes-too-long",
    ),
    # -- numbers beyond any id (SQLite's integers end at 2**63 - 1) ----------------------
    pytest.param(
        ("deal", "show", HUGE),
        NOT_FOUND,
        f"error: no deal #{HUGE}; list deals with: povtor deal list",
        id="huge-deal-id",
    ),
    pytest.param(
        ("client", "show", f"#{HUGE}"),
        NOT_FOUND,
        f"error: no client #{HUGE}; {CLIENT_HOW}",
        id="huge-client-id",
    ),
    pytest.param(
        ("client", "fact", "remove", "1", HUGE),
        INVALID,
        f"error: Invalid value for 'FACT_ID': {HUGE} is not in the range "
        "1<=x<=9223372036854775807; see: povtor client fact remove --help",
        id="huge-fact-id",
    ),
    pytest.param(
        ("nudge", "log", "--client", "1", "--purpose", "perk", "--about", f"birthday:{HUGE}"),
        INVALID,
        f"error: --about: 'birthday:{HUGE}' is not a perk key: write birthday:ID[:YEAR] with "
        "the person's id; see the client's keys: povtor perks upcoming --client 1",
        id="huge-perk-id",
    ),
    pytest.param(
        ("funnel", "limit", "repeat", "invoice", "²"),
        INVALID,
        "error: days: '²' is not a number of days from 1 to 365; give whole days, e.g. 5, "
        "or 'none' for no limit",
        id="superscript-days",
    ),
]


@pytest.mark.parametrize(("args", "code", "line"), CASES)
def test_bad_input(
    world: Cli, dump: Callable[[], str | None], args: tuple[str, ...], code: int, line: str
) -> None:
    before = dump()
    assert_one_error_line(world(*args), code, line)
    assert dump() == before


ENV_CASES = [
    pytest.param(
        {"POVTOR_TODAY": "завтра"},
        ("deal", "list"),
        INVALID,
        f"error: --today: 'завтра' is not a date; {NOT_A_DATE}",
        id="env-today",
    ),
    pytest.param(
        {"POVTOR_TZ": "Moscow"},
        ("client", "add", "Новый"),
        INVALID,
        "error: time zone 'Moscow' is unknown; "
        "use an IANA name such as Europe/Moscow or UTC (--tz or POVTOR_TZ)",
        id="env-tz",
    ),
    pytest.param(
        {"POVTOR_FORMAT": "xml"},
        ("client", "list"),
        INVALID,
        "error: POVTOR_FORMAT='xml' is not a format; use one of: table, csv, tsv, json, jsonl",
        id="env-format",
    ),
]


@pytest.mark.parametrize(("env", "args", "code", "line"), ENV_CASES)
def test_bad_environment(
    world: Cli,
    dump: Callable[[], str | None],
    env: dict[str, str],
    args: tuple[str, ...],
    code: int,
    line: str,
) -> None:
    before = dump()
    assert_one_error_line(world(*args, env=env), code, line)
    assert dump() == before


# -- the database itself: 6 ---------------------------------------------------------
def _text_file(path: Path) -> None:
    path.write_text("Иван Петров, +7 900 123-45-67\n", encoding="utf-8")


def _foreign_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
        connection.execute("INSERT INTO contacts VALUES ('Иван')")
    connection.close()


def _damaged(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)


DB_CASES = [
    pytest.param(
        None,
        "{tmp}",
        "error: {tmp} is a directory, not a database file; "
        "give a file path such as ~/sales/povtor.db",
        id="directory",
    ),
    pytest.param(
        _text_file,
        "{tmp}/notes.txt",
        f"error: {{tmp}}/notes.txt is not a povtor database (not an SQLite file); {NOT_POVTOR}",
        id="not-sqlite",
    ),
    pytest.param(
        _foreign_sqlite,
        "{tmp}/contacts.db",
        f"error: {{tmp}}/contacts.db is an SQLite database, but not a povtor one; {NOT_POVTOR}",
        id="foreign-sqlite",
    ),
    pytest.param(
        _damaged,
        "{tmp}/damaged.db",
        "error: {tmp}/damaged.db is damaged or not a povtor database: file is not a database; "
        "restore it from a backup: povtor db restore FILE",
        id="damaged",
    ),
    pytest.param(
        None,
        "mysql://localhost/povtor",
        "error: database URL scheme 'mysql' is not supported; "
        "give a file path, a sqlite:/// URL or a postgresql:// URL (--db or POVTOR_DB)",
        id="unsupported-url",
    ),
    pytest.param(
        None,
        "sqlite://",
        "error: database URL 'sqlite://' names no file; "
        "use sqlite:///relative/path.db or sqlite:////absolute/path.db",
        id="url-without-file",
    ),
]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize(("prepare", "target", "line"), DB_CASES)
def test_bad_database(
    world: Cli,
    dump: Callable[[], str | None],
    tmp_path: Path,
    prepare: Callable[[Path], None] | None,
    target: str,
    line: str,
    how: str,
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    where = target.format(tmp=other)
    if prepare is not None:
        prepare(Path(where))
    before, files = dump(), _snapshot(other)
    for command in (("client", "list"), ("client", "add", "Новый"), ("db", "info")):
        if how == "option":
            run = world("--db", where, *command)
        else:
            run = world(*command, env={"POVTOR_DB": where})
        assert_one_error_line(run, DATABASE, line.format(tmp=other))
    assert dump() == before
    assert _snapshot(other) == files  # the foreign file is left exactly as it was


def _permissions_are_ignored(tmp_path: Path) -> bool:
    """True for root (or anyone allowed to override file modes): read-only means nothing."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    try:
        with probe.open("a"):
            return True
    except PermissionError:
        return False
    finally:
        probe.chmod(0o600)
        probe.unlink()


def test_read_only_database(
    world: Cli, db_path: Path, dump: Callable[[], str | None], tmp_path: Path
) -> None:
    if _permissions_are_ignored(tmp_path):
        pytest.skip(f"uid {os.geteuid()} writes read-only files anyway (root)")
    before = dump()
    db_path.chmod(0o444)
    try:
        run = world("client", "add", "Новый")
        assert_one_error_line(
            run,
            DATABASE,
            f"error: {db_path} is read-only: nothing was changed; "
            "check the permissions of the file and its folder (or a read-only disk), "
            "or copy it somewhere writable",
        )
    finally:
        db_path.chmod(0o600)
    assert dump() == before


# -- what looks like SQL is only text -------------------------------------------------
def test_sql_looking_text_is_stored_verbatim_and_harmless(cli: Cli, db_path: Path) -> None:
    evil = [
        "'; DROP TABLE client; --",
        'Robert"); DROP TABLE deal;--',
        "%' OR '1'='1",
        "x' UNION SELECT name FROM sqlite_master --",
    ]
    for name in evil:
        cli.add_client(name, "--company", name)
    cli.ok("client", "fact", "add", "1", "'); DELETE FROM fact; --")
    cli.open_deal("2", "--title", "'; UPDATE deal SET amount_minor = 0; --", "--amount", "500")
    rows = cli.csv("client", "list", "--status", "all")
    assert rows.count("\n") == 5
    assert sorted(n for (n,) in query(db_path, "SELECT name FROM client")) == sorted(evil)
    assert sorted(c for (c,) in query(db_path, "SELECT company FROM client")) == sorted(evil)
    assert query(db_path, "SELECT text FROM fact") == [("'); DELETE FROM fact; --",)]
    assert query(db_path, "SELECT title, amount_minor FROM deal") == [
        ("'; UPDATE deal SET amount_minor = 0; --", 50000)
    ]
    tables = {t for (t,) in query(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"client", "deal", "fact", "stage", "funnel", "stage_change"} <= tables
    # and the text works as a name to look the records up by
    shown = cli.ok("client", "show", "'; DROP TABLE client; --", "--format", "json").stdout
    assert '"id": 1,' in shown
    found = cli.csv("client", "find", "' OR '1'='1").splitlines()
    assert [line.split(",")[0] for line in found[1:]] == ["3"]


# -- usage errors and global options -------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("client", "add"),  # missing argument
        ("deal", "lose", "1"),  # missing required option
        ("deal", "list", "--format", "xml"),  # bad choice
        ("client", "fact", "remove", "1", "abc"),  # not an integer
        ("client", "list", "--no-such-option"),
    ],
    ids=["missing-argument", "missing-option", "bad-format", "not-an-integer", "unknown-option"],
)
def test_usage_errors_are_one_line(
    world: Cli, dump: Callable[[], str | None], args: tuple[str, ...]
) -> None:
    before = dump()
    run = world(*args)
    assert run.exit_code == INVALID
    assert len(run.stderr_lines) == 1 and run.stderr.startswith("error: "), run.stderr
    assert dump() == before


@pytest.mark.parametrize(
    "options", [("--today", "garbage"), ("--tz", "Mars/Olympus")], ids=["today", "tz"]
)
def test_bad_global_options_are_refused_by_every_command(
    world: Cli, options: tuple[str, ...]
) -> None:
    run = world(*options, "client", "list")
    assert run.exit_code == INVALID
    assert run.stderr.startswith("error: ")
