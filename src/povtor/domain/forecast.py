"""What nudges bring: the nudge→order conversion, defined once, and which plan items it
applies to.

**Nudge→order conversion** = paid / nudged, over the deals *nudged* in a window (a
closing touch on the deal dated in it): *paid* are those of them paid on or after their
first closing touch in the window, by the as-of date. It counts deals, not touches: five
reminders on one invoice that was paid are one order, not five. ``stats nudges`` shows it
for any period (and per channel and stage); the plan's forecast and ``plan target`` use it
over the 12 months to their day, and fall back to the seed's 30 orders per 100 nudges
while fewer than :data:`MIN_MEASURED_DEALS` deals were nudged, or none was paid.

Only the items that can bring an order count in a forecast (:func:`can_order`): a closing
touch on an open deal, or a client-level question that asks for one (a silent client's
reorder question, a follow-up, a refusal revisit, a product offer). Warming, service and
perk touches, roadmap steps and card questions bring no order by themselves.

Kept out of :mod:`povtor.domain.metrics` so that the plan does not load the reports.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from povtor.records import record

if TYPE_CHECKING:
    from povtor.domain.plan_records import Candidate

FALLBACK_CONVERSION = Decimal("0.30")  # seed 000: about 30 orders from 100 nudges
MIN_MEASURED_DEALS = 10  # fewer nudged deals than this: too little history to measure
# client-level closing items that ask for an order (closing items on a deal always do)
ORDER_RULES = frozenset({"silent", "follow_up", "revisit", "backend", "cross_sell"})


class NudgedDeals(NamedTuple):
    """The deals nudged in a window, and how many of them were paid: for all closing
    touches (``by`` = ``all``), or for those of one channel or one stage."""

    by: str  # all | channel | stage
    group: str | None  # the channel, the stage as funnel/stage; None for all
    nudged: int
    paid: int


@record(frozen=True)
class Conversion:
    """The nudge→order conversion a forecast is made with."""

    nudged: int  # deals nudged in the window
    paid: int  # of them paid on or after their first nudge there, by the as-of date

    @property
    def measured(self) -> bool:
        """Enough history to measure; else the fallback applies."""
        return self.nudged >= MIN_MEASURED_DEALS and self.paid > 0

    @property
    def rate(self) -> Decimal:
        """paid / nudged when measured, else :data:`FALLBACK_CONVERSION`."""
        return Decimal(self.paid) / self.nudged if self.measured else FALLBACK_CONVERSION


def can_order(candidate: Candidate) -> bool:
    """Can a touch on this item bring an order? A closing touch on a deal, or a
    client-level closing question of :data:`ORDER_RULES`."""
    if candidate.kind != "closing":
        return False
    return candidate.deal is not None or candidate.rule in ORDER_RULES
