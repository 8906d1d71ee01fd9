"""SQLModel tables: the schema of a povtor database.

The schema is created and changed only by the migrations in
``povtor/storage/migrations``; a test checks that they and these models agree.
Money is integer minor units (``amount_minor``: kopecks/cents). Timestamps
(``*_at``) are UTC; dates (``*_on``) are the seller's local calendar dates.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from povtor.domain.vocabulary import (
    CATEGORIES,
    CATEGORY_SOURCES,
    CHANGE_ACTIONS,
    CHANGE_ENTITIES,
    CHANGE_EVENTS,
    CHANNELS,
    CLIENT_STATUSES,
    DEAL_STATUSES,
    OUTCOMES,
    SERVICE_ANSWERS,
    TOUCH_KINDS,
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK of a column's values as comparisons (SQLite checks ``x IN (...)`` far more
    slowly, building a table for the list on every row written; see 0010_inline_checks)."""
    return " OR ".join(f"{column} = '{v}'" for v in values)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class Seller(SQLModel, table=True):
    """A member of the team: a seller who owns clients (seed 002: farmers, trainees on
    the refusals, an expert for hot deals). A solo seller needs none."""

    __tablename__ = "seller"
    __table_args__ = (UniqueConstraint("name_key", name="uq_seller_name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)  # the folded name: one seller per name, any case
    created_on: dt.date
    removed_on: dt.date | None = None  # left the team: kept for the history they made


class Client(SQLModel, table=True):
    __tablename__ = "client"
    __table_args__ = (
        CheckConstraint(_one_of("category", CATEGORIES), name="ck_client_category"),
        CheckConstraint(_one_of("status", CLIENT_STATUSES), name="ck_client_status"),
        CheckConstraint(
            _one_of("category_source", CATEGORY_SOURCES), name="ck_client_category_source"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    search_key: str = Field(index=True)  # folded name and company, for Cyrillic search
    company: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=1)
    industry: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=200)
    notes: str | None = None
    status: str = Field(default="active", max_length=10, index=True)
    created_on: dt.date
    external_id: str | None = Field(default=None, unique=True, max_length=200)
    category_source: str | None = Field(default=None, max_length=10)  # manual | abc
    # (clients are archived or forgotten, never deleted: a plain reference)
    referred_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("client.id"), nullable=True, index=True)
    )
    # the client's owner (none: nobody's); its deals and touches follow it
    seller_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("seller.id"), nullable=True, index=True)
    )


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id"))
    name: str = Field(max_length=200)
    role: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    birthday: dt.date | None = None
    # the client's main contact, whom the drafts greet (none marked: the first person)
    is_main: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default="0")
    )


class Fact(SQLModel, table=True):
    """A "talking" fact about the client's business or people (not a contact field)."""

    __tablename__ = "fact"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id"))
    topic: str | None = Field(default=None, max_length=200)
    text: str
    noted_on: dt.date


class Funnel(SQLModel, table=True):
    __tablename__ = "funnel"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=50)
    name: str = Field(max_length=200)


class Stage(SQLModel, table=True):
    __tablename__ = "stage"
    __table_args__ = (
        UniqueConstraint("funnel_id", "code", name="uq_stage_funnel_code"),
        UniqueConstraint("funnel_id", "position", name="uq_stage_funnel_position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    funnel_id: int = Field(sa_column=_fk("funnel.id"))
    code: str = Field(max_length=50)
    name: str = Field(max_length=200)
    position: int
    is_won: bool = False  # reaching this stage means the deal is paid
    limit_days: int | None = None  # a deal waiting longer than this is stuck


class Deal(SQLModel, table=True):
    __tablename__ = "deal"
    __table_args__ = (
        CheckConstraint(_one_of("status", DEAL_STATUSES), name="ck_deal_status"),
        CheckConstraint("amount_minor IS NULL OR amount_minor >= 0", name="ck_deal_amount"),
        Index("ix_deal_status_stage", "status", "stage_id"),
        # by status, then client and close date: a client's open deals, every client's
        # purchase history in order, revenue per client; all from the index
        Index(
            "ix_deal_status_client",
            "status",
            "client_id",
            "closed_on",
            "id",
            "amount_minor",
            "currency",
        ),
        # won or lost deals closed in a window (service contacts, revisits, average check)
        Index("ix_deal_status_closed", "status", "closed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id", ondelete="RESTRICT"))
    funnel_id: int = Field(sa_column=_fk("funnel.id", ondelete="RESTRICT"))
    stage_id: int = Field(sa_column=_fk("stage.id", ondelete="RESTRICT"))
    title: str | None = Field(default=None, max_length=200)
    amount_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str = Field(default="RUB", max_length=3)
    status: str = Field(default="open", max_length=10)
    opened_on: dt.date
    stage_entered_on: dt.date
    expected_on: dt.date | None = None
    closed_on: dt.date | None = None
    lost_reason: str | None = None
    follow_up_on: dt.date | None = None  # "later, on date D" from the last nudge
    external_id: str | None = Field(default=None, unique=True, max_length=200)
    # a deal handed over on its own (a refusal to a trainee); none: its client's owner's
    seller_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("seller.id"), nullable=True, index=True)
    )


