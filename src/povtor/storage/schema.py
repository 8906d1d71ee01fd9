"""The schema revisions this povtor knows, oldest first, without importing Alembic.

Opening a database compares its ``alembic_version`` with :data:`HEAD`; only a
database that needs it pays for importing Alembic. A test checks this list against
the migration scripts.
"""

from __future__ import annotations

REVISIONS: tuple[str, ...] = (
    "0001_initial",
    "0002_templates",
    "0003_spend_and_touch_ids",
    "0004_touch_indexes",
    "0005_growing_clients",
    "0006_deal_status_indexes",
    "0007_warming_content",
    "0008_corrections",
    "0009_conversation_indexes",
    "0010_inline_checks",
    "0011_client_activity",
    "0012_sellers",
    "0014_removed_sellers",
    "0015_paid_days",
    "0016_said_reason",
    "0017_touch_report_index",
    "0018_answer_deal_effects",
    "0019_touch_ids_kept",
)
HEAD = REVISIONS[-1]
