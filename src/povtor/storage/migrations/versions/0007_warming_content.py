"""Warming content: the seller's own library of useful material for warming touches.

Revision ID: 0007_warming_content
Revises: 0006_deal_status_indexes
Create Date: 2026-11-24

- ``warming_content``: a useful item to share (a text, often with a link), for the
  clients of an industry or for anyone, with an optional tag (matched against the
  topics of a client's facts) and the language it is written in. A warming touch that
  shared one records purpose ``content`` and about ``content:ID``; ids are never reused
  (AUTOINCREMENT), so a removed item's touches never point at a new one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_warming_content"
down_revision = "0006_deal_status_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warming_content",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("tag", sa.String(length=200), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.CheckConstraint("lang IN ('ru', 'en')", name="ck_warming_content_lang"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("warming_content")
