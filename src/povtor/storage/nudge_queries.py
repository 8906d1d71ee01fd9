"""The nudge→order conversion, defined once (:mod:`povtor.domain.forecast`): one query for
the plan's forecast, ``plan target`` and ``stats nudges``. Also the home of :data:`STATE`,
a deal's state as of a date, which the conversion and the reports of
:mod:`povtor.storage.stats_queries` share (kept here so that the plan does not load the
reports' metrics).

A deal's state as of a date D is what its history says: its last change on or before D
(by date, then time, then id) — open at a stage, won (paid on that day) or lost. The deal
row holds the result of replaying its whole history, so for a deal with no change after D
the row *is* its state as of D and is read directly; only deals changed after D are
replayed from ``stage_change``.
"""

from __future__ import annotations

import datetime as dt

from povtor.domain.forecast import NudgedDeals
from povtor.storage.database import Database

# x happened after h in a deal's history: by date, then timestamp, then id
_LATER = (
    "(x.on_date > h.on_date OR (x.on_date = h.on_date AND "
    "(x.at > h.at OR (x.at = h.at AND x.id > h.id))))"
)

# The deals with a change dated after :as_of (their rows say what they are now, not then)
_CHANGED_LATER = """
changed_later AS (
    SELECT deal_id FROM stage_change WHERE on_date > :as_of
    UNION
    SELECT id FROM deal WHERE stage_entered_on > :as_of OR closed_on > :as_of
)"""
# Each deal changed after :as_of (d) with its last change on or before it (h)
_LAST_CHANGE = f"""
    FROM deal d JOIN stage_change h ON h.deal_id = d.id
    WHERE d.id IN (SELECT deal_id FROM changed_later) AND h.on_date <= :as_of
      AND NOT EXISTS (SELECT 1 FROM stage_change x
                      WHERE x.deal_id = h.deal_id AND x.on_date <= :as_of AND {_LATER})"""

# Each deal opened by :as_of with its state as of :as_of (see the module's docstring).
STATE = f"""{_CHANGED_LATER},
state AS (
    SELECT d.id AS deal_id, d.client_id, d.funnel_id, d.opened_on, d.amount_minor,
           d.currency, d.status, d.stage_id, d.closed_on, d.lost_reason AS reason
    FROM deal d
    WHERE d.opened_on <= :as_of AND d.id NOT IN (SELECT deal_id FROM changed_later)
    UNION ALL
    SELECT d.id, d.client_id, d.funnel_id, d.opened_on, d.amount_minor, d.currency,
           CASE h.event WHEN 'win' THEN 'won' WHEN 'lose' THEN 'lost' ELSE 'open' END,
           COALESCE(h.to_stage_id, h.from_stage_id),
           CASE WHEN h.event IN ('win', 'lose') THEN h.on_date END,
           CASE WHEN h.event = 'lose' THEN h.reason END{_LAST_CHANGE}
)"""
# The deals paid as of :as_of: the rows of STATE with the status won, read without the
# others (the reports of purchases read only these: a fifth faster than through the whole
# state)
PAID = f"""{_CHANGED_LATER},
paid AS (
    SELECT d.id AS deal_id, d.client_id, d.funnel_id, d.opened_on, d.amount_minor,
           d.currency, d.closed_on
    FROM deal d
    WHERE d.status = 'won' AND d.opened_on <= :as_of
      AND d.id NOT IN (SELECT deal_id FROM changed_later)
    UNION ALL
    SELECT d.id, d.client_id, d.funnel_id, d.opened_on, d.amount_minor, d.currency,
           h.on_date{_LAST_CHANGE} AND h.event = 'win'
)"""


def nudged_deals(
    db: Database,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    labels: dict[int, str] | None = None,
) -> list[NudgedDeals]:
    """The deals with a closing touch dated in ``start..end`` and how many of them were
    paid (as of ``as_of``) on or after their first such touch: first for all closing
    touches; then, with ``labels`` (stage id -> ``funnel/stage``), per channel and per
    stage the deal was at when touched (a deal nudged by call and by e-mail counts once in
    each of those rows, and once in all)."""
    part = """
        UNION ALL
        SELECT '{by}', f.{key}, COUNT(*), SUM(p.closed_on >= f.first_on)
        FROM (SELECT deal_id, {key}, MIN(first_on) AS first_on FROM nudges
              GROUP BY deal_id, {key}) f
        JOIN paid_on p ON p.deal_id = f.deal_id
        GROUP BY f.{key}"""
    groups = labels is not None
    per_group = "".join(
        part.format(by=by, key=key) for by, key in (("channel", "channel"), ("stage", "stage_id"))
    )
    keys = ", t.channel, t.stage_id" if groups else ""  # (the plan needs no groups)
    # each nudged deal once, with the day of its first nudge (without the groups, the
    # nudges are that already)
    deals = "(SELECT DISTINCT deal_id FROM nudges)" if groups else "nudges"
    first = (
        "(SELECT deal_id, MIN(first_on) AS first_on FROM nudges GROUP BY deal_id)"
        if groups
        else "nudges"
    )
    rows = db.tuples(
        f"""WITH {STATE},
            nudges AS MATERIALIZED (
                SELECT t.deal_id{keys}, MIN(t.on_date) AS first_on
                FROM touch t
                WHERE t.kind = 'closing' AND t.deal_id IS NOT NULL
                  AND t.on_date >= :start AND t.on_date <= :end
                GROUP BY t.deal_id{keys}),
            -- each nudged deal's payment day as of :as_of (NULL: not paid by then): from
            -- its row, unless it changed after :as_of (then from its state as of then)
            paid_on AS (
                SELECT n.deal_id,
                       CASE WHEN n.deal_id IN (SELECT deal_id FROM changed_later)
                            THEN (SELECT s.closed_on FROM state s
                                  WHERE s.deal_id = n.deal_id AND s.status = 'won')
                            WHEN d.status = 'won' AND d.opened_on <= :as_of THEN d.closed_on
                       END AS closed_on
                FROM {deals} n JOIN deal d ON d.id = n.deal_id)
            SELECT 'all', NULL, COUNT(*), SUM(p.closed_on >= f.first_on)
            FROM {first} f
            JOIN paid_on p ON p.deal_id = f.deal_id
            {per_group if groups else ""}""",
        {"as_of": as_of.isoformat(), "start": start.isoformat(), "end": end.isoformat()},
    )
    found = []
    for by, group, nudged, paid in rows:
        if by == "stage":
            group = (labels or {}).get(group) if group is not None else None
        found.append(NudgedDeals(by, group, int(nudged or 0), int(paid or 0)))
    return found
