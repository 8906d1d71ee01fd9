"""Message drafts filled for a client and deal: ``nudge text``, templates, the referral ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from povtor.domain import templates
from povtor.errors import Conflict, InvalidInput
from povtor.i18n import _
from povtor.records import record
from povtor.storage import queries
from povtor.storage.database import Database, Row, to_date

if TYPE_CHECKING:
    from povtor.domain.plan_records import PlanItem


def message_values(
    db: Database, client: Row, deal: Row | None, today: dt.date | None, lang: str = "ru"
) -> dict[str, Any]:
    """The placeholder values for a client (and deal) as the database has them now."""
    person = queries.main_person_name(db, client["id"])
    if deal is None or today is None:
        return templates.values_for(
            client=client["name"], company=client["company"], person=person, lang=lang
        )
    entered = to_date(deal["stage_entered_on"])
    assert entered is not None
    return templates.values_for(
        client=client["name"],
        company=client["company"],
        person=person,
        lang=lang,
        days=(today - entered).days,
        date=deal["expected_on"] or "",
        amount_minor=deal["amount_minor"],
        currency=deal["currency"],
        stage=deal["stage_name"],
        title=deal["title"],
    )


def draft(
    db: Database, *, kind: str, funnel: str, stage: str, lang: str, values: dict[str, Any]
) -> str:
    from povtor.storage.plan_queries import user_templates

    body = templates.lookup(kind, funnel, stage, lang, user_templates(db))
    return templates.fill(body, values)


@record(frozen=True)
class DealDraft:
    text: str
    note: str | None = None  # which draft was chosen for a closed deal (for stderr)


def deal_text(
    db: Database, *, deal: str, kind: str | None, lang: str | None, today: dt.date
) -> DealDraft:
    """``povtor nudge text``: the filled message for a deal, the one that fits it: a won
    deal gets the service draft (how is it going), a lost one the refusal revisit (seed
    002); a closing nudge on what the client got today (a quote, an invoice) is refused,
    and so is a closing nudge on a won deal or a service one on a lost deal."""
    from povtor.storage.plan_queries import load_settings, user_templates

    settings = load_settings(db)
    language = lang or settings.str("lang")
    deal_row = queries.find_deal(db, deal)
    client_row = queries.find_client(db, str(deal_row["client_id"]))
    values = message_values(db, client_row, deal_row, today, language)
    user = user_templates(db)
    number = deal_row["id"]
    funnel, stage, note = deal_row["funnel"], deal_row["stage"], None
    if deal_row["status"] == "won":
        if kind == "closing":
            raise Conflict(
                _("deal #{number} is won: a closing nudge has nothing left to ask").format(
                    number=number
                ),
                hint=_(
                    "ask how it is going: povtor nudge text {number} --kind service; a new "
                    "order: povtor deal open {id} --stage request"
                ).format(number=number, id=client_row["id"]),
            )
        chosen = kind or "service"
        if kind is None:
            note = f"deal #{number} is won: the service draft (how is it going?)"
    elif deal_row["status"] == "lost":
        if kind == "service":
            raise Conflict(
                _("deal #{number} is lost: nothing was bought to ask how it is going").format(
                    number=number
                ),
                hint=_("the refusal revisit draft: povtor nudge text {number}").format(
                    number=number
                ),
            )
        chosen = kind or "closing"
        if chosen == "closing":
            funnel, stage = "refusal", "revisit"
            note = f"deal #{number} is lost: the refusal revisit draft" + _revisit_due(
                deal_row, settings.int("plan.revisit_days"), today
            )
    else:
        chosen = kind or "closing"
        body = templates.lookup(chosen, funnel, stage, language, user)
        if chosen == "closing" and values["days"] == 0 and _waits(stage, body):
            raise Conflict(
                _(
                    "deal #{number} reached «{stage_name}» today: too early to ask the "
                    "client to decide on it"
                ).format(number=number, stage_name=deal_row["stage_name"]),
                hint=_(
                    "nudge from tomorrow on (povtor plan today brings the deal up once it "
                    "has waited past its stage's limit)"
                ),
            )
    body = templates.lookup(chosen, funnel, stage, language, user)
    if templates.uses(body, "content"):
        from povtor.app.warming import content_for_client

        values["content"] = templates.sentence(content_for_client(db, client_row, language).text)
    return DealDraft(templates.fill(body, values), note)


def _waits(stage: str, body: str) -> bool:
    """A draft that asks about something the client has had for some days: at a stage where
    the client holds the quote or the invoice, or a template that counts the days."""
    return (
        stage in templates.WAITING_STAGES
        or templates.uses(body, "days")
        or templates.uses(body, "days_text")
    )


def _revisit_due(deal: Row, delay: int, today: dt.date) -> str:
    closed = to_date(deal["closed_on"])
    if closed is None:
        return ""
    due = closed + dt.timedelta(days=delay)
    return f" (due on {due.isoformat()}, {delay} days after the loss)" if due > today else ""


def referral_hint(db: Database, client: Row, lang: str | None = None) -> str:
    """Seed 002: after a "no" to a revisit, ask for referrals; the script and how to record."""
    from povtor.storage import service_queries
    from povtor.storage.plan_queries import load_settings, user_templates

    language = lang or load_settings(db).str("lang")
    values = message_values(db, client, None, None, language)
    values["title"] = service_queries.last_lost_title(db, client["id"]) or ""
    body = templates.lookup("closing", "*", "referrals", language, user_templates(db))
    return (
        f"ask for referrals: {templates.fill(body, values)}\n"
        f'record one with: povtor client referral {client["id"]} "NAME" [--phone ...]'
    )


# -- templates ---------------------------------------------------------------------------
@record(frozen=True)
class TemplateLine:
    kind: str
    funnel: str
    stage: str
    lang: str
    source: str  # yours | default
    body: str | None


def templates_in_effect(db: Database) -> list[TemplateLine]:
    """The message templates in effect: the user's over the defaults."""
    from povtor.storage.plan_queries import user_templates

    mine = user_templates(db)
    return [
        TemplateLine(
            *key,
            source="yours" if key in mine else "default",
            body=mine.get(key, templates.DEFAULTS.get(key)),
        )
        for key in sorted(set(templates.DEFAULTS) | set(mine))
    ]


