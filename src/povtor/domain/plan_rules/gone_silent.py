"""Gone silent: a client with purchases, no open deal, and no purchase for longer than
its silence threshold.

The threshold is ``ceil(plan.cycle_factor × own cycle)``, where the own cycle is the
median gap between paid deals (with at least ``plan.cycle_min_purchases`` purchases),
else the category's ``plan.silent_days.A|B|C``. The item shows the expected reorder date
(last purchase + cycle). The client who bought before is asked the yes-or-no question
first; after a question left unanswered the 5:1 cadence picks the touch; a client that
said yes with no deal opened since is reminded to open it. A client touched in the last
``plan.quiet_days`` is left alone (a date it named, a refusal: the conversation holds the
rule back, see :mod:`povtor.domain.conversation`).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from povtor.domain.conversation import allows
from povtor.domain.plan_records import Candidate, ClientState
from povtor.domain.plan_rules.cadence import Cadence
from povtor.i18n import _, ngettext
from povtor.settings import Settings

RULE = "silent"


def median_gap(paid_dates: tuple[dt.date, ...], min_purchases: int) -> Decimal | None:
    """The exact median of the days between consecutive purchases, if trusted."""
    if len(paid_dates) < max(2, min_purchases):
        return None
    gaps = sorted((b - a).days for a, b in itertools.pairwise(paid_dates))
    middle = len(gaps) // 2
    if len(gaps) % 2:
        return Decimal(gaps[middle])
    return Decimal(gaps[middle - 1] + gaps[middle]) / 2


def purchase_cycle(paid_dates: tuple[dt.date, ...], min_purchases: int) -> int | None:
    """The client's own cycle: median days between consecutive purchases, if trusted."""
    median = median_gap(paid_dates, min_purchases)
    return None if median is None else _cycle_of(median)


def _cycle_of(median: Decimal) -> int:
    return max(1, int(median.to_integral_value(ROUND_HALF_UP)))


def silence_threshold(client: ClientState, settings: Settings) -> tuple[int, int | None]:
    """(days of silence that make the client silent, their own cycle if known).

    With its own cycle: ceil(cycle factor × the exact median gap), so a median of
    20.5 days gives ceil(1.5 × 20.5) = 31, not 1.5 × a rounded median.
    """
    category = client.category if client.category in ("A", "B") else "C"
    return _threshold(
        client.paid_dates,
        settings.int("plan.cycle_min_purchases"),
        settings.decimal("plan.cycle_factor"),
        settings.int(f"plan.silent_days.{category}"),
    )


def _threshold(
    paid_dates: tuple[dt.date, ...], min_purchases: int, factor: Decimal, default_days: int
) -> tuple[int, int | None]:
    threshold, cycle, _median = _threshold_of(paid_dates, min_purchases, factor, default_days)
    return threshold, cycle


@functools.lru_cache(maxsize=65_536)
def _threshold_of(
    paid_dates: tuple[dt.date, ...], min_purchases: int, factor: Decimal, default_days: int
) -> tuple[int, int | None, Decimal | None]:
    """(threshold, own cycle, the median gap it is counted from); the cycle and the median
    None: the category's default. (Cached: several rules ask for the same client's
    threshold in one plan.)"""
    median = median_gap(paid_dates, min_purchases)
    if median is not None:
        return math.ceil(max(median, Decimal(1)) * factor), _cycle_of(median), median
    return default_days, None, None


def is_silent(client: ClientState, today: dt.date, settings: Settings) -> bool:
    """Bought before, and no purchase for longer than the client's silence threshold."""
    if not client.paid_dates:
        return False
    threshold, _cycle = silence_threshold(client, settings)
    return (today - client.paid_dates[-1]).days > threshold


def silent_clients(
    clients: Mapping[int, ClientState], today: dt.date, settings: Settings
) -> list[Candidate]:
    """The items of the clients gone silent."""
    quiet = settings.int("plan.quiet_days")
    # (the settings silence_threshold reads, read once for every client)
    min_purchases = settings.int("plan.cycle_min_purchases")
    factor = settings.decimal("plan.cycle_factor")
    defaults = {c: settings.int(f"plan.silent_days.{c}") for c in ("A", "B", "C")}
    factor_text = settings.str("plan.cycle_factor")
    found: list[Candidate] = []
    bases: dict[tuple[Decimal | None, str | None, int], str] = {}
    cadence = Cadence(settings)
    for client in clients.values():
        paid_dates = client.paid_dates
        if client.open_deals or not paid_dates:
            continue
        touched = client.last_touch_on  # (recently_touched, inline: every client passes here)
        if touched is not None and (today - touched).days < quiet:
            continue
        category = client.category if client.category in ("A", "B") else "C"
        threshold, cycle, median = _threshold_of(
            paid_dates, min_purchases, factor, defaults[category]
        )
        last = paid_dates[-1]
        silent_for = (today - last).days
        if silent_for <= threshold or not allows(client, RULE, today):
            continue  # (what the conversation holds back is left before it is worded)
        expected = last + dt.timedelta(days=cycle if cycle is not None else threshold)
        # (the words of a threshold repeat from client to client: made once each)
        basis_key = (median, None, 0) if cycle is not None else (None, client.category, threshold)
        basis = bases.get(basis_key)
        if basis is None:
            basis = bases[basis_key] = (
                _("own cycle {median} days × {factor}").format(median=median, factor=factor_text)
                if cycle is not None
                else _("category {category} default {days} days").format(
                    category=client.category, days=threshold
                )
                if client.category in ("A", "B", "C")
                else _("no category: the default {days} days").format(days=threshold)
            )
        said_yes = client.talk.yes_on
        if said_yes is not None and said_yes >= last:
            kind = "closing"
            note = _("said yes on {on}, no deal opened: open it").format(on=said_yes.isoformat())
        else:
            kind, note = cadence.repeat_client_touch(client)
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=ngettext(
                    "silent {n} day since the last purchase on {last} "
                    "(threshold {threshold}: {basis}); expected reorder {expected}; ",
                    "silent {n} days since the last purchase on {last} "
                    "(threshold {threshold}: {basis}); expected reorder {expected}; ",
                    silent_for,
                ).format(
                    n=silent_for,
                    last=last.isoformat(),
                    threshold=threshold,
                    basis=basis,
                    expected=expected.isoformat(),
                )
                + note,
                kind=kind,
                overdue_days=silent_for - threshold,
                amount_minor=client.last_paid_amount,
                template_funnel="repeat",
                template_stage="base",
                days_waiting=silent_for,
                expected_on=expected,
            )
        )
    return found
