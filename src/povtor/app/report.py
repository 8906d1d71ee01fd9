"""``povtor report``: a month's figures gathered for one page, as plain data.

Nothing is computed here that ``povtor stats`` (or ``plan``) does not compute: each
part calls the same use case with the period the matching command would be given, so
every figure on the page is the one that command prints. The period parts count the
month up to the as-of date; the snapshot parts (repeat purchases, ABC, cards, perks,
what is due) are as of that date, like their commands without a period.
"""

from __future__ import annotations

import datetime as dt

from povtor.app import stats
from povtor.app.due import Due, due_on
from povtor.app.plan import Forecast, Target, forecast, target_figures
from povtor.domain import metrics
from povtor.domain.calendar import Period, add_months, month_end, resolve_period
from povtor.domain.cards import CardRow
from povtor.records import record
from povtor.storage import stats_queries
from povtor.storage.database import Database
from povtor.storage.plan_queries import paid_between

SILENT_DAYS = 90  # stats repeat's default
PERK_GROUPS = ("A", "B", "C", "none")


@record(frozen=True)
class Week:
    """A calendar week (Monday to Sunday) cut to the report's month and as-of date."""

    span: Period
    nudges: metrics.NudgeRow  # stats nudges --from --to: the row of all touches
    paid_deals: int  # deals paid in the week, in the report's currency
    paid_minor: int


@record(frozen=True)
class PerkGroup:
    """The perk standing of one category's active clients (summed from stats perks)."""

    category: str  # A | B | C | none | all
    clients: int
    at_target: int
    perks: int
    missing: int


@record(frozen=True)
class MonthReport:
    span: Period  # the month, up to the as-of date
    currency: str
    funnel: stats.FunnelReport
    nudges: stats.NudgeReport
    weeks: list[Week]
    forecast: Forecast  # average check and conversion over the 12 months to as-of
    target: Target | None  # None: no target given
    silent_days: int
    repeat: list[metrics.RepeatRow]
    cohort_span: Period
    cohorts: list[metrics.CohortRow]
    abc_span: Period
    abc: stats.AbcReport  # every client ranked; shown: the top 10 %
    cards: list[CardRow]
    perks: stats.PerkReport
    perk_groups: list[PerkGroup]
    sources: list[metrics.SourceRow]
    due: list[Due]

    @property
    def as_of(self) -> dt.date:
        return self.span.as_of

    @property
    def month(self) -> dt.date:
        return self.span.start

    @property
    def month_over(self) -> bool:
        """The month ended before the as-of day: nothing is left to plan in it."""
        return month_end(self.span.start) < self.span.as_of

    @property
    def paid_minor(self) -> int:
        return sum(w.paid_minor for w in self.weeks)

    @property
    def paid_deals(self) -> int:
        return sum(w.paid_deals for w in self.weeks)


def month_span(as_of: dt.date, month: dt.date | None) -> Period:
    """The month (default: that of ``as_of``) up to ``as_of``: ``stats … --period month
    --on`` its first day."""
    first = (month or as_of).replace(day=1)
    span = resolve_period(as_of, None, None, "month", first.isoformat(), default="month")
    assert span is not None
    return span


def weeks_of(span: Period) -> list[Period]:
    """The calendar weeks of ``span``, each cut to it."""
    found = []
    start = span.start
    while start <= span.end:
        sunday = start + dt.timedelta(days=6 - start.weekday())
        end = min(sunday, span.end)
        found.append(Period(start=start, end=end, as_of=span.as_of))
        start = end + dt.timedelta(days=1)
    return found


def perk_groups(report: stats.PerkReport) -> list[PerkGroup]:
    groups = []
    for category in (*PERK_GROUPS, "all"):
        rows = [r for r in report.rows if category == "all" or (r.category or "none") == category]
        groups.append(
            PerkGroup(
                category=category,
                clients=len(rows),
                at_target=sum(1 for r in rows if not r.missing),
                perks=sum(r.perks for r in rows),
                missing=sum(r.missing for r in rows),
            )
        )
    return groups


def has_data(db: Database) -> bool:
    """Whether there is anything to report: at least one client."""
    return bool(stats_queries.client_categories(db))


def month_report(
    db: Database,
    as_of: dt.date,
    *,
    month: dt.date | None = None,
    funnel: str = "repeat",
    target_minor: int | None = None,
    currency: str | None = None,
) -> MonthReport:
    """The figures of the month of ``month`` (default: this one) as of ``as_of``. Money
    counts deals in ``currency`` only (default: the one most deals of the 12 months were
    paid in, as ``plan target`` chooses)."""
    span = month_span(as_of, month)
    guess = forecast(db, as_of, 0, currency)
    code = guess.currency
    weeks = []
    for week in weeks_of(span):
        deals, minor = paid_between(db, code, week.start, week.end, as_of)
        weeks.append(Week(week, stats.nudge_report(db, week).total, deals, minor))
    cohort_start = add_months(span.start, -11).isoformat()
    cohort_span = resolve_period(
        as_of, cohort_start, month_end(span.start).isoformat(), None, None, default="months"
    )
    abc_span = resolve_period(as_of, None, None, None, None, default="year")
    assert cohort_span is not None and abc_span is not None
    perks = stats.perk_report(db, as_of, None, missing=False)
    return MonthReport(
        span=span,
        currency=code,
        funnel=stats.funnel_report(db, funnel, span),
        nudges=stats.nudge_report(db, span),
        weeks=weeks,
        forecast=guess,
        target=(
            target_figures(db, as_of, target_minor, span.start, code)
            if target_minor is not None
            else None
        ),
        silent_days=SILENT_DAYS,
        repeat=stats.repeat_report(db, as_of, None, code, SILENT_DAYS),
        cohort_span=cohort_span,
        cohorts=stats.cohort_report(db, cohort_span),
        abc_span=abc_span,
        abc=stats.abc_report(db, abc_span, code, top=True, changed=False),
        cards=stats.card_completeness(db, as_of),
        perks=perks,
        perk_groups=perk_groups(perks),
        sources=stats.source_report(db, span, code),
        due=due_on(db, as_of),
    )
