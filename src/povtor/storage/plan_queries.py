"""The facts the planner needs, aggregated in SQL (no ORM, no row-per-touch loading):
the settings and the user's templates, every active client's state, the open deals, the
paid deals awaiting a service contact and the refusals awaiting a revisit; and the
history the forecast and the revenue target count on."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import Any

from povtor.domain.calendar import trailing_year
from povtor.domain.conversation import Asked, Said
from povtor.domain.offers import REVENUE_CURRENCY
from povtor.domain.plan_records import (
    ClientState,
    ClosedDeal,
    OpenDeal,
    PlanInput,
    ServiceProblem,
)
from povtor.records import record
from povtor.settings import Settings
from povtor.storage import conversation_queries
from povtor.storage.database import Beside, Database, Days, Params, id_list
from povtor.storage.service_queries import open_problems


def load_settings(db: Database) -> Settings:
    return Settings({r["key"]: r["value"] for r in db.rows("SELECT key, value FROM setting")})


def user_templates(db: Database) -> dict[tuple[str, str, str, str], str]:
    return {
        (r["kind"], r["funnel"], r["stage"], r["lang"]): r["body"]
        for r in db.rows("SELECT kind, funnel, stage, lang, body FROM template")
    }


# Every active client with the facts the rules need, as of :day, by index seeks per client
# (ix_touch_client_on, ix_touch_client_kind) rather than scans of every touch: the day of
# its newest touch, and the warming touches since
# its last closing one (the 5:1 cadence). The last closing touch is one seek ordered by
# date, then by time within that date, read as "YYYY-MM-DD|time" and split again; the CTE
# is materialised so that SQLite does not repeat those seeks per warming touch. What the
# client said is read by storage.conversation_queries. Only a plan of a past day (a touch
# dated after it) reads these; otherwise CURRENT_CLIENT_FACTS.
CLIENT_FACTS = """
WITH facts AS MATERIALIZED (
  SELECT c.id, c.name, c.company, c.category, c.industry, c.created_on,
    (SELECT MAX(t.on_date) FROM touch t WHERE t.client_id = c.id AND t.on_date <= :day)
      AS last_touch_on,
    (SELECT t.on_date || '|' || t.at FROM touch t
      WHERE t.client_id = c.id AND t.kind = 'closing' AND t.on_date <= :day
      ORDER BY t.on_date DESC, t.at DESC LIMIT 1) AS closing
  FROM client c WHERE c.status = 'active'
)
SELECT f.id, f.name, {company}, f.category, f.industry, f.last_touch_on,
  (SELECT COUNT(*) FROM touch w WHERE w.client_id = f.id AND w.kind = 'warming'
    AND w.on_date <= :day AND w.on_date >= COALESCE(substr(f.closing, 1, 10), '')
    AND (f.closing IS NULL OR w.at > substr(f.closing, 12))) AS warming,
  CASE WHEN substr(f.created_on, 1, 10) > :day THEN 1 ELSE 0 END AS made_later
FROM facts f
"""
# The same facts from each client's stored activity (storage.activity): one row per
# client, right whenever no touch is dated after the plan's day. A client touched on the
# plan's day is left out (unless made after it): it has no item that day
# (domain.planner.rank); the offers' ranking by revenue counts it all the same.
# The same row holds what the client said on its general conversation: its latest answer
# (with its reason) and latest unanswered question, as conversation_queries.general_talk
# finds them; and the days it paid on and the amount of its latest paid deal (of a client
# paid after the plan's day too: those are read from its deals).
CURRENT_CLIENT_FACTS = """
SELECT c.id, c.name, {company}, c.category, c.industry, a.last_touch_on,
  COALESCE(a.warming_since_closing, 0) AS warming,
  CASE WHEN substr(c.created_on, 1, 10) > :day THEN 1 ELSE 0 END AS made_later,
  a.said_at, a.said_on, a.said_kind, a.said_outcome, a.said_follow_up_on, a.said_reason,
  a.asked_at, a.asked_on, a.paid_days, a.last_paid_amount,
  CASE WHEN a.last_won_on > :day THEN 1 ELSE 0 END AS paid_later
