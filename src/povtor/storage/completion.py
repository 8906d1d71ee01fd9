"""What the shell offers after an option: client names, funnel codes and stage codes.

Read straight from the file with the SQLite driver, read-only and with a short wait:
a completion must come back at once, never create, upgrade or lock a database, and
never print an error (a missing or foreign file completes nothing).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from povtor.storage.queries import like_pattern
from povtor.text import fold

LIMIT = 200  # names offered at most: the shell lists them, nobody reads more
_WORD = re.compile(r"\w+")


def _connect(path: Path) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error:
        return None


def _read(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    connection = _connect(path)
    if connection is None:
        return []
    try:
        return connection.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []
    finally:
        connection.close()


def client_names(path: Path, typed: str) -> list[str]:
    """Client names whose name, or a word of it, starts with ``typed`` in any case
    (Cyrillic too: «ром» finds «ООО Ромашка»); names that start with it come first,
    active clients before archived ones."""
    key = fold(typed.strip())
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    select = "SELECT DISTINCT name, status FROM client WHERE search_key LIKE ? ESCAPE '\\'"
    # the names that start with it first (a substring query alone, cut at its limit,
    # could miss them), then those with a word that does
    rows = _read(path, select + " ORDER BY search_key LIMIT ?", (escaped + "%", LIMIT * 2))
    if len(rows) < LIMIT:
        rows += _read(
            path,
            select + " AND search_key NOT LIKE ? ESCAPE '\\' ORDER BY search_key LIMIT ?",
            (like_pattern(key), escaped + "%", LIMIT * 4),
        )
    ranked: list[tuple[int, int, str]] = []
    for name, status in rows:
        folded = fold(str(name))
        if folded.startswith(key):
            level = 0
        elif any(word.startswith(key) for word in _WORD.findall(folded)):
            level = 1
        else:
            continue  # (the company matched, not the name)
        ranked.append((level, 0 if status == "active" else 1, str(name)))
    ranked.sort(key=lambda r: (r[0], r[1]))
    names = list(dict.fromkeys(name for _, _, name in ranked))
    return names[:LIMIT]


def funnel_codes(path: Path) -> list[str]:
    return [str(code) for (code,) in _read(path, "SELECT code FROM funnel ORDER BY id")]


def stage_codes(path: Path, funnel: str | None, deal_id: int | None = None) -> list[str]:
    """The stage codes of the deal's funnel, or of ``funnel`` (its code, any case), or of
    every funnel, in order (a deal or a funnel that is not there: as if not named)."""
    rows: list[tuple[object, ...]] = []
    if deal_id is not None:
        rows = _read(
            path,
            """SELECT s.code FROM stage s JOIN deal d ON d.funnel_id = s.funnel_id
               WHERE d.id = ? ORDER BY s.position""",
            (deal_id,),
        )
    if not rows and funnel:
        rows = _read(
            path,
            """SELECT s.code FROM stage s JOIN funnel f ON f.id = s.funnel_id
               WHERE lower(f.code) = lower(?) ORDER BY s.position""",
            (funnel.strip(),),
        )
    if not rows:
        rows = _read(path, "SELECT code FROM stage ORDER BY funnel_id, position")
    return list(dict.fromkeys(str(code) for (code,) in rows))


def seller_names(path: Path) -> list[str]:
    """The team's sellers, those removed left out (none before the schema that keeps them,
    or with no team)."""
    rows = _read(path, "SELECT name FROM seller WHERE removed_on IS NULL ORDER BY name_key")
    return [str(name) for (name,) in rows]
