"""The team: sellers on one database, who owns which client and deal, handovers.

A solo seller is a team of one and needs none of this: with no sellers every command
works as before. Once there are sellers, the current one (``POVTOR_SELLER``, else
``povtor seller use NAME``) gets the clients it adds, and its plan by default.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from povtor.clock import Clock
from povtor.errors import Conflict, InvalidInput, NotFound
from povtor.i18n import N_, _, ngettext
from povtor.records import record
from povtor.storage import queries, seller_queries, seller_writes
from povtor.storage.database import Database, Row
from povtor.storage.setting_writes import store_setting
from povtor.text import clean_text

if TYPE_CHECKING:  # (metrics are for stats only: not loaded by client add or the plan)
    from povtor.domain import metrics
    from povtor.domain.calendar import Period
    from povtor.domain.plan_records import Candidate, ClientState, PlanItem

CURRENT_KEY = "seller"  # the setting row of ``seller use``
ENV = "POVTOR_SELLER"


@record(frozen=True)
class Seller:
    id: int
    name: str
    back: bool = False  # added again after being removed


def _seller(row: Row) -> Seller:
    return Seller(int(row["id"]), str(row["name"]))


def add_seller(db: Database, clock: Clock, name: str) -> Seller:
    cleaned = clean_text(name, field="name", required=True, max_len=200)
    assert cleaned is not None
    name = cleaned
    with db.transaction():
        same = seller_queries.seller_by_key(db, name)
        if same is not None and same["removed_on"] is not None:
            seller_writes.mark_removed(db, int(same["id"]), None)
            return Seller(int(same["id"]), str(same["name"]), back=True)
        if same is not None:
            raise Conflict(
                _("seller {name!r} exists already").format(name=same["name"]),
                hint=_("list the team: povtor seller list"),
            )
        seller_id = seller_writes.insert_seller(db, name, clock.today)
    return Seller(seller_id, name)


def list_sellers(db: Database, *, removed_too: bool = False) -> list[Row]:
    return seller_queries.list_sellers(db, removed_too=removed_too)


def remove_seller(db: Database, clock: Clock, name: str) -> Seller:
    """Take a seller who owns nothing off the team (else refused: hand their clients over
    first). Their row stays, marked removed: the touches they logged are still theirs."""
    with db.transaction():
        found = seller_queries.find_seller(db, name, removed_too=True)
        if found["removed_on"] is not None:
            raise Conflict(
                _("seller {name!r} was removed from the team on {day} already").format(
                    name=found["name"], day=found["removed_on"]
                ),
                hint=_("see them with: povtor seller list --all"),
            )
        seller = _seller(found)
        held = seller_queries.holdings(db, seller.id)
        if held.clients or held.deals:
            owned = _(" and ").join(
                part
                for part in (
                    ngettext("{n} client", "{n} clients", held.clients).format(n=held.clients)
                    if held.clients
                    else "",
                    ngettext("{n} handed-over deal", "{n} handed-over deals", held.deals).format(
                        n=held.deals
                    )
                    if held.deals
                    else "",
                )
                if part
            )
            raise Conflict(
                _("seller {name!r} still owns {owned}").format(name=seller.name, owned=owned),
                hint=_("hand them over first: povtor {commands}").format(
                    commands=_(" or ").join(
                        _(command)
                        for command, n in (
                            (N_("client assign CLIENT --to NAME"), held.clients),
                            (N_("deal assign DEAL --to NAME"), held.deals),
                        )
                        if n
                    )
                ),
            )
        if _stored_current(db) == seller_queries.seller_key(seller.name):
            store_setting(db, CURRENT_KEY, None)
        seller_writes.mark_removed(db, seller.id, clock.today)
    return seller


# -- the current seller --------------------------------------------------------------------
def _stored_current(db: Database) -> str | None:
    value = db.scalar("SELECT value FROM setting WHERE key = ?", (CURRENT_KEY,))
    return seller_queries.seller_key(value) if value else None


def use_seller(db: Database, name: str | None) -> Seller | None:
    """``seller use NAME``: the current seller of this database (``None``: nobody)."""
    with db.transaction():
        if name is None:
            store_setting(db, CURRENT_KEY, None)
            return None
        seller = _seller(seller_queries.find_seller(db, name))
        store_setting(db, CURRENT_KEY, seller.name)
    return seller


def current_seller(db: Database, env_value: str | None) -> Seller | None:
    """The seller working now: ``POVTOR_SELLER`` (``env_value``), else ``seller use``;
    none when neither is set (or, for the setting, no longer names a seller)."""
    if env_value is not None and env_value.strip():
        row = seller_queries.seller_by_key(db, env_value)
        if row is None or row["removed_on"] is not None:
            raise NotFound(
                _("{env}: no seller {name!r}").format(env=ENV, name=env_value.strip())
                if row is None
                else _("{env}: seller {name!r} was removed from the team on {day}").format(
                    env=ENV, name=row["name"], day=row["removed_on"]
                ),
                hint=_("add it with: povtor seller add NAME, or unset POVTOR_SELLER"),
            )
        return _seller(row)
    stored = db.scalar("SELECT value FROM setting WHERE key = ?", (CURRENT_KEY,))
    if not stored:
        return None
    row = seller_queries.seller_by_key(db, stored)
    return _seller(row) if row is not None and row["removed_on"] is None else None


def current_seller_id(db: Database, env_value: str | None) -> int | None:
    """The current seller's id, or none (a seller on their own)."""
    seller = current_seller(db, env_value)
    return seller.id if seller is not None else None


