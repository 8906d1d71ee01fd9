"""The reports of ``povtor stats``: each gathers its facts through
:mod:`povtor.storage.stats_queries` (and the other query modules), computes the figures
with :mod:`povtor.domain.metrics` and returns them as plain data for the CLI to print.

Every report is as of a date (a :class:`~povtor.domain.calendar.Period`'s ``as_of``):
nothing dated after it counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from povtor.domain import metrics
from povtor.domain.calendar import Period, month_index
from povtor.records import record
from povtor.storage import queries, stats_queries
from povtor.storage.database import Database
from povtor.text import fold, sort_key

if TYPE_CHECKING:
    from povtor.domain.cards import CardRow
    from povtor.settings import Settings

# The perks', the cards' and the settings' modules are loaded by the reports that use
# them: the funnel, repeat, cohort and ABC reports start without them.

CATEGORY_ORDER = {"A": 0, "B": 1, "C": 2}  # then uncategorised clients


def _settings(db: Database) -> Settings:
    from povtor.storage.plan_queries import load_settings

    return load_settings(db)


def _warming_rule(db: Database) -> int:
    """Warming touches the seller wants per closing touch (plan.warming_per_closing)."""
    return _settings(db).int("plan.warming_per_closing")


# -- funnel --------------------------------------------------------------------------------
@record(frozen=True)
class FunnelReport:
    funnel: str  # the funnel's code
    flows: list[metrics.StageFlow]
    closed: metrics.ClosedSummary
    reasons: list[metrics.ReasonCount]


def funnel_report(db: Database, funnel_ref: str, span: Period) -> FunnelReport:
    """Stage by stage over the period, and the deals the period closed."""
    as_of = span.as_of
    funnel = queries.find_funnel(db, funnel_ref)
    stages = stats_queries.stages(db, funnel["id"])
    changes = stats_queries.funnel_changes(db, [s.id for s in stages], span.start, span.end, as_of)
    now = stats_queries.open_at_stages(db, funnel["id"], as_of)
    closed = stats_queries.closed_deals(db, funnel["id"], span.start, span.end, as_of)
    return FunnelReport(
        funnel=funnel["code"],
        flows=metrics.funnel_flow(stages, changes, span.start, span.end, now),
        closed=metrics.closed_summary(closed),
        reasons=metrics.lost_reasons(closed),
    )


# -- nudges --------------------------------------------------------------------------------
@record(frozen=True)
class NudgeReport:
    rows: list[metrics.NudgeRow]  # all touches first, then per channel, then per stage
    rule: int  # warming touches wanted per closing touch

    @property
    def total(self) -> metrics.NudgeRow:
        return self.rows[0]


def nudge_report(db: Database, span: Period) -> NudgeReport:
    """Closing touches by outcome, and the nudge→order conversion of the deals they
    nudged: the one query the plan's forecast uses too."""
    from povtor.domain.vocabulary import CHANNELS
    from povtor.storage.nudge_queries import nudged_deals

    labels, order = stats_queries.stage_labels(db)
    tallies = stats_queries.touch_tallies(db, span.start, span.end, span.as_of, labels)
    deals = nudged_deals(db, span.start, span.end, span.as_of, labels)
    return NudgeReport(metrics.nudge_table(tallies, CHANNELS, order, deals), _warming_rule(db))


# -- repeat purchases and cohorts ----------------------------------------------------------
def repeat_report(
    db: Database, as_of: dt.date, span: Period | None, currency: str, silent_days: int
) -> list[metrics.RepeatRow]:
    """All buyers, then per category; with a period, only the clients whose first
    purchase fell in it."""
    return metrics.repeat_table(
        stats_queries.purchases(db, as_of, currency),
        stats_queries.client_categories(db),
        as_of=as_of,
        silent_days=silent_days,
        first_from=span.start if span else None,
        first_to=span.end if span else None,
    )


def cohort_report(db: Database, span: Period) -> list[metrics.CohortRow]:
    bought = stats_queries.purchases(db, span.as_of, "RUB")  # amounts do not matter here
    return metrics.cohort_table(bought, month_index(span.start), month_index(span.end), span.as_of)


# -- sources -------------------------------------------------------------------------------
def source_report(db: Database, span: Period, currency: str) -> list[metrics.SourceRow]:
    return metrics.source_table(
        stats_queries.lead_tallies(db, span.start, span.end, span.as_of, currency),
        stats_queries.spends(db, span.start, span.end, currency),
        span.start,
        span.end,
    )


# -- touches -------------------------------------------------------------------------------
@record(frozen=True)
class CadenceRow:
    """A client's warming and closing touches in the period against the rule."""

    client_id: int
    name: str
    warming: int
    closing: int
    ratio: Decimal | None  # warming per closing touch
    verdict: str


@record(frozen=True)
class Cadence:
    rule: int
    rows: list[CadenceRow]  # by name


