"""Follow-up due: a client answered "later, on date D" and D has come, with no touch about
the same subject on or after it (see :mod:`povtor.domain.conversation`).

On a deal, the promised date replaces the stage's time limit until a touch on the deal on
or after it (then the stage's limit counts again, from that touch: see the stuck-deal
rule); the follow-up is drafted with the stage's script. On the client's general
conversation, the promise holds the client-level items back until D (the conversation's
:data:`~povtor.domain.conversation.HELD`) and is then the client's follow-up, the reorder
question again (the first-sale one for a client who never bought). About a purpose, it is
that purpose's item on D: the roadmap step with its script, the product offer, the card
question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.conversation import Promise
from povtor.domain.plan_records import Candidate, ClientState, OpenDeal, PlanInput, about_deal
from povtor.settings import Settings

RULE = "follow_up"


def awaits_follow_up(deal: OpenDeal) -> bool:
    """The deal has a promised date and no touch on or after it yet."""
    if deal.follow_up_on is None:
        return False
    return deal.last_touch_on is None or deal.last_touch_on < deal.follow_up_on


def _when(promised: dt.date, today: dt.date) -> str:
    overdue = (today - promised).days
    return "today" if overdue == 0 else ("1 day ago" if overdue == 1 else f"{overdue} days ago")


def deal_follow_ups(
    deals: Iterable[OpenDeal], clients: Mapping[int, ClientState], today: dt.date
) -> list[Candidate]:
    """The follow-ups of the deals whose promised date has come, with no touch since."""
    found: list[Candidate] = []
    for deal in deals:
        promised = deal.follow_up_on
        if promised is None or promised > today or not awaits_follow_up(deal):
            continue
        if deal.client_id not in clients:
            continue
        found.append(
            Candidate(
                rule=RULE,
                reason=f"follow-up due {_when(promised, today)}: asked to come back on "
                f"{promised.isoformat()} ({deal.stage_name})",
                kind="closing",
                overdue_days=(today - promised).days,
                **about_deal(deal, today),
            )
        )
    return found


def client_follow_ups(clients: Mapping[int, ClientState], today: dt.date) -> list[Candidate]:
    """The clients' follow-ups on their general conversation, from the date each named."""
    found: list[Candidate] = []
    for client in clients.values():
        promise = client.talk.promise
        if promise is None or promise.due_on > today:
            continue
        bought = bool(client.paid_dates)
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=f"follow-up due {_when(promise.due_on, today)}: asked on "
                f"{promise.made_on.isoformat()} to come back on {promise.due_on.isoformat()}",
                kind="closing",
                overdue_days=(today - promise.due_on).days,
                amount_minor=client.last_paid_amount,
                template_funnel="repeat" if bought else "first",
                template_stage="base" if bought else "*",
                days_waiting=(today - promise.made_on).days,
            )
        )
    return found


def purpose_follow_ups(data: PlanInput, settings: Settings) -> list[Candidate]:
    """The follow-ups of promises about a purpose, each with that purpose's draft."""
    today = data.today
    lang = settings.str("lang")
    found: list[Candidate] = []
    for client in data.clients.values():
        for promise in client.talk.promises:
            if promise.due_on > today:
                continue
            about, kind, script, stage = _purpose_item(data, client, promise, lang)
            found.append(
                Candidate(
                    client_id=client.id,
                    rule=RULE,
                    reason=f"follow-up due {_when(promise.due_on, today)}: asked on "
                    f"{promise.made_on.isoformat()} to come back on "
                    f"{promise.due_on.isoformat()} about {about}",
                    kind=kind,
                    overdue_days=(today - promise.due_on).days,
                    template_stage=stage,
                    days_waiting=(today - promise.made_on).days,
                    script=script,
                    purpose=promise.purpose,
                    purpose_ref=promise.ref,
                )
            )
    return found


def _purpose_item(
    data: PlanInput, client: ClientState, promise: Promise, lang: str
) -> tuple[str, str, str | None, str]:
    """(what it is about, the touch kind, its script, the template stage) of a promise
    about a purpose."""
    ref = promise.ref or ""
    if promise.purpose == "roadmap":
        from povtor.domain.roadmaps import fallback_script, find_step

        steps = data.roadmaps.steps.get(client.category or "", ()) if data.roadmaps else ()
        step = find_step(steps, ref) if ref else None
        if step is None:
            return f"roadmap step {ref or '?'}", "closing", None, "*"
        script = step.script or fallback_script(step.title)
        return f"roadmap step {step.position} «{step.title}»", "closing", script, "*"
    if promise.purpose in ("backend", "cross_sell"):
        from povtor.domain.offers import script as offer_script

        words = "backend offer" if promise.purpose == "backend" else "cross-sell offer"
        product = data.offers.products.get(int(ref)) if data.offers and ref.isdigit() else None
        if product is None:
            return f"the {words} #{ref}", "closing", None, "*"
        offers = data.offers
        assert offers is not None
        bought = next(
            (
                offers.products[x].name
                for x in offers.bought.get(client.id, {})
                if product.id in offers.related.get(x, ()) and x in offers.products
            ),
            "",
        )
        drafted = offer_script(promise.purpose, lang, product=product.name, bought=bought)
        return f"the {words} {product.name}", "closing", drafted, "*"
    if promise.purpose == "card":
        from povtor.domain.cards import NEWS, QUESTIONS

        question = next((q for q in (*QUESTIONS, NEWS) if q.code == ref), None)
        if question is None:
            return f"the card question {ref}", "warming", None, "*"
        drafted = question.en if lang == "en" else question.ru
        return f"the card question on {question.about}", "warming", drafted, "*"
    return f"{promise.purpose} {ref}".strip(), "closing", None, "*"
