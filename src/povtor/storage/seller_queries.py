"""Reads of the team: sellers, who owns what, and the figures of ``stats nudges --by seller``.

A client's owner is ``client.seller_id``; a deal's is its own ``deal.seller_id`` when it
was handed over on its own, else its client's; a touch's is the seller who logged it,
else its deal's owner (its client's when it is on no deal). Figures are by the owner as
of now.
"""

from __future__ import annotations

import datetime as dt

from povtor.errors import Conflict, NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.storage.database import Database, Row
from povtor.text import fold

# the owner of a deal ``d`` of client ``c``
DEAL_OWNER = "COALESCE(d.seller_id, c.seller_id)"


def seller_key(name: str) -> str:
    """What ``seller.name_key`` holds: the folded name («Анна», «АННА» are one seller)."""
    return fold(" ".join(name.split()))


def find_seller(db: Database, name: str, *, removed_too: bool = False) -> Row:
    """A seller on the team by name, whatever its case (``removed_too``: or one removed;
    else a removed seller is refused, saying how to add them back)."""
    row = seller_by_key(db, name)
    if row is None:
        raise NotFound(
            _("no seller {name!r}").format(name=name.strip()),
            hint=_("list the team with: povtor seller list"),
        )
    if row["removed_on"] is not None and not removed_too:
        raise Conflict(
            _("seller {name!r} was removed from the team on {day}").format(
                name=row["name"], day=row["removed_on"]
            ),
            hint=_("add them back first: povtor seller add {name}").format(name=row["name"]),
        )
    return row


def seller_by_key(db: Database, name: str) -> Row | None:
    """A seller by name, whatever its case, removed or not (``removed_on``)."""
    return db.one(
        "SELECT id, name, created_on, removed_on FROM seller WHERE name_key = ?",
        (seller_key(name),),
    )


def has_sellers(db: Database) -> bool:
    return db.scalar("SELECT EXISTS (SELECT 1 FROM seller)") == 1


def seller_names(db: Database) -> list[str]:
    """The names of the team (removed sellers left out)."""
    return [
        r["name"]
        for r in db.rows("SELECT name FROM seller WHERE removed_on IS NULL ORDER BY name_key")
    ]


def seller_name(db: Database, seller_id: int | None) -> str | None:
    if seller_id is None:
        return None
    return db.scalar("SELECT name FROM seller WHERE id = ?", (seller_id,))


def list_sellers(db: Database, *, removed_too: bool = False) -> list[Row]:
    """The team (``removed_too``: and the sellers removed from it, after them) with the
    active clients and the open deals each owns."""
    where = "" if removed_too else "WHERE s.removed_on IS NULL"
    return db.rows(
        f"""SELECT s.id, s.name, s.created_on, s.removed_on,
                   (SELECT COUNT(*) FROM client c
                    WHERE c.seller_id = s.id AND c.status = 'active') AS clients,
                   (SELECT COUNT(*) FROM deal d JOIN client c ON c.id = d.client_id
                    WHERE d.status = 'open' AND {DEAL_OWNER} = s.id) AS open_deals
            FROM seller s {where}
            ORDER BY CASE WHEN s.removed_on IS NULL THEN 0 ELSE 1 END, s.name_key"""
    )


@record(frozen=True)
class Holdings:
    clients: int  # clients owned, whatever their status
    deals: int  # open and lost deals handed over to the seller (a won one is history)


def holdings(db: Database, seller_id: int) -> Holdings:
    return Holdings(
        clients=int(db.scalar("SELECT COUNT(*) FROM client WHERE seller_id = ?", (seller_id,))),
        deals=int(
            db.scalar(
                "SELECT COUNT(*) FROM deal WHERE seller_id = ? AND status <> 'won'", (seller_id,)
            )
        ),
    )


def removed_owner(db: Database, deal_id: int) -> tuple[int, str] | None:
    """(id, name) of the seller a deal was handed to, if they have left the team."""
    row = db.one(
        """SELECT s.id, s.name FROM deal d JOIN seller s ON s.id = d.seller_id
           WHERE d.id = ? AND s.removed_on IS NOT NULL""",
        (deal_id,),
    )
    return None if row is None else (int(row[0]), str(row[1]))


@record(frozen=True)
class Owners:
    """Who owns what, for the plan: each client's owner, and the deals with their own."""

    clients: dict[int, int | None]
    deals: dict[int, int]

    def of(self, client_id: int, deal_id: int | None = None) -> int | None:
        if deal_id is not None and deal_id in self.deals:
            return self.deals[deal_id]
        return self.clients.get(client_id)