def find_seller(db: Database, name: str) -> Seller:
    return _seller(seller_queries.find_seller(db, name))


def seller_names(db: Database) -> list[str]:
    return seller_queries.seller_names(db)


# -- handovers -----------------------------------------------------------------------------
@record(frozen=True)
class Handed:
    what: str  # "client #12 Ромашка" or "deal #7 «Поставка» of Ромашка"
    was: str | None  # the previous owner's name
    to: str
    changed: bool


def assign_clients(
    db: Database,
    clock: Clock,
    refs: list[str],
    to_name: str,
    *,
    acting: Seller | None,
    force: bool = False,
    note: str | None = None,
) -> list[Handed]:
    """Give clients (and the deals that follow them) to a seller, all or none. A client
    someone else owns is taken only by its owner's own handover (``acting``) or with
    ``force``; the UPDATE is conditional, so two sellers taking it at once cannot both
    win."""
    with db.transaction():
        to = _seller(seller_queries.find_seller(db, to_name))
        done: list[Handed] = []
        seen: set[int] = set()
        for ref in refs:
            client = queries.find_client(db, ref)
            if client["id"] in seen:
                continue
            seen.add(client["id"])
            done.append(_assign_client(db, clock, client, to, acting, force, note))
    return done


def _assign_client(
    db: Database,
    clock: Clock,
    client: Row,
    to: Seller,
    acting: Seller | None,
    force: bool,
    note: str | None,
) -> Handed:
    was = seller_queries.client_owner(db, client["id"])
    what = _("client #{id} {name}").format(id=client["id"], name=client["name"])
    was_name = seller_queries.seller_name(db, was)
    if was == to.id:
        return Handed(what, was_name, to.name, changed=False)
    _refuse_unless_free(what, was, was_name, acting=acting, force=force)
    if not seller_writes.move_client(db, client["id"], was, to.id):
        raise Conflict(
            _("{what} was just taken by another seller").format(what=what),
            hint=_("try again"),
        )
    seller_writes.record_handover(
        db,
        at=clock.utc_now(),
        on=clock.today,
        entity="client",
        client_id=client["id"],
        deal_id=None,
        from_seller=was_name,
        to_seller=to.name,
        note=note,
    )
    return Handed(what, was_name, to.name, changed=True)


def _refuse_unless_free(
    what: str, owner: int | None, owner_name: str | None, *, acting: Seller | None, force: bool
) -> None:
    """Another seller's client or deal is taken only by its owner's handover (the owner is
    the current seller) or with --force: two sellers cannot both take one by accident."""
    if owner is not None and not force and (acting is None or acting.id != owner):
        raise Conflict(
            _("{what} belongs to {owner}").format(what=what, owner=owner_name),
            hint=_("{owner} can hand it over, or take it with --force").format(owner=owner_name),
        )


