"""Use cases for the funnels and their stages."""

from __future__ import annotations

from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.records import record
from povtor.storage import funnel_writes, queries
from povtor.storage.database import Database
from povtor.storage.plan_queries import load_settings


@record(frozen=True, slots=True)
class LimitSet:
    where: str  # funnel/stage codes
    before: int | None
    after: int | None
    working: bool  # the days are working days (plan.working_days), else calendar days


def set_stage_limit(db: Database, funnel: str, stage: str, days: int | None) -> LimitSet:
    """``funnel limit``: how long a deal may wait in an open stage (None: no limit)."""
    with db.transaction():
        found = queries.find_funnel(db, funnel)
        row = queries.find_stage(db, found["id"], stage)
        where = f"{found['code']}/{row['code']}"
        if row["is_won"]:
            raise InvalidInput(
                _("{where} is the paid stage: a paid deal does not wait").format(where=where),
                hint=_("set the limit of an open stage (see: povtor funnel list)"),
            )
        funnel_writes.set_limit_days(db, row["id"], days)
        working = load_settings(db).bool("plan.working_days")
    return LimitSet(where, row["limit_days"], days, working)
