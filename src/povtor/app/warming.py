"""``povtor nudge content``: the seller's library of useful material for warming touches,
and the pick of one item for a warming draft (in the plan and in ``nudge text``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from povtor.domain import templates
from povtor.domain.warming import PURPOSE, Content, content_key, nothing_to_share, pick
from povtor.errors import Conflict
from povtor.i18n import _
from povtor.storage import content_queries, content_writes
from povtor.storage.database import Database, Row

if TYPE_CHECKING:
    from povtor.domain.plan_records import Candidate, Plan, PlanItem

Templates = Mapping[tuple[str, str, str, str], str]  # (kind, funnel, stage, lang) -> body
NO_DRAFT = ""  # the script of a warming item with nothing to share: no draft at all


def add_hint(industry: str | None, lang: str) -> str:
    """How to add an item a client of ``industry`` would get."""
    hint = 'povtor nudge content add "TEXT"'
    if industry:
        hint += f' --industry "{industry}"' if " " in industry else f" --industry {industry}"
    return hint + (f" --lang {lang}" if lang != "ru" else "")


# -- the library -----------------------------------------------------------------------------
def add_content(
    db: Database, *, text: str, industry: str | None, tag: str | None, lang: str, on: dt.date
) -> int:
    """``nudge content add``: a useful item to share; its id."""
    with db.transaction():
        return content_writes.insert_content(
            db, text=text, industry=industry, tag=tag, lang=lang, on=on
        )


def list_content(db: Database, *, industry: str | None = None, tag: str | None = None) -> list[Row]:
    """``nudge content list``: the items (for ``industry`` or anyone, with ``tag``), each
    with how many clients have had it."""
    from povtor.text import fold

    rows = content_queries.content_rows(db)
    if industry is not None:
        rows = [r for r in rows if r["industry"] is None or fold(r["industry"]) == fold(industry)]
    if tag is not None:
        rows = [r for r in rows if r["tag"] is not None and fold(r["tag"]) == fold(tag)]
    return rows


def remove_content(db: Database, ref: str) -> Row:
    """``nudge content remove``: delete an item; the touches that shared it keep their
    ``content:ID`` (its number is never given to another item)."""
    with db.transaction():
        row = content_queries.find_content(db, ref)
        content_writes.delete_content(db, row["id"])
    return row


def content_reference(db: Database, ref: str) -> str:
    """``nudge log --purpose content --about REF``: the ``content:ID`` key of an item."""
    return content_key(content_queries.find_content(db, ref)["id"])


# -- the pick --------------------------------------------------------------------------------
def warming_body(lang: str, user: Templates, funnel: str = "*", stage: str = "*") -> str:
    return templates.lookup("warming", funnel, stage, lang, user)


def _literal(text: str) -> str:
    """Text put into a template as it is (its braces are not placeholders)."""
    return text.replace("{", "{{").replace("}", "}}")


def with_content(body: str, item: Content) -> str:
    """A warming template with ``item`` written in (a template of its own, for the item)."""
    return body.replace("{content}", _literal(templates.sentence(item.text)))


def pick_for_plan(db: Database, plan: Plan, lang: str, user: Templates) -> Plan:
    """Give each warming item of ``plan`` whose template shares content (``{content}``)
    an item of the library the client has not had, for their industry first: its draft
    shares it, and the touch logged from the plan records purpose ``content``, about
    ``content:ID``. With nothing to share the item has no draft (:func:`no_draft_note`
    says so where the plan is shown)."""
    shares: dict[tuple[str, str], bool] = {}  # (funnel, stage): its template uses {content}

    def shares_content(funnel: str, stage: str) -> bool:
        if (funnel, stage) not in shares:
            body = warming_body(lang, user, funnel, stage)
            shares[(funnel, stage)] = templates.uses(body, "content")
        return shares[(funnel, stage)]

    waiting = [
        (index, item.primary)
        for index, item in enumerate(plan.items)
        if item.primary.kind == "warming"
        and item.primary.script is None
        and item.primary.purpose is None
        and shares_content(item.primary.template_funnel, item.primary.template_stage)
    ]
    if not waiting:
        return plan
    items = content_queries.content_items(db, lang)
    clients = [plan.items[index].client.id for index, _ in waiting]
    had = content_queries.content_had(db, clients) if items else {}
    topics = content_queries.fact_topics(db, clients) if items else {}
    for index, candidate in waiting:
        client = plan.items[index].client
        chosen = pick(
            items,
            industry=client.industry,
            topics=topics.get(client.id, ()),
            had=had.get(client.id, ()),
        )
        plan.items[index].primary = (
            _shared(candidate, chosen, lang, user)
            if chosen is not None
            else dataclasses.replace(candidate, script=NO_DRAFT)
        )
    return plan


def no_draft_note(item: PlanItem, lang: str) -> str | None:
    """What a warming item with nothing to share shows instead of a draft (None: the
    item has its draft)."""
    c = item.primary
    if c.kind != "warming" or c.script != NO_DRAFT:
        return None
    return (
        "(no draft: no useful material to share with this client yet; add some: "
        f"{add_hint(item.client.industry, lang)})"
    )


def _shared(candidate: Candidate, chosen: Content, lang: str, user: Templates) -> Candidate:
    body = warming_body(lang, user, candidate.template_funnel, candidate.template_stage)
    return dataclasses.replace(
        candidate,
        script=with_content(body, chosen),
        purpose=PURPOSE,
        purpose_ref=content_key(chosen.id),
    )


def content_for_client(db: Database, client: Row, lang: str) -> Content:
    """The item a warming draft for ``client`` shares (``nudge text --kind warming``)."""
    items = content_queries.content_items(db, lang)
    chosen = pick(
        items,
        industry=client["industry"],
        topics=content_queries.fact_topics(db, [client["id"]]).get(client["id"], ()),
        had=content_queries.content_had(db, [client["id"]]).get(client["id"], ()),
    )
    if chosen is None:
        raise Conflict(
            _("nothing to share with #{id} {name} on a warming touch: {why}").format(
                id=client["id"],
                name=client["name"],
                why=nothing_to_share(items, client["industry"]),
            ),
            hint=_("add some: {add_hint}").format(add_hint=add_hint(client["industry"], lang)),
        )
    return chosen
