"""The plan's client-development items: each process loads its own facts and decides
with its own pure rules; this module only gathers their candidates for the planner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from povtor.domain.planner import Candidate, ClientState
from povtor.settings import Settings
from povtor.storage.database import Database


def growth_candidates(
    db: Database, today: dt.date, settings: Settings, clients: Mapping[int, ClientState]
) -> list[Candidate]:
    """Occasions, roadmap steps, thin cards and product offers due on ``today``."""
    found: list[Candidate] = []
    return found