def assign_deal(
    db: Database,
    clock: Clock,
    ref: str,
    to_name: str,
    *,
    acting: Seller | None,
    force: bool = False,
    note: str | None = None,
) -> Handed:
    """Hand one deal to a seller (a refused deal to whoever works the refusals, a hot
    one to the expert); the client stays with its owner. Handed back to the client's
    owner, the deal follows the client again."""
    with db.transaction():
        deal = queries.find_deal(db, ref)
        to = _seller(seller_queries.find_seller(db, to_name))
        own, clients = seller_queries.deal_owner(db, deal["id"])
        was = own if own is not None else clients
        title = f" «{deal['title']}»" if deal["title"] else ""
        what = _("deal #{id}{title} of {client}").format(
            id=deal["id"], title=title, client=deal["client"]
        )
        was_name = seller_queries.seller_name(db, was)
        if was == to.id:
            return Handed(what, was_name, to.name, changed=False)
        _refuse_unless_free(what, was, was_name, acting=acting, force=force)
        new_own = None if to.id == clients else to.id
        if not _hand_deal(db, clock, deal, own, new_own, was_name, to.name, note):
            raise Conflict(
                _("{what} was just taken by another seller").format(what=what),
                hint=_("try again"),
            )
    return Handed(what, was_name, to.name, changed=True)


def back_from_a_removed_seller(db: Database, clock: Clock, deal: Row) -> None:
    """A deal handed to a seller who has left the team, reopened, goes back to its
    client's owner (their won deals stay theirs while closed: their history); the
    handover is recorded. Inside the caller's transaction."""
    gone = seller_queries.removed_owner(db, deal["id"])
    if gone is not None:
        seller_id, name = gone
        _hand_deal(db, clock, deal, seller_id, None, name, None, None)


def _hand_deal(
    db: Database,
    clock: Clock,
    deal: Row,
    own: int | None,
    new_own: int | None,
    from_seller: str | None,
    to_seller: str | None,
    note: str | None,
) -> bool:
    """Set the deal's own owner from ``own`` to ``new_own`` (None: its client's) and
    record the handover; False: another seller took it meanwhile (nothing changed)."""
    if not seller_writes.move_deal(db, deal["id"], own, new_own):
        return False
    seller_writes.record_handover(
        db,
        at=clock.utc_now(),
        on=clock.today,
        entity="deal",
        client_id=deal["client_id"],
        deal_id=deal["id"],
        from_seller=from_seller,
        to_seller=to_seller,
        note=note,
    )
    return True


def handovers(db: Database, client_ref: str | None = None) -> list[Row]:
    client_id = queries.find_client(db, client_ref)["id"] if client_ref else None
    return seller_queries.handovers(db, client_id=client_id)


# -- whose plan ----------------------------------------------------------------------------
class SellerFilter:
    """Whether a plan item is ``seller``'s to do, by its client and the candidate it leads
    with: the owner of the deal it is about (its open deal, or the lost one a refusal
    revisit calls back about) when that deal was handed over on its own, else its
    client's. Items of clients nobody owns are left out (two sellers would call them both)
    and counted in ``unowned``."""

    def __init__(self, db: Database, seller: Seller) -> None:
        self.seller = seller
        self.owners = seller_queries.owners(db)
        self._unowned: set[int] = set()  # (a client asked about twice counts once)

    @property
    def unowned(self) -> int:
        return len(self._unowned)

    def __call__(self, client: ClientState, lead: Candidate) -> bool:
        deal = lead.deal or lead.about
        owner = self.owners.of(client.id, deal.id if deal is not None else None)
        if owner is None:
            self._unowned.add(client.id)
        return owner == self.seller.id

    def item(self, item: PlanItem) -> bool:
        """Whether a built item is the seller's (see the class)."""
        return self(item.client, item.primary)


def plan_filter(db: Database, seller: Seller) -> SellerFilter:
    return SellerFilter(db, seller)


# -- stats by seller -----------------------------------------------------------------------
NOBODY = N_("(nobody)")  # machine formats keep it; a table shows it translated


@record
class SellerRow:
    seller: str
    nudges: metrics.NudgeRow
    won: int = 0
    revenue_minor: int = 0