FROM client c LEFT JOIN client_activity a ON a.client_id = c.id
WHERE c.status = 'active'
  AND (a.last_touch_on IS NULL OR a.last_touch_on <> :day OR substr(c.created_on, 1, 10) > :day)
ORDER BY c.id
"""
# The deals paid from :since to :day with no service contact answered (yes or no) on or
# after the day they were paid: from the touches as of :day, or, with no touch dated after
# :day, from each client's latest answered service contact (client_activity).
PAID_AWAITING_SERVICE = """
SELECT d.id, d.client_id, d.closed_on, d.amount_minor, d.currency, d.title FROM deal d
WHERE d.status = 'won' AND d.closed_on >= :since AND d.closed_on <= :day
  AND NOT EXISTS (SELECT 1 FROM touch t WHERE t.client_id = d.client_id
                  AND t.kind = 'service' AND t.on_date >= d.closed_on
                  AND t.on_date <= :day AND t.outcome IN ('yes', 'no'))
ORDER BY d.closed_on, d.id
"""
# (Client by client, from ix_deal_status_client alone, which holds every column the plan
# reads of them but the title: read only for the deals drafts are written about.)
CURRENT_PAID_AWAITING_SERVICE = """
SELECT d.id, d.client_id, d.closed_on, d.amount_minor, d.currency, NULL AS title FROM deal d
LEFT JOIN client_activity a ON a.client_id = d.client_id
WHERE d.status = 'won' AND d.closed_on >= :since AND d.closed_on <= :day
  AND (a.last_service_on IS NULL OR a.last_service_on < d.closed_on)
ORDER BY d.client_id, d.closed_on, d.id
"""
# The deals lost from :since to :day with no deal of the client paid after them (at any
# date, as the plan has always read it): from the deals, or from client_activity.
LOST_AWAITING_REVISIT = """
SELECT d.id, d.client_id, d.closed_on, d.amount_minor, d.currency, d.title,
       d.lost_reason FROM deal d
WHERE d.status = 'lost' AND d.closed_on >= :since AND d.closed_on <= :day
  AND NOT EXISTS (SELECT 1 FROM deal w WHERE w.status = 'won'
                  AND w.client_id = d.client_id AND w.closed_on > d.closed_on)
ORDER BY d.closed_on, d.id
"""
# (Client by client, from ix_deal_status_client alone, and each client's activity row in
# turn, rather than every lost deal's row in the order of the days: the rows of the latest
# of each client are read after, by CLOSED_DEALS.)
CURRENT_LOST_AWAITING_REVISIT = """
SELECT d.id, d.client_id FROM deal d
LEFT JOIN client_activity a ON a.client_id = d.client_id
WHERE d.status = 'lost' AND d.closed_on >= :since AND d.closed_on <= :day
  AND (a.last_won_on IS NULL OR a.last_won_on <= d.closed_on)
ORDER BY d.client_id, d.closed_on, d.id
"""
# The closed deals of the JSON list of ids :ids, as LOST_AWAITING_REVISIT reads them.
CLOSED_DEALS = """
SELECT d.id, d.client_id, d.closed_on, d.amount_minor, d.currency, d.title,
       d.lost_reason FROM deal d
WHERE d.id IN (SELECT value FROM json_each(:ids))
ORDER BY d.closed_on, d.id
"""


# The open deals, each with the day of the last touch in its current stage: the touch whose
# yes moved the deal here was made in the stage before (touches without a stage, imported
# ones, count). (The ids of the open deals come from an index first, so that their rows are
# read in the table's own order, not sorted afterwards; each deal's touches are read from
# the newest back, up to the first in its stage, where a MAX would read them all. The
# title is {title}: NULL when only the items shown need it, read by fill_titles. With
# {untouched}, the deals of the clients CURRENT_CLIENT_FACTS leaves out are left out too.)
OPEN_DEALS = """
SELECT d.id, d.client_id, d.stage_id, d.stage_entered_on, d.follow_up_on,
  d.amount_minor, d.currency, {title}, d.opened_on,
  (SELECT t.on_date FROM touch t
   WHERE t.deal_id = d.id AND t.on_date <= :day
     AND (t.stage_id = d.stage_id OR t.stage_id IS NULL)
   ORDER BY t.on_date DESC LIMIT 1) AS last_touch_on
