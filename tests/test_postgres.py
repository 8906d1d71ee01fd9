"""The same commands on a PostgreSQL server as on the SQLite file: the same answers.

``db_url`` runs a test on both engines; the comparisons run one story on each and
ask for identical output. The server is a real PostgreSQL (``tests/postgres.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from postgres import Server
from support import TODAY, TZ, Run, invoke

WORKER = Path(__file__).resolve().parent / "fixtures" / "safety_worker.py"


def ok(*args: str, env: dict[str, str | None] | None = None) -> Run:
    run = invoke(args, env=env)
    assert run.exit_code == 0 and run.exception is None, run.describe()
    return run


# a working week of one seller: clients, deals through stages, nudges and their answers
STORY: list[tuple[str, ...]] = [
    ("client", "add", "Ёлкин Семён", "--company", "ООО «Ёлка»", "--phone", "+7 900 000-00-01"),
    ("client", "add", "Анна Петрова", "--company", "Стройдвор", "--source", "выставка"),
    ("client", "add", "Zoe Adams", "--company", "Acme 100% Ltd", "--category", "A"),
    ("deal", "open", "1", "--title", "Щебень 5-20", "--amount", "120 000,50", "--on", "2026-02-02"),
    ("deal", "open", "2", "--title", "Песок", "--amount", "45 000", "--on", "2026-02-10"),
    ("deal", "open", "3", "--amount", "9 999,99", "--stage", "invoice", "--on", "2026-01-15"),
    ("deal", "move", "1", "proposal"),
    ("deal", "win", "3", "--on", "2026-02-01"),
    ("deal", "lose", "2", "--reason", "дорого"),
    ("nudge", "log", "--client", "1", "--text", "КП в силе?", "--outcome", "later",
     "--later", "2026-03-04"),
    ("nudge", "log", "--client", "Zoe", "--kind", "warming", "--text", "статья про 50% скидки"),
    ("client", "list"),
    ("client", "find", "ёлк"),
    ("deal", "list", "--status", "all"),
    ("deal", "show", "1"),
    ("nudge", "list"),
    ("plan", "today", "--all"),
    ("stats", "funnel"),
    ("stats", "nudges"),
    ("stats", "repeat"),
    ("client", "show", "1"),
]  # fmt: skip


def tell(story: Sequence[tuple[str, ...]], form: str = "csv") -> list[str]:
    """Each command's exit code, stdout and stderr (listings in ``form``)."""
    told = []
    for step in story:
        listing = step[-1] in ("list", "today", "funnel", "nudges", "repeat") or step[1] in (
            "find",
            "show",
        )
        shape = "json" if step[1] == "show" else form
        args = (*step, "--format", shape) if listing else step
        run = invoke(args)
        assert run.exception is None, run.describe()
        told.append(f"$ {' '.join(args)}\n[{run.exit_code}]\n{run.stdout}{run.stderr}")
    return told


def test_one_story_tells_the_same_on_both_engines(
    isolated: Path, migrated_template: Path, request: pytest.FixtureRequest
) -> None:
    import shutil

    shutil.copy2(migrated_template, isolated)
    on_sqlite = tell(STORY)
    request.getfixturevalue("pg_url")  # now on the server
    on_postgres = tell(STORY)
    assert [s.split("\n", 2)[1] for s in on_sqlite] == ["[0]"] * len(STORY)
    for sqlite_said, postgres_said in zip(on_sqlite, on_postgres, strict=True):
        assert postgres_said == sqlite_said


