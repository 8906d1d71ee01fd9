"""The plan's figures a report shows, read-only: a month's revenue target turned into
paid deals and nudges (as ``plan target`` computes it), and the stuck deals and
follow-ups due on a day (the items of ``plan today`` that come from those rules).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from povtor.domain.calendar import month_end, month_start
from povtor.storage import plan_queries
from povtor.storage.database import Database
from povtor.storage.revenue_queries import paid_between

FALLBACK_CONVERSION = Decimal("0.30")  # seed 000: about 30 orders from 100 nudges
MIN_MEASURED_TOUCHES = 20  # fewer closing touches than this: too little history to measure


# -- what the nudges should bring ---------------------------------------------------------
@dataclass(frozen=True)
class Forecast:
    """The measured nudge→order conversion and average check, over the 12 months to a day."""

    conversion: Decimal
    measured: bool  # False: too little history, the fallback conversion
    touches: int  # closing touches on deals in the 12 months
    paid: int  # of them followed by the payment of their deal
    check_minor: int  # the average check (0: no paid deals to average)
    currency: str  # of the check


def forecast(db: Database, day: dt.date, currency: str | None = None) -> Forecast:
    """The conversion and the average check in ``currency`` (default: the one most paid
    deals are in) over the 12 months to ``day``."""
    touches, paid = plan_queries.nudge_conversion(db, day)
    measured = touches >= MIN_MEASURED_TOUCHES and paid > 0
    conversion = Decimal(paid) / touches if measured else FALLBACK_CONVERSION
    code, deals, total = plan_queries.average_check(db, day, currency)
    return Forecast(
        conversion=conversion,
        measured=measured,
        touches=touches,
        paid=paid,
        check_minor=total // deals if deals else 0,
        currency=code,
    )


@dataclass(frozen=True)
class Target:
    """A month's revenue target turned into paid deals and nudges."""

    month: dt.date  # its first day
    currency: str
    goal_minor: int
    paid_minor: int  # paid so far in the month
    paid_deals: int
    remaining_minor: int
    forecast: Forecast
    deals_needed: int
    nudges_needed: int
    working_days_left: int  # today included
    nudges_per_day: int

    @property
    def progress(self) -> Decimal:
        """The share of the target paid so far, in per cent to one decimal."""
        if not self.goal_minor:
            return Decimal(0)
        return (Decimal(self.paid_minor) / self.goal_minor * 100).quantize(Decimal("0.1"))


def _working_days(start: dt.date, end: dt.date) -> int:
    """Monday to Friday from ``start`` to ``end``, both included."""
    days = 0
    current = start
    while current <= end:
        if current.weekday() < 5:
            days += 1
        current += dt.timedelta(days=1)
    return days


def revenue_target(
    db: Database, today: dt.date, goal_minor: int, month: dt.date, currency: str | None = None
) -> Target:
    """deals needed = (target − paid so far in ``month``) / average check, nudges needed =
    deals needed / conversion, per day = nudges needed / working days left in the month
    (today included), each rounded up: the figures of ``plan target``."""
    start = month_start(month)
    last = month_end(start)
    guess = forecast(db, today, currency)
    paid_deals, paid_minor = paid_between(db, guess.currency, start, min(last, today))
    gap = max(0, goal_minor - paid_minor)
    check = guess.check_minor
    conversion = guess.conversion
    deals_needed = (Decimal(gap) / check).to_integral_value(ROUND_CEILING) if check else Decimal(0)
    nudges_needed = (
        (deals_needed / conversion).to_integral_value(ROUND_CEILING) if conversion else Decimal(0)
    )
    begin = max(start, today) if today <= last else last + dt.timedelta(days=1)
    days_left = _working_days(begin, last)
    per_day = (
        (nudges_needed / days_left).to_integral_value(ROUND_CEILING) if days_left else nudges_needed
    )
    return Target(
        month=start,
        currency=guess.currency,
        goal_minor=goal_minor,
        paid_minor=paid_minor,
        paid_deals=paid_deals,
        remaining_minor=gap,
        forecast=guess,
        deals_needed=int(deals_needed),
        nudges_needed=int(nudges_needed),
        working_days_left=days_left,
        nudges_per_day=int(per_day),
    )


# -- what is due -------------------------------------------------------------------------
@dataclass(frozen=True)
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
    from povtor.app.plan import make_plan

    plan = make_plan(db, day, plan_queries.load_settings(db))
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
                    since=since if deal else item.client.follow_up_on,
                    overdue_days=candidate.overdue_days,
                    amount_minor=deal.amount_minor if deal else None,
                    currency=deal.currency if deal else None,
                    reason=candidate.reason,
                )
            )
    found.sort(key=lambda d: (-d.overdue_days, d.client.casefold(), d.deal_id or 0))
    return found
