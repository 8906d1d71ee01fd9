"""``povtor client forget``: a client's personal data is erased for good, statistics stay.

"For good" is checked on the raw bytes of the database file and its WAL: no erased
string may be found there, in UTF-8, not even one from an earlier edit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from povtor.storage import safety
from support import Cli, query

pytestmark = pytest.mark.sqlite_only(
    "looks for erased strings in the raw bytes of the SQLite file and its WAL"
)

ERASED = [
    "Иван Петров",
    "иван петров",  # the folded search key
    "ООО Ромашка",
    "ромашка",
    "+7 900 123-45-67",  # the phone before an edit
    "+7 900 765-00-00",
    "ivan@romashka.ru",
    "Москва, ул. Лесная, 5",
    "звонить до обеда",
    "Пётр Петрович",
    "+7 911 222-33-44",
    "petr@romashka.ru",
    "любит коньяк «Весенний»",
    "дочь учится в МГУ",  # a fact removed before
    "Щебень 40 т",
    "Песок карьерный",
    "дорого, ушли к Гранит-Сервису",
    "Иван, заказ в силе?",
    "Поздравили с Днём строителя",
    "ext-ivan-0042",
]
KEPT = ["Семён Ёлкин", "Цемент М500", "ООО Ёлка", "строительство", "выставка"]


def _world(cli: Cli) -> None:
    cli.add_client(
        "Иван Петров",
        "--company", "ООО Ромашка",
        "--category", "A",
        "--industry", "строительство",
        "--source", "выставка",
        "--phone", "+7 900 123-45-67",
        "--email", "ivan@romashka.ru",
        "--address", "Москва, ул. Лесная, 5",
        "--notes", "звонить до обеда",
    )  # fmt: skip
    cli.add_client("Семён Ёлкин", "--company", "ООО Ёлка", "--category", "C")
    cli.ok(
        "client", "person", "add", "1", "Пётр Петрович",
        "--phone", "+7 911 222-33-44", "--email", "petr@romashka.ru", "--birthday", "1975-04-12",
    )  # fmt: skip
    cli.ok("client", "fact", "add", "1", "любит коньяк «Весенний»")
    cli.open_deal("1", "--amount", "125000,50", "--title", "Щебень 40 т", "--on", "2026-01-10")
    cli.ok("deal", "win", "1", "--on", "2026-01-20")
    cli.open_deal("1", "--amount", "40000", "--title", "Песок карьерный", "--on", "2026-02-02")
    cli.ok(
        "nudge", "log", "--deal", "2", "--text", "Иван, заказ в силе?", "--outcome", "no",
        "--reason", "дорого, ушли к Гранит-Сервису", "--on", "2026-02-10",
    )  # fmt: skip
    cli.ok("nudge", "log", "--client", "1", "--text", "Поздравили с Днём строителя")
    cli.open_deal("2", "--amount", "9000", "--title", "Цемент М500")
    cli.ok("nudge", "log", "--deal", "3", "--text", "Семён, счёт оплатите?", "--outcome", "later",
           "--later", "+7")  # fmt: skip
    # Edits made where deleted bytes are not zeroed (SQLite's default, unless built with
    # SQLITE_SECURE_DELETE): the old phone and a removed fact stay in the file's free
    # space. An id from another CRM links the client to data elsewhere: erased too.
    connection = sqlite3.connect(cli.db)
    connection.execute("PRAGMA secure_delete = OFF")
    with connection:
        connection.execute(
            "UPDATE client SET phone = '+7 900 765-00-00', external_id = 'ext-ivan-0042' "
            "WHERE id = 1"
        )
        connection.execute(
            "INSERT INTO fact (client_id, text, noted_on) "
            "VALUES (1, 'дочь учится в МГУ', '2026-03-01')"
        )
    with connection:
        connection.execute("DELETE FROM fact WHERE text = 'дочь учится в МГУ'")
    connection.close()


@pytest.fixture
def world(prepared: Callable[..., Cli]) -> Cli:
    return prepared("safety-forget-world", _world)


def raw_bytes(db_path: Path) -> bytes:
    return b"".join(
        Path(f"{db_path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{db_path}{suffix}").exists()
    )


@contextmanager
def another_povtor_connection(db_path: Path) -> Iterator[sqlite3.Connection]:
    """An idle connection of another process: povtor's closing cannot drop the WAL."""
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("SELECT COUNT(*) FROM client").fetchall()
    try:
        yield connection
    finally:
        connection.close()


NUMBERS = {
    "client": "SELECT id, category, industry, source, created_on FROM client ORDER BY id",
    "deal": "SELECT id, client_id, funnel_id, stage_id, amount_minor, currency, status, "
    "opened_on, stage_entered_on, expected_on, closed_on, follow_up_on FROM deal ORDER BY id",
    "stage_change": "SELECT id, deal_id, event, from_stage_id, to_stage_id, at, on_date "
    "FROM stage_change ORDER BY id",
    "touch": "SELECT id, client_id, deal_id, stage_id, at, on_date, kind, channel, outcome, "
    "follow_up_on FROM touch ORDER BY id",
}
STATS = ("funnel", "nudges", "repeat", "cohorts", "sources")