# a team of two sellers on one database: their clients, a handover refused, then made,
# a deal handed on its own, each seller's plan, the plan after the writes (each client's
# activity kept by every write) and at a past day
SELLER_STORY: list[tuple[str, ...]] = [
    ("seller", "add", "Анна"),
    ("seller", "add", "Олег"),
    ("client", "add", "Ромашка", "--on", "2026-01-05"),
    ("seller", "use", "анна"),
    ("client", "add", "Берёза", "--on", "2026-01-10"),
    ("client", "add", "Ель", "--category", "A", "--on", "2026-01-12"),
    ("deal", "open", "Берёза", "--amount", "10 000", "--on", "2026-02-20"),
    ("deal", "open", "Ель", "--amount", "5 000,50", "--stage", "invoice", "--on", "2026-01-15"),
    ("deal", "win", "2", "--on", "2026-01-20"),
    ("nudge", "log", "--deal", "1", "--text", "КП в силе?", "--outcome", "later",
     "--until", "2026-03-05"),
    ("nudge", "log", "-c", "Ель", "--kind", "warming", "--text", "статья", "--on", "2026-02-01"),
    ("seller", "use", "Олег"),
    ("client", "add", "Сосна"),
    ("client", "assign", "Ромашка", "Ель", "--to", "Олег"),
    ("client", "assign", "Ромашка", "--to", "Олег"),
    ("client", "assign", "Ель", "--to", "Олег", "--force", "--note", "отпуск"),
    ("deal", "assign", "1", "--to", "Олег", "--force", "--note", "отказ: прозвонить"),
    ("nudge", "log", "-c", "Ромашка", "--text", "Да или нет?", "--outcome", "later",
     "--until", "2026-03-10"),
    ("seller", "remove", "Олег"),
    ("seller", "use"),
    ("seller", "list", "--format", "csv"),
    ("seller", "handovers", "--format", "csv"),
    ("client", "list", "--seller", "Анна", "--format", "csv"),
    ("client", "list", "--unowned", "--format", "csv"),
    ("plan", "today", "--seller", "Олег", "--format", "csv"),
    ("plan", "today", "--seller", "Анна", "--format", "csv"),
    ("plan", "today", "--everyone", "--all", "--format", "csv"),
    ("plan", "today", "--all", "--format", "csv"),
    ("plan", "today", "--everyone", "--all", "--on", "2026-02-05", "--format", "csv"),
    ("plan", "today", "--everyone", "--all", "--on", "2026-04-20", "--format", "json"),
    ("plan", "explain", "1", "--format", "json"),
    ("stats", "nudges", "--by", "seller", "--format", "csv"),
    ("client", "show", "Ель", "--format", "json"),
]  # fmt: skip
REFUSED = {
    ("client", "assign", "Ромашка", "Ель", "--to", "Олег"): 5,
    ("seller", "remove", "Олег"): 5,
}


def test_a_team_of_sellers_tells_the_same_on_both_engines(
    isolated: Path, migrated_template: Path, request: pytest.FixtureRequest
) -> None:
    import shutil

    shutil.copy2(migrated_template, isolated)
    on_sqlite = tell(SELLER_STORY)
    checked_on_sqlite = ok("db", "check", "--format", "csv").stdout
    request.getfixturevalue("pg_url")  # now on the server
    on_postgres = tell(SELLER_STORY)
    codes = [int(s.split("\n", 2)[1].strip("[]")) for s in on_sqlite]
    assert codes == [REFUSED.get(step, 0) for step in SELLER_STORY]
    for sqlite_said, postgres_said in zip(on_sqlite, on_postgres, strict=True):
        assert postgres_said == sqlite_said
    plan = on_postgres[
        SELLER_STORY.index(("plan", "today", "--everyone", "--all", "--format", "csv"))
    ]
    assert (
        '\n1,Ель,A,,,5000.50,closing,"silent 41 days since the last purchase on 2026-01-20' in plan
    )
    # db check on the server: the activity every write kept matches the history
    checked = ok("db", "check", "--format", "csv").stdout
    assert "activity,ok,every client's activity matches its history" in checked
    assert checked.splitlines()[-2:] == checked_on_sqlite.splitlines()[-2:]


# listings ordered by a column that may be empty: NULLs where SQLite puts them
NULL_ORDERS = (
    "SELECT name FROM client ORDER BY category, name",
    "SELECT name FROM client ORDER BY category DESC, name DESC",
    "SELECT c.name FROM client c LEFT JOIN deal d ON d.client_id = c.id "
    "ORDER BY d.closed_on DESC, c.name",
    "SELECT name, (SELECT MAX(d.closed_on) FROM deal d WHERE d.client_id = c.id) AS won "
    "FROM client c ORDER BY won, name",
    "SELECT name, ROW_NUMBER() OVER (ORDER BY category ASC, id) FROM client ORDER BY 2",
)


