"""Reads for corrections: a touch and what logging it changed, a person, the change record.

Plain SQL on :class:`~povtor.storage.database.Database`; the writes are in
:mod:`povtor.storage.correction_writes`, the rules in :mod:`povtor.app.corrections`.
"""

from __future__ import annotations

from typing import Any

from povtor.errors import NotFound
from povtor.i18n import _, ngettext
from povtor.records import record
from povtor.storage.database import Database, Row
from povtor.storage.queries import MAX_ROW_ID

TOUCH_COLUMNS = (
    "id, client_id, deal_id, stage_id, at, on_date, kind, channel, outcome, reason, "
    "follow_up_on, text, external_id, answer, purpose, purpose_ref"
)


def touch_record(db: Database, touch_id: int) -> Row:
    """A touch's own row, or NotFound."""
    row = (
        db.one(f"SELECT {TOUCH_COLUMNS} FROM touch WHERE id = ?", (touch_id,))
        if 0 < touch_id <= MAX_ROW_ID
        else None
    )
    if row is None:
        raise NotFound(
            _("no touch #{touch_id}").format(touch_id=touch_id),
            hint=_("list touches with: povtor nudge list"),
        )
    return row


def last_touch_id(db: Database) -> int | None:
    """The touch logged last (the highest id), or None when there is none."""
    return db.scalar("SELECT MAX(id) FROM touch")


def touch_effect(db: Database, touch_id: int) -> Row | None:
    return db.one(
        """SELECT touch_id, deal_id, deal_before, deal_after, history_id, step_id,
                  referred_client_id, referred_deal_id
           FROM touch_effect WHERE touch_id = ?""",
        (touch_id,),
    )


def touch_deal_effects(db: Database, touch_id: int) -> list[Row]:
    """What an answer to the client's own question did to its deals (see
    :func:`povtor.storage.correction_writes.remember_deal_effects`), by deal."""
    return db.rows(
        """SELECT deal_id, deal_before, deal_after, history_id, opened
           FROM touch_deal_effect WHERE touch_id = ? ORDER BY deal_id""",
        (touch_id,),
    )


def lost_on(db: Database, client_id: int, day: Any, reason: str | None) -> list[int]:
    """The client's deals lost on ``day`` with ``reason`` (still lost)."""
    return [
        r[0]
        for r in db.tuples(
            """SELECT id FROM deal WHERE client_id = ? AND status = 'lost'
                 AND closed_on = ? AND lost_reason IS ? ORDER BY id""",
            (client_id, str(day)[:10], reason),
        )
    ]


def opened_deal_records(db: Database, deal_id: int) -> list[str]:
    """What a deal an answer opened has of its own since: touches, stage changes, products
    (each as "N touches"...)."""
    one = db.scalar
    counts = {
        "touches": one("SELECT COUNT(*) FROM touch WHERE deal_id = ?", (deal_id,)),
        "stage changes": one(
            "SELECT COUNT(*) FROM stage_change WHERE deal_id = ? AND event <> 'open'", (deal_id,)
        ),
        "products": one("SELECT COUNT(*) FROM deal_product WHERE deal_id = ?", (deal_id,)),
    }
    return [_counted(what, n) for what, n in counts.items() if n]


def later_deal_touches(db: Database, deal_id: int, touch_id: int) -> list[int]:
    """The ids of the touches about ``deal_id`` logged after ``touch_id``."""
    return [
        r[0]
        for r in db.tuples(
            "SELECT id FROM touch WHERE deal_id = ? AND id > ? ORDER BY id", (deal_id, touch_id)
        )
    ]


def history_row(db: Database, history_id: int) -> Row | None:
    return db.one(
        """SELECT h.id, h.deal_id, h.event, h.from_stage_id, h.to_stage_id, h.at, h.on_date,
                  h.reason, fs.code AS from_stage, ts.code AS to_stage
           FROM stage_change h
           LEFT JOIN stage fs ON fs.id = h.from_stage_id
           LEFT JOIN stage ts ON ts.id = h.to_stage_id
           WHERE h.id = ?""",
        (history_id,),
    )


def last_history_id(db: Database, deal_id: int) -> int | None:
    """The deal's newest stage history entry (the one written last)."""
    return db.scalar("SELECT MAX(id) FROM stage_change WHERE deal_id = ?", (deal_id,))


def stage_code(db: Database, stage_id: int | None) -> str | None:
    if stage_id is None:
        return None
    return db.scalar("SELECT code FROM stage WHERE id = ?", (stage_id,))


def client_step(db: Database, client_id: int, step_id: int) -> Row | None:
    """A client's record of a roadmap step as done, with the step's position and title."""
    return db.one(
        """SELECT cs.id, cs.client_id, cs.step_id, cs.done_on, cs.note, rs.position, rs.code,
                  rs.title
           FROM client_step cs JOIN roadmap_step rs ON rs.id = cs.step_id
           WHERE cs.client_id = ? AND cs.step_id = ?""",
        (client_id, step_id),
    )