def test_forget_erases_the_client_for_good_and_keeps_the_numbers(world: Cli, db_path: Path) -> None:
    numbers = {table: query(db_path, sql) for table, sql in NUMBERS.items()}
    other = query(db_path, "SELECT * FROM client WHERE id = 2")
    has_stats = world("stats", "--help").exit_code == 0
    stats = {s: world.csv("stats", s) for s in STATS} if has_stats else {}
    with another_povtor_connection(db_path):
        world.ok("client", "list")  # the WAL stays: another connection is open
        before = raw_bytes(db_path)
        assert Path(f"{db_path}-wal").exists()
        # the check below can see text at all, also what is left in free space
        for text in ("Иван Петров", "+7 900 123-45-67", "дочь учится в МГУ"):
            assert text.encode() in before, text

        run = world.ok("client", "forget", "Иван", "--yes")
        assert run.stdout == ""
        assert run.stderr == (
            "forgot client #1: now «forgotten client #1», archived; erased its contacts, "
            "notes, 1 person, 1 fact, the texts of 2 touches and 2 deals; "
            "amounts and dates are kept\n"
        )
        after = raw_bytes(db_path)
        for text in ERASED:
            assert text.encode("utf-8") not in after, text
        for text in KEPT:
            assert text.encode("utf-8") in after, text
        assert Path(f"{db_path}-wal").stat().st_size == 0  # emptied, not just checkpointed

    assert query(
        db_path,
        "SELECT name, search_key, company, phone, email, address, notes, external_id, status "
        "FROM client WHERE id = 1",
    ) == [
        (
            "forgotten client #1",
            "forgotten client #1",
            None,
            None,
            None,
            None,
            None,
            None,
            "archived",
        )
    ]
    assert query(db_path, "SELECT COUNT(*) FROM person WHERE client_id = 1") == [(0,)]
    assert query(db_path, "SELECT COUNT(*) FROM fact WHERE client_id = 1") == [(0,)]
    assert query(db_path, "SELECT text, reason FROM touch WHERE client_id = 1") == [
        (None, None),
        (None, None),
    ]
    assert query(db_path, "SELECT title, lost_reason FROM deal WHERE client_id = 1") == [
        (None, None),
        (None, None),
    ]
    assert query(db_path, "SELECT COUNT(*) FROM stage_change WHERE reason IS NOT NULL") == [(0,)]
    # every amount, date, stage and outcome is as it was; the other client is untouched
    assert {table: query(db_path, sql) for table, sql in NUMBERS.items()} == numbers
    assert query(db_path, "SELECT * FROM client WHERE id = 2") == other
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    for name, before_stats in stats.items():
        assert world.csv("stats", name) == before_stats, name
    # the name no longer finds it; the new one does
    assert world("client", "show", "Иван").exit_code == 3
    assert (
        world.csv("client", "find", "forgotten")
        .splitlines()[1]
        .startswith("1,forgotten client #1,,A,строительство,выставка,archived,")
    )
    assert "forgotten client" not in world.csv("plan", "today")


def test_forget_asks_first(
    world: Cli, db_path: Path, dump: Callable[[], str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dump()
    run = world("client", "forget", "1")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        "error: client forget asks for confirmation, and there is no terminal to ask on; "
        "add --yes to go ahead without the question\n"
    )
    assert dump() == before
    monkeypatch.setattr("povtor.cli.runtime.stdin_is_terminal", lambda: True)
    run = world("client", "forget", "1", input="n\n")
    assert run.exit_code == 0
    assert run.stderr.startswith(
        "Erase the personal data of client #1 Иван Петров for good (contacts, notes, 1 person, "
        "1 fact, the texts of 2 touches and 2 deals)? [y/N]:"
    )
    assert run.stderr.endswith("nothing was changed\n")
    assert dump() == before
    run = world("client", "forget", "1", input="y\n")
    assert run.exit_code == 0, run.describe()
    assert query(db_path, "SELECT name FROM client WHERE id = 1") == [("forgotten client #1",)]


def test_forget_twice_is_harmless(world: Cli, db_path: Path) -> None:
    world.ok("client", "forget", "1", "--yes")
    first = query(db_path, "SELECT * FROM client ORDER BY id")
    run = world.ok("client", "forget", "1", "--yes")
    assert "1 person" not in run.stderr and "0 people, 0 facts" in run.stderr
    assert query(db_path, "SELECT * FROM client ORDER BY id") == first


def test_forget_names_the_backups_that_still_hold_the_data(world: Cli, db_path: Path) -> None:
    copy = Path(world.ok("db", "backup").stdout.strip())
    run = world.ok("client", "forget", "1", "--yes")
    assert run.stderr.splitlines()[-1] == (
        f"note: 1 backup(s) made before still hold the client's data: {copy}"
    )
    assert "Иван Петров".encode() in copy.read_bytes()


def test_forget_while_another_process_reads(
    world: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "CHECKPOINT_WAIT_MS", 50)
    with another_povtor_connection(db_path) as reader:
        reader.execute("BEGIN")
        assert reader.execute("SELECT name FROM client WHERE id = 1").fetchone() == ("Иван Петров",)
        run = world.ok("client", "forget", "1", "--yes")
        # the reader keeps its snapshot until it is done...
        assert reader.execute("SELECT name FROM client WHERE id = 1").fetchone() == ("Иван Петров",)
        reader.execute("COMMIT")
    assert "note: another povtor is reading the database" in run.stderr
    # ...and the next povtor command that closes the file last empties the WAL
    world.ok("client", "list")
    for text in ERASED:
        assert text.encode("utf-8") not in raw_bytes(db_path), text
