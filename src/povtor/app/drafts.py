"""Message drafts filled for a client and deal: ``nudge text``, templates, the referral ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from povtor.domain import templates
from povtor.errors import InvalidInput
from povtor.storage import queries
from povtor.storage.database import Database, Row, to_date

if TYPE_CHECKING:
    from povtor.domain.plan_records import PlanItem


def message_values(
    db: Database, client: Row, deal: Row | None, today: dt.date | None
) -> dict[str, Any]:
    """The placeholder values for a client (and deal) as the database has them now."""
    person = queries.first_person_name(db, client["id"])
    if deal is None or today is None:
        return templates.values_for(client=client["name"], company=client["company"], person=person)
    entered = to_date(deal["stage_entered_on"])
    assert entered is not None
    return templates.values_for(
        client=client["name"],
        company=client["company"],
        person=person,
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


def deal_text(db: Database, *, deal: str, kind: str, lang: str | None, today: dt.date) -> str:
    """``povtor nudge text``: the filled message for a deal."""
    from povtor.storage.plan_queries import load_settings

    language = lang or load_settings(db).str("lang")
    deal_row = queries.find_deal(db, deal)
    client_row = queries.find_client(db, str(deal_row["client_id"]))
    values = message_values(db, client_row, deal_row, today)
    return draft(
        db,
        kind=kind,
        funnel=deal_row["funnel"],
        stage=deal_row["stage"],
        lang=language,
        values=values,
    )


def referral_hint(db: Database, client: Row, lang: str | None = None) -> str:
    """Seed 002: after a "no" to a revisit, ask for referrals; the script and how to record."""
    from povtor.storage import service_queries
    from povtor.storage.plan_queries import load_settings, user_templates

    values = message_values(db, client, None, None)
    values["title"] = service_queries.last_lost_title(db, client["id"]) or ""
    body = templates.lookup(
        "closing", "*", "referrals", lang or load_settings(db).str("lang"), user_templates(db)
    )
    return (
        f"ask for referrals: {templates.fill(body, values)}\n"
        f'record one with: povtor client referral {client["id"]} "NAME" [--phone ...]'
    )


# -- templates ---------------------------------------------------------------------------
@dataclass(frozen=True)
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
                    f"--stage {stage} is a {templates.PSEUDO_STAGES[stage]} draft, "
                    f"not a {kind} one",
                    hint=f"povtor nudge template set {templates.PSEUDO_STAGES[stage]} TEXT "
                    f"--stage {stage}",
                )
        elif stage != "*" and not queries.stage_code_exists(db, stage):
            raise InvalidInput(
                f"--stage: no funnel has a stage {stage!r}", hint="see: povtor funnel list"
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
        title=about.title if about else None,
    )
    return templates.fill(templates.lookup("closing", "*", "referrals", lang, user), values)
