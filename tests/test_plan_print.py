"""The plan for people at any width: ``plan today`` and ``plan run``'s screen as plain
lines wrapped between words, ``why:`` and ``say:`` continued under their text, no id,
amount (with its currency) or date broken; NO_COLOR; the pager.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from support import Cli

WIDTHS = (60, 80, 100, 140)
HEAD = re.compile(r"^ ?\d+\. ")
WHY, SAY, TERMS = "    why: ", "    say: ", "    priority = "
UNDER = " " * len(WHY)  # a why: or say: line continued
# what must stay on one line: an amount with its currency, a date, an id
AMOUNT = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?(?: (?:RUB|₽))?")
DATE = re.compile(r"\d{4}-\d\d-\d\d")
ID = re.compile(r"#\d+")

NB = "\u00a0"  # the drafts' own no-break spaces are written as they are
LONG_NAME = "Торгово-промышленная компания «Северо-Западные комплектационные системы»"


@pytest.fixture
def big(cli: Cli) -> Cli:
    """A client with a long Cyrillic name and an invoice of 16 410 368.70 stuck since
    20 February, another with a proposal; a day's work of one item."""
    cli.add_client(LONG_NAME, "--category", "A")
    cli.open_deal("1", "--stage", "invoice", "--amount", "16410368.70", "--on", "2026-02-20")
    cli.ok("client", "person", "add", "1", "Смирнов Геннадий Николаевич")
    cli.add_client("Ромашка", "--category", "B")
    cli.open_deal("Ромашка", "--stage", "proposal", "--amount", "125000", "--on", "2026-02-24")
    cli.ok("plan", "set", "plan.capacity", "1")
    return cli


def table(cli: Cli, width: int, *options: str, **env: str) -> list[str]:
    run = cli.ok(
        "plan",
        "today",
        *options,
        "--format",
        "table",
        env={"COLUMNS": str(width), "NO_COLOR": "1", **env},
    )
    assert "\x1b" not in run.stdout
    lines = run.stdout.splitlines()
    too_wide = [line for line in lines if len(line) > width]
    assert not too_wide, f"wider than {width}:\n" + "\n".join(too_wide)
    return lines


# -- plan today: the exact screen ----------------------------------------------------------
# the exact screens of the ``big`` plan with --why, one file a width
EXACT = {
    width: (Path(__file__).parent / "fixtures" / "plan_today" / f"{width}.txt").read_text(
        encoding="utf-8"
    )
    for width in WIDTHS
}


@pytest.mark.parametrize("width", WIDTHS)
def test_plan_today_exactly_at_every_width(big: Cli, width: int) -> None:
    assert "\n".join(table(big, width, "--why")) + "\n" == EXACT[width]


def test_plan_today_without_items_says_so(cli: Cli) -> None:
    assert table(cli, 60) == [
        "Plan of nudges for 2026-03-02",
        "nothing to nudge on 2026-03-02: all deals are moving",
    ]


# -- plan today: the demo at every width ---------------------------------------------------
def items_of(lines: list[str]) -> tuple[list[list[str]], list[str]]:
    """The blocks of the items (each: its lines), and the lines after them."""
    items: list[list[str]] = []
    tail: list[str] = []
    for line in lines:
        if HEAD.match(line) and not tail:
            items.append([line])
        elif items and line.startswith("    ") and not tail:
            items[-1].append(line)
        else:
            tail.append(line)
    return items, tail


def parts(block: list[str]) -> dict[str, list[str]]:
    """An item's lines by part: head, why, say, terms."""
    found: dict[str, list[str]] = {"head": [], "why": [], "say": [], "terms": []}
    part = "head"
    for line in block:
        for name, label in (("why", WHY), ("say", SAY), ("terms", TERMS)):
            if line.startswith(label):
                part = name
        found[part].append(line)
    return found


def continued(lines: list[str], first: str, rest: str) -> str:
    """The text of a part: its first line after ``first``, each next one after ``rest``
    (asserted), joined by a space."""
    assert lines[0].startswith(first), lines
    for line in lines[1:]:
        assert line.startswith(rest) and line[len(rest)] != " ", f"not under the text: {line!r}"
    return " ".join([lines[0][len(first) :], *(line[len(rest) :] for line in lines[1:])])


def filled(lines: list[str], first: str, text: str, width: int) -> None:
    """Each line breaks only where the next word of ``text`` would not fit (a word as the
    wrap sees it: an amount with its currency, or words a no-break space joins, is one)."""
    from povtor.cli.plan_lines import keep_amounts
    from povtor.terminal import words

    left = [w.replace(NB, " ") for w in words(keep_amounts(text))]
    for n, line in enumerate(lines):
        content = line[len(first) :].replace(NB, " ").split(" ")
        while content:
            word = left.pop(0)
            assert content[: word.count(" ") + 1] == word.split(" "), (word, line)
            content = content[word.count(" ") + 1 :]
        if n + 1 < len(lines):
            assert len(line) + 1 + len(left[0]) > width, f"{left[0]!r} fits after {line!r}"
    assert not left