FROM deal d WHERE d.id IN (SELECT o.id FROM deal o WHERE o.status = 'open') {untouched}
ORDER BY d.id
"""
# (the clients touched on :day, made by it: one pass of the activity's index on the day
# of the last touch, each one's client looked up)
UNTOUCHED = """AND d.client_id NOT IN (
  SELECT a.client_id FROM client_activity a JOIN client c ON c.id = a.client_id
  WHERE a.last_touch_on = :day AND substr(c.created_on, 1, 10) <= :day)"""


# The first person of each client (its main one, else the first added): of every client,
# or of the clients in the JSON list :ids.
_FIRST_PEOPLE = """
SELECT p.client_id, p.name FROM person p
WHERE p.id IN (SELECT COALESCE(MIN(CASE WHEN is_main THEN id END), MIN(id))
               FROM person {where} GROUP BY client_id)
"""


def companies(db: Database, client_ids: Iterable[int]) -> dict[int, str | None]:
    """The company of each of ``client_ids``, for the drafts of the items shown."""
    ids = id_list(client_ids)
    return dict(
        db.tuples(
            "SELECT id, company FROM client WHERE id IN (SELECT value FROM json_each(?))", (ids,)
        )
    )


def first_people(db: Database, client_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The name of the first person of each client (of ``client_ids``; None: of every
    client), for the greeting of its drafts."""
    if client_ids is None:
        return dict(db.tuples(_FIRST_PEOPLE.format(where="")))
    ids = id_list(client_ids)
    return dict(
        db.tuples(
            _FIRST_PEOPLE.format(where="WHERE client_id IN (SELECT value FROM json_each(?))"),
            (ids,),
        )
    )


def fill_titles(db: Database, deals: Iterable[OpenDeal | ClosedDeal]) -> None:
    """Set the title of each of ``deals`` read without it (a plan's open deals and paid
    ones: only the items shown name them)."""
    missing = {deal.id: deal for deal in deals if deal.title is None}
    if missing:
        for deal_id, title in db.tuples(
            "SELECT id, title FROM deal WHERE id IN (SELECT value FROM json_each(?))",
            (id_list(missing),),
        ):
            missing[deal_id].title = title


def activity_is_current(db: Database, day: str) -> bool:
    """Whether the stored activity of every client holds as of ``day``: no touch is dated
    after it (a plan of a past day reads the history instead)."""
    newest = db.scalar("SELECT MAX(last_touch_on) FROM client_activity")
    return newest is None or newest <= day


def _paid_history(
    db: Database,
    day: str,
    days: Days,
    year_from: dt.date,
    client_ids: list[int] | None = None,
) -> tuple[dict[int, tuple[dt.date, ...]], dict[int, int | None], dict[int, int]]:
    """From the deals paid up to ``day`` (of ``client_ids``; None: of every client): each
    client's paid days, the amount of its latest paid deal, and its revenue from
    ``year_from`` in the currency the offer rules rank by."""
    paid_dates: dict[int, tuple[dt.date, ...]] = {}
    last_paid_amount: dict[int, int | None] = {}
    revenues: dict[int, int] = {}
    dates: list[dt.date] = []
    previous = None  # (the rows come client by client: each client's facts kept at its end)
    last_amount = None
    some = "" if client_ids is None else "AND client_id IN (SELECT value FROM json_each(?))"
    params = (day,) if client_ids is None else (day, id_list(client_ids))
    for client_id, closed_on, amount, currency in db.tuples(
        f"""SELECT client_id, closed_on, amount_minor, currency FROM deal
            WHERE status = 'won' AND closed_on <= ? {some}
            ORDER BY client_id, closed_on, id""",
        params,
    ):
        on = days[closed_on]
        if client_id != previous:
            if previous is not None:
                paid_dates[previous] = tuple(dates)
                last_paid_amount[previous] = last_amount
            dates = [on]
            previous = client_id
        elif dates[-1] != on:
            dates.append(on)
        last_amount = amount
        if amount is not None and currency == REVENUE_CURRENCY and on >= year_from:
            revenues[client_id] = revenues.get(client_id, 0) + amount
    if previous is not None:
        paid_dates[previous] = tuple(dates)
        last_paid_amount[previous] = last_amount
    return paid_dates, last_paid_amount, revenues


