"""Roadmaps (seed 001): the ordered steps that lead a client of each category from
one-off purchases to large regular ones, and the plan's rule that suggests a client's
next step with its call script.

Pure: the steps and each client's progress come in as plain values (see
:mod:`povtor.storage.roadmap_queries`), candidates for the planner come out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from povtor.domain.planner import Candidate, ClientState, is_silent, settled
from povtor.errors import InvalidInput
from povtor.settings import Settings
from povtor.text import fold

CODE_MAX = 50
_CODE = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")  # letters, digits, "-" and "_" inside
_CATEGORY_ORDER = {"A": 0, "B": 1, "C": 2}
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"  # _: dropped
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(" "), strict=True)) | {
    "ъ": "",
    "ь": "",
}


@dataclass(frozen=True)
class Step:
    """One step of a category's roadmap."""

    id: int
    category: str
    position: int
    code: str
    title: str
    script: str | None


@dataclass(slots=True)  # built for every quiet client of a plan: see planner.ClientState
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


# -- naming steps --------------------------------------------------------------------------
def check_code(raw: str, *, field: str = "--code") -> str:
    """A step's code: letters and digits joined by "-" or "_", not a bare number."""
    code = fold(raw.strip())
    if not code or len(code) > CODE_MAX or not _CODE.fullmatch(code) or code.isdigit():
        raise InvalidInput(
            f"{field}: {raw!r} is not a step code",
            hint=f"use letters and digits joined by '-', e.g. exhibition (at most {CODE_MAX}; "
            "not a bare number, which would read as a position)",
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
            f"position {to_position} is outside 1..{len(rest) + 1}",
            hint=f"give a position from 1 to {len(rest) + 1}",
        )
    return [*rest[: to_position - 1], moving, *rest[to_position - 1 :]]


def fallback_script(title: str) -> str:
    """The draft for a step without a script of its own."""
    safe = title.replace("{", "{{").replace("}", "}}")
    return f"{{person}}, добрый день! Предлагаю следующий шаг: «{safe}». Обсудим на этой неделе?"


# -- the plan's rule -----------------------------------------------------------------------
def free_for_a_step(client: ClientState, today: dt.date, settings: Settings) -> bool:
    """Whether nothing in the client's own state rules a roadmap step out today: it is
    categorised and settled (:func:`planner.settled`: no open deal, no client-level
    follow-up date, no unresolved service problem, not touched in ``plan.quiet_days``)."""
    return client.category is not None and settled(client, today, settings)


def _since(progress: RoadmapProgress, client: ClientState) -> tuple[dt.date, str] | None:
    """From when the gap counts, and the words for it: the last step done (else the first
    purchase), or a later "no" to a roadmap step. None: a lead, not a client yet (the
    first-sale funnel works on it)."""
    if progress.last_done_on is not None:
        since = progress.last_done_on
        what = f"step {progress.last_done_position} done {since}"
    elif client.paid_dates:
        since = client.paid_dates[0]
        what = f"no step done yet, first purchase {since}"
    else:
        return None
    declined = progress.last_declined_on
    if declined is not None and declined >= since:
        return declined, f"{what}, asked {declined}: no"
    return since, what


def roadmap_candidates(
    progress: Iterable[RoadmapProgress],
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The next roadmap step for quiet clients, at most ``plan.roadmap_per_day`` a day.

    A client qualifies when it is free for a step (:func:`free_for_a_step`: categorised,
    no open deal, no follow-up date, no unresolved problem, not touched in the last
    ``plan.quiet_days``), has an undone step, ``plan.roadmap_gap_days`` have passed since
    its last step done (or its first purchase when none is done yet) and since its last
    "no" to a roadmap step, and it is not silent past its threshold (bringing it back
    comes first). A, then B, then C clients, the longest waiting first (then the oldest
    client), fill the quota.
    """
    gap = settings.int("plan.roadmap_gap_days")
    per_day = settings.int("plan.roadmap_per_day")
    waiting: list[tuple[tuple[int, int, int], RoadmapProgress, ClientState, dt.date, str]] = []
    for p in progress:
        client = clients.get(p.client_id)
        if client is None or p.next_step is None or client.category != p.category:
            continue
        if not free_for_a_step(client, today, settings):
            continue
        since = _since(p, client)
        if since is None or (today - since[0]).days < gap:
            continue
        order = (_CATEGORY_ORDER.get(p.category, 3), -(today - since[0]).days, client.id)
        waiting.append((order, p, client, *since))
    waiting.sort(key=lambda w: w[0])
    found: list[Candidate] = []
    for _order, p, client, since_on, what in waiting:
        if len(found) >= per_day:
            break
        if is_silent(client, today, settings):  # (checked last: it is the dearest test)
            continue
        step = p.next_step
        assert step is not None
        waited = (today - since_on).days
        if (
            p.last_asked_on is not None
            and p.last_asked_outcome in ("no_answer", "pending")
            and p.last_asked_on > since_on
        ):
            what += f", asked {p.last_asked_on}: no answer yet"
        found.append(
            Candidate(
                client_id=client.id,
                rule="roadmap",
                reason=f"roadmap {p.category}, step {step.position} of {p.total}: "
                f"{step.title} ({what})",
                kind="closing",  # every step asks the client to decide: yes or no
                overdue_days=waited - gap,
                days_waiting=waited,
                script=step.script or fallback_script(step.title),
                purpose="roadmap",
                purpose_ref=step.code,
            )
        )
    return found
