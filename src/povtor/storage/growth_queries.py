"""The plan's client-development items: each process loads its own facts and decides
with its own pure rules; this module only gathers their candidates for the planner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from povtor.domain.planner import Candidate, ClientState
from povtor.settings import Settings
from povtor.storage.card_queries import card_plan_candidates
from povtor.storage.database import Database
from povtor.storage.offer_queries import offer_candidates
from povtor.storage.perk_queries import perk_plan_candidates
from povtor.storage.roadmap_queries import roadmap_plan_candidates


def growth_candidates(
    db: Database, today: dt.date, settings: Settings, clients: Mapping[int, ClientState]
) -> list[Candidate]:
    """Occasions, roadmap steps, thin cards and product offers due on ``today``."""
    found: list[Candidate] = []
    found += card_plan_candidates(db, today, settings, clients)
    found += offer_candidates(db, today, settings, clients)
    found += roadmap_plan_candidates(db, today, settings, clients)
    found += perk_plan_candidates(db, today, settings, clients)
    return found
