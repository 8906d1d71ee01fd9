"""Corrections: undo a touch, edit deals and people, a main contact, and their record.

Revision ID: 0008_corrections
Revises: 0006_deal_status_indexes
Create Date: 2026-11-24

- ``person.is_main``: the client's main contact, whom the drafts greet;
- ``change_log``: every correction (a touch undone, edited or deleted, a deal or a person
  edited, a person removed, a main contact chosen) with the record before and after, as
  JSON, so that figures that changed can be explained;
- ``touch_effect``: what logging a touch changed beyond the touch (the deal's fields, the
  stage history entry, a roadmap step, a referral), so that ``povtor nudge undo`` puts it
  back exactly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0008_corrections"
down_revision = "0007_warming_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: rebuilding ``person`` would drop the table occasions point at
    op.execute("ALTER TABLE person ADD COLUMN is_main BOOLEAN DEFAULT '0' NOT NULL")
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("entity", sa.String(length=10), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.String(), nullable=True),
        sa.Column("after", sa.String(), nullable=True),
        sa.CheckConstraint("entity IN ('touch', 'deal', 'person')", name="ck_change_log_entity"),
        sa.CheckConstraint(
            "action IN ('undo', 'delete', 'edit', 'remove', 'main')", name="ck_change_log_action"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_log_client_id", "change_log", ["client_id"])
    op.create_index("ix_change_log_deal_id", "change_log", ["deal_id"])
    op.create_table(
        "touch_effect",
        sa.Column("touch_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("deal_before", sa.String(), nullable=True),
        sa.Column("deal_after", sa.String(), nullable=True),
        sa.Column("history_id", sa.Integer(), nullable=True),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("referred_client_id", sa.Integer(), nullable=True),
        sa.Column("referred_deal_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["touch_id"], ["touch.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("touch_id"),
    )
    op.create_index("ix_touch_effect_deal_id", "touch_effect", ["deal_id"])


def downgrade() -> None:
    op.drop_index("ix_touch_effect_deal_id", table_name="touch_effect")
    op.drop_table("touch_effect")
    op.drop_index("ix_change_log_deal_id", table_name="change_log")
    op.drop_index("ix_change_log_client_id", table_name="change_log")
    op.drop_table("change_log")
    with batch_alter_table("person") as batch:
        batch.drop_column("is_main")
