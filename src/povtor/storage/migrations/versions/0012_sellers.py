"""Sellers: a team on one database, each seller with their own clients and plan.

- ``seller``: a member of the team, by name (unique whatever its case: ``name_key`` is the
  folded name, as client search keys are);
- ``client.seller_id``: the client's owner (none: nobody's yet); its deals and touches
  follow it;
- ``deal.seller_id``: a deal handed over on its own (a refused deal given to whoever works
  the refusals); none: the deal follows its client's owner;
- ``touch.seller_id``: the seller who logged the touch (the current seller then; none:
  a seller on their own, or one removed since: the touch counts for its owner again);
- ``handover``: every change of owner, of a client or of a deal: from whom, to whom
  (their names then: the record outlives a seller removed later), when, with a note.

Plain ADD COLUMNs: rebuilding ``client`` or ``deal`` would drop the tables pointing at them.

Revision ID: 0012_sellers
Revises: 0011_client_activity
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0012_sellers"
down_revision = "0011_client_activity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seller",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key", name="uq_seller_name_key"),
    )
    op.execute("ALTER TABLE client ADD COLUMN seller_id INTEGER REFERENCES seller (id)")
    op.create_index("ix_client_seller_id", "client", ["seller_id"])
    op.execute("ALTER TABLE deal ADD COLUMN seller_id INTEGER REFERENCES seller (id)")
    op.create_index("ix_deal_seller_id", "deal", ["seller_id"])
    op.execute("ALTER TABLE touch ADD COLUMN seller_id INTEGER REFERENCES seller (id)")
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("entity", sa.String(length=10), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("from_seller", sa.String(length=200), nullable=True),
        sa.Column("to_seller", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.CheckConstraint("entity = 'client' OR entity = 'deal'", name="ck_handover_entity"),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_client_id", "handover", ["client_id"])
    op.create_index("ix_handover_deal_id", "handover", ["deal_id"])


def downgrade() -> None:
    op.drop_index("ix_handover_deal_id", table_name="handover")
    op.drop_index("ix_handover_client_id", table_name="handover")
    op.drop_table("handover")
    with batch_alter_table("touch") as batch:
        batch.drop_column("seller_id")
    op.drop_index("ix_deal_seller_id", table_name="deal")
    with batch_alter_table("deal") as batch:
        batch.drop_column("seller_id")
    op.drop_index("ix_client_seller_id", table_name="client")
    with batch_alter_table("client") as batch:
        batch.drop_column("seller_id")
    op.drop_table("seller")
