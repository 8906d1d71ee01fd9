"""The stuck deals and follow-ups due on a day, as a report shows them: the items of
``plan today`` that come from those rules (the target's figures are ``plan target``'s own,
:func:`povtor.app.plan.target_figures`).
"""

from __future__ import annotations

import datetime as dt

from povtor.records import record
from povtor.storage import plan_queries
from povtor.storage.database import Database


@record(frozen=True)
class Due:
    """A stuck deal, or a follow-up that came, as the plan for a day sees it."""

    rule: str  # stuck | follow_up
    client_id: int
    client: str
    category: str | None
    deal_id: int | None  # None: a follow-up the client asked for, on no deal
    stage: str | None  # the stage's name
    since: dt.date | None  # stuck: in the stage since; follow-up: the day asked for
    overdue_days: int  # beyond the stage's limit, or since the day asked for
    amount_minor: int | None
    currency: str | None
    reason: str  # the plan's own words (plan today's reason)


def due_on(db: Database, day: dt.date) -> list[Due]:
    """The stuck deals and the follow-ups due by ``day`` among the items of the plan for
    ``day``: the most overdue first."""
    from povtor.app.plan import ranked_plan

    plan = ranked_plan(db, day, plan_queries.load_settings(db))
    found = []
    for item in plan.items:
        for candidate in (item.primary, *item.others):
            if candidate.rule not in ("stuck", "warming", "follow_up"):
                continue  # (warming: a stuck first-sale deal that wants a warming touch)
            deal = candidate.deal
            follow_up = candidate.rule == "follow_up"
            since = (deal.follow_up_on if follow_up else deal.stage_entered_on) if deal else None
            found.append(
                Due(
                    rule="follow_up" if follow_up else "stuck",
                    client_id=item.client.id,
                    client=item.client.name,
                    category=item.client.category,
                    deal_id=deal.id if deal else None,
                    stage=deal.stage_name if deal else None,
                    # a follow-up on no deal: the day the client named (overdue since)
                    since=since if deal else day - dt.timedelta(days=candidate.overdue_days),
                    overdue_days=candidate.overdue_days,
                    amount_minor=deal.amount_minor if deal else None,
                    currency=deal.currency if deal else None,
                    reason=candidate.reason,
                )
            )
    found.sort(key=lambda d: (-d.overdue_days, d.client.casefold(), d.deal_id or 0))
    return found
