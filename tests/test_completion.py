"""The shell completes option values: client names from the database (any case, Cyrillic),
funnels, stages, outcomes, channels and categories; quickly, on the SQLite driver alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import Cli, invoke
from test_subprocess import executable

pytestmark = pytest.mark.sqlite_only(
    "completion reads names from the SQLite file alone (none on a server, by design)"
)


def completion_env(line: str, db: Path | str | None = None) -> dict[str, str]:
    """What bash hands povtor for ``line`` (the cursor at its end; a trailing space: a new
    word)."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    env = {
        "_POVTOR_COMPLETE": "complete_bash",
        "COMP_WORDS": " ".join(words),
        "COMP_CWORD": str(len(words) - 1),
    }
    if db is not None:
        env["POVTOR_DB"] = str(db)
    return env


def offered(line: str, db: Path | str | None = None) -> list[str]:
    run = invoke([], env=completion_env(line, db))
    assert (run.exit_code, run.stderr) == (0, ""), run.describe()
    return [word for word in run.stdout.splitlines() if word]  # (nothing: one empty line)


@pytest.fixture
def people(cli: Cli) -> Cli:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка")
    cli.add_client("Семён Ёлкин")
    cli.add_client("ООО «Ромашка-Юг»")
    cli.add_client("Ivan Smith")
    cli.add_client("Иванова Анна")
    cli.ok("client", "archive", "Иванова")
    return cli


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("povtor nudge log --client Ив", ["Иван Петров", "Иванова Анна"]),
        ("povtor nudge log -c ив", ["Иван Петров", "Иванова Анна"]),  # any case
        ("povtor deal list -c ИВАН", ["Иван Петров", "Иванова Анна"]),
        ("povtor nudge list -c ёл", ["Семён Ёлкин"]),  # a word of the name, ё as е
        ("povtor client show ел", ["Семён Ёлкин"]),  # a CLIENT argument
        ("povtor deal open ром", ["ООО «Ромашка-Юг»"]),  # the name, not the company
        ("povtor perks upcoming -c iv", ["Ivan Smith"]),
        ("povtor db changes --client Пу", []),
    ],
)
def test_client_names_complete_from_the_database(people: Cli, line: str, names: list[str]) -> None:
    assert offered(line) == names


def test_every_client_on_an_empty_word_active_first(people: Cli) -> None:
    assert offered("povtor nudge log --client ") == [
        "Ivan Smith",
        "Иван Петров",
        "ООО «Ромашка-Юг»",
        "Семён Ёлкин",
        "Иванова Анна",  # archived
    ]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("povtor deal open X --funnel ", ["repeat", "first", "refusal"]),
        ("povtor deal list --funnel R", ["repeat", "refusal"]),
        ("povtor stats funnel --funnel f", ["first"]),
        ("povtor deal list --funnel first --stage ", ["lead", "contact", "meeting"]),
        ("povtor deal list --funnel refusal --stage ", ["revisit", "interest", "proposal"]),
        ("povtor deal list --stage p", ["proposal", "paid"]),
        ("povtor funnel limit repeat ", ["base", "request", "proposal"]),
        ("povtor nudge log --outcome n", ["no", "no-answer"]),
        ("povtor nudge edit 1 -o L", ["later"]),
        ("povtor nudge log --channel m", ["messenger", "meeting"]),
        ("povtor plan run --channel ", ["call", "email", "messenger"]),
        ("povtor client add X -C ", ["A", "B", "C"]),
        ("povtor client list --category b", ["B"]),
        ("povtor plan today -c ", ["A", "B", "C"]),  # the earlier spelling completes too
        ("povtor roadmap add ", ["A", "B", "C"]),
    ],
)
def test_fixed_words_funnels_and_stages(cli: Cli, line: str, words: list[str]) -> None:
    cli.ok("init")
    assert offered(line)[: len(words)] == words


def test_no_database_completes_no_names_and_says_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    assert offered("povtor nudge log --client Ив", missing) == []
    assert offered("povtor deal list --stage ", missing) == []
    assert not missing.exists()  # completing never creates the database
    assert offered("povtor nudge log --outcome p", missing) == ["pending"]
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"not a database at all")
    assert offered("povtor nudge log --client Ив", foreign) == []


def test_option_names_do_not_offer_the_earlier_spellings(cli: Cli) -> None:
    names = offered("povtor plan today --")
    assert "--on" in names and "--category" in names
    assert "--date" not in names


COMPLETE_LOADED = """
import sys
from povtor.cli.main import app
try:
    app([], prog_name="povtor")
except SystemExit as stop:
    assert not stop.code, stop.code
watched = ("sqlalchemy", "sqlmodel", "alembic", "pydantic", "rich", "povtor.app")
watched += ("povtor.domain.metrics", "povtor.storage.migrate", "jinja2")
print("loaded:", *sorted(m for m in watched if m in sys.modules), file=sys.stderr)
"""


def test_completion_in_a_real_shell_process_is_light(people: Cli) -> None:
    """The installed executable answers bash's request; the completion loads no ORM, no
    Rich and no use case (it reads the file with the SQLite driver)."""
    env = {**os.environ, **completion_env("povtor nudge log -c ив", people.db)}
    done = subprocess.run([executable()], env=env, capture_output=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8").splitlines() == ["Иван Петров", "Иванова Анна"]
    loaded = subprocess.run(
        [sys.executable, "-c", COMPLETE_LOADED],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines() == ["Иван Петров", "Иванова Анна"]
    assert loaded.stderr.strip().splitlines()[-1] == "loaded:", loaded.stderr


def test_names_that_start_with_it_are_not_crowded_out(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many names with a later word that matches do not push out the one that starts
    with the text (the shell is offered a limited number of names)."""
    from povtor.storage import completion

    monkeypatch.setattr(completion, "LIMIT", 2)
    # more of them, ahead in the alphabet, than a substring query reads (4 x LIMIT)
    for surname in (
        "Аверин",
        "Белов",
        "Волков",
        "Гусев",
        "Дёмин",
        "Ежов",
        "Жуков",
        "Зуев",
        "Абрамов",
    ):
        cli.add_client(f"{surname} Иван")
    cli.add_client("Иванова Анна")
    assert offered("povtor nudge log -c ив") == ["Иванова Анна", "Абрамов Иван"]


def test_the_stages_of_a_deal_named_by_id(cli: Cli) -> None:
    cli.add_client("Иван Петров")
    cli.open_deal("1")  # repeat
    cli.open_deal("1", "--funnel", "refusal")
    assert offered("povtor deal move 2 ") == ["revisit", "interest", "proposal", "invoice", "paid"]
    assert offered("povtor deal move #1 p") == ["proposal", "paid"]
    assert offered("povtor deal move 99 r")[:2] == ["request", "revisit"]  # no such deal: all