class StageChange(SQLModel, table=True):
    """Append-only history of a deal: every open, move, win, loss and reopen."""

    __tablename__ = "stage_change"
    __table_args__ = (CheckConstraint(_one_of("event", CHANGE_EVENTS), name="ck_change_event"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=_fk("deal.id"))
    event: str = Field(max_length=10)
    from_stage_id: int | None = Field(
        default=None, sa_column=_fk("stage.id", nullable=True, ondelete="RESTRICT")
    )
    to_stage_id: int | None = Field(
        default=None, sa_column=_fk("stage.id", nullable=True, ondelete="RESTRICT")
    )
    at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))  # UTC
    on_date: dt.date = Field(index=True)
    reason: str | None = None


class Touch(SQLModel, table=True):
    """A contact with a client: warming, closing (a yes-or-no nudge) or service."""

    __tablename__ = "touch"
    __table_args__ = (
        CheckConstraint(_one_of("kind", TOUCH_KINDS), name="ck_touch_kind"),
        CheckConstraint(_one_of("channel", CHANNELS), name="ck_touch_channel"),
        CheckConstraint(_one_of("outcome", OUTCOMES), name="ck_touch_outcome"),
        CheckConstraint(_one_of("answer", SERVICE_ANSWERS), name="ck_touch_answer"),
        # the plan's per-client seeks (the newest touch as of a day; the last closing
        # touch and the warming ones since)
        Index("ix_touch_client_on", "client_id", "on_date", "at"),
        Index("ix_touch_client_kind", "client_id", "kind", "on_date", "at"),
        # reports by kind and date: the nudges of a period counted from the index alone
        Index("ix_touch_kind_on", "kind", "on_date", "deal_id", "channel", "stage_id", "outcome"),
        # a deal's touches by day, with the stage each was made in (nudges in a stage)
        Index("ix_touch_deal_on", "deal_id", "on_date", "stage_id"),
        Index("ix_touch_purpose_on", "purpose", "on_date"),
        Index("ix_touch_answer_on", "answer", "on_date"),  # unresolved service problems
        # the conversation with each client: its latest answers and unanswered questions
        Index(
            "ix_touch_outcome",
            "outcome",
            "deal_id",
            "purpose",
            "kind",
            "client_id",
            "at",
            "on_date",
            "follow_up_on",
        ),
        # a touch taken back leaves its id unused: the record of corrections names it
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id"))
    deal_id: int | None = Field(
        default=None, sa_column=_fk("deal.id", nullable=True, ondelete="SET NULL")
    )
    stage_id: int | None = Field(
        default=None, sa_column=_fk("stage.id", nullable=True, ondelete="RESTRICT")
    )
    at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))  # UTC
    on_date: dt.date
    kind: str = Field(max_length=10)
    channel: str = Field(default="other", max_length=10)
    outcome: str = Field(default="pending", max_length=10)
    reason: str | None = None
    follow_up_on: dt.date | None = None
    text: str | None = None
    external_id: str | None = Field(default=None, unique=True, max_length=200)
    answer: str | None = Field(default=None, max_length=10)  # service contact: ok | problem
    purpose: str | None = Field(default=None, max_length=20)  # perk, backend, roadmap...
    purpose_ref: str | None = Field(default=None, max_length=200)  # which perk, product...
    # who logged it in a team (the current seller then); none: a seller on their own
    seller_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("seller.id"), nullable=True),
    )


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=100)
    value: str