def _listings(url: str) -> list[list[tuple[object, ...]]]:
    from povtor.storage.database import open_database
    from povtor.storage.location import resolve_location

    database = open_database(resolve_location(url), create=False)
    try:
        return [[tuple(r) for r in database.rows(sql)] for sql in NULL_ORDERS]
    finally:
        database.close()


def test_listings_put_nulls_where_sqlite_does(
    isolated: Path, migrated_template: Path, request: pytest.FixtureRequest
) -> None:
    import shutil

    story = [
        ("client", "add", "Берёза", "--category", "B"),
        ("client", "add", "Астра"),
        ("client", "add", "Ель", "--category", "A"),
        ("client", "add", "Вяз"),
        ("deal", "open", "Ель", "--amount", "100", "--stage", "invoice", "--on", "2026-01-15"),
        ("deal", "win", "1", "--on", "2026-01-20"),
    ]
    shutil.copy2(migrated_template, isolated)
    for step in story:
        ok(*step)
    on_sqlite = _listings(str(isolated))
    url = request.getfixturevalue("pg_url")  # now on the server
    for step in story:
        ok(*step)
    on_postgres = _listings(url)
    assert [name for (name,) in on_sqlite[0]] == ["Астра", "Вяз", "Ель", "Берёза"]
    assert [name for (name,) in on_sqlite[1]] == ["Берёза", "Ель", "Вяз", "Астра"]
    assert on_postgres == on_sqlite


def test_db_check_repairs_the_activity_on_a_server(pg_url: str) -> None:
    import psycopg

    ok("client", "add", "Ёлкин Семён")
    ok("client", "add", "Анна")
    ok("nudge", "log", "-c", "Ёлкин", "--text", "Да или нет?", "--on", "2026-02-27")
    ok("nudge", "log", "-c", "Анна", "--kind", "warming", "--text", "статья")
    plan = ok("plan", "today", "--format", "csv").stdout
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute("UPDATE client_activity SET last_touch_on = '2025-01-01'")
        connection.execute("DELETE FROM client_activity WHERE client_id = 2")
    run = invoke(["db", "check", "--format", "csv"])
    assert run.exit_code != 0 and run.exception is None, run.describe()
    assert "client #1: last_touch_on stored 2025-01-01, from the history 2026-02-27" in run.stdout
    assert "activity,problem,client #2: no row stored" in run.stdout
    ok("db", "check", "--repair")
    checked = ok("db", "check", "--format", "csv").stdout
    assert "activity,ok,every client's activity matches its history" in checked
    assert ok("plan", "today", "--format", "csv").stdout == plan


def test_completion_on_a_server_offers_nothing_and_never_fails(pg_url: str) -> None:
    ok("client", "add", "Ёлкин Семён")
    ok("seller", "add", "Анна")
    for words in (["nudge", "log", "--client", "Ёл"], ["plan", "today", "--seller", ""]):
        env = {
            "_POVTOR_COMPLETE": "complete_bash",
            "COMP_WORDS": " ".join(["povtor", *words]),
            "COMP_CWORD": str(len(words)),
        }
        run = invoke([], env=env)
        assert (run.exit_code, run.stderr, run.stdout.strip()) == (0, "", ""), run.describe()


def test_clients_added_and_listed(db_url: str) -> None:
    assert ok("client", "add", "Ёлкин Семён", "--company", "ООО «Ёлка»").stdout == "1\n"
    assert ok("client", "add", "Анна", "--source", "50% сарафан").stdout == "2\n"
    listed = json.loads(ok("client", "list", "--format", "json").stdout)
    assert [(c["id"], c["name"], c["company"]) for c in listed] == [
        (2, "Анна", None),
        (1, "Ёлкин Семён", "ООО «Ёлка»"),
    ]
    found = json.loads(ok("client", "find", "ЁЛКА", "--format", "json").stdout)
    assert [c["id"] for c in found] == [1]


