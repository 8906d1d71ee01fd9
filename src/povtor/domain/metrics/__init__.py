"""Statistics: pure computations over plain rows (medians, rates, funnels, cohorts, ABC).

SQL in :mod:`povtor.storage.stats_queries` gathers the facts (a deal's state as of a
date, its history, touch counts); the functions here turn them into the figures of
``povtor stats``. Nothing here reads a database or the clock, so every definition in
docs/statistics.md is tested on hand-made inputs. One module per family
of reports; the period arithmetic is :mod:`povtor.domain.calendar`'s.

Conventions, everywhere:

* a rate is an exact :class:`~decimal.Decimal` fraction in [0, 1], or ``None`` when
  its denominator is zero ("no data", never a division error);
* money is integer minor units (kopecks); an average of money is rounded half-up to
  a whole kopeck;
* a median of whole days is exact (``12.5`` for an even count); a mean of days or of
  touches is rounded half-up to one decimal place.

Reports only: the plan and the daily listings never import this package.
"""

from __future__ import annotations

from povtor.domain.metrics.abc import (
    A_SHARE,
    B_SHARE,
    AbcRow,
    ClientRevenue,
    abc_split,
    top_clients,
)
from povtor.domain.metrics.funnel import (
    NO_REASON,
    Change,
    ClosedDeal,
    ClosedSummary,
    ReasonCount,
    Stage,
    StageFlow,
    closed_summary,
    funnel_flow,
    lost_reasons,
)
from povtor.domain.metrics.nudges import (
    DECISIONS,
    NO_DEAL_STAGE,
    OUTCOME_ORDER,
    NudgeRow,
    TouchTally,
    nudge_table,
)
from povtor.domain.metrics.numbers import (
    average_money,
    mean,
    mean_of_counts,
    median,
    median_of_counts,
    number,
    per,
    rate,
    round_half_up,
)
from povtor.domain.metrics.repeat import (
    COHORT_MONTHS,
    NO_CATEGORY,
    CohortRow,
    Purchase,
    RepeatRow,
    by_client,
    cohort_table,
    repeat_table,
)
from povtor.domain.metrics.sources import (
    NO_SOURCE,
    LeadTally,
    SourceRow,
    Spend,
    pro_rate,
    source_table,
)
from povtor.domain.metrics.touches import (
    SEED_TOUCHES,
    TouchSummary,
    cadence_verdict,
    touch_band,
    touch_distribution,
    touch_summary,
)

__all__ = [
    "A_SHARE",
    "B_SHARE",
    "COHORT_MONTHS",
    "DECISIONS",
    "NO_CATEGORY",
    "NO_DEAL_STAGE",
    "NO_REASON",
    "NO_SOURCE",
    "OUTCOME_ORDER",
    "SEED_TOUCHES",
    "AbcRow",
    "Change",
    "ClientRevenue",
    "ClosedDeal",
    "ClosedSummary",
    "CohortRow",
    "LeadTally",
    "NudgeRow",
    "Purchase",
    "ReasonCount",
    "RepeatRow",
    "SourceRow",
    "Spend",
    "Stage",
    "StageFlow",
    "TouchSummary",
    "TouchTally",
    "abc_split",
    "average_money",
    "by_client",
    "cadence_verdict",
    "closed_summary",
    "cohort_table",
    "funnel_flow",
    "lost_reasons",
    "mean",
    "mean_of_counts",
    "median",
    "median_of_counts",
    "nudge_table",
    "number",
    "per",
    "pro_rate",
    "rate",
    "repeat_table",
    "round_half_up",
    "source_table",
    "top_clients",
    "touch_band",
    "touch_distribution",
    "touch_summary",
]