def client_row(db: Database, client_id: int) -> Row | None:
    return db.one("SELECT * FROM client WHERE id = ?", (client_id,))


def deal_row(db: Database, deal_id: int) -> Row | None:
    return db.one("SELECT * FROM deal WHERE id = ?", (deal_id,))


def referral_records(db: Database, client_id: int, deal_id: int | None) -> list[str]:
    """What a client added as a referral has of its own beyond its first deal (opened with
    it, still untouched) and the person named with it: each as "N touches", "a fact"..."""
    one = db.scalar
    counts = {
        "touches": one("SELECT COUNT(*) FROM touch WHERE client_id = ?", (client_id,)),
        "other deals": one(
            "SELECT COUNT(*) FROM deal WHERE client_id = ? AND id IS NOT ?", (client_id, deal_id)
        ),
        "stage changes": one(
            "SELECT COUNT(*) FROM stage_change WHERE deal_id = ? AND event <> 'open'", (deal_id,)
        ),
        "people": max(0, one("SELECT COUNT(*) FROM person WHERE client_id = ?", (client_id,)) - 1),
        "facts": one("SELECT COUNT(*) FROM fact WHERE client_id = ?", (client_id,)),
        "occasions": one("SELECT COUNT(*) FROM occasion WHERE client_id = ?", (client_id,)),
        "roadmap steps": one("SELECT COUNT(*) FROM client_step WHERE client_id = ?", (client_id,)),
        "referrals": one("SELECT COUNT(*) FROM client WHERE referred_by_id = ?", (client_id,)),
        "products": one("SELECT COUNT(*) FROM deal_product WHERE deal_id = ?", (deal_id,)),
        "corrections": one("SELECT COUNT(*) FROM change_log WHERE client_id = ?", (client_id,)),
    }
    return [_counted(what, n) for what, n in counts.items() if n]


def _counted(what: str, n: int) -> str:
    """``2 touches``: one of :func:`referral_records`, in the language of the run."""
    forms = {
        "touches": ngettext("{n} touch", "{n} touches", n),
        "other deals": ngettext("{n} other deal", "{n} other deals", n),
        "stage changes": ngettext("{n} stage change", "{n} stage changes", n),
        "people": ngettext("{n} person", "{n} people", n),
        "facts": ngettext("{n} fact", "{n} facts", n),
        "occasions": ngettext("{n} occasion", "{n} occasions", n),
        "roadmap steps": ngettext("{n} roadmap step", "{n} roadmap steps", n),
        "referrals": ngettext("{n} referral", "{n} referrals", n),
        "products": ngettext("{n} product", "{n} products", n),
        "corrections": ngettext("{n} correction", "{n} corrections", n),
    }
    return forms[what].format(n=n)


# -- people ------------------------------------------------------------------------------
def person_record(db: Database, person_id: int) -> Row:
    """A person with the client's name, or NotFound."""
    row = (
        db.one(
            """SELECT p.id, p.client_id, p.name, p.role, p.phone, p.email, p.birthday,
                      p.is_main, c.name AS client
               FROM person p JOIN client c ON c.id = p.client_id WHERE p.id = ?""",
            (person_id,),
        )
        if 0 < person_id <= MAX_ROW_ID
        else None
    )
    if row is None:
        raise NotFound(
            _("no person #{person_id}").format(person_id=person_id),
            hint=_("see a client's people: povtor client person list C"),
        )
    return row


def main_person_id(db: Database, client_id: int) -> int | None:
    """The person marked as the client's main contact (None: none is)."""
    return db.scalar("SELECT MIN(id) FROM person WHERE client_id = ? AND is_main", (client_id,))


def person_occasions(db: Database, person_id: int) -> list[Row]:
    return db.rows(
        "SELECT id, title, month, day, year FROM occasion WHERE person_id = ? ORDER BY id",
        (person_id,),
    )


# -- the record of corrections -------------------------------------------------------------
@record(frozen=True)
class ChangeFilter:
    client_id: int | None = None
    deal_id: int | None = None
    entity: str | None = None
    limit: int = 50


def list_changes(db: Database, flt: ChangeFilter) -> list[Row]:
    """Corrections matching the filter, newest first."""
    where: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("g.client_id = ?", flt.client_id),
        ("g.deal_id = ?", flt.deal_id),
        ("g.entity = ?", flt.entity),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    return db.rows(
        f"""SELECT g.id, g.at, g.on_date, g.entity, g.entity_id, g.action, g.client_id,
                   c.name AS client, g.deal_id, g.before, g.after
            FROM change_log g LEFT JOIN client c ON c.id = g.client_id
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY g.id DESC LIMIT ?""",
        [*params, flt.limit],
    )
