"""Nudges: closing touches by outcome, channel and stage, and what they brought (the
nudge→order conversion of the deals they nudged, :mod:`povtor.domain.forecast`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import field
from decimal import Decimal

from povtor.domain.forecast import NudgedDeals
from povtor.domain.metrics.numbers import per, rate
from povtor.records import record

OUTCOME_ORDER = ("yes", "no", "later", "no_answer", "pending")
DECISIONS = ("yes", "no", "later")


@record(frozen=True)
class TouchTally:
    """How many touches share these traits (one row of a GROUP BY)."""

    kind: str  # warming | closing
    channel: str
    stage: str | None  # "funnel/stage" at the time of the touch, None without a deal
    outcome: str
    on_deal: bool
    count: int


@record
class NudgeRow:
    by: str  # all | channel | stage
    group: str
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_ORDER, 0))
    on_deal: int = 0  # closing touches on a deal
    nudged_deals: int = 0  # deals with a closing touch in the period
    paid_deals: int = 0  # of them paid on or after their first one, by the as-of date
    warming: int = 0

    @property
    def closing(self) -> int:
        return sum(self.outcomes.values())

    @property
    def decided(self) -> int:
        return sum(self.outcomes[o] for o in DECISIONS)

    @property
    def decision_rate(self) -> Decimal | None:
        return rate(self.decided, self.closing)

    @property
    def conversion(self) -> Decimal | None:
        """Nudge→order: paid deals / nudged deals (:mod:`povtor.domain.forecast`)."""
        return rate(self.paid_deals, self.nudged_deals)

    @property
    def warming_per_closing(self) -> Decimal | None:
        return per(self.warming, self.closing)


NO_DEAL_STAGE = "(no deal)"


def nudge_table(
    tallies: Iterable[TouchTally],
    channels: Sequence[str],
    stages: Sequence[str],
    deals: Iterable[NudgedDeals] = (),
) -> list[NudgeRow]:
    """One row for all touches, then one per channel and one per stage (in the given
    orders, only those with touches; touches without a deal are the stage "(no deal)"),
    each with the deals its closing touches nudged and how many of those were paid."""
    total = NudgeRow("all", "all")
    by_channel: dict[str, NudgeRow] = {}
    by_stage: dict[str, NudgeRow] = {}
    for t in tallies:
        stage = t.stage or NO_DEAL_STAGE
        rows = (
            total,
            by_channel.setdefault(t.channel, NudgeRow("channel", t.channel)),
            by_stage.setdefault(stage, NudgeRow("stage", stage)),
        )
        for row in rows:
            if t.kind == "warming":
                row.warming += t.count
            elif t.kind == "closing":
                row.outcomes[t.outcome] = row.outcomes.get(t.outcome, 0) + t.count
                if t.on_deal:
                    row.on_deal += t.count
    for d in deals:
        if d.by == "all":
            row = total
        elif d.by == "channel" and d.group is not None:
            row = by_channel.setdefault(d.group, NudgeRow("channel", d.group))
        else:
            stage = d.group or NO_DEAL_STAGE
            row = by_stage.setdefault(stage, NudgeRow("stage", stage))
        row.nudged_deals, row.paid_deals = d.nudged, d.paid
    channel_rank = {c: i for i, c in enumerate(channels)}
    stage_rank = {s: i for i, s in enumerate(stages)}
    ordered_channels = sorted(by_channel, key=lambda c: (channel_rank.get(c, len(channels)), c))
    ordered_stages = sorted(
        by_stage,
        key=lambda s: (s == NO_DEAL_STAGE, stage_rank.get(s, len(stages)), s),
    )
    return [
        total,
        *(by_channel[c] for c in ordered_channels),
        *(by_stage[s] for s in ordered_stages),
    ]