def load_plan_facts(
    db: Database,
    today: dt.date,
    *,
    paid_since: dt.date,
    lost_since: dt.date,
    history: bool = False,
    people: bool = True,
    beside: bool = True,
) -> PlanInput:
    """The plan's facts as of ``today``: the active clients (with an unresolved service
    problem, if any, and what they said: storage.conversation_queries), their open deals,
    the deals paid from ``paid_since`` with no answered service contact since, and each
    client's latest lost deal from ``lost_since`` with no payment since. The
    client-development facts are loaded on their own.

    The facts per client come from the stored activity (storage.activity) unless a touch
    is dated after ``today``, or ``history`` asks to read them from the touches and deals
    (the same facts, found the slow way). Without ``people``, no client's first person or
    company is read, nor the title of an open deal or of a paid one awaiting its service
    contact (:func:`first_people`, :func:`companies` and :func:`fill_titles` read them for
    the items shown). With ``beside``, on SQLite, what does not need the clients (the
    deals, the open service problems, the revenues) is read beside them on a second
    connection (:class:`~povtor.storage.database.Beside`); else after them."""
    day = today.isoformat()
    current = not history and activity_is_current(db, day)
    # the deals, the open service problems and the revenues are read beside the clients,
    # on a second connection (SQLite does most of that work, outside Python's lock),
    # unless not ``beside`` (the second core is taken): then after them, on this one
    reads = functools.partial(
        _read_beside_clients,
        today=today,
        current=current,
        people=people,
        paid_since=paid_since,
        lost_since=lost_since,
    )
    # (on SQLite: a server would be asked for a second connection at every plan)
    read_beside = Beside(db, reads) if beside and db.engine == "sqlite" else None
    days = Days()
    # (a value that repeats from row to row, an industry, a currency, a deal's title, is
    # kept once rather than once per row: a big plan holds a fraction of the memory)
    same: Callable[[Any, Any], Any] = {}.setdefault
    service_promises = conversation_queries.service_promises(db, day)
    purpose_promises = conversation_queries.purpose_promises(db, day)
    # Each client's paid days (a purchase occasion is a distinct day) and the amount of its
    # latest paid deal: from its stored activity, or from the paid deals (then with its
    # revenue of the 12 months to the day in the currency the offer rules rank by, which
    # is otherwise read on its own below)
    paid_dates: dict[int, tuple[dt.date, ...]] = {}
    last_paid_amount: dict[int, int | None] = {}
    revenues: dict[int, int] | None = None
    if not current:
        paid_dates, last_paid_amount, revenues = _paid_history(
            db, day, days, trailing_year(today)[0]
        )
    first = first_people(db) if people else {}
    company_column = "c.company" if people else "NULL"  # (read with the people: drafts)
    get_person, get_paid = first.get, paid_dates.get
    get_amount = last_paid_amount.get
    clients: dict[int, ClientState] = {}
    unknown: tuple[dt.date, ...] = ()
    later: list[int] = []  # clients made after the day (no revenue counted for them)
    if current:
        # one row per client: its facts, its paid days and what it said; the rows are made
        # into records as they come, a thousand at a time, not all held at once
        rows = db.iterate(
            CURRENT_CLIENT_FACTS.format(company=company_column), {"day": day}, size=1000
        )
        paid_later: list[int] = []  # clients paid after the day: their days read apart
        parse = days.__getitem__
        for (
            cid,
            name,
            company,
            category,
            industry,
            last_touch_on,
            warming,
            made_later,
            said_at,
            said_on,
            said_kind,
            said_outcome,
            said_follow_up_on,
            said_reason,
            asked_at,
            asked_on,
            paid_days,
            last_amount,
            paid_after,
        ) in rows:
            client = clients[cid] = ClientState(
                cid,
                name,
                company,
                category,
                get_person(cid),
                0,  # open deals (counted with the open deals below)
                None if last_touch_on is None else days[last_touch_on],
                unknown if paid_days is None else tuple(map(parse, paid_days.split(","))),
                last_amount,
                warming,
                None,  # (the open service problem: set below)
                same(industry, industry),
            )
            if paid_after:
                paid_later.append(cid)
            if said_at is not None:
                client.said = Said(
                    days[said_on],
                    said_at,
                    same(said_kind, said_kind),
                    same(said_outcome, said_outcome),
                    None if said_follow_up_on is None else days[said_follow_up_on],
                    said_reason if said_outcome == "no" else None,  # (why a "no")
                )
            if asked_at is not None:
                client.asked = Asked(days[asked_on], asked_at)
            if made_later:
                later.append(cid)
        if paid_later:
            year_from = trailing_year(today)[0]
            paid_dates, last_paid_amount, _ = _paid_history(db, day, days, year_from, paid_later)
            for cid in paid_later:
                clients[cid].paid_dates = paid_dates.get(cid, unknown)
                clients[cid].last_paid_amount = last_paid_amount.get(cid)
    else:
        for (
            cid,
            name,
            company,
            category,
            industry,
            last_touch_on,
            warming,
            made_later,
        ) in db.tuples(
            CLIENT_FACTS.format(company=company_column.replace("c.", "f.")), {"day": day}
        ):
            clients[cid] = ClientState(
                cid,
                name,
                company,
                category,
                get_person(cid),
                0,
                None if last_touch_on is None else days[last_touch_on],
                get_paid(cid, unknown),
                get_amount(cid),
                warming,
                None,  # (the open service problem: set below)
                industry,
            )
            if made_later:
                later.append(cid)
        # what the clients said (most said nothing: set only where there is something)
        for cid, (said, asked) in conversation_queries.general_talk(db, day).items():
            talker = clients.get(cid)
            if talker is not None:
                talker.said, talker.asked = said, asked
    read = reads(db, at_once=False) if read_beside is None else read_beside.result()
    for cid, problem in read.problems.items():
        if cid in clients:
            clients[cid].open_problem = problem
    if read.revenues is not None:
        # (the offer rules rank by it: read only with a product catalog; of the active
        # clients, those read above and those touched on the day, which are not)
        revenues = read.revenues
    elif revenues is not None:  # (of every client: the history's)
        revenues = {cid: revenue for cid, revenue in revenues.items() if cid in clients}
    if revenues is not None:
        for cid in later:
            revenues.pop(cid, None)
    for cid, promise in service_promises.items():
        if cid in clients:
            clients[cid].service_promise = promise
    for cid, promises in purpose_promises.items():
        if cid in clients:
            clients[cid].promises = promises
    # every stage with its funnel and the position of the funnel's paid stage (a few
    # dozen rows), so the open deals are read without joins
    stages = {
        stage_id: (
            funnel,
            stage,
            name,
            position,
            limit_days,
            int(paid_at if paid_at is not None else position + 1),  # the paid stage's place
        )
        for stage_id, funnel, stage, name, position, limit_days, paid_at in db.tuples(
            """SELECT s.id, f.code, s.code, s.name, s.position, s.limit_days,
                      (SELECT MIN(w.position) FROM stage w
                       WHERE w.funnel_id = s.funnel_id AND w.is_won)
               FROM stage s JOIN funnel f ON f.id = s.funnel_id"""
        )
    }
    # the open deals a deal rule may pick today; each of the others only counted, with the
    # day it was opened, in its client's facts (most wait within their stage's limit)
    from povtor.domain.planner import deal_rules_may_pick

    deals = []
    for (
        deal_id,
        client_id,
        stage_id,
        entered_on,
        follow_up_on,
        amount_minor,
        currency,
        title,
        opened_on,
        last_touch_on,
    ) in read.open_deals:
        owner = clients.get(client_id)
        if owner is None:
            continue  # (a deal of an archived client, or of one touched on the day)
        owner.open_deals += 1
        funnel, stage, stage_name, position, limit_days, won_position = stages[stage_id]
        entered = days[entered_on]
        touched = None if last_touch_on is None else days[last_touch_on]
        promised = None if follow_up_on is None else days[follow_up_on]
        if not deal_rules_may_pick(today, entered, touched, promised, limit_days):
            opened = entered if opened_on is None else days[opened_on]
            newest = owner.newest_deal_on
            if newest is None or opened > newest:
                owner.newest_deal_on = opened
            continue
        deals.append(
            OpenDeal(  # (by position: one per open deal)
                deal_id,
                owner.id,
                funnel,
                stage,
                stage_name,
                position,
                won_position,
                limit_days,
                entered,
                promised,
                amount_minor,
                same(currency, currency),
                same(title, title),
                touched,
                None if opened_on is None else days[opened_on],
            )
        )
    paid = tuple(
        ClosedDeal(deal_id, client_id, days[closed_on], amount, same(currency, currency), title)
        for deal_id, client_id, closed_on, amount, currency, title in read.paid
    )
    if current and people:
        fill_titles(db, paid)
    return PlanInput(
        today=today,
        clients=clients,
        deals=tuple(deals),
        paid_awaiting_service=paid,
        lost=tuple(
            ClosedDeal(
                deal_id,
                client_id,
                days[closed_on],
                amount,
                same(currency, currency),
                same(title, title),
                same(reason, reason),
            )
            for deal_id, client_id, closed_on, amount, currency, title, reason in read.lost
        ),
        revenues=revenues,
    )