class TouchReport:
    """Touches on the won deals of a funnel in a period, and warming:closing per client;
    each part is gathered when first asked for."""

    def __init__(self, db: Database, funnel_ref: str, span: Period) -> None:
        self._db = db
        self._span = span
        row = queries.find_funnel(db, funnel_ref)
        self.funnel: str = row["code"]
        self._funnel_id: int = row["id"]

    @cached_property
    def counts(self) -> dict[int, int]:
        """{touches: won deals with that many}."""
        span = self._span
        return stats_queries.touches_per_won_deal(
            self._db, self._funnel_id, span.start, span.end, span.as_of
        )

    def summary(self) -> metrics.TouchSummary:
        return metrics.touch_summary(self.counts)

    def distribution(self) -> list[tuple[int, int, Decimal | None, str]]:
        return metrics.touch_distribution(self.counts)

    def cadence(self) -> Cadence:
        rule = _warming_rule(self._db)
        found = sorted(
            stats_queries.cadence_by_client(self._db, self._span.start, self._span.end),
            key=lambda r: (fold(r["name"]), r["id"]),
        )
        rows = []
        for r in found:
            warming, closing = int(r["warming"]), int(r["closing"])
            rows.append(
                CadenceRow(
                    client_id=r["id"],
                    name=r["name"],
                    warming=warming,
                    closing=closing,
                    ratio=metrics.per(warming, closing),
                    verdict=metrics.cadence_verdict(warming, closing, rule),
                )
            )
        return Cadence(rule, rows)


# -- ABC -----------------------------------------------------------------------------------
@record(frozen=True)
class AbcReport:
    ranked: list[metrics.AbcRow]  # every active client, ranked (empty: no revenue)
    shown: list[metrics.AbcRow]  # those asked for (--top, --changed)

    def count(self, abc: str) -> int:
        return sum(1 for r in self.ranked if r.abc == abc)

    @property
    def differing(self) -> int:
        """Clients whose ABC letter is not the category they have now."""
        return sum(1 for r in self.ranked if r.differs)


def abc_report(db: Database, span: Period, currency: str, *, top: bool, changed: bool) -> AbcReport:
    revenues = stats_queries.client_revenues(db, span.start, span.end, span.as_of, currency)
    ranked = metrics.abc_split(revenues)
    shown = metrics.top_clients(ranked) if top else ranked
    if changed:
        shown = [r for r in shown if r.differs]
    return AbcReport(ranked, shown)


# -- cards ---------------------------------------------------------------------------------
def card_completeness(db: Database, as_of: dt.date) -> list[CardRow]:
    """Per category, then all: active clients, the norm, clients at it, facts."""
    from povtor.domain.cards import completeness_table
    from povtor.storage.card_queries import client_fact_counts

    settings = _settings(db)
    counts = client_fact_counts(db, as_of)
    return completeness_table(((c.category, c.facts) for c in counts), settings)


def cards_below_norm(db: Database, as_of: dt.date) -> list[tuple[int, str, str, int, int, int]]:
    """(client id, name, category, facts, norm, missing) of the cards below the norm."""
    from povtor.domain.cards import below_norm
    from povtor.storage.card_queries import client_fact_counts

    settings = _settings(db)
    counts = client_fact_counts(db, as_of)
    return below_norm(((c.client_id, c.name, c.category, c.facts) for c in counts), settings)


# -- perks ---------------------------------------------------------------------------------
@record(frozen=True)
class PerkRow:
    """An active client's perk touches in the 12 months against the target."""

    client_id: int
    name: str
    category: str | None
    industry: str | None
    holidays: int  # holidays of the client's industry in the calendar
    perks: int
    target: int
    missing: int
    last_on: dt.date | None


@record(frozen=True)
class PerkReport:
    start: dt.date  # the 12 months: start to as_of
    as_of: dt.date
    target: int  # perk touches wanted in 12 months (plan.perks_per_year)
    clients: int  # active clients counted
    at_target: int  # ... of them at the target
    rows: list[PerkRow]  # by category, then name


def perk_report(db: Database, as_of: dt.date, category: str | None, *, missing: bool) -> PerkReport:
    """Perk touches per active client (of ``category``: A, B, C or none) in the 12 months
    ending on ``as_of``; with ``missing`` only the clients below the target are listed."""
    from povtor.domain import perks
    from povtor.domain.holidays import matching_holidays
    from povtor.storage.perk_queries import clients_for_stats, holiday_links, perk_counts

    target = _settings(db).int("plan.perks_per_year")
    clients = clients_for_stats(db, as_of, (category,) if category else ())
    links = holiday_links(db)
    counts = perk_counts(db, as_of)
    by_id = {c[0]: c for c in clients}
    standing = perks.standings(by_id, counts, target)
    holidays_by_industry: dict[str, int] = {}

    def holidays_of(industry: str | None) -> int:
        key = industry or ""
        if key not in holidays_by_industry:
            holidays_by_industry[key] = len(matching_holidays(industry, links))
        return holidays_by_industry[key]

    standing.sort(
        key=lambda s: (
            CATEGORY_ORDER.get(by_id[s.client_id][2] or "", 3),
            sort_key(by_id[s.client_id][1]),
            s.client_id,
        )
    )
    rows = []
    for s in standing:
        if missing and s.at_target:
            continue
        _id, name, category_, industry = by_id[s.client_id]
        rows.append(
            PerkRow(
                client_id=s.client_id,
                name=name,
                category=category_,
                industry=industry,
                holidays=holidays_of(industry),
                perks=s.perks,
                target=s.target,
                missing=s.missing,
                last_on=s.last_on,
            )
        )
    return PerkReport(
        start=perks.year_start(as_of),
        as_of=as_of,
        target=target,
        clients=len(standing),
        at_target=sum(1 for s in standing if s.at_target),
        rows=rows,
    )
