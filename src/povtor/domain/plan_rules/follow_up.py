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
from povtor.i18n import _, ngettext
from povtor.settings import Settings

RULE = "follow_up"


def awaits_follow_up(deal: OpenDeal) -> bool:
    """The deal has a promised date and no touch on or after it yet."""
    if deal.follow_up_on is None:
        return False
    return deal.last_touch_on is None or deal.last_touch_on < deal.follow_up_on


def _when(promised: dt.date, today: dt.date) -> str:
    overdue = (today - promised).days
    if overdue == 0:
        return _("today")
    return ngettext("{n} day ago", "{n} days ago", overdue).format(n=overdue)


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
                reason=_("follow-up due {when}: asked to come back on {on} ({stage})").format(
                    when=_when(promised, today), on=promised.isoformat(), stage=deal.stage_name
                ),
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
                reason=_("follow-up due {when}: asked on {made} to come back on {due}").format(
                    when=_when(promise.due_on, today),
                    made=promise.made_on.isoformat(),
                    due=promise.due_on.isoformat(),
                ),
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
                    reason=_(
                        "follow-up due {when}: asked on {made} to come back on {due} about {about}"
                    ).format(
                        when=_when(promise.due_on, today),
                        made=promise.made_on.isoformat(),
                        due=promise.due_on.isoformat(),
                        about=about,
                    ),
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
            return _("roadmap step {ref}").format(ref=ref or "?"), "closing", None, "*"
        script = step.script or fallback_script(step.title)
        about = _("roadmap step {n} «{title}»").format(n=step.position, title=step.title)
        return about, "closing", script, "*"
    if promise.purpose in ("backend", "cross_sell"):
        from povtor.domain.offers import script as offer_script

        backend = promise.purpose == "backend"
        product = data.offers.products.get(int(ref)) if data.offers and ref.isdigit() else None
        if product is None:
            about = (
                _("the backend offer #{ref}") if backend else _("the cross-sell offer #{ref}")
            ).format(ref=ref)
            return about, "closing", None, "*"
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
        about = (
            _("the backend offer {product}") if backend else _("the cross-sell offer {product}")
        ).format(product=product.name)
        return about, "closing", drafted, "*"
    if promise.purpose == "card":
        from povtor.domain.cards import NEWS, QUESTIONS

        question = next((q for q in (*QUESTIONS, NEWS) if q.code == ref), None)
        if question is None:
            return _("the card question {ref}").format(ref=ref), "warming", None, "*"
        drafted = question.en if lang == "en" else question.ru
        about = _("the card question on {about}").format(about=_(question.about))
        return about, "warming", drafted, "*"
    return f"{promise.purpose} {ref}".strip(), "closing", None, "*"