@record(slots=True)
class _ReadBeside:
    """What :func:`load_plan_facts` reads beside the clients, as rows (those of
    :data:`OPEN_DEALS`; each client's latest paid deal awaiting service and latest lost one,
    as :data:`PAID_AWAITING_SERVICE` and :data:`LOST_AWAITING_REVISIT` give them, in the
    order of their days), the open service problems per client, and the active clients'
    revenues (from their paid deals, when the activity is current and there is a product
    catalog; else None)."""

    open_deals: list[tuple[Any, ...]]
    paid: list[tuple[Any, ...]]
    lost: list[tuple[Any, ...]]
    problems: dict[int, ServiceProblem]
    revenues: dict[int, int] | None


def _read_beside_clients(
    db: Database,
    *,
    today: dt.date,
    current: bool,
    people: bool,
    paid_since: dt.date,
    lost_since: dt.date,
    at_once: bool = True,
) -> _ReadBeside:
    """The reads of :func:`load_plan_facts` that do not need its clients: on ``db``, the
    second connection of :class:`Beside`, each at once (:meth:`Database.read_at_once`);
    or, not ``at_once``, on the plan's own, as rows."""
    read = db.read_at_once if at_once else db.tuples
    day = today.isoformat()
    paid_params = {"since": paid_since.isoformat(), "day": day}
    lost_params = {"since": lost_since.isoformat(), "day": day}
    # each client's latest paid deal and latest lost one, in the order of their days: in
    # the current case each client's latest found first from an index, then only its row
    # read; else the latest of each client kept from the rows, which come by day
    if current:
        paid = _latest_by_day(read(CURRENT_PAID_AWAITING_SERVICE, paid_params))
        lost = _latest_closed(read, CURRENT_LOST_AWAITING_REVISIT, lost_params)
    else:
        paid = _latest_by_day(read(PAID_AWAITING_SERVICE, paid_params))
        lost = _latest_by_day(read(LOST_AWAITING_REVISIT, lost_params))
    revenues = None
    if current and db.scalar("SELECT 1 FROM product LIMIT 1") is not None:
        from povtor.storage.offer_queries import paid_revenues

        archived = {cid for (cid,) in read("SELECT id FROM client WHERE status <> 'active'", ())}
        revenues = {
            cid: revenue
            for cid, revenue in paid_revenues(
                db, trailing_year(today)[0], today, at_once=at_once
            ).items()
            if cid not in archived
        }
    return _ReadBeside(
        open_deals=read(
            OPEN_DEALS.format(
                title="d.title" if people else "NULL", untouched=UNTOUCHED if current else ""
            ),
            {"day": day},
        ),
        paid=paid,
        lost=lost,
        problems=open_problems(db, day, at_once=at_once),
        revenues=revenues,
    )


