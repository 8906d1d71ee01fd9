"""Each client's activity (table ``client_activity``), derived from its touches and deals
and kept up to date by every write that changes them, in the write's own transaction.

A row holds, as of the newest data: the day of the client's newest touch, the warming
touches since its last closing touch (the 5:1 cadence), the day of its latest service
contact answered yes or no, the day of its latest paid deal, the distinct days it paid
on (comma-separated, oldest first) and the amount of its latest paid deal, and its latest
answer (with the reason it gave) and latest unanswered question on its general
conversation (what the plan reads of those touches). A client with no touch and no
paid deal has no row. The plan reads these rows instead of seeking the touch and deal
indexes of every client (:mod:`povtor.storage.plan_queries`), as long as no touch is
dated after the plan's day; ``povtor db check`` recomputes them and compares.

Every writer calls :func:`refresh_activity` with the clients it changed, after its change
and inside its transaction; an import calls it once, for the clients it changed, at its
end.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from povtor.i18n import _
from povtor.storage.database import Database, id_list

ACTIVITY_COLUMNS = (
    "last_touch_on",
    "warming_since_closing",
    "last_service_on",
    "last_won_on",
    "said_touch_id",
    "said_at",
    "said_on",
    "said_kind",
    "said_outcome",
    "said_follow_up_on",
    "asked_at",
    "asked_on",
    "paid_days",
    "last_paid_amount",
    "said_reason",
)

# The client's latest answer on its general conversation, and its latest general question
# left unanswered (storage.conversation_queries): the newest by time; on a tie, the one
# that conversation_queries.general_talk reads first (its parts in order, then index order).
_SAID = """(SELECT t.id FROM touch t
      WHERE t.client_id = c.id AND t.deal_id IS NULL
        AND (t.purpose IS NULL OR t.purpose = 'referrals')
        AND ((t.kind = 'closing' AND t.outcome IN ('yes', 'no', 'later'))
          OR (t.kind = 'warming' AND t.outcome IN ('no', 'later')))
      ORDER BY t.at DESC, t.purpose IS NOT NULL,
        CASE t.kind || ' ' || t.outcome WHEN 'closing yes' THEN 0 WHEN 'closing no' THEN 1
          WHEN 'closing later' THEN 2 WHEN 'warming no' THEN 3 ELSE 4 END,
        t.on_date, t.follow_up_on, t.id
      LIMIT 1)"""
_ASKED = """(SELECT t.id FROM touch t
      WHERE t.client_id = c.id AND t.deal_id IS NULL
        AND (t.purpose IS NULL OR t.purpose = 'referrals')
        AND t.kind = 'closing' AND t.outcome IN ('no_answer', 'pending')
      ORDER BY t.at DESC, t.purpose IS NOT NULL, t.outcome = 'pending',
        t.on_date, t.follow_up_on, t.id
      LIMIT 1)"""

# The activity of the clients picked by {where}, from their history: index seeks per
# client (ix_touch_client_on, ix_touch_client_kind, ix_deal_status_client). The last
# closing touch is read as "YYYY-MM-DD|time" (ordered by date, then by time within that
# date) and split again, as the plan has always counted the warming touches since it.
_RECOMPUTE = """
WITH facts AS MATERIALIZED (
  SELECT c.id,
    (SELECT MAX(t.on_date) FROM touch t WHERE t.client_id = c.id) AS last_touch_on,
    (SELECT t.on_date || '|' || t.at FROM touch t
      WHERE t.client_id = c.id AND t.kind = 'closing'
      ORDER BY t.on_date DESC, t.at DESC LIMIT 1) AS closing,
    (SELECT MAX(t.on_date) FROM touch t
      WHERE t.client_id = c.id AND t.kind = 'service' AND t.outcome IN ('yes', 'no'))
      AS last_service_on,
    (SELECT MAX(d.closed_on) FROM deal d WHERE d.client_id = c.id AND d.status = 'won')
      AS last_won_on,
    (SELECT group_concat(p.closed_on, ',') FROM (
        SELECT DISTINCT d.closed_on FROM deal d
        WHERE d.client_id = c.id AND d.status = 'won' ORDER BY d.closed_on) p) AS paid_days,
    (SELECT d.amount_minor FROM deal d WHERE d.client_id = c.id AND d.status = 'won'
      ORDER BY d.closed_on DESC, d.id DESC LIMIT 1) AS last_paid_amount,
    {said} AS said_touch_id,
    {asked} AS asked_touch_id
  FROM client c WHERE {where}
)
SELECT f.id, f.last_touch_on,
  (SELECT COUNT(*) FROM touch w WHERE w.client_id = f.id AND w.kind = 'warming'
    AND w.on_date >= COALESCE(substr(f.closing, 1, 10), '')
    AND (f.closing IS NULL OR w.at > substr(f.closing, 12))) AS warming_since_closing,
  f.last_service_on, f.last_won_on,
  f.said_touch_id, s.at, s.on_date, s.kind, s.outcome, s.follow_up_on, q.at, q.on_date,
  f.paid_days, f.last_paid_amount, s.reason
