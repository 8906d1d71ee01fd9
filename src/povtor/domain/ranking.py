"""The top share of buying clients: who ``stats abc --top`` lists and backend offers go to.

A module of its own so that the plan's offer rule does not load the reports' metrics.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

TOP_SHARE = Decimal("0.10")  # backend offers go to the top 10% of buying clients


def top_count(buyers: int, share: Decimal = TOP_SHARE) -> int:
    """How many clients the top share is: ceil(share × buying clients)."""
    return int((Decimal(buyers) * share).to_integral_value(rounding=ROUND_CEILING))