def set_template(
    db: Database, *, kind: str, funnel: str, stage: str, lang: str, body: str
) -> tuple[str, str]:
    """Add or replace a template; the (funnel, stage) codes it was saved under."""
    from povtor.storage import template_writes

    with db.transaction():
        if funnel != "*":
            funnel_row = queries.find_funnel(db, funnel)
            funnel = funnel_row["code"]
            if stage != "*":
                stage = queries.find_stage(db, funnel_row["id"], stage)["code"]
        elif stage in templates.PSEUDO_STAGES:  # a step's own draft: problem, referrals
            if templates.PSEUDO_STAGES[stage] != kind:
                raise InvalidInput(
                    _("--stage {stage} is a {PSEUDO_STAGES} draft, not a {kind} one").format(
                        stage=stage, PSEUDO_STAGES=templates.PSEUDO_STAGES[stage], kind=kind
                    ),
                    hint=_("povtor nudge template set {PSEUDO_STAGES} TEXT --stage {stage}").format(
                        PSEUDO_STAGES=templates.PSEUDO_STAGES[stage], stage=stage
                    ),
                )
        elif stage != "*" and not queries.stage_code_exists(db, stage):
            raise InvalidInput(
                _("--stage: no funnel has a stage {stage}").format(stage=repr(stage)),
                hint=_("see: povtor funnel list"),
            )
        template_writes.replace_template(
            db, kind=kind, funnel=funnel, stage=stage, lang=lang, body=body
        )
    return funnel, stage


def referral_ask(item: PlanItem, lang: str, user: Mapping[tuple[str, str, str, str], str]) -> str:
    """The seed 002 question after a "no" to a revisit, filled for the item's client."""
    about = item.primary.about
    values = templates.values_for(
        client=item.client.name,
        company=item.client.company,
        person=item.client.person,
        lang=lang,
        title=about.title if about else None,
    )
    return templates.fill(templates.lookup("closing", "*", "referrals", lang, user), values)
