"""Indexes for the conversation with each client: its answers, and the nudges of a stage.

The plan reads each client's latest answer on its general conversation (a touch with no
deal and no purpose answered yes, no or later) and its latest question left unanswered
(see :mod:`povtor.domain.conversation`). With the outcome leading, those are a few short
ranges of one index and never a visit to the touch rows. A deal's nudges in its current
stage are told from those of earlier stages by the touch's stage: ``ix_touch_deal_on``
carries it, so the last nudge in the stage is read from the index too.

Revision ID: 0009_conversation_indexes
Revises: 0006_deal_status_indexes
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0009_conversation_indexes"
down_revision = "0008_corrections"
branch_labels = None
depends_on = None

OUTCOME_COLUMNS = [
    "outcome",
    "deal_id",
    "purpose",
    "kind",
    "client_id",
    "at",
    "on_date",
    "follow_up_on",
]


def upgrade() -> None:
    op.create_index("ix_touch_outcome", "touch", OUTCOME_COLUMNS)
    op.drop_index("ix_touch_deal_on", table_name="touch")
    op.create_index("ix_touch_deal_on", "touch", ["deal_id", "on_date", "stage_id"])


def downgrade() -> None:
    op.drop_index("ix_touch_deal_on", table_name="touch")
    op.create_index("ix_touch_deal_on", "touch", ["deal_id", "on_date"])
    op.drop_index("ix_touch_outcome", table_name="touch")
