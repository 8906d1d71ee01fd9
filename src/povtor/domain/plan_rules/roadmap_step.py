"""A roadmap step (filler, seed 001): the next undone step of the client's category's
roadmap, with the step's call script.

A client qualifies when it is free for a step (categorised and
:func:`~.quiet_days.settled`: no open deal, no date it named, no unresolved problem, not
touched in ``plan.quiet_days``), has an undone step, ``plan.roadmap_gap_days`` have
passed since its last step done (or its first purchase when none is done yet) and since
its last "no" to a roadmap step, and it is not silent past its threshold (bringing it
back comes first). At most ``plan.roadmap_per_day`` a day: A, then B, then C clients,
the longest waiting first. ``roadmap`` is a filler rule: it leads a client's item only
when nothing else is due for the client.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Mapping

from povtor.domain.conversation import allows
from povtor.domain.plan_records import Candidate, ClientState
from povtor.domain.plan_rules.gone_silent import is_silent
from povtor.domain.plan_rules.quiet_days import settled_for
from povtor.domain.roadmaps import RoadmapFacts, RoadmapProgress, fallback_script, plan_progress
from povtor.i18n import _
from povtor.settings import Settings

RULE = "roadmap"
_CATEGORY_ORDER = {"A": 0, "B": 1, "C": 2}


def is_on(settings: Settings) -> bool:
    """Whether the rule suggests any step at all (``plan.roadmap_per_day`` not 0)."""
    return settings.int("plan.roadmap_per_day") != 0


def free_for_a_step(client: ClientState, today: dt.date, quiet: int) -> bool:
    """Whether nothing in the client's own state rules a roadmap step out today: it is
    categorised and settled (:func:`~.quiet_days.settled`: no open deal, no client-level
    follow-up date, no unresolved service problem, not touched in the last ``quiet`` days,
    ``plan.quiet_days``) and the conversation does not hold roadmap steps back (a refusal,
    a step it asked to hear about later)."""
    return (
        client.category is not None
        and settled_for(client, today, quiet)
        and allows(client, RULE, today)
    )


def roadmap_steps(
    facts: RoadmapFacts | None,
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The plan's roadmap items for ``today`` (none without the facts: the rule is off)."""
    if facts is None or not is_on(settings):
        return []
    quiet = settings.int("plan.quiet_days")
    # the day's steps so far (a plan made again after them): each client asked about a
    # step today, or with a step done today, took one of the day's
    taken = {client for client, (day, _outcome) in facts.last_asked.items() if day == today}
    taken.update(client for (client, _c), (day, _p) in facts.last_done.items() if day == today)
    # A clients first, then B, then C (then any other category): the next category's
    # clients are looked at only while the day's steps are not all found
    groups: dict[int, list[ClientState]] = {}
    for client in clients.values():
        if client.category is not None:
            groups.setdefault(_CATEGORY_ORDER.get(client.category, 3), []).append(client)
    per_day = settings.int("plan.roadmap_per_day")
    found: list[Candidate] = []
    for _place, group in sorted(groups.items()):
        if len(taken) + len(found) >= per_day:
            break
        free = {c.id: c for c in group if free_for_a_step(c, today, quiet)}
        categories = {client_id: client.category for client_id, client in free.items()}
        found += _waiting_longest(
            plan_progress(facts, categories),
            free,
            today,
            settings,
            taken_today=len(taken) + len(found),
        )
    return found


def _since(progress: RoadmapProgress, client: ClientState) -> tuple[dt.date, str] | None:
    """From when the gap counts, and the words for it: the last step done (else the first
    purchase), or a later "no" to a roadmap step. None: a lead, not a client yet (the
    first-sale funnel works on it)."""
    if progress.done_elsewhere is not None:  # (newer than any step of this roadmap)
        category, position, since = progress.done_elsewhere
        what = _("step {n} of roadmap {category} done {on}").format(
            n=position, category=category, on=since
        )
    elif progress.last_done_on is not None:
        since = progress.last_done_on
        what = _("step {n} done {on}").format(n=progress.last_done_position, on=since)
    elif client.paid_dates:
        since = client.paid_dates[0]
        what = _("no step done yet, first purchase {on}").format(on=since)
    else:
        return None
    declined = progress.last_declined_on
    if declined is not None and declined >= since:
        return declined, _("{what}, asked {on}: no").format(what=what, on=declined)
    return since, what


def _since_on(progress: RoadmapProgress, client: ClientState) -> dt.date | None:
    """The day of :func:`_since`, without its words (most clients waiting are not picked)."""
    if progress.done_elsewhere is not None:
        since = progress.done_elsewhere[2]
    elif progress.last_done_on is not None:
        since = progress.last_done_on
    elif client.paid_dates:
        since = client.paid_dates[0]
    else:
        return None
    declined = progress.last_declined_on
    return declined if declined is not None and declined >= since else since


def roadmap_candidates(
    progress: Iterable[RoadmapProgress],
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
    *,
    taken_today: int = 0,
) -> list[Candidate]:
    """The next roadmap step for quiet clients, at most ``plan.roadmap_per_day`` a day, of
    which ``taken_today`` clients (asked about a step, or with a step done, that day) took
    their share already (who qualifies: see the module's description)."""
    quiet = settings.int("plan.quiet_days")
    progress = list(progress)
    free = {
        p.client_id: client
        for p in progress
        if (client := clients.get(p.client_id)) is not None
        and free_for_a_step(client, today, quiet)
    }
    return _waiting_longest(progress, free, today, settings, taken_today=taken_today)


def _waiting_longest(
    progress: Iterable[RoadmapProgress],
    free: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
    *,
    taken_today: int,
) -> list[Candidate]:
    """:func:`roadmap_candidates` of the clients ``free`` for a step
    (:func:`free_for_a_step`, asked once per client)."""
    gap = settings.int("plan.roadmap_gap_days")
    per_day = settings.int("plan.roadmap_per_day") - taken_today
    waiting: list[tuple[tuple[int, int, int], int, RoadmapProgress, ClientState]] = []
    for p in progress:
        client = free.get(p.client_id)
        if client is None or p.next_step is None or client.category != p.category:
            continue
        since_on = _since_on(p, client)
        if since_on is None or (today - since_on).days < gap:
            continue
        order = (_CATEGORY_ORDER.get(p.category, 3), -(today - since_on).days, client.id)
        waiting.append((order, len(waiting), p, client))
    # the longest waiting first, taken off a heap: the day's few steps are found without
    # sorting every client waiting (the place in the list keeps equal orders as they came)
    heapq.heapify(waiting)
    found: list[Candidate] = []
    while waiting:
        if len(found) >= per_day:
            break
        _order, _place, p, client = heapq.heappop(waiting)
        if is_silent(client, today, settings):  # (checked last: it is the dearest test)
            continue
        since = _since(p, client)
        assert since is not None
        since_on, what = since
        step = p.next_step
        assert step is not None
        waited = (today - since_on).days
        if (
            p.last_asked_on is not None
            and p.last_asked_outcome in ("no_answer", "pending")
            and p.last_asked_on > since_on
        ):
            what += _(", asked {on}: no answer yet").format(on=p.last_asked_on)
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=_("roadmap {category}, step {n} of {total}: {title} ({what})").format(
                    category=p.category, n=step.position, total=p.total, title=step.title, what=what
                ),
                kind="closing",  # every step asks the client to decide: yes or no
                overdue_days=waited - gap,
                days_waiting=waited,
                script=step.script or fallback_script(step.title),
                purpose="roadmap",
                purpose_ref=step.code,
            )
        )
    return found
