"""Every ``$ povtor ...`` transcript of README.md and docs/*.md is run and compared exactly.

The convention, in the Markdown files:

- a transcript is a fenced block opened with ```` ```console ````; each line that starts
  with ``$ `` is a command, and the lines after it, up to the next ``$ `` line, are what
  it prints (stdout and stderr interleaved, as a terminal shows them);
- a line that is exactly ``…`` in the shown output stands for any run of lines (none
  included): the only elision allowed;
- a command without shell syntax runs in this process (as tests/support.py ``invoke``
  does, with stdout and stderr written through to one stream in the order a terminal
  shows them); one with a pipe, ``;``, a redirection or ``$(...)`` runs in bash, with the installed
  ``povtor`` first on the PATH;
- every command sees the demo database built as the README's first command builds it
  (``povtor --today 2026-11-23 demo``), as ``POVTOR_DB`` with
  ``POVTOR_TODAY=2026-11-23T14:40`` (the tour's ``export`` line: a time of day too, as
  the histories of deals record it); a command that names its own database (``--db``)
  runs without ``POVTOR_DB`` and ``POVTOR_TODAY``, as in a new shell; the home
  directory (a temporary one) is shown as ``~``; ``POVTOR_TZ=Europe/Moscow``, ``COLUMNS=100``,
  ``NO_COLOR=1``, no pager and the table format a terminal gets;
- each file works on its own copy of the demo, its commands in order (what one changes,
  the next sees); a line ``<!-- transcript: fresh demo -->`` before a block starts the
  file over on a new copy, for examples that each begin from the demo as built.

Blocks that are not transcripts (install commands, scripts) are plain ```` ```sh ````
blocks and are not run.

``POVTOR_UPDATE_TRANSCRIPTS=1 pytest tests/test_transcripts.py`` rewrites every shown
output that differs with what the command prints now (a block with ``…`` is written
whole: put the elisions back by hand); review the diff.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from support import invoke

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TODAY = "2026-11-23"
NOW = f"{TODAY}T14:40"
ELISION = "…"
FRESH = "<!-- transcript: fresh demo -->"
SHELL = re.compile(r"[|;&<>`]|\$\(|\$\?")
UPDATE = os.environ.get("POVTOR_UPDATE_TRANSCRIPTS") == "1"


@dataclass
class Step:
    """One ``$ command`` and the lines shown after it (``first``..``last`` in the file)."""

    command: str
    shown: list[str]
    first: int
    last: int


@dataclass
class Block:
    line: int
    fresh: bool
    steps: list[Step] = field(default_factory=list)


def transcripts(lines: list[str]) -> list[Block]:
    """The transcript blocks of a Markdown file's lines."""
    blocks: list[Block] = []
    fence: str | None = None
    fresh = False
    current: Block | None = None
    for number, line in enumerate(lines):
        if fence is None:
            if line.strip() == FRESH:
                fresh = True
            elif line.startswith("```"):
                fence = line
                if line.strip() == "```console":
                    current = Block(number + 1, fresh)
                    blocks.append(current)
                    fresh = False
            continue
        if line.strip() == "```":
            fence = None
            current = None
        elif current is not None:
            if line.startswith("$ "):
                current.steps.append(Step(line[2:], [], number + 1, number))
            elif current.steps:
                current.steps[-1].shown.append(line)
                current.steps[-1].last = number
            else:
                pytest.fail(f"line {number + 1}: a transcript starts with a `$ ` command")
    return blocks


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether the shown lines are the actual ones, ``…`` lines standing for any run."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == ELISION else re.escape(line) + "\n" for line in shown
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database as the README's first command builds it, once per session."""
    path = tmp_path_factory.mktemp("transcripts") / "demo.db"
    run = invoke(
        ["--today", TODAY, "demo", str(path), "--force"],
        env={"POVTOR_TZ": "Europe/Moscow", "POVTOR_TODAY": None},
    )
    assert run.exit_code == 0, run.describe()
    return path


def environment(db: Path, home: Path) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    return {
        "POVTOR_DB": str(db),
        "POVTOR_TODAY": NOW,
        "POVTOR_TZ": "Europe/Moscow",
        "POVTOR_FORMAT": "table",
        "POVTOR_PAGER": "",
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@cache
def _command() -> Any:
    from povtor.cli.main import app

    return typer.main.get_command(app)


class _Copy(io.BytesIO):
    """A stream that also writes everything into ``shared``, as it comes."""

    def __init__(self, shared: io.BytesIO) -> None:
        super().__init__()
        self.shared = shared

    def write(self, data: Any) -> int:
        self.shared.write(data)
        return super().write(data)


def in_process(args: list[str], env: dict[str, str | None]) -> str:
    """stdout and stderr of ``povtor ARGS`` interleaved in the order they were written."""
    shared = io.BytesIO()
    with CliRunner().isolation(env=env):
        sys.stdout = io.TextIOWrapper(_Copy(shared), encoding="utf-8", write_through=True)
        sys.stderr = io.TextIOWrapper(_Copy(shared), encoding="utf-8", write_through=True)
        try:
            _command().main(args=args, prog_name="povtor", standalone_mode=True)
        except SystemExit:
            pass
        except Exception:  # a traceback is what the user would see
            pytest.fail(f"povtor {' '.join(args)}\n{traceback.format_exc()}")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return shared.getvalue().decode("utf-8")


def run(command: str, env: dict[str, str]) -> list[str]:
    """What ``command`` shows on a terminal, line by line (trailing spaces dropped)."""
    drop = ("POVTOR_DB", "POVTOR_TODAY") if "--db" in command else ()
    if SHELL.search(command):
        done = subprocess.run(
            ["bash", "-c", command],
            env={
                key: value
                for key, value in {**os.environ, **env, "PYTHONUNBUFFERED": "1"}.items()
                if key not in drop
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        text = done.stdout
    else:
        args = shlex.split(command)
        assert args[0] == "povtor", command
        text = in_process(["--no-pager", *args[1:]], {**env, **dict.fromkeys(drop, None)})
    text = text.replace(env["HOME"], "~")
    return [line.rstrip() for line in text.splitlines()]


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(ROOT)) for f in FILES])
def test_transcripts(path: Path, demo: Path, tmp_path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = transcripts(lines)
    if not blocks:
        pytest.skip("no transcripts")
    db = tmp_path / "demo.db"
    env = environment(db, tmp_path / "home")
    shutil.copy2(demo, db)
    failures: list[str] = []
    replacements: list[tuple[Step, list[str]]] = []
    for block in blocks:
        if block.fresh:
            shutil.copy2(demo, db)
        for step in block.steps:
            actual = run(step.command, env)
            if matches(step.shown, actual):
                continue
            replacements.append((step, actual))
            diff = difflib.unified_diff(step.shown, actual, "shown", "printed", lineterm="")
            failures.append(
                f"{path.relative_to(ROOT)}:{step.first}: $ {step.command}\n" + "\n".join(diff)
            )
    if UPDATE and replacements:
        for step, actual in sorted(replacements, key=lambda pair: -pair[0].first):
            lines[step.first : step.last + 1] = actual
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not failures, "\n\n".join(failures)
