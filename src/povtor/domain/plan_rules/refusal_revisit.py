"""Refusal revisit (seed 002): ``plan.revisit_days`` after a deal was lost, with no open
deal, no payment since and no touch since the revisit fell due, call back with the
refusal script («вопрос X вас всё ещё интересует?»); after a "no", ask for referrals.

The "no" heard on the day of the loss is not the revisit: a touch on or after the due
date is. A client touched in the last ``plan.quiet_days``, or that named a date to come
back on, is left alone; a refusal older than the delay plus :data:`REVISIT_WINDOW_DAYS`
too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.plan_records import Candidate, ClientState, ClosedDeal
from povtor.domain.plan_rules.follow_up import waits_for_named_date
from povtor.domain.plan_rules.quiet_days import recently_touched
from povtor.settings import Settings

RULE = "revisit"
REVISIT_WINDOW_DAYS = 365  # refusals older than the revisit delay plus this are left alone


def oldest_refusal(today: dt.date, settings: Settings) -> dt.date:
    """The first day of the refusals the rule still looks at."""
    return today - dt.timedelta(days=settings.int("plan.revisit_days") + REVISIT_WINDOW_DAYS)


def refusal_revisits(
    lost_deals: Iterable[ClosedDeal],
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The revisit items of the lost deals ``plan.revisit_days`` after their loss."""
    delay = dt.timedelta(days=settings.int("plan.revisit_days"))
    quiet = settings.int("plan.quiet_days")
    found: list[Candidate] = []
    for lost in lost_deals:
        client = clients.get(lost.client_id)
        if client is None or client.open_deals or waits_for_named_date(client, today):
            continue
        due = lost.closed_on + delay
        if due > today or recently_touched(client, today, quiet, since=due):
            continue
        found.append(
            Candidate(
                client_id=lost.client_id,
                rule=RULE,
                reason=f"refusal revisit: deal #{lost.id} lost {lost.closed_on.isoformat()} "
                f"({lost.reason or 'no reason'}), {(today - lost.closed_on).days} days ago",
                kind="closing",
                overdue_days=(today - due).days,
                about=lost,
                amount_minor=lost.amount_minor,
                template_funnel="refusal",
                template_stage="revisit",
                days_waiting=(today - lost.closed_on).days,
            )
        )
    return found
