"""The reason of each client's latest answer in its activity:
``client_activity.said_reason``.

When a client's latest answer on its general conversation is a "no", the plan shows why
(«дорого», «есть поставщик») and the revisit script names it. Kept in the client's
activity row (see :mod:`povtor.storage.activity`) beside the answer itself, it is read
with the rest of the client's facts instead of from the touches of every "no". The rows
are filled from the touches here.

Revision ID: 0016_said_reason
Revises: 0015_paid_days
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0016_said_reason"
down_revision = "0015_paid_days"
branch_labels = None
depends_on = None

FILL = """
UPDATE client_activity SET
  said_reason = (SELECT t.reason FROM touch t WHERE t.id = client_activity.said_touch_id)
WHERE said_touch_id IS NOT NULL
"""


def upgrade() -> None:
    op.add_column("client_activity", sa.Column("said_reason", sa.String(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FILL)
    # on a PostgreSQL server the rows are filled again after every upgrade
    # (povtor.storage.postgres.setup)


def downgrade() -> None:
    with batch_alter_table("client_activity") as batch:
        batch.drop_column("said_reason")
