"""Tables at any terminal width: no column dropped, no id, code, amount or date cut.

Every listing and report of the demo database is printed as a table at 60, 80, 100 and
140 columns; every value of its machine output (the same command with --format json)
that names or counts something must appear whole on one line of the table, and no line
may be wider than the terminal. Free text (names, titles, messages) may wrap between
words, and its long words may be broken: only its short words are checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from support import Cli

WIDTHS = (60, 80, 100, 140)
# free text: wraps between words; a word longer than this may be broken in a narrow table
FREE_TEXT = {
    "name",
    "client",
    "company",
    "title",
    "text",
    "body",
    "script",
    "note",
    "notes",
    "reason",
    "what",
    "value",
    "related",
    "keywords",
    "role",
    "address",
    "help",
    "meaning",
    "occasion",
    "summary",
}
SHORT_WORD = 10
# (the command, the keys of its json that the table leaves out, or for one record: the
# paths of the values its card shows)
LISTINGS: list[tuple[str, set[str]]] = [
    ("client list", {"source", "status", "created_on"}),
    ("client find ко", {"source", "status", "created_on"}),
    ("client categorize --dry-run", set()),
    ("client roadmap 8", {"category", "script"}),
    ("client person list 8", set()),
    ("client fact list 8", set()),
    ("deal list --status all", {"status", "currency", "opened_on"}),
    ("nudge list --limit 300", {"stage", "channel", "purpose_ref", "reason", "follow_up_on"}),
    ("nudge template list", {"stage"}),
    ("plan explain 1", set()),
    ("plan target --revenue 3000000", set()),
    ("plan settings", set()),
    ("stats perks --all", set()),
    ("stats abc --all", set()),
    ("stats repeat", set()),
    ("stats nudges", set()),
    ("stats cohorts", set()),
    ("stats touches --part summary", set()),
    ("stats touches --part distribution --from 2025-01-01 --funnel repeat", set()),
    ("stats touches --part clients --from 2025-01-01", set()),
    ("stats cards", set()),
    ("stats funnel --part stages", set()),
    ("stats funnel --part closed", set()),
    ("stats funnel --part reasons --from 2025-01-01", set()),
    ("stats funnel --funnel first --period year --part stages", set()),
    ("funnel list", set()),
    ("product list", {"note"}),
    ("roadmap list", set()),
    ("perks holidays", {"name_en", "rule", "note"}),
    ("perks upcoming --days 60", {"source", "person"}),
    ("db info", {"value"}),
]
RECORDS: list[tuple[str, list[str]]] = [
    (
        "client show 8",
        [
            "id",
            "phone",
            "created_on",
            "people.*.id",
            "people.*.birthday",
            "facts.*.id",
            "facts.*.noted_on",
            "facts.*.topic",
            "deals.*.id",
            "deals.*.funnel",
            "deals.*.stage",
            "deals.*.status",
            "deals.*.amount",
            "deals.*.opened_on",
            "deals.*.closed_on",
        ],
    ),
    (
        "deal show 100",
        [
            "id",
            "client_id",
            "funnel",
            "stage",
            "status",
            "amount",
            "opened_on",
            "stage_entered_on",
            "expected_on",
            "closed_on",
            "history.*.on_date",
            "history.*.event",
            "history.*.from_stage",
            "history.*.to_stage",
            "touches.*.id",
            "touches.*.on_date",
            "touches.*.kind",
            "touches.*.channel",
            "touches.*.outcome",
            "products.*.id",
        ],
    ),
    ("product show 1", ["id", "price", "buyers", "deals_won", "last_sold_on", "related.*.id"]),
]
MONEY = re.compile(r"-?\d+\.\d\d")
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?")


def forms(value: Any) -> list[str]:
    """How a machine value may be written in a table: any one of these, whole."""
    if isinstance(value, bool):
        return ["yes" if value else "no", str(value)]
    if isinstance(value, float):  # a rate (json rounds it to 4 places, a table to 1 of %)
        return [f"{value * 100 + d:.1f}%" for d in (0, -0.05, 0.05)] + [f"{value:g}"]
    if isinstance(value, int):
        return [str(value)]
    text = str(value)
    if MONEY.fullmatch(text):
        whole, cents = text.split(".")
        return [f"{int(whole):,}".replace(",", " ") + "." + cents, text]
    if DATETIME.fullmatch(text):
        return [text[:16].replace("T", " "), text[:16]]
    return [text]


def wanted(key: str, value: Any) -> Iterator[list[str]]:
    """The pieces of a value that must each appear whole (alternatives in a list)."""
    if value is None or value == "" or isinstance(value, (list, dict)):
        return
    if not isinstance(value, str) or MONEY.fullmatch(value) or DATETIME.fullmatch(value):
        yield forms(value)
        return
    for word in value.split():
        if key not in FREE_TEXT or len(word) <= SHORT_WORD:
            yield [word]


def leaves(record: Any, path: str) -> Iterator[tuple[str, Any]]:
    head, _, rest = path.partition(".")
    if head == "*":
        for item in record:
            yield from leaves(item, rest)
    elif rest:
        yield from leaves(record.get(head) or [], rest)
    else:
        yield head, record.get(head)


def table_at(cli: Cli, args: list[str], width: int) -> list[str]:
    run = cli.ok(*args, "--format", "table", env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert "\x1b" not in run.stdout
    lines = run.stdout.splitlines()
    too_wide = [line for line in lines if len(line) > width]
    assert not too_wide, f"wider than {width}:\n" + "\n".join(too_wide)
    return lines


def check(cli: Cli, args: list[str], pieces: list[list[str]]) -> None:
    assert pieces, f"povtor {' '.join(args)} printed nothing to check"
    for width in WIDTHS:
        lines = table_at(cli, args, width)
        missing = [
            alternatives
            for alternatives in pieces
            if not any(form in line for form in alternatives for line in lines)
        ]
        shown = "\n".join(lines)
        assert not missing, f"povtor {' '.join(args)} at {width}: {missing[:5]} not whole:\n{shown}"


@pytest.mark.parametrize(("command", "hidden"), LISTINGS, ids=[c for c, _ in LISTINGS])
def test_listings_keep_every_value_whole_at_every_width(
    on_demo: Cli, command: str, hidden: set[str]
) -> None:
    args = command.split()
    records = json.loads(on_demo.ok(*args, "--format", "json").stdout)
    if isinstance(records, dict):
        records = [records]
    pieces = [
        alternatives
        for record in records
        for key, value in record.items()
        if key not in hidden
        for alternatives in wanted(key, value)
    ]
    check(on_demo, args, pieces)


@pytest.mark.parametrize(("command", "paths"), RECORDS, ids=[c for c, _ in RECORDS])
def test_cards_keep_every_value_whole_at_every_width(
    on_demo: Cli, command: str, paths: list[str]
) -> None:
    args = command.split()
    record = json.loads(on_demo.ok(*args, "--format", "json").stdout)
    pieces = [
        alternatives
        for path in paths
        for key, value in leaves(record, path)
        for alternatives in wanted(key, value)
    ]
    check(on_demo, args, pieces)


@pytest.mark.parametrize("width", WIDTHS)
def test_reports_in_parts_fit_the_width(on_demo: Cli, width: int) -> None:
    for command in ("stats funnel --from 2025-01-01", "stats touches --from 2025-01-01"):
        table_at(on_demo, command.split(), width)


def test_amounts_never_break_across_lines(on_demo: Cli) -> None:
    """«951 / 297.00» was an amount broken in two: a grouped amount is one word."""
    lines = table_at(on_demo, ["stats", "repeat"], 60)
    assert not any(re.search(r"\d \d{3}$", line.rstrip(" │")) for line in lines)
    assert not any(re.match(r"^[│ ]*\d{3}\.\d\d", line) for line in lines)


WRAP: list[tuple[str, int, list[str]]] = [
    ("Комплектация объекта", 12, ["Комплектация", "объекта"]),
    ("выручка 16 410 368.70 RUB за год", 16, ["выручка", "16 410 368.70", "RUB за год"]),
    ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
    ("две\nстроки", 40, ["две", "строки"]),
]


@pytest.mark.parametrize(("text", "width", "lines"), WRAP)
def test_wrap_breaks_between_words_and_keeps_numbers_whole(
    text: str, width: int, lines: list[str]
) -> None:
    from povtor.terminal import wrap

    assert wrap(text, width) == lines


def test_wrap_lines_indents_the_continuation() -> None:
    from povtor.terminal import wrap_lines

    assert wrap_lines("позвонить и спросить про объём", 24, first="    why: ") == [
        "    why: позвонить и",
        "         спросить про",
        "         объём",
    ]


def test_long_reports_show_the_top_in_a_table_and_all_with_all(cli: Cli) -> None:
    """stats perks on 60 clients: 50 rows and a count in a table; --all and every machine
    format have all 60."""
    cli("import", "clients", "-", input="name\n" + "".join(f"Клиент {n}\n" for n in range(60)))
    table = cli.ok("stats", "perks", "--format", "table").stdout
    assert table.count("Клиент ") == 50
    assert "The first 50 of 60 rows: --all shows every client." in table
    every = cli.ok("stats", "perks", "--all", "--format", "table").stdout
    assert every.count("Клиент ") == 60 and "The first" not in every
    assert len(json.loads(cli.ok("stats", "perks", "--format", "json").stdout)) == 60
