"""Roadmaps (seed 001): the ordered steps that lead a client of each category from
one-off purchases to large regular ones, and each client's progress on its roadmap.

Pure: the steps and the steps done come in as plain values (see
:mod:`povtor.storage.roadmap_queries`). The plan's rule that suggests a client's next
step with its call script is :mod:`povtor.domain.plan_rules.roadmap_step`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence

from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.records import record
from povtor.text import fold

CODE_MAX = 50
_CODE = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")  # letters, digits, "-" and "_" inside
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"  # _: dropped
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(" "), strict=True)) | {
    "ъ": "",
    "ь": "",
}


@record(frozen=True)
class Step:
    """One step of a category's roadmap."""

    id: int
    category: str
    position: int
    code: str
    title: str
    script: str | None


@record(slots=True)  # built for every quiet client of a plan: see plan_records.ClientState
class RoadmapProgress:
    """Where a client stands on the roadmap of its category, as of a day."""

    client_id: int
    category: str
    total: int  # steps in the category's roadmap
    done: int  # of them done by the client
    next_step: Step | None  # the first undone step by position; None: all done
    last_done_position: int | None = None  # the step done most recently...
    last_done_on: dt.date | None = None  # ...and when
    last_asked_on: dt.date | None = None  # the newest touch about a roadmap step
    last_asked_outcome: str | None = None  # its outcome (yes, no, later, no_answer, pending)
    last_declined_on: dt.date | None = None  # the newest roadmap touch answered "no"
    # a step done since on another category's roadmap (the client changed category):
    # (category, position, day) of the newest, when newer than this roadmap's last step
    done_elsewhere: tuple[str, int, dt.date] | None = None


# -- naming steps --------------------------------------------------------------------------
def check_code(raw: str, *, field: str = "--code") -> str:
    """A step's code: letters and digits joined by "-" or "_", not a bare number."""
    code = fold(raw.strip())
    if not code or len(code) > CODE_MAX or not _CODE.fullmatch(code) or code.isdigit():
        raise InvalidInput(
            _("{field}: {raw} is not a step code").format(field=field, raw=repr(raw)),
            hint=_(
                "use letters and digits joined by '-', e.g. exhibition (at most "
                "{CODE_MAX}; not a bare number, which would read as a position)"
            ).format(CODE_MAX=CODE_MAX),
        )
    return code


def code_from_title(title: str, taken: Collection[str]) -> str:
    """A code made from a title («Приглашение на выставку» → priglashenie-na-vystavku),
    unique among ``taken``."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in fold(title))
    words = re.findall(r"[a-z0-9]+", latin)
    base = ""
    for word in words:
        longer = f"{base}-{word}" if base else word
        if len(longer) > CODE_MAX - 4:
            break
        base = longer
    if not base or base.isdigit():
        base = f"step-{base}" if base else "step"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def find_step(steps: Sequence[Step], ref: str) -> Step | None:
    """The step named by its position (``2``) or its code (any letter case)."""
    wanted = ref.strip()
    if wanted.isdigit():
        return next((s for s in steps if s.position == int(wanted)), None)
    key = fold(wanted)
    return next((s for s in steps if s.code == key), None)


def next_step(steps: Sequence[Step], done_ids: Collection[int]) -> Step | None:
    """The first step by position that is not done."""
    return next((s for s in sorted(steps, key=lambda s: s.position) if s.id not in done_ids), None)


def reordered(ids: Sequence[int], moving: int, to_position: int) -> list[int]:
    """``ids`` (in position order) with ``moving`` put at ``to_position`` (1-based)."""
    rest = [i for i in ids if i != moving]
    if not 1 <= to_position <= len(rest) + 1:
        raise InvalidInput(
            _("position {to_position} is outside 1..{n}").format(
                to_position=to_position, n=len(rest) + 1
            ),
            hint=_("give a position from 1 to {n}").format(n=len(rest) + 1),
        )
    return [*rest[: to_position - 1], moving, *rest[to_position - 1 :]]


def fallback_script(title: str) -> str:
    """The draft for a step without a script of its own."""
    safe = title.replace("{", "{{").replace("}", "}}")
    return f"{{person}}, добрый день! Предлагаю следующий шаг: «{safe}». Обсудим на этой неделе?"


# -- the plan's facts ----------------------------------------------------------------------
@record(frozen=True)
class RoadmapFacts:
    """The roadmaps as of the plan's day: each category's steps, the steps each client has
    done on each category's roadmap, and the client's touches about roadmap steps."""

    steps: Mapping[str, Sequence[Step]]  # category -> its steps by position (none: absent)
    done: Mapping[tuple[int, str], Collection[int]]  # (client, category) -> positions done
    last_done: Mapping[tuple[int, str], tuple[dt.date, int]]  # -> (day, position) of the newest
    last_asked: Mapping[int, tuple[dt.date, str]]  # client -> (day, outcome) of its newest touch
    last_declined: Mapping[int, dt.date]  # client -> the day of its newest "no"


def plan_progress(
    facts: RoadmapFacts, categories: Mapping[int, str | None]
) -> list[RoadmapProgress]:
    """The progress of the clients in ``categories`` (id -> category) on their category's
    roadmap, in that order; clients of no category, or of one without steps, are left out."""
    found: list[RoadmapProgress] = []
    # each client's newest step done on any roadmap (a client that changed category)
    newest: dict[int, tuple[dt.date, int, str]] = {}
    for (client_id, on_roadmap), (day, position) in facts.last_done.items():
        if client_id not in newest or day > newest[client_id][0]:
            newest[client_id] = (day, position, on_roadmap)
    for client_id, category in categories.items():
        if category is None:
            continue
        roadmap = facts.steps.get(category)
        if not roadmap:
            continue
        key = (client_id, category)
        done = facts.done.get(key)
        last = facts.last_asked.get(client_id)
        other = newest.get(client_id)
        if done is None and last is None and other is None:  # the common case
            found.append(RoadmapProgress(client_id, category, len(roadmap), 0, roadmap[0]))
            continue
        mark = facts.last_done.get(key)
        elsewhere = None
        if other is not None and other[2] != category and (mark is None or other[0] > mark[0]):
            elsewhere = (other[2], other[1], other[0])
        found.append(
            RoadmapProgress(
                client_id=client_id,
                category=category,
                total=len(roadmap),
                done=len(done or ()),
                next_step=next((s for s in roadmap if s.position not in (done or ())), None),
                last_done_position=mark[1] if mark else None,
                last_done_on=mark[0] if mark else None,
                last_asked_on=last[0] if last else None,
                last_asked_outcome=last[1] if last else None,
                last_declined_on=facts.last_declined.get(client_id),
                done_elsewhere=elsewhere,
            )
        )
    return found
