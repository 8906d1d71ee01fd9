"""Initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23

Clients, their people and talking facts; funnels and stages (with the three
default funnels); deals and their append-only stage history; touches; settings.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_key", sa.String(), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=1), nullable=True),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.CheckConstraint("category IN ('A', 'B', 'C')", name="ck_client_category"),
        sa.CheckConstraint("status IN ('active', 'archived')", name="ck_client_status"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_search_key"), ["search_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_status"), ["status"], unique=False)

    op.create_table(
        "funnel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_client_id"), ["client_id"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_client_id"), ["client_id"], unique=False)

    op.create_table(
        "stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("funnel_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["funnel_id"], ["funnel.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("funnel_id", "code", name="uq_stage_funnel_code"),
        sa.UniqueConstraint("funnel_id", "position", name="uq_stage_funnel_position"),
    )
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_funnel_id"), ["funnel_id"], unique=False)

    op.create_table(
        "deal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("funnel_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("stage_entered_on", sa.Date(), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("lost_reason", sa.String(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.CheckConstraint("status IN ('open', 'won', 'lost')", name="ck_deal_status"),
        sa.CheckConstraint("amount_minor IS NULL OR amount_minor >= 0", name="ck_deal_amount"),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["funnel_id"], ["funnel.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_funnel_id"), ["funnel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deal_stage_id"), ["stage_id"], unique=False)
        batch_op.create_index("ix_deal_status_stage", ["status", "stage_id"], unique=False)

    op.create_table(
        "stage_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=10), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.CheckConstraint(
            "event IN ('open', 'move', 'win', 'lose', 'reopen')", name="ck_change_event"
        ),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["from_stage_id"], ["stage.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["to_stage_id"], ["stage.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_change_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stage_change_from_stage_id"), ["from_stage_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stage_change_on_date"), ["on_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stage_change_to_stage_id"), ["to_stage_id"], unique=False
        )

    op.create_table(
        "touch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("text", sa.String(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('call', 'email', 'messenger', 'meeting', 'gift', 'other')",
            name="ck_touch_channel",
        ),
        sa.CheckConstraint("kind IN ('warming', 'closing', 'service')", name="ck_touch_kind"),
        sa.CheckConstraint(
            "outcome IN ('pending', 'yes', 'no', 'later', 'no_answer')", name="ck_touch_outcome"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("touch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_touch_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_touch_client_on", ["client_id", "on_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_touch_deal_id"), ["deal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_touch_stage_id"), ["stage_id"], unique=False)

    _seed_default_funnels()


# The three default funnels of PRODUCT.md: (code, name, stages); a stage is
# (code, name, is_won, limit_days). Users may change them later; these are data.
DEFAULT_FUNNELS = [
    (
        "repeat",
        "Повторные продажи",
        [
            ("base", "База", False, 2),
            ("request", "Запрос", False, 2),
            ("proposal", "КП отправлено", False, 3),
            ("invoice", "Счёт отправлен", False, 3),
            ("paid", "Оплата получена", True, None),
        ],
    ),
    (
        "first",
        "Первая продажа",
        [
            ("lead", "Лид", False, 2),
            ("contact", "Контакт", False, 5),
            ("meeting", "Встреча", False, 5),
            ("proposal", "КП отправлено", False, 3),
            ("invoice", "Счёт отправлен", False, 3),
            ("paid", "Оплата получена", True, None),
        ],
    ),
    (
        "refusal",
        "Отказы",
        [
            ("revisit", "Прозвон отказа", False, 3),
            ("interest", "Интерес вернулся", False, 3),
            ("proposal", "КП отправлено", False, 3),
            ("invoice", "Счёт отправлен", False, 3),
            ("paid", "Оплата получена", True, None),
        ],
    ),
]


def _seed_default_funnels() -> None:
    funnel = sa.table("funnel", sa.column("id", sa.Integer), sa.column("code"), sa.column("name"))
    stage = sa.table(
        "stage",
        sa.column("funnel_id", sa.Integer),
        sa.column("code"),
        sa.column("name"),
        sa.column("position", sa.Integer),
        sa.column("is_won", sa.Boolean),
        sa.column("limit_days", sa.Integer),
    )
    for funnel_id, (code, name, stages) in enumerate(DEFAULT_FUNNELS, start=1):
        op.bulk_insert(funnel, [{"id": funnel_id, "code": code, "name": name}])
        op.bulk_insert(
            stage,
            [
                {
                    "funnel_id": funnel_id,
                    "code": s_code,
                    "name": s_name,
                    "position": position,
                    "is_won": is_won,
                    "limit_days": limit,
                }
                for position, (s_code, s_name, is_won, limit) in enumerate(stages, start=1)
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("touch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_touch_stage_id"))
        batch_op.drop_index(batch_op.f("ix_touch_deal_id"))
        batch_op.drop_index("ix_touch_client_on")
        batch_op.drop_index(batch_op.f("ix_touch_client_id"))

    op.drop_table("touch")
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_change_to_stage_id"))
        batch_op.drop_index(batch_op.f("ix_stage_change_on_date"))
        batch_op.drop_index(batch_op.f("ix_stage_change_from_stage_id"))
        batch_op.drop_index(batch_op.f("ix_stage_change_deal_id"))

    op.drop_table("stage_change")
    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_status_stage")
        batch_op.drop_index(batch_op.f("ix_deal_stage_id"))
        batch_op.drop_index(batch_op.f("ix_deal_funnel_id"))
        batch_op.drop_index(batch_op.f("ix_deal_client_id"))

    op.drop_table("deal")
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_funnel_id"))

    op.drop_table("stage")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_client_id"))

    op.drop_table("person")
    with op.batch_alter_table("fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_client_id"))

    op.drop_table("fact")
    op.drop_table("setting")
    op.drop_table("funnel")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_status"))
        batch_op.drop_index(batch_op.f("ix_client_search_key"))

    op.drop_table("client")
