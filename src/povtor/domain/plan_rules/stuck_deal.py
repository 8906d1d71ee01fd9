"""A stuck deal: an open deal has waited in its stage longer than the stage's limit,
counted from when it entered the stage or from the last touch on the deal, whichever is
later (in working days with ``plan.working_days``).

A deal with a promised date not yet followed is the follow-up rule's, not this one's.
In the first-sale funnel the client is still being warmed up: the 5:1 cadence picks the
touch, and a warming one makes the item a ``warming`` item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.calendar import WorkCalendar, days_between, seller_calendar
from povtor.domain.plan_records import Candidate, ClientState, OpenDeal, about_deal
from povtor.domain.plan_rules.cadence import Cadence
from povtor.domain.plan_rules.follow_up import awaits_follow_up
from povtor.i18n import _, ngettext
from povtor.settings import Settings

RULE = "stuck"


def wait_start(entered_on: dt.date, last_touch_on: dt.date | None) -> dt.date:
    """From when a deal's wait in its stage counts: its last touch in the stage (one on
    the day it entered counts), else the day it entered."""
    if last_touch_on is not None and last_touch_on >= entered_on:
        return last_touch_on
    return entered_on


def stuck_deals(
    deals: Iterable[OpenDeal],
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
    calendar: WorkCalendar | None = None,
) -> list[Candidate]:
    """The items of the deals that have waited past their stage's limit (working days by
    ``calendar``; default: the production calendar less the seller's ``plan.days_off``)."""
    working = settings.bool("plan.working_days")
    calendar = calendar or seller_calendar(settings)
    found: list[Candidate] = []
    # (many deals wait since the same day, or entered their stage on it: counted once)
    waits: dict[dt.date, int] = {}
    stage_texts: dict[tuple[str, int, int], str] = {}
    nudge_texts: dict[dt.date, str] = {}
    untouched = _(", no touch since")
    cadence = Cadence(settings)
    for deal in deals:
        limit = deal.limit_days
        client = clients.get(deal.client_id)
        if limit is None or client is None or awaits_follow_up(deal):
            continue
        last_touch = deal.last_touch_on
        since = wait_start(deal.stage_entered_on, last_touch)
        nudged = last_touch is not None and last_touch >= since  # (touched in the stage)
        waited = waits.get(since, -1)
        if waited < 0:
            waited = waits[since] = days_between(since, today, working=working, calendar=calendar)
        if waited <= limit:
            continue
        entered = deal.stage_entered_on
        in_stage = waits.get(entered, -1)
        if in_stage < 0:
            in_stage = waits[entered] = days_between(
                entered, today, working=working, calendar=calendar
            )
        # (the words repeat: a stage, its days and its limit; a day of the last nudge)
        key = (deal.stage_name, in_stage, limit)
        reason = stage_texts.get(key)
        if reason is None:
            in_stage_text = (
                ngettext(
                    "{n} working day in stage (limit {limit})",
                    "{n} working days in stage (limit {limit})",
                    in_stage,
                )
                if working
                else ngettext(
                    "{n} day in stage (limit {limit})",
                    "{n} days in stage (limit {limit})",
                    in_stage,
                )
            )
            reason = stage_texts[key] = f"{deal.stage_name}: " + in_stage_text.format(
                n=in_stage, limit=limit
            )
        if nudged and last_touch is not None:
            nudge = nudge_texts.get(last_touch)
            if nudge is None:
                nudge = nudge_texts[last_touch] = _(", last nudge {on} unanswered").format(
                    on=last_touch.isoformat()
                )
            reason += nudge
        else:
            reason += untouched
        kind = "closing"
        if deal.funnel == "first":
            kind, note = cadence.touch(client)
            reason += "; " + note
        found.append(
            Candidate(
                rule=RULE if kind == "closing" else "warming",
                reason=reason,
                kind=kind,
                overdue_days=waited - limit,
                **about_deal(deal, today),
            )
        )
    return found
