"""Refusal revisit (seed 002): ``plan.revisit_days`` after the client's "no" — a deal lost,
or a no to the client-level question — with nothing open and no move of the client's own
since, call back with the refusal script («вопрос X вас всё ещё интересует?»); after a
"no", ask for referrals, and the next revisit comes ``plan.revisit_days`` after that no.

Until then the client gets no other item (see :mod:`povtor.domain.conversation`). Only a
question on the general conversation makes the revisit: a revisit left unanswered sets
the next one ``plan.revisit_days`` later; a perk, a service call or a warming touch does
not (it only delays the revisit by the quiet days). A refusal older than the delay plus
:data:`~povtor.domain.conversation.REVISIT_WINDOW_DAYS` binds no more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from povtor.domain.conversation import REVISIT_WINDOW_DAYS
from povtor.domain.plan_records import Candidate, ClientState
from povtor.domain.plan_rules.quiet_days import recently_touched
from povtor.i18n import _, ngettext
from povtor.settings import Settings

RULE = "revisit"


def oldest_refusal(today: dt.date, settings: Settings) -> dt.date:
    """The first day of the refusals the rule still looks at."""
    return today - dt.timedelta(days=settings.int("plan.revisit_days") + REVISIT_WINDOW_DAYS)


def refusal_revisits(
    clients: Mapping[int, ClientState], today: dt.date, settings: Settings
) -> list[Candidate]:
    """The revisit items of the refusals whose revisit is due."""
    quiet = settings.int("plan.quiet_days")
    found: list[Candidate] = []
    for client in clients.values():
        refusal = client.talk.refusal
        if refusal is None or refusal.revisit_on > today:
            continue
        if recently_touched(client, today, quiet):
            continue
        lost = refusal.deal
        why = refusal.reason or _("no reason")
        if lost is None:
            what = _("said no on {on} ({why})").format(on=refusal.on.isoformat(), why=why)
        elif lost.closed_on == refusal.on:
            what = _("deal #{id} lost {on} ({why})").format(
                id=lost.id, on=refusal.on.isoformat(), why=why
            )
        else:
            what = _("deal #{id} lost {closed} ({lost_why}), no again on {on} ({why})").format(
                id=lost.id,
                closed=lost.closed_on.isoformat(),
                lost_why=lost.reason or _("no reason"),
                on=refusal.on.isoformat(),
                why=why,
            )
        ago = (today - refusal.on).days
        reason = ngettext(
            "refusal revisit: {what}, {n} day ago", "refusal revisit: {what}, {n} days ago", ago
        ).format(what=what, n=ago)
        if refusal.revisited_on is not None:
            reason += _("; revisited {on}, no answer").format(on=refusal.revisited_on.isoformat())
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=reason,
                kind="closing",
                overdue_days=(today - refusal.revisit_on).days,
                about=lost,
                amount_minor=lost.amount_minor if lost else client.last_paid_amount,
                template_funnel="refusal",
                template_stage="revisit",
                days_waiting=(today - refusal.on).days,
            )
        )
    return found
