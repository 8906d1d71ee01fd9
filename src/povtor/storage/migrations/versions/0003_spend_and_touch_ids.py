"""Spend per lead source; a stable external id on touches (for re-imports).

Revision ID: 0003_spend_and_touch_ids
Revises: 0002_templates
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0003_spend_and_touch_ids"
down_revision = "0002_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.CheckConstraint("amount_minor >= 0", name="ck_spend_amount"),
        sa.CheckConstraint("period_end >= period_start", name="ck_spend_period"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("source_spend") as batch:
        batch.create_index(batch.f("ix_source_spend_source"), ["source"], unique=False)
    with batch_alter_table("touch") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch.create_unique_constraint("uq_touch_external_id", ["external_id"])


def downgrade() -> None:
    with batch_alter_table("touch") as batch:
        batch.drop_constraint("uq_touch_external_id", type_="unique")
        batch.drop_column("external_id")
    op.drop_table("source_spend")
