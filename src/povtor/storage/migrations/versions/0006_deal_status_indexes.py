"""Deals by status first: purchase histories, revenue and closed-deal windows from the index.

The plan and the reports ask for "won deals per client, oldest first" and "won (or lost)
deals closed in a window" on every run. With the status leading, the first is one ordered
pass over the index (no sort, no table reads) and the second a range of it.

Revision ID: 0006_deal_status_indexes
Revises: 0005_growing_clients
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0006_deal_status_indexes"
down_revision = "0005_growing_clients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_deal_client_status", table_name="deal")
    op.create_index(
        "ix_deal_status_client",
        "deal",
        ["status", "client_id", "closed_on", "id", "amount_minor", "currency"],
    )
    op.create_index("ix_deal_status_closed", "deal", ["status", "closed_on"])


def downgrade() -> None:
    op.drop_index("ix_deal_status_closed", table_name="deal")
    op.drop_index("ix_deal_status_client", table_name="deal")
    op.create_index(
        "ix_deal_client_status", "deal", ["client_id", "status", "closed_on", "amount_minor"]
    )
