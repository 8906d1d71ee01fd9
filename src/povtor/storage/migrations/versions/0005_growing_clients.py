"""Growing clients: roadmaps, occasions, products, and what touches were for.

Revision ID: 0005_growing_clients
Revises: 0004_touch_indexes
Create Date: 2026-11-23

- ``client.category_source`` (``manual`` or ``abc``: who set the category) and
  ``client.referred_by_id`` (the client who gave the referral);
- ``touch.answer`` (a service contact's answer: ``ok`` or ``problem``), ``touch.purpose``
  and ``touch.purpose_ref`` (a perk, a backend offer, a roadmap step... and which one);
- ``roadmap_step`` (seeded with the default roadmaps for A, B and C) and
  ``client_step`` (a client's progress along its roadmap);
- ``occasion`` (a client's own dates: birthdays, company days) and
  ``holiday_industry`` (the user's own links of professional holidays to industries);
- ``product``, ``product_link`` (related products for cross-sell) and ``deal_product``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from povtor.storage.migrations.batch import batch_alter_table

revision = "0005_growing_clients"
down_revision = "0004_touch_indexes"
branch_labels = None
depends_on = None

# The default roadmaps (seed 001): (category, position, code, title, script).
ROADMAPS: list[tuple[str, int, str, str, str]] = [
    ("C", 1, "one-off", "Разовая покупка новой позиции",
     "{person}, добрый день! К вашему обычному заказу предлагаю разово взять на пробу ещё "
     "одну позицию: без договора и минимальной партии. Добавить в следующую поставку?"),
    ("C", 2, "info-service", "Подключение информационного сервиса",
     "{person}, добрый день! Раз в неделю мы присылаем коротко цены, новинки и остатки. "
     "Подключить вас к рассылке?"),
    ("C", 3, "promo", "Приглашение участвовать в акции",
     "{person}, добрый день! В этом месяце у нас акция для постоянных клиентов. "
     "Рассказать условия?"),
    ("B", 1, "needs-test", "Звонок с тестированием потребности",
     "{person}, добрый день! Хочу свериться по вашей потребности на следующий квартал: "
     "объёмы и сроки. Удобно созвониться на 10 минут завтра?"),
    ("B", 2, "exhibition", "Приглашение на выставку",
     "{person}, добрый день! Приглашаю вас на наш стенд на выставке: покажем новинки и "
     "обсудим ваши задачи. Прислать приглашение?"),
    ("B", 3, "joint-project", "Совместный проект",
     "{person}, добрый день! Предлагаю совместный проект: тестовая поставка под вашу "
     "задачу с отчётом о результате. Берёмся?"),
    ("B", 4, "results-meeting", "Личная встреча по итогам совместного проекта",
     "{person}, добрый день! Предлагаю встретиться и подвести итоги нашего проекта. "
     "Вам удобно на следующей неделе?"),
    ("A", 1, "needs-audit", "Аудит потребности",
     "{person}, добрый день! Предлагаю бесплатный аудит ваших закупок по нашему "
     "ассортименту: где можно сэкономить. Проводим?"),
    ("A", 2, "site-visit", "Визит на производство клиента",
     "{person}, добрый день! Хотим приехать к вам на объект и посмотреть, как используется "
     "наш товар. Удобно на следующей неделе?"),
    ("A", 3, "test-batch", "Тестовая партия нового товара",
     "{person}, добрый день! Готовы отгрузить тестовую партию новой позиции бесплатно. "
     "Отправляем?"),
    ("A", 4, "service-level-1", "Первый уровень обслуживания",
     "{person}, добрый день! Закрепляем за вами персонального менеджера и отгрузку в день "
     "заказа. Подключаем?"),
    ("A", 5, "loyalty-card", "Накопительная карта",
     "{person}, добрый день! Оформим вам накопительную карту: бонусы с каждой закупки. "
     "Оформляем?"),
    ("A", 6, "exhibition", "Приглашение на выставку",
     "{person}, добрый день! Приглашаю на наш стенд на выставке, для вас отдельная встреча "
     "с технологом. Прислать приглашение?"),
    ("A", 7, "joint-project", "Совместный проект",
     "{person}, добрый день! Предлагаю совместный проект под вашу задачу с отчётом о "
     "результате. Берёмся?"),
    ("A", 8, "results-meeting", "Встреча по итогам проекта",
     "{person}, добрый день! Предлагаю встретиться и подвести итоги проекта. "
     "Вам удобно на следующей неделе?"),
    ("A", 9, "volume-plan", "Годовой план закупок",
     "{person}, добрый день! Давайте согласуем план закупок на год: зафиксируем цены и "
     "график отгрузок. Обсудим?"),
    ("A", 10, "service-level-2", "Второй уровень обслуживания",
     "{person}, добрый день! По объёму вы перешли на второй уровень обслуживания: отсрочка "
     "и склад под вас. Подключаем?"),
    ("A", 11, "informal-event", "Неформальное мероприятие",
     "{person}, добрый день! Собираем постоянных клиентов на футбол и баню. "
     "Ждать вас?"),
    ("A", 12, "year-conference", "Итоговая конференция года",
     "{person}, добрый день! Приглашаю на нашу итоговую конференцию: пять докладов по "
     "вашей отрасли. Записать вас?"),
    ("A", 13, "year-report", "Отчёт по итогам года",
     "{person}, добрый день! Подготовили для вас отчёт по итогам года: закупки, экономия, "
     "планы. Когда удобно его обсудить?"),
]  # fmt: skip


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN: rebuilding ``client`` (as batch mode does) would
    # drop a table that deals and people point at, and ``touch`` may be large.
    op.execute(
        "ALTER TABLE client ADD COLUMN category_source VARCHAR(10) "
        "CONSTRAINT ck_client_category_source CHECK (category_source IN ('manual', 'abc'))"
    )
    # a category set before povtor recorded who set it was set by hand (or imported)
    op.execute("UPDATE client SET category_source = 'manual' WHERE category IS NOT NULL")
    op.execute("ALTER TABLE client ADD COLUMN referred_by_id INTEGER REFERENCES client (id)")
    op.create_index("ix_client_referred_by_id", "client", ["referred_by_id"])
    op.execute(
        "ALTER TABLE touch ADD COLUMN answer VARCHAR(10) "
        "CONSTRAINT ck_touch_answer CHECK (answer IN ('ok', 'problem'))"
    )
    op.execute("ALTER TABLE touch ADD COLUMN purpose VARCHAR(20)")
    op.execute("ALTER TABLE touch ADD COLUMN purpose_ref VARCHAR(200)")
    op.create_index("ix_touch_purpose_on", "touch", ["purpose", "on_date"])
    # the plan's unresolved service problems: the few answered touches, not every service one
    op.create_index("ix_touch_answer_on", "touch", ["answer", "on_date"])
    # the plan's per-client lookups as index seeks: the newest touch as of a day, the last
    # closing touch and the warming ones since, a client's deals by status
    op.drop_index("ix_touch_client_on", table_name="touch")
    op.create_index("ix_touch_client_on", "touch", ["client_id", "on_date", "at"])
    op.create_index("ix_touch_client_kind", "touch", ["client_id", "kind", "on_date", "at"])
    # closing touches of a period with their deals (nudge->order conversion) from the index
    op.drop_index("ix_touch_kind_on", table_name="touch")
    op.create_index("ix_touch_kind_on", "touch", ["kind", "on_date", "deal_id"])
    op.create_index(
        "ix_deal_client_status", "deal", ["client_id", "status", "closed_on", "amount_minor"]
    )

    roadmap_step = op.create_table(
        "roadmap_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("script", sa.String(), nullable=True),
        sa.CheckConstraint("category IN ('A', 'B', 'C')", name="ck_roadmap_step_category"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("category", "position", name="uq_roadmap_step_position"),
        sa.UniqueConstraint("category", "code", name="uq_roadmap_step_code"),
    )
    op.create_table(
        "client_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["step_id"], ["roadmap_step.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "step_id", name="uq_client_step"),
    )
    with op.batch_alter_table("client_step") as batch:
        batch.create_index("ix_client_step_client_id", ["client_id"], unique=False)
        batch.create_index("ix_client_step_step_id", ["step_id"], unique=False)
    op.create_table(
        "occasion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="ck_occasion_month"),
        sa.CheckConstraint("day BETWEEN 1 AND 31", name="ck_occasion_day"),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("occasion") as batch:
        batch.create_index("ix_occasion_client_id", ["client_id"], unique=False)
        batch.create_index("ix_occasion_person_id", ["person_id"], unique=False)
    op.create_table(
        "holiday_industry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holiday", sa.String(length=50), nullable=False),
        sa.Column("industry", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("holiday", "industry", name="uq_holiday_industry"),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("search_key", sa.String(), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("is_backend", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.CheckConstraint("price_minor IS NULL OR price_minor >= 0", name="ck_product_price"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("search_key", name="uq_product_search_key"),
    )
    op.create_table(
        "product_link",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("product_id <> related_id", name="ck_product_link_self"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["related_id"], ["product.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "related_id"),
    )
    op.create_table(
        "deal_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deal_id", "product_id", name="uq_deal_product"),
    )
    with op.batch_alter_table("deal_product") as batch:
        batch.create_index("ix_deal_product_deal_id", ["deal_id"], unique=False)
        batch.create_index("ix_deal_product_product_id", ["product_id"], unique=False)

    op.bulk_insert(
        roadmap_step,
        [
            {"category": c, "position": p, "code": code, "title": title, "script": script}
            for c, p, code, title, script in ROADMAPS
        ],
    )


def downgrade() -> None:
    op.drop_table("deal_product")
    op.drop_table("product_link")
    op.drop_table("product")
    op.drop_table("holiday_industry")
    op.drop_table("occasion")
    op.drop_table("client_step")
    op.drop_table("roadmap_step")
    op.drop_index("ix_deal_client_status", table_name="deal")
    op.drop_index("ix_touch_client_kind", table_name="touch")
    op.drop_index("ix_touch_kind_on", table_name="touch")
    op.create_index("ix_touch_kind_on", "touch", ["kind", "on_date"])
    op.drop_index("ix_touch_client_on", table_name="touch")
    op.create_index("ix_touch_client_on", "touch", ["client_id", "on_date", "kind", "at"])
    # (run with PRAGMA foreign_keys = OFF: batch mode rebuilds ``client``)
    with batch_alter_table("touch") as batch:
        batch.drop_index("ix_touch_purpose_on")
        batch.drop_index("ix_touch_answer_on")
        batch.drop_constraint("ck_touch_answer", type_="check")  # (names its column)
        batch.drop_column("purpose_ref")
        batch.drop_column("purpose")
        batch.drop_column("answer")
    with batch_alter_table("client") as batch:
        batch.drop_index("ix_client_referred_by_id")
        batch.drop_constraint("ck_client_category_source", type_="check")
        batch.drop_column("referred_by_id")
        batch.drop_column("category_source")
