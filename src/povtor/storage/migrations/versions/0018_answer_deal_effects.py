"""What an answer to the client's own question did to its deals, kept to undo it:
``touch_deal_effect``.

A "no" to the client's own question loses every open deal of the client, and a "yes"
with ``--open`` opens the deal it asks for. ``povtor nudge undo`` and ``nudge delete``
put those back exactly as they put back what a touch on a deal did: each lost deal's
fields before the loss and the history entry of the loss, and the opened deal. A touch
logged before this revision has none kept: taking it back leaves its deals as they are
and says so.

Revision ID: 0018_answer_deal_effects
Revises: 0017_touch_report_index
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_answer_deal_effects"
down_revision = "0017_touch_report_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "touch_deal_effect",
        sa.Column("touch_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("deal_before", sa.String(), nullable=True),
        sa.Column("deal_after", sa.String(), nullable=True),
        sa.Column("history_id", sa.Integer(), nullable=True),
        sa.Column("opened", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["touch_id"], ["touch.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("touch_id", "deal_id"),
    )
    op.create_index("ix_touch_deal_effect_deal_id", "touch_deal_effect", ["deal_id"])


def downgrade() -> None:
    op.drop_index("ix_touch_deal_effect_deal_id", table_name="touch_deal_effect")
    op.drop_table("touch_deal_effect")