def test_deal_opened_moved_and_won(db_url: str) -> None:
    ok("client", "add", "Ёлкин Семён")
    deal = int(ok("deal", "open", "1", "--amount", "120 000,50", "--on", "2026-02-02").stdout)
    ok("deal", "move", str(deal), "proposal")
    ok("deal", "win", str(deal))
    shown = json.loads(ok("deal", "show", str(deal), "--format", "json").stdout)
    assert (shown["status"], shown["closed_on"], shown["amount"]) == (
        "won",
        "2026-03-02",
        "120000.50",
    )
    funnel = ok("stats", "funnel", "--format", "csv").stdout
    assert "won" in funnel or "paid" in funnel


def test_a_nudge_logged_and_listed(db_url: str) -> None:
    ok("client", "add", "Ёлкин Семён")
    touch = int(ok("nudge", "log", "--client", "Ёлкин", "--text", "Счёт 100% в силе?").stdout)
    listed = json.loads(ok("nudge", "list", "--format", "json").stdout)
    assert [(t["id"], t["text"], t["on_date"]) for t in listed] == [
        (touch, "Счёт 100% в силе?", "2026-03-02")
    ]


def test_db_check_on_a_server(pg_url: str) -> None:
    ok("client", "add", "Ёлкин Семён")
    run = ok("db", "check")
    assert "is sound" in run.stderr + run.stdout
    assert run.stdout.count("problem") == 0


def test_an_unreachable_server_is_one_line_and_exit_code_6(
    postgres_server: Server,
) -> None:
    url = f"postgresql://povtor:secret@127.0.0.1:{postgres_server.port}/no_such_database"
    run = invoke(["--db", url, "client", "list"])
    assert run.exit_code == 6 and run.exception is None, run.describe()
    assert run.stderr.startswith("error: cannot connect to postgresql://povtor@127.0.0.1:")
    assert len(run.stderr_lines) == 1 and "secret" not in run.stderr


