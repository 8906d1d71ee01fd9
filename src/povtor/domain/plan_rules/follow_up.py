"""Follow-up due: a nudge was answered "later, on date D" and D has come.

On a deal, the promised date replaces the stage's time limit until a touch on or after
it (then the stage's limit counts again, from that touch: see the stuck-deal rule). On
the client (a "later" touch with no deal), it holds back every client-level item until
the date; from the date on, it is the client's follow-up item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.plan_records import Candidate, ClientState, OpenDeal, about_deal

RULE = "follow_up"


def awaits_follow_up(deal: OpenDeal) -> bool:
    """The deal has a promised date and no touch on or after it yet."""
    if deal.follow_up_on is None:
        return False
    return deal.last_touch_on is None or deal.last_touch_on < deal.follow_up_on


def waits_for_named_date(client: ClientState, today: dt.date) -> bool:
    """The client named a date to come back on, and it is still ahead."""
    return client.follow_up_on is not None and client.follow_up_on > today


def deal_follow_ups(
    deals: Iterable[OpenDeal], clients: Mapping[int, ClientState], today: dt.date
) -> list[Candidate]:
    """The follow-ups of the deals whose promised date has come, with no touch since."""
    found: list[Candidate] = []
    for deal in deals:
        promised = deal.follow_up_on
        if promised is None or promised > today or not awaits_follow_up(deal):
            continue
        if deal.client_id not in clients:
            continue
        overdue = (today - promised).days
        when = "today" if overdue == 0 else ("1 day ago" if overdue == 1 else f"{overdue} days ago")
        found.append(
            Candidate(
                rule=RULE,
                reason=f"follow-up due {when}: asked to come back on "
                f"{promised.isoformat()} ({deal.stage_name})",
                kind="closing",
                overdue_days=overdue,
                **about_deal(deal, today),
            )
        )
    return found


def client_follow_ups(clients: Mapping[int, ClientState], today: dt.date) -> list[Candidate]:
    """The clients' own follow-ups, from the date each named on."""
    found: list[Candidate] = []
    for client in clients.values():
        named = client.follow_up_on
        if named is None or named > today:
            continue
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason="follow-up due: asked to come back on " + named.isoformat(),
                kind="closing",
                overdue_days=(today - named).days,
                template_funnel="repeat",
                template_stage="base",
            )
        )
    return found
