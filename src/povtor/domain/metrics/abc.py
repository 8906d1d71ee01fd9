"""The ABC split of clients by revenue, and the top clients."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from povtor.domain.ranking import TOP_SHARE, top_count
from povtor.records import record

A_SHARE = Decimal("0.80")  # ABC: a client whose cumulative share BEFORE it is below this is A
B_SHARE = Decimal("0.95")  # ... below this (and not A) is B; the rest is C


@record(frozen=True)
class ClientRevenue:
    client_id: int
    name: str
    category: str | None  # the category the client has now
    revenue: int  # minor units over the window (0: no purchases)


@record(frozen=True)
class AbcRow:
    rank: int
    client: ClientRevenue
    share: Decimal
    cumulative: Decimal  # cumulative share including this client
    abc: str

    @property
    def differs(self) -> bool:
        return self.abc != self.client.category


def abc_split(clients: Iterable[ClientRevenue]) -> list[AbcRow]:
    """Rank by revenue (highest first; equal revenue: lower client id first) and split.

    A client is A if the cumulative share of the clients ranked BEFORE it is below 80%,
    B if below 95%, else C. So the top client is always A, and a client that crosses
    80% is still A. Clients without revenue are C. No revenue at all: no split (``[]``).
    """
    ranked = sorted(clients, key=lambda c: (-c.revenue, c.client_id))
    total = sum(c.revenue for c in ranked)
    if total <= 0:
        return []
    a_limit, b_limit = A_SHARE * 100 * total, B_SHARE * 100 * total
    # most clients share a revenue (0 above all): each distinct fraction is divided once
    fractions: dict[int, Decimal] = {}

    def fraction(amount: int) -> Decimal:
        found = fractions.get(amount)
        if found is None:
            found = fractions[amount] = Decimal(amount) / total
        return found

    rows = []
    before = 0
    for rank, client in enumerate(ranked, start=1):
        if before * 100 < a_limit:
            abc = "A"
        elif before * 100 < b_limit:
            abc = "B"
        else:
            abc = "C"
        after = before + client.revenue
        rows.append(
            AbcRow(
                rank=rank,
                client=client,
                share=fraction(client.revenue),
                cumulative=fraction(after),
                abc=abc,
            )
        )
        before = after
    return rows


def top_clients(rows: Sequence[AbcRow], share: Decimal = TOP_SHARE) -> list[AbcRow]:
    """The first ceil(share × buying clients) of the ranking (ties: lower id first)."""
    return list(rows[: top_count(sum(1 for r in rows if r.client.revenue > 0), share)])
