"""Every command documents itself with an example, and docs/commands.md covers every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from povtor.cli.main import app

DOCS = Path(__file__).resolve().parents[1] / "docs"
COMMANDS = DOCS / "commands.md"
PLAN = DOCS / "plan.md"


def _walk(command: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    """Every (command path, command) below ``command``, groups and leaves alike."""
    found = [(path, command)]
    if not hasattr(command, "list_commands"):
        return found
    ctx = command.make_context(path[-1], [], resilient_parsing=True)
    for name in sorted(command.list_commands(ctx)):
        sub = command.get_command(ctx, name)
        if not getattr(sub, "hidden", False):
            found += _walk(sub, (*path, name))
    return found


ALL = _walk(typer.main.get_command(app), ("povtor",))
LEAVES = [(path, command) for path, command in ALL if not hasattr(command, "list_commands")]
LEAF_PATHS = [" ".join(path) for path, _ in LEAVES]


def test_the_tree_is_walked() -> None:
    for path in (
        "povtor client add",
        "povtor client fact add",
        "povtor deal list",
        "povtor db info",
    ):
        assert path in LEAF_PATHS


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=LEAF_PATHS)
def test_every_command_has_an_example(path: tuple[str, ...], command: Any) -> None:
    help_text = command.help or ""
    assert "Example:" in help_text, f"{' '.join(path)} has no 'Example:' in its help"
    example = help_text.split("Example:", 1)[1].strip()
    assert example.startswith("povtor ") or " povtor " in example or "$(povtor " in example


@pytest.mark.parametrize("path", LEAF_PATHS)
def test_every_command_is_in_the_reference(path: str) -> None:
    text = COMMANDS.read_text(encoding="utf-8")
    assert path in text, f"docs/commands.md does not mention `{path}`"


def test_root_help_lists_every_group_with_its_own_words() -> None:
    """The root --help does not import the groups; its one-liners must match them."""
    from povtor.cli.group import PovtorRootGroup

    for name, spec in PovtorRootGroup.lazy_groups.items():
        group = dict(ALL)[("povtor", name)]
        own = " ".join((group.help or "").split())
        words = spec.summary.removesuffix("...").removesuffix(".")
        short = words.split(":")[0]
        assert own.startswith(short), (name, spec.summary, own)


def answers_table() -> list[str]:
    """The "how answers change the plan" rows of docs/plan.md, as the code has them."""
    from povtor.domain.conversation import ANSWERS, OUTCOMES, TOUCHES

    header = ["| touch | " + " | ".join(words for _, words in OUTCOMES) + " |"]
    header.append("| --- |" + " --- |" * len(OUTCOMES))
    return header + [
        f"| {words} | " + " | ".join(ANSWERS[(touch, outcome)] for outcome, _ in OUTCOMES) + " |"
        for touch, words in TOUCHES
    ]


def test_the_docs_say_what_each_answer_does() -> None:
    """The table of answers in docs/plan.md is the one the plan works by
    (povtor.domain.conversation.ANSWERS; tests/test_diaries.py replays every cell)."""
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    start = lines.index(answers_table()[0])
    assert lines[start : start + len(answers_table())] == answers_table()


def test_the_readme_says_what_ci_runs() -> None:
    """The README's test command is the line .ci/run runs first, and the run on a
    PostgreSQL server it names is the one .ci/run runs next."""
    import re

    root = DOCS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    ci = [line.strip() for line in (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    tests = block[block.index(next(line for line in block if line.startswith("# 2."))) + 1]
    server = re.search(r"`(CI=true POVTOR_TEST_ENGINE=postgresql [^`]+)`", readme)
    assert server is not None
    commands = [line for line in ci if line and not line.startswith("#")]
    at = commands.index(tests)
    assert commands[at + 1] == server.group(1)