def owners(db: Database) -> Owners:
    return Owners(
        clients={int(r[0]): r[1] for r in db.tuples("SELECT id, seller_id FROM client")},
        deals={
            int(r[0]): int(r[1])
            for r in db.tuples("SELECT id, seller_id FROM deal WHERE seller_id IS NOT NULL")
        },
    )


def client_owner(db: Database, client_id: int) -> int | None:
    return db.scalar("SELECT seller_id FROM client WHERE id = ?", (client_id,))


def deal_owner(db: Database, deal_id: int) -> tuple[int | None, int | None]:
    """(the deal's own owner, its client's owner)."""
    row = db.one(
        "SELECT d.seller_id, c.seller_id FROM deal d JOIN client c ON c.id = d.client_id "
        "WHERE d.id = ?",
        (deal_id,),
    )
    assert row is not None
    return row[0], row[1]


def handovers(db: Database, *, client_id: int | None = None) -> list[Row]:
    """The record of handovers, oldest first (of one client and its deals, if given)."""
    where = "WHERE h.client_id = :client" if client_id is not None else ""
    return db.rows(
        f"""SELECT h.id, h.on_date, h.entity, h.client_id, c.name AS client, h.deal_id,
                   h.from_seller, h.to_seller, h.note
            FROM handover h
            JOIN client c ON c.id = h.client_id
            {where}
            ORDER BY h.at, h.id""",
        {"client": client_id},
    )


# -- stats by seller -----------------------------------------------------------------------
@record(frozen=True)
class SellerTally:
    seller_id: int | None
    kind: str
    outcome: str
    on_deal: bool
    count: int


def touch_tallies(db: Database, start: dt.date, end: dt.date, as_of: dt.date) -> list[SellerTally]:
    """Warming and closing touches in ``start..end`` (none after ``as_of``) by seller (who
    logged it, else the owner of its deal or client), kind, outcome and whether on a
    deal."""
    rows = db.tuples(
        f"""SELECT COALESCE(t.seller_id, {DEAL_OWNER}) AS owner, t.kind, t.outcome,
                   CASE WHEN t.deal_id IS NULL THEN 0 ELSE 1 END AS on_deal, COUNT(*)
            FROM touch t
            JOIN client c ON c.id = t.client_id
            LEFT JOIN deal d ON d.id = t.deal_id
            WHERE t.kind IN ('warming', 'closing') AND t.on_date >= :start
              AND t.on_date <= :end AND t.on_date <= :as_of
            GROUP BY 1, 2, 3, 4""",
        {"start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat()},
    )
    return [SellerTally(r[0], r[1], r[2], bool(r[3]), int(r[4])) for r in rows]


def nudged_deals(
    db: Database, start: dt.date, end: dt.date, as_of: dt.date
) -> dict[int | None, tuple[int, int]]:
    """{seller: (deals they nudged in ``start..end``, of them paid on or after their
    first nudge, by ``as_of``)}: a closing touch counts for the seller who logged it,
    else for the owner of its deal as of today (as :func:`touch_tallies` counts it); a
    deal two sellers nudged counts once for each."""
    rows = db.tuples(
        f"""WITH first AS (
                SELECT t.deal_id, COALESCE(t.seller_id, {DEAL_OWNER}) AS seller,
                       MIN(t.on_date) AS first_on
                FROM touch t
                JOIN deal d ON d.id = t.deal_id JOIN client c ON c.id = d.client_id
                WHERE t.kind = 'closing' AND t.deal_id IS NOT NULL
                  AND t.on_date >= :start AND t.on_date <= :end AND t.on_date <= :as_of
                GROUP BY 1, 2)
            SELECT f.seller, COUNT(*),
                   SUM(CASE WHEN d.status = 'won' AND d.closed_on >= f.first_on
                            AND d.closed_on <= :as_of THEN 1 ELSE 0 END)
            FROM first f JOIN deal d ON d.id = f.deal_id
            GROUP BY 1""",
        {"start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat()},
    )
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}


def revenue(
    db: Database, start: dt.date, end: dt.date, as_of: dt.date, currency: str
) -> dict[int | None, tuple[int, int]]:
    """{owner: (deals won in ``start..end`` as of ``as_of`` (a deal reopened since is not
    won: its history says so), their amount in minor units of ``currency``)}."""
    from povtor.storage.nudge_queries import PAID

    rows = db.tuples(
        f"""WITH {PAID}
            SELECT {DEAL_OWNER}, COUNT(*), SUM(COALESCE(p.amount_minor, 0))
            FROM paid p JOIN deal d ON d.id = p.deal_id JOIN client c ON c.id = p.client_id
            WHERE p.closed_on >= :start AND p.closed_on <= :end
              AND p.closed_on <= :as_of AND p.currency = :currency
            GROUP BY 1""",
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "as_of": as_of.isoformat(),
            "currency": currency,
        },
    )
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}
