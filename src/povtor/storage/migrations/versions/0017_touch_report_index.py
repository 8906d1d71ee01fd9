"""The nudges of a period counted from one index: ``ix_touch_kind_on`` carries the
channel, the stage and the outcome of each touch.

``stats nudges`` counts the warming and closing touches of a period by kind, channel,
stage, outcome and whether on a deal, and the deals they nudged by channel and by stage.
With those columns in the index that ranges the touches by kind and date, both are read
from the index alone, never from the touch rows (a month of nudges at 100,000 clients:
half the time).

Revision ID: 0017_touch_report_index
Revises: 0016_said_reason
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0017_touch_report_index"
down_revision = "0016_said_reason"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_touch_kind_on", table_name="touch")
    op.create_index(
        "ix_touch_kind_on",
        "touch",
        ["kind", "on_date", "deal_id", "channel", "stage_id", "outcome"],
    )


def downgrade() -> None:
    op.drop_index("ix_touch_kind_on", table_name="touch")
    op.create_index("ix_touch_kind_on", "touch", ["kind", "on_date", "deal_id"])
