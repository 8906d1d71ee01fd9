"""Indexes that let the plan and the reports read touches without visiting each row.

Revision ID: 0004_touch_indexes
Revises: 0003_spend_and_touch_ids
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004_touch_indexes"
down_revision = "0003_spend_and_touch_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_touch_client_on", table_name="touch")
    op.create_index("ix_touch_client_on", "touch", ["client_id", "on_date", "kind", "at"])
    op.create_index("ix_touch_kind_on", "touch", ["kind", "on_date"])
    op.create_index("ix_touch_deal_on", "touch", ["deal_id", "on_date"])


def downgrade() -> None:
    op.drop_index("ix_touch_deal_on", table_name="touch")
    op.drop_index("ix_touch_kind_on", table_name="touch")
    op.drop_index("ix_touch_client_on", table_name="touch")
    op.create_index("ix_touch_client_on", "touch", ["client_id", "on_date"])
