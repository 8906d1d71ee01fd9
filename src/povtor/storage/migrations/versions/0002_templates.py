"""Message templates a user writes or edits.

Revision ID: 0002_templates
Revises: 0001_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_templates"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("funnel", sa.String(length=50), nullable=False),
        sa.Column("stage", sa.String(length=50), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('warming', 'closing', 'service')", name="ck_template_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "funnel", "stage", "lang", name="uq_template_key"),
    )


def downgrade() -> None:
    op.drop_table("template")
