"""The ``owner`` column of clients, deals and touches: the seller by name.

A database with sellers exports it (``storage.transfer.export``); an import that has it
restores it: a client's owner, a deal's own owner (a deal handed over on its own; empty:
it follows its client), the seller who logged a touch. A name the database's team does
not know is a problem of its line, and nothing is imported. A file without the column
leaves the owners as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from povtor.i18n import _
from povtor.storage.seller_queries import seller_key

if TYPE_CHECKING:
    from povtor.storage.transfer.importer import Importer

COLUMN = "owner"
TABLES = {"clients": "client", "deals": "deal", "touches": "touch"}


def _sellers(imp: Importer) -> dict[str, tuple[int, bool]]:
    """{folded name: (id, removed)} of every seller of the database."""
    return {
        str(r["name_key"]): (int(r["id"]), r["removed_on"] is not None)
        for r in imp.db.rows("SELECT id, name_key, removed_on FROM seller")
    }


class Owners:
    """The owners one file gives, checked row by row, written after its rows."""

    def __init__(self, imp: Importer, table: str, head: Any) -> None:
        self.imp = imp
        self.table = TABLES[table]
        self.present = COLUMN in head.index
        self.label = head.labels.get(COLUMN, COLUMN) if self.present else COLUMN
        self.history = table == "touches"  # a removed seller logged touches too
        self._given: list[tuple[int, int | None]] = []
        self._before: dict[int, Any] | None = None  # see _stored

    def check(self, rec: dict[str, Any], source: str, where: Any) -> bool:
        """Whether the row's owner (if the file has the column) is a seller of the team;
        else its problem is noted."""
        if not self.present or not rec.get(COLUMN):
            return True
        name = str(rec[COLUMN])
        found = self.imp.shared(_sellers).get(seller_key(name))
        if found is None or (found[1] and not self.history):
            self.imp.check.problem(
                source,
                where,
                (
                    _("{label}: no seller {name!r} (add them first: povtor seller add NAME)")
                    if found is None
                    else _("{label}: seller {name!r} was removed from the team")
                ).format(label=self.label, name=name),
            )
            return False
        return True

    def _seller(self, rec: dict[str, Any]) -> int | None:
        name = rec.get(COLUMN)
        return self.imp.shared(_sellers)[seller_key(str(name))][0] if name else None

    def _stored(self) -> dict[int, Any]:
        """Each row's owner as the file found it, read once (the file's own writes leave
        ``seller_id`` alone: new rows have none until :meth:`write`)."""
        if self._before is None:
            self._before = {
                int(r[0]): r[1]
                for r in self.imp.db.tuples(f"SELECT id, seller_id FROM {self.table}")
            }
        return self._before

    def moves(self, row_id: int, rec: dict[str, Any]) -> bool:
        """Whether the file's row gives the stored row ``row_id`` another owner (so the
        row is changed even when nothing else of it is)."""
        return self.present and self._stored().get(row_id) != self._seller(rec)

    def give(self, row_id: int, rec: dict[str, Any]) -> None:
        """The row ``row_id`` is the one the file's row wrote or matched."""
        if self.present:
            self._given.append((row_id, self._seller(rec)))

    def write(self) -> None:
        """Plan the changes of owner (after the rows themselves are planned)."""
        if not self._given:
            return
        stored = self._stored()
        self.imp.ops(
            f"UPDATE {self.table} SET seller_id = ? WHERE id = ?",
            [(seller, row_id) for row_id, seller in self._given if stored.get(row_id) != seller],
        )
        self._given = []
