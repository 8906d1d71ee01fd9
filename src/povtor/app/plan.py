"""``povtor plan``: today's plan of nudges with its message drafts and what it should
bring, why an item is there, the revenue target of a month, and the plan's settings.

The plan is made in three steps: storage loads the facts (:func:`load_plan_input`),
the pure rules decide (:func:`povtor.domain.planner.build_plan`), and the drafts are
filled from the user's templates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from povtor.domain.calendar import month_end, month_start, seller_calendar, trailing_year
from povtor.errors import InvalidInput, NotFound
from povtor.i18n import _
from povtor.records import record
from povtor.settings import Settings, normalise, spec_for
from povtor.storage import plan_queries
from povtor.storage.database import Beside, Database

if TYPE_CHECKING:
    from povtor.domain.forecast import Conversion
    from povtor.domain.plan_records import Plan, PlanInput, PlanItem
    from povtor.domain.planner import Keep, Ranking
    from povtor.storage.kept_figures import YearFigures

Templates = Mapping[tuple[str, str, str, str], str]  # (kind, funnel, stage, lang) -> body


# -- the plan ------------------------------------------------------------------------------
def load_plan_input(
    db: Database,
    day: dt.date,
    settings: Settings,
    *,
    people: bool = True,
    reads_beside: bool = True,
) -> PlanInput:
    """Every fact the plan for ``day`` is decided on. The facts of a client-development
    rule that is off (``plan.cards_per_day`` or ``plan.roadmap_per_day`` 0) are not read;
    without ``people``, nor the clients' first people and companies (only a draft names
    them: :func:`_with_people` reads them for the items shown). ``reads_beside``: the
    deals' facts are read on a second connection (see
    :func:`~povtor.storage.plan_queries.load_plan_facts`)."""
    from povtor.domain.cards import PLAN_CATEGORIES
    from povtor.domain.plan_rules import (
        occasions,
        offer_quota,
        refusal_revisit,
        roadmap_step,
        service_contact,
        thin_card,
    )
    from povtor.storage import card_queries, offer_queries, perk_queries, roadmap_queries

    facts = plan_queries.load_plan_facts(
        db,
        day,
        paid_since=service_contact.oldest_payment(day, settings),
        lost_since=refusal_revisit.oldest_refusal(day, settings),
        people=people,
        beside=reads_beside,
    )
    start, end = occasions.window(day, settings)
    industries = {client_id: client.industry for client_id, client in facts.clients.items()}
    return dataclasses.replace(
        facts,
        cards=card_queries.plan_card_facts(db, day, PLAN_CATEGORIES)
        if thin_card.is_on(settings)
        else None,
        offers=offer_queries.load_offer_facts(
            db, day, offer_quota.offers_looked_back(day, settings), facts.revenues
        ),
        roadmaps=roadmap_queries.plan_roadmap_facts(db, day)
        if roadmap_step.is_on(settings)
        else None,
        perks=perk_queries.load_perk_facts(db, start, end, as_of=day, industries=industries),
    )


def ranked_plan(db: Database, day: dt.date, settings: Settings) -> Plan:
    """The plan for ``day``: the facts, decided by the rules, ranked; nothing drafted yet."""
    from povtor.domain.planner import build_plan

    return build_plan(load_plan_input(db, day, settings), settings)


def ranking(
    db: Database, day: dt.date, settings: Settings, *, reads_beside: bool = True
) -> Ranking:
    """The plan for ``day`` decided and ranked, its items built only when asked for (what
    ``plan explain`` needs, and what the items to show are cut from). Not
    ``reads_beside`` when the second core is taken (see :func:`load_plan_input`)."""
    from povtor import process
    from povtor.domain.planner import rank

    with _collector_paused():
        facts = load_plan_input(db, day, settings, people=False, reads_beside=reads_beside)
        ranked = rank(facts, settings)
    process.keep(ranked)  # (lives to the command's end: not freed before the process ends)
    return ranked


def _with_people(db: Database, items: list[PlanItem]) -> list[PlanItem]:
    """``items``, their clients' first people and companies read, and the titles of their
    deals (what the items and their drafts greet and name: a ranking reads none of them,
    as most of its clients are never shown)."""
    if items:
        ids = [item.client.id for item in items]
        people, companies = plan_queries.first_people(db, ids), plan_queries.companies(db, ids)
        for item in items:
            item.client.person = people.get(item.client.id)
            item.client.company = companies.get(item.client.id)
        plan_queries.fill_titles(
            db,
            [
                deal
                for item in items
                for c in (item.primary, *item.others)
                for deal in (c.deal, c.about)
                if deal is not None
            ],
        )
    return items


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a plan is made: it makes hundreds of thousands
    of small records (a big plan: millions) that refer to no cycle, and each of the
    collector's passes would walk them all again. Their memory goes as they are dropped,
    as always; the collector runs again afterwards, with every object made so far counted
    as old (freeze, then unfreeze: into the oldest generation, at no cost), so that its
    next pass of the young ones does not walk the whole plan at once. A cycle among them
    is still collected, by the next full pass."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def make_plan(db: Database, day: dt.date, settings: Settings) -> Plan:
    """The plan for ``day``: the facts, decided by the rules, ranked, every warming item
    with the material its draft shares."""
    from povtor.app.warming import pick_for_plan

    plan = ranked_plan(db, day, settings)
    return pick_for_plan(db, plan, settings.str("lang"), plan_queries.user_templates(db))


def item_text(item: PlanItem, lang: str, user: Templates) -> str:
    """The message draft of a plan item, from the item itself (no queries): the item's own
    script (a warming item's: the useful material it shares; empty when there is none),
    else the template of its touch kind, funnel and stage."""
    from povtor.domain import templates

    c = item.primary
    client = item.client
    deal = c.deal
    about = c.about
    values = templates.values_for(
        client=client.name,
        company=client.company,
        person=client.person,
        lang=lang,
        days=c.days_waiting,
        date=c.expected_on.isoformat() if c.expected_on else "",
        amount_minor=deal.amount_minor if deal else (about.amount_minor if about else None),
        currency=deal.currency if deal else (about.currency if about else "RUB"),
        stage=deal.stage_name if deal else "",
        title=deal.title if deal else (about.title if about else None),
        problem=client.open_problem.text if client.open_problem else None,
    )
    body = (
        c.script
        if c.script is not None
        else templates.lookup(c.kind, c.template_funnel, c.template_stage, lang, user)
    )
    return templates.fill(body, values)


@record
class DraftedPlan:
    """A plan with what its message drafts are written from."""

    plan: Plan
    lang: str  # the drafts' language
    templates: Templates  # the user's own templates
    total: int  # the plan's items before any were left out (--category, --limit)
    capacity: int = 0  # items a day (plan.capacity; 0: no limit)
    more: int = 0  # items left out by the capacity or --limit (after --category)

    def text(self, item: PlanItem) -> str:
        """The item's draft, or what it says instead (a warming item with nothing to share)."""
        from povtor.app.warming import no_draft_note

        return item_text(item, self.lang, self.templates) or no_draft_note(item, self.lang) or ""


def drafted_plan(
    db: Database, day: dt.date, lang: str | None = None, *, first: int | None = None
) -> DraftedPlan:
    """The plan for ``day``, its drafts in ``lang`` (ru, en; default: the ``lang``
    setting): the drafts the rules write themselves (offers, perks, card questions) too.
    With ``first``, only the first items: the others are not drafted at all."""
    from povtor.domain.plan_records import Plan

    settings = _plan_settings(db, lang)
    ranked = ranking(db, day, settings)
    plan = Plan(today=day, items=ranked.items(first))
    _with_people(db, plan.items)
    return _drafted(db, plan, settings, len(ranked))


def _plan_settings(db: Database, lang: str | None) -> Settings:
    settings = plan_queries.load_settings(db)
    return settings if lang is None else settings.with_value("lang", lang)


def _drafted(db: Database, plan: Plan, settings: Settings, total: int) -> DraftedPlan:
    """``plan``, cut to the items to show, ready to be drafted: the material its warming
    items share is picked now, for them only (one client's pick does not depend on the
    others'); each draft is written when it is asked for (:meth:`DraftedPlan.text`)."""
    from povtor.app.warming import pick_for_plan

    language = settings.str("lang")
    user = plan_queries.user_templates(db)
    return DraftedPlan(
        pick_for_plan(db, plan, language, user),
        language,
        user,
        total=total,
        capacity=settings.int("plan.capacity"),
    )


def plan_today(
    db: Database,
    day: dt.date,
    *,
    lang: str | None = None,
    category: str | None = None,
    limit: int | None = None,
    every: bool = False,
    with_forecast: bool = True,
    keep: Keep | None = None,
) -> tuple[DraftedPlan, Forecast | None]:
    """``plan today``: the plan for ``day`` (only the clients of ``category``), cut to a
    day's work: the first ``limit`` items, else ``plan.capacity`` of them unless
    ``every``; only the items ``keep`` accepts, if given (one seller's: see
    :func:`povtor.app.sellers.plan_filter`); and what its nudges should bring (unless
    not ``with_forecast``: the machine formats do not print it). The ranks stay those
    of the whole plan; only the items shown are drafted."""
    from povtor.domain.forecast import can_order
    from povtor.domain.plan_records import Plan

    if limit and every:
        raise InvalidInput(_("give either --limit or --all, not both"), hint=_("e.g. --limit 10"))
    settings = _plan_settings(db, lang)
    figures, counting = (
        _year_figures_when_asked(db, day, beside=True) if with_forecast else (None, False)
    )
    # (the year's figures counted beside take the second core: the facts read here)
    ranked = ranking(db, day, settings, reads_beside=not counting)
    shown = limit or (None if every else settings.int("plan.capacity") or None)
    plan = Plan(today=day, items=ranked.items(shown, category=category or None, keep=keep))
    more = ranked.count(category or None, keep) - len(plan.items)
    drafted = _drafted(db, plan, settings, len(ranked))
    _with_people(db, plan.items)  # (read before any draft is written)
    drafted.more = more
    if figures is None:
        return drafted, None
    items = sum(can_order(i.primary) for i in plan.items)
    return drafted, forecast(db, day, items, figures=figures())


def explain(db: Database, day: dt.date, item: str) -> PlanItem:
    """``plan explain``: the item of the plan for ``day`` with rank ``item`` (any rank of
    the whole plan, not only those a day's capacity shows), or the item of the client
    ``item`` names (``#12`` is client 12; not found: the client is not in the plan)."""
    from povtor.storage import queries

    settings = plan_queries.load_settings(db)
    # (a client named is found first: a name that matches no client, or several, is told
    # at once, before the plan is made)
    client = None if item.strip().isdigit() else queries.find_client(db, item)
    ranked = ranking(db, day, settings)  # (the reasons and terms: no drafts)
    if client is None:
        rank = int(item)
        found = ranked.at(rank)
        if found is not None:
            return _with_people(db, [found])[0]
        raise NotFound(
            (
                _("the plan for {day} has no item {rank}: it has items 1 to {count}")
                if len(ranked)
                else _("the plan for {day} has no item {rank}: it has no items")
            ).format(day=day.isoformat(), rank=rank, count=len(ranked)),
            hint=_("see every item: povtor plan today --all (a client by id: #12)"),
        )
    chosen = ranked.of_client(client["id"])
    if chosen is None:
        raise NotFound(
            _("client #{id} {name} is not in the plan for {day}").format(
                id=client["id"], name=client["name"], day=day.isoformat()
            ),
            hint=_("see the plan: povtor plan today"),
        )
    return _with_people(db, [chosen])[0]


# -- what the nudges should bring ---------------------------------------------------------
@record(frozen=True)
class Forecast:
    """What the items that can bring an order should bring, at the nudge→order conversion
    and the average check of the 12 months to the plan's day."""

    conversion: Conversion  # deals nudged, and paid: the rate, measured or the fallback
    check_minor: int  # the average check (0: no paid deals to average)
    currency: str  # of the check
    items: int  # the items the rate applies to: those that can bring an order
    orders: Decimal
    revenue_minor: int

    @property
    def rate(self) -> Decimal:
        return self.conversion.rate

    @property
    def measured(self) -> bool:
        return self.conversion.measured


def conversion(db: Database, day: dt.date) -> Conversion:
    """The nudge→order conversion over the 12 months to ``day``: ``stats nudges``'
    ``nudge_to_order`` over those months (the same query)."""
    from povtor.domain.forecast import Conversion

    figures = year_figures(db, day)
    return Conversion(nudged=figures.nudged, paid=figures.paid)


def year_figures(db: Database, day: dt.date) -> YearFigures:
    """The conversion's deals and the paid deals per currency over the 12 months to
    ``day``: counted once for a day and kept until the database changes
    (:mod:`povtor.storage.kept_figures`)."""
    return _year_figures_when_asked(db, day, beside=False)[0]()


def _year_figures_when_asked(
    db: Database, day: dt.date, *, beside: bool
) -> tuple[Callable[[], YearFigures], bool]:
    """:func:`year_figures`, to be asked for later, and whether they are counted beside:
    those kept, if they hold, else counted when asked; with ``beside``, counted from now
    on, on a second connection, while the caller goes on
    (:class:`~povtor.storage.database.Beside`: the database counts them on its own, a
    second at 100,000 clients, while the plan's work is Python's; on two cores the first
    plan after a write takes a little longer than the next, which reads the deals' facts
    on its second connection instead). Those counted are kept with the stamp read before
    the count began."""
    from povtor.storage import kept_figures

    valid_for = kept_figures.stamp(db, day)
    found = kept_figures.kept(db, valid_for)
    if found is not None:
        return (lambda: found), False
    count: Callable[[], YearFigures] = functools.partial(_count_year_figures, db, day)
    if beside:
        count = Beside(db, functools.partial(_count_year_figures, day=day)).result

    def counted() -> YearFigures:
        figures = count()
        kept_figures.keep(db, valid_for, figures)
        return figures

    return counted, beside


def _count_year_figures(db: Database, day: dt.date) -> YearFigures:
    from povtor.storage.kept_figures import YearFigures
    from povtor.storage.nudge_queries import nudged_deals

    start, end = trailing_year(day)
    [everything] = nudged_deals(db, start, end, day)
    return YearFigures(everything.nudged, everything.paid, plan_queries.paid_totals(db, day))


def forecast(
    db: Database,
    day: dt.date,
    items: int,
    currency: str | None = None,
    *,
    figures: YearFigures | None = None,
) -> Forecast:
    """What ``items`` that can bring an order (:func:`povtor.domain.forecast.can_order`)
    should bring at the nudge→order conversion and the average check in ``currency``
    (default: the one most paid deals are in), both over the 12 months to ``day``
    (``figures``: :func:`year_figures`, when the caller has them)."""
    from povtor.domain.forecast import Conversion

    if figures is None:
        figures = year_figures(db, day)
    measure = Conversion(nudged=figures.nudged, paid=figures.paid)
    currency, deals, total = plan_queries.check_in(figures.paid_totals, currency)
    # (to the kopeck, half up, as stats repeat averages money)
    check = int((Decimal(total) / deals).to_integral_value(ROUND_HALF_UP)) if deals else 0
    orders = (measure.rate * items).quantize(Decimal("0.1"))
    return Forecast(
        conversion=measure,
        check_minor=check,
        currency=currency,
        items=items,
        orders=orders,
        revenue_minor=int(orders * check),
    )


@record(frozen=True)
class Target:
    """A month's revenue target turned into paid deals and nudges."""

    month: dt.date  # its first day
    currency: str
    goal_minor: int
    paid_minor: int  # paid so far this month
    paid_deals: int
    remaining_minor: int
    forecast: Forecast  # the average check and the conversion
    deals_needed: int
    nudges_needed: int
    working_days_left: int  # today included
    nudges_per_day: int

    @property
    def progress(self) -> Decimal:
        """The share of the target paid so far, a fraction (0 for a target of 0)."""
        if not self.goal_minor:
            return Decimal(0)
        return Decimal(self.paid_minor) / self.goal_minor


def revenue_target(
    db: Database, today: dt.date, goal_minor: int, month: dt.date, currency: str | None = None
) -> Target:
    """``plan target``: deals needed = (target − paid so far in ``month``) / average check,
    nudges needed = deals needed / conversion, per day = nudges needed / working days
    left in the month (today included; the seller's days off are not), each rounded up.
    A month before today's is refused: its days are gone."""
    start = month_start(month)
    last = month_end(start)
    if last < today:
        raise InvalidInput(
            _("--month {strftime} is over (today is {today})").format(
                strftime=start.strftime("%Y-%m"), today=today.isoformat()
            ),
            hint=_("aim at this month or a later one, e.g. --month {strftime}").format(
                strftime=today.strftime("%Y-%m")
            ),
        )
    return target_figures(db, today, goal_minor, start, currency)


def target_figures(
    db: Database, today: dt.date, goal_minor: int, month: dt.date, currency: str | None = None
) -> Target:
    """The figures of :func:`revenue_target` for any month: for a month that is over, what
    was paid against the goal (no working days are left in it)."""
    start = month_start(month)
    last = month_end(start)
    guess = forecast(db, today, 0, currency)
    paid_deals, paid_minor = plan_queries.paid_between(
        db, guess.currency, start, min(last, today), today
    )
    gap = max(0, goal_minor - paid_minor)
    check = guess.check_minor
    rate = guess.rate
    deals_needed = (Decimal(gap) / check).to_integral_value(ROUND_CEILING) if check else Decimal(0)
    nudges_needed = (deals_needed / rate).to_integral_value(ROUND_CEILING) if rate else Decimal(0)
    begin = max(start, today)
    calendar = seller_calendar(plan_queries.load_settings(db))
    days_left = calendar.count(begin, last) if begin <= last else 0  # begin included
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


# -- settings ------------------------------------------------------------------------------
def current_settings(db: Database) -> Settings:
    """The plan's settings: the defaults with the user's values over them."""
    return plan_queries.load_settings(db)


@record(frozen=True)
class SettingChange:
    key: str
    stored: str | None  # the user's value now; None: the default applies
    default: str


def change_setting(db: Database, key: str, value: str) -> SettingChange:
    """``plan set``: a setting's new value, checked; ``default`` drops the user's value."""
    from povtor.storage.setting_writes import store_setting

    spec = spec_for(key.strip())
    stored = None if value.strip().lower() == "default" else normalise(spec.key, value)
    with db.transaction():
        store_setting(db, spec.key, stored)
    return SettingChange(spec.key, stored, spec.default)
