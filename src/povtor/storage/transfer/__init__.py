"""Export every table in povtor's canonical format, and import files into the database.

:func:`export_table` runs plain SQL and returns the columns and rows of one table.
Import: an :class:`Importer` reads the rows of a file (:mod:`povtor.domain.tabular`),
checks every cell (:class:`~povtor.domain.importing.RowChecker`), and the planner of the
file's kind (:data:`PLANNERS`, one module per kind of record) matches each row to an
existing record or plans a new one; only if no row has a problem are the writes run
(:meth:`Importer.apply`), inside the caller's single transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from povtor.domain.tabular import RawTable
from povtor.storage.transfer.catalog import plan_deal_products, plan_products
from povtor.storage.transfer.clients import plan_clients, plan_facts, plan_people
from povtor.storage.transfer.deals import HISTORY_INSERT, plan_deals
from povtor.storage.transfer.export import Exported, export_table
from povtor.storage.transfer.growth import (
    plan_client_steps,
    plan_holiday_links,
    plan_occasions,
    plan_roadmap,
    plan_warming_content,
)
from povtor.storage.transfer.history import plan_history
from povtor.storage.transfer.importer import Change, Importer
from povtor.storage.transfer.orders import plan_orders
from povtor.storage.transfer.touches import plan_touches

PLANNERS: dict[str, Callable[[Importer, RawTable], None]] = {
    "clients": plan_clients,
    "people": plan_people,
    "facts": plan_facts,
    "deals": plan_deals,
    "stage-history": plan_history,
    "touches": plan_touches,
    "orders": plan_orders,
    "products": plan_products,
    "deal-products": plan_deal_products,
    "occasions": plan_occasions,
    "client-steps": plan_client_steps,
    "roadmap": plan_roadmap,
    "holiday-links": plan_holiday_links,
    "warming-content": plan_warming_content,
}


def plan_all(importer: Importer, files: list[tuple[str, RawTable]]) -> None:
    """Plan the files in the order given (a file's references are planned before it).

    The history a deal gets when it is planned may be written with the deal unless a
    stage-history file is yet to be planned in the same import (it replaces such
    histories)."""
    for number, (kind, table) in enumerate(files):
        replaced = any(later == "stage-history" for later, _ in files[number:])
        importer.early_last = frozenset() if replaced else frozenset({HISTORY_INSERT})
        importer.more_files = number < len(files) - 1
        PLANNERS[kind](importer, table)


__all__ = ["PLANNERS", "Change", "Exported", "Importer", "export_table", "plan_all"]
