"""Every table out in povtor's canonical format (:data:`povtor.domain.formats.TABLES`).

Plain SQL, plain data: the caller gets the columns and the rows and decides how they are
written (csv, tsv, json, jsonl, or CSV for Excel).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from povtor.domain.formats import TABLES
from povtor.records import record
from povtor.storage.database import Database, to_datetime
from povtor.storage.seller_queries import has_sellers
from povtor.storage.transfer.owners import COLUMN as OWNER

_EXPORT_SQL = {
    "clients": """SELECT id, name, company, category, industry, source, phone, email, address,
                         notes, status, created_on, external_id, category_source,
                         referred_by_id{owner}
                  FROM client ORDER BY id""",
    "people": """SELECT id, client_id, name, role, phone, email, birthday,
                        CASE WHEN is_main THEN 'yes' ELSE 'no' END
                 FROM person ORDER BY id""",
    "facts": "SELECT id, client_id, topic, text, noted_on FROM fact ORDER BY id",
    "deals": """SELECT d.id, d.client_id, f.code, s.code, d.title, d.amount_minor, d.currency,
                       d.status, d.opened_on, d.stage_entered_on, d.expected_on, d.closed_on,
                       d.lost_reason, d.follow_up_on, d.external_id{owner}
                FROM deal d JOIN funnel f ON f.id = d.funnel_id JOIN stage s ON s.id = d.stage_id
                ORDER BY d.id""",
    "stage-history": """SELECT h.id, h.deal_id, h.event, fs.code, ts.code, h.at, h.on_date,
                               h.reason
                        FROM stage_change h
                        LEFT JOIN stage fs ON fs.id = h.from_stage_id
                        LEFT JOIN stage ts ON ts.id = h.to_stage_id
                        ORDER BY h.id""",
    "touches": """SELECT t.id, t.client_id, t.deal_id,
                         CASE WHEN s.id IS NULL THEN NULL WHEN t.deal_id IS NULL
                              THEN f.code || '/' || s.code ELSE s.code END,
                         t.at, t.on_date, t.kind, t.channel, t.outcome, t.reason,
                         t.follow_up_on, t.text, t.external_id, t.answer, t.purpose,
                         t.purpose_ref{owner}
                  FROM touch t LEFT JOIN stage s ON s.id = t.stage_id
                  LEFT JOIN funnel f ON f.id = s.funnel_id
                  ORDER BY t.id""",
    # (the related names in the order of their ids: the subquery orders group_concat)
    "products": """SELECT p.id, p.name, p.price_minor, p.currency,
                         CASE WHEN p.is_backend THEN 'yes' ELSE 'no' END, p.note,
                         (SELECT group_concat(name, '; ')
                          FROM (SELECT r.name FROM product_link l
                                JOIN product r ON r.id = l.related_id
                                WHERE l.product_id = p.id ORDER BY r.id))
                  FROM product p ORDER BY p.id""",
    "deal-products": """SELECT dp.deal_id, p.name FROM deal_product dp
                       JOIN product p ON p.id = dp.product_id ORDER BY dp.id""",
    "occasions": """SELECT id, client_id, person_id, title, month, day, year
                   FROM occasion ORDER BY id""",
    "client-steps": """SELECT cs.client_id, s.category, s.code, cs.done_on, cs.note
                      FROM client_step cs JOIN roadmap_step s ON s.id = cs.step_id
                      ORDER BY cs.id""",
    "roadmap": """SELECT category, position, code, title, script FROM roadmap_step
                 ORDER BY category, position""",
    "holiday-links": "SELECT holiday, industry FROM holiday_industry ORDER BY id",
    "warming-content": """SELECT text, industry, tag, lang, added_on FROM warming_content
                         ORDER BY id""",
}


# the tables with an owner (a seller): its name, the last column, when there are sellers
_OWNER = {"clients": "client.seller_id", "deals": "d.seller_id", "touches": "t.seller_id"}


def columns(db: Database, table: str) -> tuple[tuple[str, str], ...]:
    """The (column, kind) pairs of ``table`` as this database exports it: the canonical
    ones, and ``owner`` on clients, deals and touches once the database has sellers (a
    seller on their own exports exactly what they always did)."""
    if table in _OWNER and has_sellers(db):
        return (*TABLES[table], (OWNER, "text"))
    return TABLES[table]


def _sql(table: str, spec: tuple[tuple[str, str], ...]) -> str:
    owned = table in _OWNER and spec[-1][0] == OWNER
    owner = f", (SELECT s.name FROM seller s WHERE s.id = {_OWNER[table]})" if owned else ""
    return _EXPORT_SQL[table].replace("{owner}", owner)


@record(frozen=True, slots=True)
class Exported:
    """One table in the canonical format: its (column, kind) pairs and its rows."""

    table: str
    columns: tuple[tuple[str, str], ...]
    rows: list[list[Any]]


def export_table(db: Database, table: str) -> Exported:
    """All rows of one table in the canonical format, ordered by id."""
    spec = columns(db, table)
    kinds = [kind for _, kind in spec]
    rows = []
    for row in db.rows(_sql(table, spec)):
        rows.append([_export_value(kind, value) for kind, value in zip(kinds, row, strict=True)])
    return Exported(table, spec, rows)


def iterate_table(db: Database, table: str) -> Iterator[list[Any]]:
    """The rows of :func:`export_table`, read from the cursor while the caller writes
    them: memory does not grow with the table."""
    spec = columns(db, table)
    kinds = [kind for _, kind in spec]
    dated = [(n, kind) for n, kind in enumerate(kinds) if kind in ("date", "datetime")]
    for row in db.iterate(_sql(table, spec)):
        values = list(row)
        for n, kind in dated:
            values[n] = _export_value(kind, values[n])
        yield values


def _export_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return to_datetime(value).isoformat()  # type: ignore[union-attr]
    if kind == "date":
        return str(value)[:10]
    return value
