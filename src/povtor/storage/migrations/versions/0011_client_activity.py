"""Each client's activity, kept up to date on every write, for the plan to read.

``client_activity`` holds one row per client with a touch or a paid deal: the day of its
newest touch, the warming touches since its last closing touch, the day of its latest
service contact answered yes or no, the day of its latest paid deal, and its latest
answer and latest unanswered question on its general conversation (see
:mod:`povtor.storage.activity`). The plan reads it instead of seeking the touch and deal
indexes of every client. The rows are filled from the history here.

Revision ID: 0011_client_activity
Revises: 0010_inline_checks
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_client_activity"
down_revision = "0010_inline_checks"
branch_labels = None
depends_on = None

FILL = """
INSERT INTO client_activity (client_id, last_touch_on, warming_since_closing,
    last_service_on, last_won_on, said_touch_id, said_at, said_on, said_kind, said_outcome,
    said_follow_up_on, asked_at, asked_on)
WITH facts AS MATERIALIZED (
  SELECT c.id,
    (SELECT MAX(t.on_date) FROM touch t WHERE t.client_id = c.id) AS last_touch_on,
    (SELECT t.on_date || '|' || t.at FROM touch t
      WHERE t.client_id = c.id AND t.kind = 'closing'
      ORDER BY t.on_date DESC, t.at DESC LIMIT 1) AS closing,
    (SELECT MAX(t.on_date) FROM touch t
      WHERE t.client_id = c.id AND t.kind = 'service' AND t.outcome IN ('yes', 'no'))
      AS last_service_on,
    (SELECT MAX(d.closed_on) FROM deal d WHERE d.client_id = c.id AND d.status = 'won')
      AS last_won_on,
    (SELECT t.id FROM touch t
      WHERE t.client_id = c.id AND t.deal_id IS NULL
        AND (t.purpose IS NULL OR t.purpose = 'referrals')
        AND ((t.kind = 'closing' AND t.outcome IN ('yes', 'no', 'later'))
          OR (t.kind = 'warming' AND t.outcome IN ('no', 'later')))
      ORDER BY t.at DESC, t.purpose IS NOT NULL,
        CASE t.kind || ' ' || t.outcome WHEN 'closing yes' THEN 0 WHEN 'closing no' THEN 1
          WHEN 'closing later' THEN 2 WHEN 'warming no' THEN 3 ELSE 4 END,
        t.on_date, t.follow_up_on, t.id
      LIMIT 1) AS said_touch_id,
    (SELECT t.id FROM touch t
      WHERE t.client_id = c.id AND t.deal_id IS NULL
        AND (t.purpose IS NULL OR t.purpose = 'referrals')
        AND t.kind = 'closing' AND t.outcome IN ('no_answer', 'pending')
      ORDER BY t.at DESC, t.purpose IS NOT NULL, t.outcome = 'pending',
        t.on_date, t.follow_up_on, t.id
      LIMIT 1) AS asked_touch_id
  FROM client c
)
SELECT f.id, f.last_touch_on,
  (SELECT COUNT(*) FROM touch w WHERE w.client_id = f.id AND w.kind = 'warming'
    AND w.on_date >= COALESCE(substr(f.closing, 1, 10), '')
    AND (f.closing IS NULL OR w.at > substr(f.closing, 12))),
  f.last_service_on, f.last_won_on,
  f.said_touch_id, s.at, s.on_date, s.kind, s.outcome, s.follow_up_on, q.at, q.on_date
FROM facts f
LEFT JOIN touch s ON s.id = f.said_touch_id
LEFT JOIN touch q ON q.id = f.asked_touch_id
WHERE f.last_touch_on IS NOT NULL OR f.last_won_on IS NOT NULL
"""


def upgrade() -> None:
    op.create_table(
        "client_activity",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("last_touch_on", sa.Date(), nullable=True),
        sa.Column("warming_since_closing", sa.Integer(), nullable=False),
        sa.Column("last_service_on", sa.Date(), nullable=True),
        sa.Column("last_won_on", sa.Date(), nullable=True),
        sa.Column("said_touch_id", sa.Integer(), nullable=True),
        sa.Column("said_at", sa.DateTime(), nullable=True),
        sa.Column("said_on", sa.Date(), nullable=True),
        sa.Column("said_kind", sa.String(length=10), nullable=True),
        sa.Column("said_outcome", sa.String(length=10), nullable=True),
        sa.Column("said_follow_up_on", sa.Date(), nullable=True),
        sa.Column("asked_at", sa.DateTime(), nullable=True),
        sa.Column("asked_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FILL)
    # on a PostgreSQL server the rows are filled once the upgrade has made its days and
    # times read as SQLite's (povtor.storage.postgres.setup)


def downgrade() -> None:
    op.drop_table("client_activity")