class Template(SQLModel, table=True):
    """A user's message draft; overrides the default for (kind, funnel, stage, lang)."""

    __tablename__ = "template"
    __table_args__ = (
        UniqueConstraint("kind", "funnel", "stage", "lang", name="uq_template_key"),
        CheckConstraint(_one_of("kind", TOUCH_KINDS), name="ck_template_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    funnel: str = Field(default="*", max_length=50)
    stage: str = Field(default="*", max_length=50)
    lang: str = Field(default="ru", max_length=5)
    body: str


class SourceSpend(SQLModel, table=True):
    """Money spent on a lead source over a period (for cost per sale by source)."""

    __tablename__ = "source_spend"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="ck_spend_amount"),
        CheckConstraint("period_end >= period_start", name="ck_spend_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200, index=True)
    period_start: dt.date
    period_end: dt.date
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(default="RUB", max_length=3)
    note: str | None = None


class RoadmapStep(SQLModel, table=True):
    """One step of a category's roadmap (seed 001), with its call script."""

    __tablename__ = "roadmap_step"
    __table_args__ = (
        CheckConstraint(_one_of("category", CATEGORIES), name="ck_roadmap_step_category"),
        UniqueConstraint("category", "position", name="uq_roadmap_step_position"),
        UniqueConstraint("category", "code", name="uq_roadmap_step_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    category: str = Field(max_length=1)
    position: int
    code: str = Field(max_length=50)
    title: str = Field(max_length=200)
    script: str | None = None


class ClientStep(SQLModel, table=True):
    """A roadmap step a client has done."""

    __tablename__ = "client_step"
    __table_args__ = (UniqueConstraint("client_id", "step_id", name="uq_client_step"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id"))
    step_id: int = Field(sa_column=_fk("roadmap_step.id"))
    done_on: dt.date
    note: str | None = None


class Occasion(SQLModel, table=True):
    """A client's own yearly date (a company's day, a person's name day...) or a one-off."""

    __tablename__ = "occasion"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_occasion_month"),
        CheckConstraint("day BETWEEN 1 AND 31", name="ck_occasion_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(sa_column=_fk("client.id"))
    person_id: int | None = Field(default=None, sa_column=_fk("person.id", nullable=True))
    title: str = Field(max_length=200)
    month: int
    day: int
    year: int | None = None  # None: every year


class HolidayIndustry(SQLModel, table=True):
    """The user's own link of a professional holiday to an industry (beyond the defaults)."""

    __tablename__ = "holiday_industry"
    __table_args__ = (UniqueConstraint("holiday", "industry", name="uq_holiday_industry"),)

    id: int | None = Field(default=None, primary_key=True)
    holiday: str = Field(max_length=50)
    industry: str = Field(max_length=200)


class Product(SQLModel, table=True):
    """A product of the catalog; backend products are offered to the top clients."""

    __tablename__ = "product"
    __table_args__ = (
        CheckConstraint("price_minor IS NULL OR price_minor >= 0", name="ck_product_price"),
        UniqueConstraint("search_key", name="uq_product_search_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    search_key: str  # the folded name: one product per name, whatever its case
    price_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str = Field(default="RUB", max_length=3)
    is_backend: bool = False
    note: str | None = None


class ProductLink(SQLModel, table=True):
    """Product X is related to product Y: who bought X may want Y (cross-sell)."""

    __tablename__ = "product_link"
    __table_args__ = (CheckConstraint("product_id <> related_id", name="ck_product_link_self"),)

    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    )
    related_id: int = Field(
        sa_column=Column(Integer, ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    )


class DealProduct(SQLModel, table=True):
    """A product sold (or offered) in a deal."""

    __tablename__ = "deal_product"
    __table_args__ = (UniqueConstraint("deal_id", "product_id", name="uq_deal_product"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=_fk("deal.id"))
    product_id: int = Field(sa_column=_fk("product.id", ondelete="RESTRICT"))


class WarmingContent(SQLModel, table=True):
    """A useful item the seller shares on warming touches: for an industry or anyone."""

    __tablename__ = "warming_content"
    __table_args__ = (
        CheckConstraint(_one_of("lang", ("ru", "en")), name="ck_warming_content_lang"),
        {"sqlite_autoincrement": True},  # a removed item's id is never given to a new one
    )

    id: int | None = Field(default=None, primary_key=True)
    text: str
    industry: str | None = Field(default=None, max_length=200)  # None: any industry
    tag: str | None = Field(default=None, max_length=200)  # matched against fact topics
    lang: str = Field(default="ru", max_length=5)
    added_on: dt.date


class ChangeLog(SQLModel, table=True):
    """A correction: a touch undone, edited or deleted, a deal or a person edited, a person
    removed, a main contact chosen; with the record as it was before and after (JSON)."""

    __tablename__ = "change_log"
    __table_args__ = (
        CheckConstraint(_one_of("entity", CHANGE_ENTITIES), name="ck_change_log_entity"),
        CheckConstraint(_one_of("action", CHANGE_ACTIONS), name="ck_change_log_action"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))  # UTC
    on_date: dt.date  # the seller's local date of the correction
    entity: str = Field(max_length=10)  # touch | deal | person
    entity_id: int
    action: str = Field(max_length=10)  # undo | delete | edit | remove | main
    client_id: int | None = Field(default=None, sa_column=_fk("client.id", nullable=True))
    deal_id: int | None = Field(
        default=None, sa_column=_fk("deal.id", nullable=True, ondelete="SET NULL")
    )
    before: str | None = None  # JSON: the fields as they were
    after: str | None = None  # JSON: the fields as they are now (none: deleted)


class TouchEffect(SQLModel, table=True):
    """What logging a touch changed beyond the touch itself, so that it can be undone:
    the deal's fields before and after its outcome, the stage history entry it wrote, the
    roadmap step its yes recorded as done, the referral it added."""

    __tablename__ = "touch_effect"

    touch_id: int = Field(
        sa_column=Column(Integer, ForeignKey("touch.id", ondelete="CASCADE"), primary_key=True)
    )
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", nullable=True))
    deal_before: str | None = None  # JSON: the deal's fields the outcome changed, before
    deal_after: str | None = None  # JSON: the same fields as the outcome left them
    history_id: int | None = None  # the stage_change row the outcome wrote
    step_id: int | None = None  # the roadmap step the yes recorded as done (it was not)
    referred_client_id: int | None = None  # the client a referral added, and its deal
    referred_deal_id: int | None = None


class TouchDealEffect(SQLModel, table=True):
    """What an answer to the client's own question did to the client's deals, so that it
    can be undone: each open deal its "no" lost (the deal's fields before and after, the
    stage history entry), and the deal its "yes" opened."""

    __tablename__ = "touch_deal_effect"
    __table_args__ = (Index("ix_touch_deal_effect_deal_id", "deal_id"),)  # a deal deleted

    touch_id: int = Field(
        sa_column=Column(Integer, ForeignKey("touch.id", ondelete="CASCADE"), primary_key=True)
    )
    deal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("deal.id", ondelete="CASCADE"), primary_key=True)
    )
    deal_before: str | None = None  # JSON: the lost deal's fields the "no" changed, before
    deal_after: str | None = None  # JSON: the same fields as the "no" left them
    history_id: int | None = None  # the stage_change row of the loss
    opened: bool = Field(default=False)  # the deal the "yes" opened (then no fields)


class ClientActivity(SQLModel, table=True):
    """A client's activity as of the newest data, derived from its touches and deals and
    kept up to date by every write (see :mod:`povtor.storage.activity`): one row per
    client with a touch or a paid deal."""

    __tablename__ = "client_activity"
    # (the newest touch of all: whether a plan may read the activity rows)
    __table_args__ = (Index("ix_client_activity_last_touch_on", "last_touch_on"),)

    client_id: int = Field(
        sa_column=Column(Integer, ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    )
    last_touch_on: dt.date | None = None  # the day of its newest touch
    warming_since_closing: int = 0  # warming touches since its last closing one
    last_service_on: dt.date | None = None  # its latest service contact answered yes or no
    last_won_on: dt.date | None = None  # its latest paid deal
    # its latest answer on its general conversation (the touch, when, what it said) and
    # its latest general question left unanswered
    said_touch_id: int | None = None
    said_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(), nullable=True))
    said_on: dt.date | None = None
    said_kind: str | None = Field(default=None, max_length=10)
    said_outcome: str | None = Field(default=None, max_length=10)
    said_follow_up_on: dt.date | None = None
    asked_at: dt.datetime | None = Field(default=None, sa_column=Column(DateTime(), nullable=True))
    asked_on: dt.date | None = None
    # the distinct days of its paid deals, oldest first, comma-separated, and the amount
    # of its latest paid deal
    paid_days: str | None = None
    last_paid_amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    said_reason: str | None = None  # the reason its latest answer gave (why a "no")


class Handover(SQLModel, table=True):
    """A change of owner: a client (and the deals that follow it) or one deal, from one
    seller (none: nobody's) to another (none: back to nobody / to the client's owner)."""

    __tablename__ = "handover"
    __table_args__ = (
        CheckConstraint(_one_of("entity", ("client", "deal")), name="ck_handover_entity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(DateTime(), nullable=False))  # UTC
    on_date: dt.date  # the seller's local date of the handover
    entity: str = Field(max_length=10)  # client | deal
    client_id: int = Field(sa_column=_fk("client.id"))
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", nullable=True))
    # the sellers' names then (none: nobody): the record outlives a seller removed later
    from_seller: str | None = Field(default=None, max_length=200)
    to_seller: str | None = Field(default=None, max_length=200)
    note: str | None = None
