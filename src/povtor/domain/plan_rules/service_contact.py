"""Service contact (seed 004): the category's delay after a deal was paid, with no
service touch since — "how is it going with what you bought? anything wrong? wishes?"

The delay is ``plan.service_days.A|B|C`` by category, ``plan.service_days`` for an
uncategorised client. Only a service touch since the payment settles it (the facts come
without the paid deals that had one), and a payment older than the longest delay plus
:data:`SERVICE_WINDOW_DAYS` is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.plan_records import Candidate, ClientState, ClosedDeal
from povtor.settings import Settings

RULE = "service"
SERVICE_WINDOW_DAYS = 60  # paid deals older than the service delay plus this are left alone
SERVICE_DELAY_KEYS = (
    "plan.service_days",
    "plan.service_days.A",
    "plan.service_days.B",
    "plan.service_days.C",
)


def service_delay(category: str | None, settings: Settings) -> int:
    """Days from a payment to its service contact: the category's own delay
    (``plan.service_days.A|B|C``), ``plan.service_days`` for an uncategorised client."""
    if category in ("A", "B", "C"):
        return settings.int(f"plan.service_days.{category}")
    return settings.int("plan.service_days")


def oldest_payment(today: dt.date, settings: Settings) -> dt.date:
    """The first day of the payments the rule still looks at: the longest delay plus
    :data:`SERVICE_WINDOW_DAYS` before ``today``."""
    longest = max(settings.int(key) for key in SERVICE_DELAY_KEYS)
    return today - dt.timedelta(days=longest + SERVICE_WINDOW_DAYS)


def service_contacts(
    paid_deals: Iterable[ClosedDeal],
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The service items of the paid deals whose client's delay has passed."""
    found: list[Candidate] = []
    for paid in paid_deals:
        client = clients.get(paid.client_id)
        if client is None:
            continue
        due = paid.closed_on + dt.timedelta(days=service_delay(client.category, settings))
        if due > today:
            continue
        found.append(
            Candidate(
                client_id=paid.client_id,
                rule=RULE,
                reason=f"service contact: deal #{paid.id} paid {paid.closed_on.isoformat()}, "
                f"{(today - paid.closed_on).days} days ago — how is it going?",
                kind="service",
                overdue_days=(today - due).days,
                about=paid,
                amount_minor=paid.amount_minor,
                days_waiting=(today - paid.closed_on).days,
            )
        )
    return found