FROM facts f
LEFT JOIN touch s ON s.id = f.said_touch_id
LEFT JOIN touch q ON q.id = f.asked_touch_id
WHERE f.last_touch_on IS NOT NULL OR f.last_won_on IS NOT NULL
"""
_INSERT = """INSERT INTO client_activity (client_id, last_touch_on, warming_since_closing,
    last_service_on, last_won_on, said_touch_id, said_at, said_on, said_kind, said_outcome,
    said_follow_up_on, asked_at, asked_on, paid_days, last_paid_amount, said_reason)"""
_SOME = "c.id IN (SELECT value FROM json_each(:ids))"
_ALL = "1 = 1"


def _recompute(where: str) -> str:
    return _RECOMPUTE.format(where=where, said=_SAID, asked=_ASKED)


def rebuild_sql() -> list[str]:
    """The statements that rebuild every client's activity (no parameters): run on a
    PostgreSQL server after an upgrade, once its days and times read as SQLite's do."""
    return ["DELETE FROM client_activity", _INSERT + _recompute(_ALL)]


def _ids(client_ids: Iterable[int | None]) -> str:
    return id_list(int(cid) for cid in client_ids if cid is not None)


def refresh_activity(db: Database, client_ids: Iterable[int | None] | None) -> None:
    """Recompute the activity of ``client_ids`` (every client: ``None``) from their
    history, in the caller's transaction. Ids of clients that are gone drop their rows."""
    if client_ids is None:
        db.execute("DELETE FROM client_activity")
        db.execute(_INSERT + _recompute(_ALL))
        return
    ids = _ids(client_ids)
    if ids == "[]":
        return
    db.execute(
        "DELETE FROM client_activity WHERE client_id IN (SELECT value FROM json_each(?))",
        (ids,),
    )
    db.execute(_INSERT + _recompute(_SOME), {"ids": ids})


def touch_client(db: Database, touch_id: int) -> int | None:
    """The client of a touch (a writer about to change or delete it reads it first)."""
    return db.scalar("SELECT client_id FROM touch WHERE id = ?", (touch_id,))


def deal_client(db: Database, deal_id: int) -> int | None:
    return db.scalar("SELECT client_id FROM deal WHERE id = ?", (deal_id,))


def activity_differences(db: Database) -> list[tuple[int, str]]:
    """Every client whose stored activity differs from its history: (client id, what
    differs: each column's stored value and the one its history gives), by client id."""
    recomputed = {row[0]: row[1:] for row in db.tuples(_recompute(_ALL))}
    stored = {
        row[0]: row[1:]
        for row in db.tuples(
            """SELECT client_id, last_touch_on, warming_since_closing, last_service_on,
                      last_won_on, said_touch_id, said_at, said_on, said_kind, said_outcome,
                      said_follow_up_on, asked_at, asked_on, paid_days, last_paid_amount,
                      said_reason
               FROM client_activity"""
        )
    }
    found = []
    for cid in sorted(recomputed.keys() | stored.keys()):
        have: tuple[Any, ...] | None = stored.get(cid)
        want: tuple[Any, ...] | None = recomputed.get(cid)
        if have == want:
            continue
        if have is None:
            found.append((cid, _("no row stored")))
        elif want is None:
            found.append((cid, _("a row stored for a client with no touch and no paid deal")))
        else:
            changes = [
                _("{column} stored {stored}, from the history {history}").format(
                    column=name, stored=_shown(a), history=_shown(b)
                )
                for name, a, b in zip(ACTIVITY_COLUMNS, have, want, strict=True)
                if a != b
            ]
            found.append((cid, ", ".join(changes)))
    return found


def _shown(value: Any) -> str:
    return _("none") if value is None else str(value)