def nudges_by_seller(
    db: Database, start: dt.date, end: dt.date, as_of: dt.date, currency: str
) -> list[SellerRow]:
    """Per seller: closing touches by outcome and their decision rate, the deals they
    nudged and how many were paid (nudge→order), warming touches (each touch for the
    seller who logged it, else the owner of its deal or client as of today), and the
    deals won in the period with their revenue (each deal for its owner as of today).
    All sellers first in the team's order (then those removed from it who have figures
    here), then the clients nobody owns, if any."""
    from povtor.domain import metrics

    team = seller_queries.list_sellers(db, removed_too=True)
    names = {int(r["id"]): str(r["name"]) for r in team}
    rows: dict[int | None, SellerRow] = {
        int(r["id"]): SellerRow(r["name"], metrics.NudgeRow("seller", r["name"]))
        for r in team
        if r["removed_on"] is None
    }

    def row(owner: int | None) -> SellerRow:
        if owner not in rows:
            label = names.get(owner, NOBODY) if owner is not None else NOBODY
            rows[owner] = SellerRow(label, metrics.NudgeRow("seller", label))
        return rows[owner]

    for t in seller_queries.touch_tallies(db, start, end, as_of):
        r = row(t.seller_id).nudges
        if t.kind == "warming":
            r.warming += t.count
        else:
            r.outcomes[t.outcome] = r.outcomes.get(t.outcome, 0) + t.count
            if t.on_deal:
                r.on_deal += t.count
    for owner, (nudged, paid) in seller_queries.nudged_deals(db, start, end, as_of).items():
        r = row(owner).nudges
        r.nudged_deals, r.paid_deals = nudged, paid
    for owner, (won, amount) in seller_queries.revenue(db, start, end, as_of, currency).items():
        found = row(owner)
        found.won, found.revenue_minor = won, amount
    ordered = [rows[sid] for sid in names if sid in rows]  # (removed: with figures only)
    if None in rows:
        ordered.append(rows[None])
    return ordered


@record(frozen=True)
class SellerFunnel:
    seller: str
    flows: list[metrics.StageFlow]
    closed: metrics.ClosedSummary
    reasons: list[metrics.ReasonCount]


def funnel_by_seller(db: Database, funnel_ref: str, span: Period) -> tuple[str, list[SellerFunnel]]:
    """The funnel (as ``stats funnel`` computes it: its stages, the deals closed in the
    period and their loss reasons) per seller, over the deals each owns as of today (a
    handed-over deal's seller, else its client's): the funnel's code, then all sellers in
    the team's order and the deals nobody owns, if any."""
    from povtor.domain import metrics
    from povtor.storage import stats_queries

    funnel = queries.find_funnel(db, funnel_ref)
    stages = stats_queries.stages(db, funnel["id"])
    changes = stats_queries.funnel_changes(
        db, [s.id for s in stages], span.start, span.end, span.as_of
    )
    owner_of = stats_queries.deal_owners(db, {change.deal_id for change in changes})
    now = stats_queries.open_at_stages_by_owner(db, funnel["id"], span.as_of)
    closed = stats_queries.closed_deals_by_owner(db, funnel["id"], span.start, span.end, span.as_of)
    grouped: dict[int | None, list[metrics.Change]] = {}
    for change in changes:
        grouped.setdefault(owner_of.get(change.deal_id), []).append(change)
    team = seller_queries.list_sellers(db, removed_too=True)
    names = {int(r["id"]): str(r["name"]) for r in team}
    owners: list[int | None] = [
        int(r["id"])
        for r in team
        if r["removed_on"] is None or int(r["id"]) in grouped or int(r["id"]) in closed
    ]
    if None in grouped or None in now or None in closed:
        owners.append(None)
    return funnel["code"], [
        SellerFunnel(
            names[owner] if owner is not None else NOBODY,
            metrics.funnel_flow(
                stages, grouped.get(owner, []), span.start, span.end, now.get(owner, {})
            ),
            metrics.closed_summary(closed.get(owner, [])),
            metrics.lost_reasons(closed.get(owner, [])),
        )
        for owner in owners
    ]


def check_not_both(seller: str | None, everyone: bool) -> None:
    if seller is not None and everyone:
        raise InvalidInput(
            _("give either --seller or --everyone, not both"), hint=_("e.g. --everyone")
        )
