"""Removed sellers stay on record: ``seller.removed_on``.

A seller who leaves the team is marked removed (the day, ``removed_on``) instead of
deleted: the touches they logged keep their name and their figures stay theirs. A
removed seller is not listed (``seller list --all`` shows them), cannot be given clients
or deals, cannot be the current seller, and is back on the team when added again.

Revision ID: 0014_removed_sellers
Revises: 0012_sellers
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0014_removed_sellers"
down_revision = "0012_sellers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("seller", sa.Column("removed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with batch_alter_table("seller") as batch:
        batch.drop_column("removed_on")