def test_a_closed_port_is_one_line_at_once_and_exit_code_6(isolated: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://anna:secret@127.0.0.1:{port}/povtor"
    run = invoke(["--db", url, "client", "list"])
    assert run.exit_code == 6 and run.exception is None, run.describe()
    assert run.stderr_lines == [
        f"error: cannot connect to postgresql://anna@127.0.0.1:{port}/povtor: connection to "
        f'server at "127.0.0.1", port {port} failed: Connection refused; check that the '
        "server runs and the URL's user, host, port and database (--db or POVTOR_DB)"
    ]


def test_a_run_connects_to_the_server_once(isolated: Path) -> None:
    """The language is read before the command; the command takes that connection over,
    and a failed one is said at once: a server that hangs up is asked once."""
    import socket
    import threading

    accepted: list[int] = []
    done = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def hang_up() -> None:
        while True:
            conn, _address = listener.accept()
            if done.is_set():  # the test's own knock: the run is over
                conn.close()
                return
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        run = invoke(["--db", f"postgresql://anna@127.0.0.1:{port}/povtor?sslmode=disable",
                      "client", "list"])  # fmt: skip
    finally:
        done.set()
        socket.create_connection(("127.0.0.1", port)).close()
        thread.join(5)
        listener.close()
    assert run.exit_code == 6 and run.exception is None, run.describe()
    assert len(run.stderr_lines) == 1 and "cannot connect to" in run.stderr
    assert len(accepted) == 1


def test_an_existing_database_of_another_program_is_refused(
    postgres_server: Server,
) -> None:
    url = postgres_server.new_database(template="template0")
    name = url.rsplit("/", 1)[1]
    postgres_server.sql("CREATE TABLE contacts (id integer)", database=name)
    run = invoke(["--db", url, "client", "list"])
    assert run.exit_code == 6, run.describe()
    assert "is not a povtor database" in run.stderr


# -- the demo's data on both engines ---------------------------------------------------
@pytest.fixture(scope="session")
def demo_export(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every table of the demo, exported by ``export all``."""
    folder = tmp_path_factory.mktemp("demo-export") / "tables"
    run = invoke(["--db", str(demo), "export", "all", str(folder)], env={"POVTOR_TZ": TZ})
    assert run.exit_code == 0, run.describe()
    return folder


DEMO_VIEWS: list[tuple[str, ...]] = [
    ("plan", "today", "--all"),
    ("plan", "settings"),
    ("stats", "touches"),
    ("stats", "cards"),
    ("stats", "nudges"),
    ("stats", "abc"),
    ("stats", "perks"),
    ("stats", "sources"),
    ("client", "list"),
    ("deal", "list", "--status", "all"),
    ("nudge", "list", "--limit", "5000"),
    ("stats", "funnel"),
    ("stats", "repeat"),
    ("stats", "cohorts"),
    ("client", "show", "1"),
    ("deal", "show", "3"),
    ("client", "find", "строй"),
    ("plan", "today", "--on", "2026-01-15", "--all"),
    ("plan", "explain", "2"),
    ("seller", "list"),
]


def _form(view: tuple[str, ...]) -> str:
    return "json" if view[1] == "show" else "csv"


def test_the_demo_imported_into_both_engines_reads_the_same(
    isolated: Path,
    migrated_template: Path,
    demo_export: Path,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    import shutil

    shutil.copy2(migrated_template, isolated)
    ok("import", "all", str(demo_export))
    on_sqlite = [ok(*view, "--format", _form(view)).stdout for view in DEMO_VIEWS]
    ok("export", "all", str(tmp_path / "from-sqlite"))
    request.getfixturevalue("pg_url")  # now on the server
    ok("import", "all", str(demo_export))
    on_postgres = [ok(*view, "--format", _form(view)).stdout for view in DEMO_VIEWS]
    for view, sqlite_said, postgres_said in zip(DEMO_VIEWS, on_sqlite, on_postgres, strict=True):
        assert postgres_said == sqlite_said, view
    checked = ok("db", "check", "--format", "csv").stdout
    assert "activity,ok,every client's activity matches its history" in checked
    assert len(on_postgres[DEMO_VIEWS.index(("client", "list"))].splitlines()) > 40
    # export -> import -> export on the server gives the files back as they were
    ok("export", "all", str(tmp_path / "from-postgres"))
    files = sorted(p.name for p in (tmp_path / "from-sqlite").iterdir())
    assert sorted(p.name for p in (tmp_path / "from-postgres").iterdir()) == files
    for name in files:
        again = (tmp_path / "from-postgres" / name).read_bytes()
        assert again == (tmp_path / "from-sqlite" / name).read_bytes(), name
        assert again == (demo_export / name).read_bytes(), name


# -- several processes writing at once ---------------------------------------------------
def test_four_processes_log_250_touches_each_on_the_server(pg_url: str, tmp_path: Path) -> None:
    ok("client", "add", "Семён Ёлкин")
    go = tmp_path / "go"
    tags = [f"w{n}" for n in range(4)]
    env = {**os.environ, "POVTOR_TODAY": TODAY, "POVTOR_TZ": TZ}
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "touches", pg_url, "1", "250", tag, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for tag in tags
    ]
    from test_safety_concurrency import race

    assert race(go, tags, workers) == ["250\n"] * 4
    listed = json.loads(ok("nudge", "list", "--limit", "5000", "--format", "json").stdout)
    assert len(listed) == 1000
    assert sorted(t["text"] for t in listed) == sorted(
        f"msg {tag}-{i}" for tag in tags for i in range(250)
    )
    assert len({t["id"] for t in listed}) == 1000


# -- the roles of docs/postgres.md ------------------------------------------------------
DOCS = Path(__file__).resolve().parents[1] / "docs" / "postgres.md"


def _documented_setup() -> list[tuple[str, str]]:
    """The ```sql block of docs/postgres.md as (database, statement) pairs."""
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("```sql\n", 1)[1].split("```", 1)[0]
    database = "postgres"
    out = []
    statement = ""
    for line in block.splitlines():
        if line.startswith("\\connect "):
            database = line.split()[1]
            continue
        if line.startswith("--") or not line.strip():
            continue
        statement += line + "\n"
        if line.rstrip().endswith(";"):
            out.append((database, statement.strip().rstrip(";")))
            statement = ""
    return out


def test_the_documented_team_role_works_but_cannot_change_the_schema(
    postgres_server: Server,
) -> None:
    import psycopg

    for database, statement in _documented_setup():
        postgres_server.sql(statement, database=database)
    base = f"127.0.0.1:{postgres_server.port}/povtor"
    owner, team = f"postgresql://povtor_owner@{base}", f"postgresql://povtor_team@{base}"
    refused = invoke(["--db", team, "client", "list"])
    assert refused.exit_code == 6 and refused.exception is None, refused.describe()
    assert "this role may not change it: nothing was changed" in refused.stderr
    assert "povtor db upgrade as the database's owner role" in refused.stderr
    ok("--db", owner, "init")
    assert ok("--db", team, "client", "add", "Ёлкин Семён").stdout == "1\n"
    ok("--db", team, "deal", "open", "1", "--amount", "1 000")
    ok("--db", team, "nudge", "log", "--client", "1", "--text", "Да или нет?")
    assert "Ёлкин Семён" in ok("--db", team, "client", "list").stdout
    with psycopg.connect(team, autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("DROP TABLE touch")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("ALTER TABLE client ADD COLUMN x integer")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("CREATE TABLE mine (id integer)")


def test_file_commands_say_what_to_use_on_a_server(pg_url: str, tmp_path: Path) -> None:
    backup = invoke(["db", "backup"])
    assert backup.exit_code == 6 and backup.exception is None, backup.describe()
    assert "copies SQLite files; back the server up with pg_dump" in backup.stderr
    restore = invoke(["db", "restore", str(tmp_path / "x.db"), "--yes"])
    assert restore.exit_code == 6 and "pg_restore" in restore.stderr, restore.describe()


def test_a_forgotten_client_is_gone(db_url: str) -> None:
    ok("client", "add", "Ёлкин Семён", "--phone", "+7 900 000-00-01")
    ok("client", "add", "Анна")
    ok("nudge", "log", "--client", "1", "--text", "Семён, да или нет?")
    ok("client", "forget", "1", "--yes")
    listed = json.loads(ok("client", "list", "--format", "json").stdout)
    assert [c["name"] for c in listed] == ["Анна"]
    touches = ok("nudge", "list", "--format", "json").stdout
    assert [t["client"] for t in json.loads(touches)] == ["forgotten client #1"]
    assert "Семён" not in touches and "900" not in touches


# -- SQLite's dialect as PostgreSQL's (no server needed) ---------------------------------
@pytest.mark.parametrize(
    ("sqlite", "postgresql"),
    [
        ("SELECT 1 FROM t WHERE a = ? AND b = :b", "SELECT 1 FROM t WHERE a = %s AND b = %(b)s"),
        ("SELECT '50%' || ?, 'a ? :b' FROM t", "SELECT '50%%' || %s, 'a ? :b' FROM t"),
        ("SELECT x FROM t WHERE a IS ? AND b IS NOT c.d", "SELECT x FROM t WHERE "
         "a IS NOT DISTINCT FROM %s AND b IS DISTINCT FROM c.d"),
        ("SELECT x FROM t WHERE a IS NULL AND b IS NOT NULL", "SELECT x FROM t WHERE a IS NULL "
         "AND b IS NOT NULL"),
        ("INSERT OR IGNORE INTO t (a, b) VALUES (?, ?)", "INSERT INTO t (a, b) VALUES (%s, %s) "
         "ON CONFLICT DO NOTHING"),
        ("PRAGMA secure_delete = ON", "SELECT NULL WHERE FALSE"),
        ("SELECT a FROM t WHERE +t.on_date <= ? AND name LIKE ? ESCAPE '\\'",
         "SELECT a FROM t WHERE t.on_date <= %s AND name ILIKE %s ESCAPE '\\'"),
        ("SELECT CASE WHEN p.is_backend THEN 'yes' END FROM p WHERE NOT s.is_won",
         "SELECT CASE WHEN (p.is_backend <> 0) THEN 'yes' END FROM p WHERE NOT (s.is_won <> 0)"),
        ("UPDATE person SET is_main = (id IS ?) WHERE (is_main OR id IS ?)",
         "UPDATE person SET is_main = CASE WHEN (id IS NOT DISTINCT FROM %s) THEN 1 ELSE 0 END "
         "WHERE ((is_main <> 0) OR id IS NOT DISTINCT FROM %s)"),
        ("SELECT n FROM (SELECT 1 AS n) WHERE n > 0",
         "SELECT n FROM (SELECT 1 AS n) AS povtor_rows0 WHERE n > 0"),
        ("SELECT k, MAX(at), v FROM t WHERE a = 1 GROUP BY k",
         "SELECT DISTINCT ON (k) k, at, v FROM t WHERE a = 1 ORDER BY k, at DESC NULLS LAST"),
        ("SELECT substr(k, 1, instr(k || char(10), char(10)) - 1) FROM t",
         "SELECT substr(k, 1, instr(k || chr(10), chr(10)) - 1) FROM t"),
        ("SELECT a FROM t ORDER BY a, b DESC, c NULLS LAST LIMIT 3",
         "SELECT a FROM t ORDER BY a NULLS FIRST, b DESC NULLS LAST, c NULLS LAST LIMIT 3"),
        ("SELECT 'ORDER BY x', (SELECT y FROM u ORDER BY y DESC LIMIT 1) FROM t ORDER BY 1",
         "SELECT 'ORDER BY x', (SELECT y FROM u ORDER BY y DESC NULLS LAST LIMIT 1) FROM t "
         "ORDER BY 1 NULLS FIRST"),
        ("SELECT ROW_NUMBER() OVER (ORDER BY a ROWS UNBOUNDED PRECEDING) FROM t",
         "SELECT ROW_NUMBER() OVER (ORDER BY a NULLS FIRST ROWS UNBOUNDED PRECEDING) FROM t"),
    ],
)  # fmt: skip
def test_sqlite_statements_read_as_postgresql(sqlite: str, postgresql: str) -> None:
    from povtor.storage.postgres import translate

    assert translate(sqlite, frozenset()).sql == postgresql


def test_a_column_never_null_keeps_its_order_by_as_it_is() -> None:
    from povtor.storage.postgres import translate

    never = frozenset({"id", "name"})
    assert translate("SELECT 1 FROM c ORDER BY c.name, id DESC", frozenset(), never).sql == (
        "SELECT 1 FROM c ORDER BY c.name, id DESC"
    )
    # an outer join can make it NULL; an alias of that name can be anything
    assert translate(
        "SELECT 1 FROM c LEFT JOIN p ON p.c = c.id ORDER BY p.name", frozenset(), never
    ).sql.endswith("ORDER BY p.name NULLS FIRST")
    assert translate(
        "SELECT MAX(x) AS name FROM c GROUP BY y ORDER BY name DESC", frozenset(), never
    ).sql.endswith("ORDER BY name DESC NULLS LAST")


def test_an_insert_returns_its_id_where_the_table_has_one() -> None:
    from povtor.storage.postgres import translate

    made = translate("INSERT INTO client (name) VALUES (?)", frozenset({"client"}))
    assert (made.sql, made.returning, made.sets_ids) == (
        "INSERT INTO client (name) VALUES (%s) RETURNING id",
        True,
        False,
    )
    kept = translate("INSERT INTO client (id, name) VALUES (?, ?)", frozenset({"client"}))
    assert kept.sets_ids and kept.table == "client"
    assert not translate("INSERT INTO setting (key) VALUES (?)", frozenset({"client"})).returning
