"""A touch's id is never given to another: ``touch`` is an AUTOINCREMENT table.

``nudge undo`` and ``nudge delete`` remove a touch, and the record of corrections
(``povtor db changes``) names it by its id. SQLite gives a new row the largest id in the
table plus one, so the next touch logged took the id of the one just taken back, and the
record then named two touches by one number. With AUTOINCREMENT an id is used once. On
SQLite the table is rebuilt (every row and index as it was); a PostgreSQL server's
identity column never gave an id twice, and is left as it is.

Revision ID: 0019_touch_ids_kept
Revises: 0018_answer_deal_effects
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0019_touch_ids_kept"
down_revision = "0018_answer_deal_effects"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with batch_alter_table(
        "touch", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
