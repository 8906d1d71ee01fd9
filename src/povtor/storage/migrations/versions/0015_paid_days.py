"""Each client's paid days in its activity: ``client_activity.paid_days`` and
``last_paid_amount``.

The plan needs, for every client, the distinct days it paid on (its purchase cycle, its
first and latest purchase) and the amount of its latest paid deal. Kept in the client's
activity row (see :mod:`povtor.storage.activity`), they are read with the rest of the
client's facts instead of from every paid deal of the history. ``paid_days`` holds the
days in order, comma-separated (``2025-03-05,2025-11-13``). The rows are filled from the
history here. An index on ``last_touch_on`` finds the newest touch of all at once (a plan
reads the activity only when no touch is dated after its day).

Revision ID: 0015_paid_days
Revises: 0014_removed_sellers
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0015_paid_days"
down_revision = "0014_removed_sellers"
branch_labels = None
depends_on = None

FILL = """
UPDATE client_activity SET
  paid_days = (SELECT group_concat(p.closed_on, ',') FROM (
      SELECT DISTINCT d.closed_on FROM deal d
      WHERE d.client_id = client_activity.client_id AND d.status = 'won'
      ORDER BY d.closed_on) p),
  last_paid_amount = (SELECT d.amount_minor FROM deal d
      WHERE d.client_id = client_activity.client_id AND d.status = 'won'
      ORDER BY d.closed_on DESC, d.id DESC LIMIT 1)
"""


def upgrade() -> None:
    op.add_column("client_activity", sa.Column("paid_days", sa.String(), nullable=True))
    op.add_column("client_activity", sa.Column("last_paid_amount", sa.BigInteger(), nullable=True))
    op.create_index("ix_client_activity_last_touch_on", "client_activity", ["last_touch_on"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FILL)
    # on a PostgreSQL server the rows are filled again after every upgrade
    # (povtor.storage.postgres.setup)


def downgrade() -> None:
    op.drop_index("ix_client_activity_last_touch_on", table_name="client_activity")
    with batch_alter_table("client_activity") as batch:
        batch.drop_column("last_paid_amount")
        batch.drop_column("paid_days")
