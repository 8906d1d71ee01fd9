"""Quiet days (``plan.quiet_days``): how recently a client was touched, and whether
nothing is in motion with it.

Client-level items (gone silent, refusal revisit, service contacts) skip a client touched
in the last ``plan.quiet_days``; the quiet-day rules (roadmap steps, card questions) ask for more:
the client must be :func:`settled`.
"""

from __future__ import annotations

import datetime as dt

from povtor.domain.plan_records import ClientState
from povtor.settings import Settings


def recently_touched(
    client: ClientState, today: dt.date, quiet: int, since: dt.date | None = None
) -> bool:
    """Touched in the last ``quiet`` days, or on or after ``since`` when given."""
    if client.last_touch_on is None:
        return False
    if since is not None and client.last_touch_on >= since:
        return True
    return (today - client.last_touch_on).days < quiet


def settled(client: ClientState, today: dt.date, settings: Settings) -> bool:
    """Nothing in motion with the client: no open deal, no promise pending on its general
    conversation, no unresolved service problem, and not touched in the last
    ``plan.quiet_days`` (the condition of the quiet-day rules: roadmap steps, card
    questions)."""
    return settled_for(client, today, settings.int("plan.quiet_days"))


def settled_for(client: ClientState, today: dt.date, quiet: int) -> bool:
    """:func:`settled` with ``plan.quiet_days`` read already (``quiet``)."""
    if client.open_deals or client.talk.promise is not None or client.open_problem is not None:
        return False
    return client.last_touch_on is None or (today - client.last_touch_on).days >= quiet