def whole(text: str, lines: list[str]) -> None:
    """Every amount (with its currency), date and id of ``text`` is on one line."""
    pieces = [m.group() for pattern in (AMOUNT, DATE, ID) for m in pattern.finditer(text)]
    plain = [line.replace(NB, " ") for line in lines]
    for piece in pieces:
        assert any(piece in line for line in plain), f"{piece!r} broken:\n" + "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_demo_plan_wraps_between_words_at_every_width(on_demo: Cli, width: int) -> None:
    rows: list[dict[str, Any]] = json.loads(
        on_demo.ok("plan", "today", "--why", "--format", "json").stdout
    )
    lines = table(on_demo, width, "--why")
    assert lines[0] == "Plan of nudges for 2026-03-02"
    items, tail = items_of(lines[1:])
    assert len(items) == len(rows) == 30
    for block, row in zip(items, rows, strict=True):
        found = parts(block)
        # the head: every part whole, in order, broken only between parts
        head = [
            row["client"],
            f"[{row['category']}]",
            f"deal #{row['deal_id']} {row['stage']}" if row["deal_id"] else None,
            _grouped(row["amount"]) if row["amount"] else None,
            row["kind"],
            f"priority {row['priority']}",
        ]
        shown = continued(found["head"], f"{row['rank']:>2}. ", "    ")
        pattern = r"(?: · | )".join(re.escape(p) for p in head if p)
        assert re.fullmatch(pattern, shown), (shown, head)
        for piece in head[2:]:
            assert piece is None or any(piece in line for line in found["head"]), piece
        # why: and say: are the reasons and the draft, word for word, under their text
        for part, label, key in (("why", WHY, "reason"), ("say", SAY, "text")):
            text = continued(found[part], label, UNDER)
            assert text.replace(NB, " ") == " ".join(row[key].split()), (part, found[part])
            whole(row[key].replace(NB, " "), found[part])
            if "\n" not in row[key]:
                filled(found[part], label, row[key], width)
        terms = continued(found["terms"], TERMS, " " * len(TERMS))
        assert terms.startswith(f"category {row['w_category']}, money {row['w_money']}")
    caption = " ".join(tail)
    assert caption.startswith("30 of 36 items. ")
    whole(caption, tail)
    assert tail[-1] == "… and 6 more: povtor plan today --all"


def _grouped(amount: str) -> str:
    whole_part, cents = amount.split(".")
    return f"{int(whole_part):,}".replace(",", " ") + "." + cents


def test_no_color_removes_every_escape_and_force_color_keeps_them(big: Cli) -> None:
    styled = big.ok("plan", "today", "--why", "--format", "table", env={"FORCE_COLOR": "1"})
    assert "\x1b[1m" in styled.stdout and "\x1b[2m" in styled.stdout  # bold, dim
    plain = big.ok(
        "plan",
        "today",
        "--why",
        "--format",
        "table",
        env={"FORCE_COLOR": "1", "NO_COLOR": "1", "COLUMNS": "80"},
    )
    assert "\x1b" not in plain.stdout
    assert plain.stdout == EXACT[80]


def test_plan_today_on_a_terminal_goes_through_the_pager(demo: Path, tmp_path: Path) -> None:
    from test_terminal import on_terminal

    paged = tmp_path / "paged.txt"
    shown = on_terminal(demo, "plan", "today", POVTOR_PAGER=f"cat > '{paged}'")
    assert shown == ""  # all of it went to the pager
    text = paged.read_text(encoding="utf-8")
    assert text.startswith("\x1b[1mPlan of nudges for ") and "    why: " in text
    assert all(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) <= 100 for line in text.splitlines())
    plain = on_terminal(demo, "--no-pager", "plan", "today", NO_COLOR="1")
    assert "\x1b" not in plain and "    say: " in plain


# -- plan run: the screen of an item -------------------------------------------------------
def test_plan_run_wraps_the_item_between_words(big: Cli) -> None:
    run = big("plan", "run", input="s\nq\n", env={"COLUMNS": "60"})
    assert run.exit_code == 0, run.describe()
    assert run.stdout == (
        "\n"
        "#1 Торгово-промышленная компания «Северо-Западные\n"
        "   комплектационные системы» [A]\n"
        "  why: Счёт отправлен: 5 working days in stage (limit 3), no\n"
        "       touch since\n"
        "  touch: closing, deal #1 repeat/invoice\n"
        "  message: Добрый день, Геннадий Николаевич! Счёт на\n"
        f"           16{NB}410{NB}368,70{NB}₽ ждёт оплаты 10{NB}дней. Оплата в\n"
        "           силе или что-то пошло не по плану?\n"
        "[y]es  [n]o  [l]ater  [a] no answer  [s]kip  [q]uit: s\n"
        "\n"
        "#2 Ромашка [B]\n"
        "  why: КП отправлено: 4 working days in stage (limit 3), no\n"
        "       touch since\n"
        "  touch: closing, deal #2 repeat/proposal\n"
        "  message: Добрый день! По нашему КП: берёте в работу или\n"
        "           пока не актуально?\n"
        "[y]es  [n]o  [l]ater  [a] no answer  [s]kip  [q]uit: q\n"
    )
    assert run.stderr == "recorded 0 outcome(s)\n"
    assert not any(len(line) > 60 for line in run.stdout.splitlines())


def test_plan_run_keeps_a_big_amount_whole_in_the_reasons(on_demo: Cli) -> None:
    """«16 410 368.70 RU / B» and «Комплектаци / я» were the terminal cutting the line."""
    run = on_demo("plan", "run", "--limit", "1", input="q\n", env={"COLUMNS": "60"})
    assert run.exit_code == 0, run.describe()
    lines = run.stdout.splitlines()
    assert any("16 410 368.70 RUB" in line for line in lines), run.stdout
    assert any(f"1{NB}465{NB}618,20{NB}₽" in line for line in lines), run.stdout
    assert any("Комплектация" in line for line in lines)
    assert all(len(line) <= 60 for line in lines)
