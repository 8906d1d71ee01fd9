"""A seller's diary: weeks of a seller's work replayed through the real CLI, day by day,
with the exact plan expected after what the clients answered.

Each story is a file in ``tests/diaries/`` (Markdown, read as it is):

- ``## Mon 2026-03-02`` starts a day: every command below it runs with ``POVTOR_TODAY``
  set to that day (and a minute that moves on with each command, so touches logged the
  same day keep their order);
- an indented ``$ povtor ARGS`` line is a command typed that day; ``$ povtor ARGS <<<
  y | n | (enter)`` answers its prompts (``plan run``) line by line;
- after ``$ povtor plan today`` (any options but ``--format``) come the plan's items,
  exactly and in order: ``client[ #deal] · touch kind · reason``, or ``(nothing to do)``;
  a ``say: TEXT`` line after an item checks that the item's draft contains TEXT;
- after any other command, ``? N`` is its exit code (default 0) and every other line is
  one it must print (stdout or stderr), exactly;
- ``$ cat > NAME`` writes the indented lines after it to a file (an import's CSV);
- everything else is prose, for the reader.

``POVTOR_DIARY_RECORD=1 pytest tests/test_diaries.py`` writes the plans and exit codes
the commands give back into the files instead of checking them (then read the diff).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from povtor.domain.conversation import ANSWERS, answer_of, touch_of
from support import TZ, invoke, query

DIARIES = sorted((Path(__file__).resolve().parent / "diaries").glob("*.md"))
RECORD = os.environ.get("POVTOR_DIARY_RECORD") == "1"
DAY = re.compile(r"^## .*?(\d{4}-\d{2}-\d{2})")
NOTHING = "(nothing to do)"


@dataclass
class Step:
    line: int  # where the command is (1-based), for messages
    day: str
    args: list[str]
    answers: str | None = None  # what is typed at its prompts
    expected: list[str] = field(default_factory=list)
    says: dict[int, list[str]] = field(default_factory=dict)  # item index -> draft parts
    file: tuple[str, list[str]] | None = None  # ``cat > NAME``: the name and its lines
    end: int = 0  # the last line of the step's block (for recording)


def parse(path: Path) -> list[Step]:
    steps: list[Step] = []
    day = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        heading = DAY.match(raw)
        if heading:
            day = heading.group(1)
            continue
        if not raw.startswith("    ") or not raw.strip():
            continue
        line = raw[4:]
        if line.startswith("$ cat > "):
            steps.append(Step(number, day, [], file=(line[len("$ cat > ") :].strip(), [])))
        elif line.startswith("$ povtor "):
            command, _, typed = line[2:].partition(" <<< ")
            answers = None
            if typed:
                answers = "".join(
                    ("" if a.strip() == "(enter)" else a.strip()) + "\n" for a in typed.split(" | ")
                )
            steps.append(Step(number, day, shlex.split(command)[1:], answers))
        elif steps:
            step = steps[-1]
            if step.file is not None:
                step.file[1].append(line)
            elif line.startswith("say: "):
                step.says.setdefault(max(len(step.expected) - 1, 0), []).append(line[5:])
            else:
                step.expected.append(line)
        else:
            continue
        steps[-1].end = number
    return steps


def is_plan(args: list[str]) -> bool:
    return args[:2] == ["plan", "today"] and "--format" not in args


def item_line(item: dict[str, object]) -> str:
    deal = f" #{item['deal_id']}" if item["deal_id"] else ""
    return f"{item['client']}{deal} · {item['kind']} · {item['reason']}"


def replay(path: Path, db: Path, workdir: Path) -> set[tuple[str, str]]:
    """Run the diary at ``path`` on a new database ``db``; the (touch, outcome) cells of
    :data:`~povtor.domain.conversation.ANSWERS` its touches exercised."""
    steps = parse(path)
    assert steps, f"{path.name}: no commands"
    minutes: dict[str, int] = {}
    recorded: dict[int, list[str]] = {}  # step index -> the lines it gave back
    env_base = {"POVTOR_DB": str(db), "POVTOR_TZ": TZ, "POVTOR_FORMAT": None}
    run = invoke(["init"], env={**env_base, "POVTOR_TODAY": "2026-01-01"})
    assert run.exit_code == 0, run.describe()
    for n, step in enumerate(steps):
        where = f"{path.name}:{step.line} ({step.day})"
        assert step.day, f"{where}: a command before the first day"
        if step.file is not None:
            name, lines = step.file
            (workdir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            continue
        minutes[step.day] = minutes.get(step.day, 0) + 1
        hour, minute = divmod(minutes[step.day], 60)
        env = {**env_base, "POVTOR_TODAY": f"{step.day}T{9 + hour:02d}:{minute:02d}"}
        if is_plan(step.args):
            run = invoke([*step.args, "--format", "json"], env=env)
            assert run.exit_code == 0 and run.exception is None, f"{where}\n{run.describe()}"
            items = json.loads(run.stdout)
            got = [item_line(i) for i in items] or [NOTHING]
            if RECORD:
                recorded[n] = [
                    *(
                        line
                        for i, text in enumerate(got)
                        for line in (text, *(f"say: {s}" for s in step.says.get(i, ())))
                    )
                ]
                continue
            assert got == step.expected, f"{where}: the plan differs\n" + "\n".join(got)
            for index, parts in step.says.items():
                for part in parts:
                    assert part in items[index]["text"], (
                        f"{where}: item {index + 1}'s draft lacks {part!r}: {items[index]['text']}"
                    )
            continue
        run = invoke(step.args, env=env, input=step.answers)
        assert run.exception is None, f"{where}\n{run.describe()}"
        codes = [int(e[2:]) for e in step.expected if e.startswith("? ")]
        if RECORD:
            kept = [e for e in step.expected if not e.startswith("? ")]
            recorded[n] = kept + ([f"? {run.exit_code}"] if run.exit_code else [])
            continue
        assert run.exit_code == (codes[0] if codes else 0), f"{where}\n{run.describe()}"
        printed = (run.stdout + run.stderr).splitlines()
        for expected in step.expected:
            if not expected.startswith("? "):
                assert expected in printed, f"{where}: not printed: {expected}\n{run.describe()}"
    if RECORD:
        _write_back(path, steps, recorded)
    return {
        (touch_of(has_deal=deal is not None, purpose=purpose, kind=kind), answer_of(outcome))
        for deal, purpose, kind, outcome in query(
            db, "SELECT deal_id, purpose, kind, outcome FROM touch"
        )
    }


def _write_back(path: Path, steps: list[Step], recorded: dict[int, list[str]]) -> None:
    """Replace each step's expected lines with what it gave back (record mode)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for n in sorted(recorded, reverse=True):
        step = steps[n]
        lines[step.line : step.end] = ["    " + line for line in recorded[n]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


COVERED: dict[str, set[tuple[str, str]]] = {}


@pytest.mark.parametrize("path", DIARIES, ids=[p.stem for p in DIARIES])
def test_diary(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    COVERED[path.name] = replay(path, tmp_path / "povtor.db", tmp_path)


def test_the_diaries_cover_every_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every outcome of every kind of touch (docs/plan.md: how answers change the plan) is
    logged in some diary, and the diary checks the plan that follows."""
    monkeypatch.chdir(tmp_path)
    for path in DIARIES:  # (those not replayed in this session yet, e.g. with -k)
        if path.name not in COVERED:
            workdir = tmp_path / path.stem
            workdir.mkdir()
            monkeypatch.chdir(workdir)
            COVERED[path.name] = replay(path, workdir / "povtor.db", workdir)
    covered = set().union(*COVERED.values())
    assert sorted(set(ANSWERS) - covered) == []
