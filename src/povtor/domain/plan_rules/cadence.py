"""The 5:1 cadence: a client being warmed up (an open first-sale deal, or a client gone
silent) gets warming touches until ``plan.warming_per_closing`` of them have happened
since the last closing one; then the touch is a closing one, an ask.

The stuck-deal rule (first-sale funnel) and the gone-silent rule pick their touch here.
"""

from __future__ import annotations

from povtor.domain.plan_records import ClientState
from povtor.settings import Settings


def next_kind(client: ClientState, settings: Settings) -> str:
    """5:1: warming until enough warming touches since the last closing one."""
    if client.warming_since_closing >= settings.int("plan.warming_per_closing"):
        return "closing"
    return "warming"


def cadence_note(client: ClientState, settings: Settings) -> str:
    """Where the client stands in the cadence, for the item's reason."""
    per = settings.int("plan.warming_per_closing")
    done = min(client.warming_since_closing, per)
    if done >= per:
        return f"{done} warming touches since the last closing one: time to ask (5:1)"
    return f"warming touch {done + 1} of {per} before the next closing one (5:1)"