def _latest_closed(
    read: Callable[[str, Params], list[tuple[Any, ...]]], sql: str, params: Params
) -> list[tuple[Any, ...]]:
    """The rows (:data:`CLOSED_DEALS`) of each client's latest deal of ``sql``, which gives
    (deal, client) client by client, each client's latest last; in the order of their days
    (each query's rows given by ``read``)."""
    latest = {client_id: deal_id for deal_id, client_id in read(sql, params)}
    return read(CLOSED_DEALS, {"ids": id_list(latest.values())})


def _latest_by_day(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Each client's latest of ``rows`` (deal, client, closed on, …; by day and id), in the
    order of their days."""
    latest = {row[1]: row for row in rows}
    return sorted(latest.values(), key=lambda row: (row[2], row[0]))


def average_check(
    db: Database, today: dt.date, currency: str | None = None
) -> tuple[str, int, int]:
    """(currency, deals paid in it with an amount in the 12 months to ``today``, their total
    in minor units). Without ``currency``: the one most of those deals are in (RUB first
    on a tie, RUB when there are none)."""
    return check_in(paid_totals(db, today), currency)


def paid_totals(db: Database, today: dt.date) -> dict[str, tuple[int, int]]:
    """Per currency: (deals paid with an amount in the 12 months to ``today``, as of
    ``today``, their total in minor units)."""
    from povtor.storage.nudge_queries import PAID

    start, end = trailing_year(today)
    return {
        code: (int(count), int(total or 0))
        for code, count, total in db.tuples(
            f"""WITH {PAID}
                SELECT currency, COUNT(*), SUM(amount_minor) FROM paid
                WHERE amount_minor IS NOT NULL AND closed_on >= :start AND closed_on <= :end
                GROUP BY currency""",
            {"as_of": today.isoformat(), "start": start.isoformat(), "end": end.isoformat()},
        )
    }


def check_in(
    totals: dict[str, tuple[int, int]], currency: str | None = None
) -> tuple[str, int, int]:
    """:func:`average_check` from the totals of :func:`paid_totals`."""
    if currency is None:
        currency = min(
            totals, key=lambda code: (-totals[code][0], code != "RUB", code), default="RUB"
        )
    deals, total = totals.get(currency, (0, 0))
    return currency, deals, total


def paid_between(
    db: Database, currency: str, start: dt.date, end: dt.date, as_of: dt.date
) -> tuple[int, int]:
    """(deals paid in ``currency`` from ``start`` to ``end`` as of ``as_of`` (a deal
    reopened since is not paid: its history says so), their total in minor units)."""
    from povtor.storage.nudge_queries import PAID

    row = db.one(
        f"""WITH {PAID}
            SELECT COUNT(*), SUM(amount_minor) FROM paid
            WHERE currency = :currency AND closed_on >= :start AND closed_on <= :end""",
        {
            "as_of": as_of.isoformat(),
            "currency": currency,
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
