"""povtor's file formats: the canonical columns of every table, what an import file
may hold, and the words that order files from elsewhere use.

The canonical format is what ``povtor export`` writes and ``povtor import`` reads: one
file per table, these columns in this order, UTF-8, money as ``125000.00``, dates as
``YYYY-MM-DD``, timestamps (``at``) as ISO naive UTC with fractions of a second only
when there are some. ``id`` is povtor's own id; ``external_id`` another system's key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container
from typing import Any

from povtor.domain.vocabulary import (
    CATEGORIES,
    CATEGORY_SOURCES,
    CHANGE_EVENTS,
    CHANNELS,
    CLIENT_STATUSES,
    DEAL_STATUSES,
    OUTCOMES,
    PURPOSES,
    SERVICE_ANSWERS,
    TOUCH_KINDS,
)
from povtor.text import fold

RELATED_SEPARATOR = ";"  # between the names in a product's "related" cell


def related_names(cell: str, known: Container[str]) -> list[str]:
    """The product names in a "related" cell, split at ";" — except where parts joined
    again name a known product (``known``: folded names): a name with ";" in it, made
    before povtor refused such names, still reads as one."""
    parts = cell.split(RELATED_SEPARATOR)
    names: list[str] = []
    start = 0
    while start < len(parts):
        end = next(
            (
                end
                for end in range(len(parts), start + 1, -1)
                if fold(RELATED_SEPARATOR.join(parts[start:end]).strip()) in known
            ),
            start + 1,
        )
        name = RELATED_SEPARATOR.join(parts[start:end]).strip()
        if name:
            names.append(name)
        start = end
    return names


def product_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a new product, or None: a bare number reads as a product
    id, and a ";" would split the name in two in a "related" cell. (Imports take the
    names as they are, so that a backup of an older database restores.)"""
    if re.fullmatch(r"#?\d+", name.strip()):
        return "is only a number, which reads as a product id"
    if RELATED_SEPARATOR in name:
        return f"holds {RELATED_SEPARATOR!r}, which separates the related products in a file"
    return None


# -- the canonical format ------------------------------------------------------------
# (column, kind): kind "int" and "money" are numeric (never altered by --excel); dates are
# YYYY-MM-DD; timestamps (at) are ISO, naive UTC, with fractions of a second if any.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "clients": (
        ("id", "int"),
        ("name", "text"),
        ("company", "text"),
        ("category", "text"),
        ("industry", "text"),
        ("source", "text"),
        ("phone", "text"),
        ("email", "text"),
        ("address", "text"),
        ("notes", "text"),
        ("status", "text"),
        ("created_on", "date"),
        ("external_id", "text"),
        ("category_source", "text"),  # who set the category: manual or abc
        ("referred_by", "int"),  # the id of the client who gave the referral
    ),
    "people": (
        ("id", "int"),
        ("client_id", "int"),
        ("name", "text"),
        ("role", "text"),
        ("phone", "text"),
        ("email", "text"),
        ("birthday", "date"),
        ("is_main", "text"),  # yes: the client's main contact, whom the drafts greet
    ),
    "facts": (
        ("id", "int"),
        ("client_id", "int"),
        ("topic", "text"),
        ("text", "text"),
        ("noted_on", "date"),
    ),
    "deals": (
        ("id", "int"),
        ("client_id", "int"),
        ("funnel", "text"),
        ("stage", "text"),
        ("title", "text"),
        ("amount", "money"),
        ("currency", "text"),
        ("status", "text"),
        ("opened_on", "date"),
        ("stage_entered_on", "date"),
        ("expected_on", "date"),
        ("closed_on", "date"),
        ("lost_reason", "text"),
        ("follow_up_on", "date"),
        ("external_id", "text"),
    ),
    "stage-history": (
        ("id", "int"),
        ("deal_id", "int"),
        ("event", "text"),
        ("from_stage", "text"),
        ("to_stage", "text"),
        ("at", "datetime"),
        ("on_date", "date"),
        ("reason", "text"),
    ),
    "touches": (
        ("id", "int"),
        ("client_id", "int"),
        ("deal_id", "int"),
        ("stage", "text"),
        ("at", "datetime"),
        ("on_date", "date"),
        ("kind", "text"),
        ("channel", "text"),
        ("outcome", "text"),
        ("reason", "text"),
        ("follow_up_on", "date"),
        ("text", "text"),
        ("external_id", "text"),
        ("answer", "text"),  # a service contact's answer: ok or problem
        ("purpose", "text"),  # what it was for: perk, backend, cross_sell, roadmap, card...
        ("purpose_ref", "text"),  # and which one (a perk key, a product, a step code...)
    ),
    # the catalog; related: the names of its related products, separated by "; "
    # (a product's name never holds RELATED_SEPARATOR: see product_name_problem)
    "products": (
        ("id", "int"),
        ("name", "text"),
        ("price", "money"),
        ("currency", "text"),
        ("is_backend", "text"),  # yes or no
        ("note", "text"),
        ("related", "text"),
    ),
    "deal-products": (("deal_id", "int"), ("product", "text")),  # product by name
    "occasions": (
        ("id", "int"),
        ("client_id", "int"),
        ("person_id", "int"),
        ("title", "text"),
        ("month", "int"),
        ("day", "int"),
        ("year", "int"),  # empty: every year
    ),
    # a roadmap step a client has done: the step by its roadmap's category and its code
    "client-steps": (
        ("client_id", "int"),
        ("category", "text"),
        ("step", "text"),
        ("done_on", "date"),
        ("note", "text"),
    ),
    "roadmap": (
        ("category", "text"),
        ("position", "int"),
        ("code", "text"),
        ("title", "text"),
        ("script", "text"),
    ),
    "holiday-links": (("holiday", "text"), ("industry", "text")),  # the user's own links
    # the seller's useful material for warming touches (povtor nudge content add)
    "warming-content": (
        ("text", "text"),
        ("industry", "text"),
        ("tag", "text"),
        ("lang", "text"),
        ("added_on", "date"),
    ),
}
FILE_NAMES = {name: name.replace("-", "_") for name in TABLES}  # stage-history -> stage_history
# The order of the tables in export all and import all: a row's references come before it.
IMPORT_ORDER = (
    "clients",
    "people",
    "facts",
    "products",
    "deals",
    "deal-products",
    "stage-history",
    "touches",
    "occasions",
    "roadmap",
    "client-steps",
    "holiday-links",
    "warming-content",
)


# -- import: what each kind of file holds ------------------------------------------------
# povtor column -> cell kind. Besides the canonical columns, files may name a client by
# ``client`` (its name) or ``client_external_id``, and a deal by ``deal_external_id``.
CLIENT_REF = {"client_id": "id", "client_external_id": "key", "client": "name"}
DEAL_REF = {"deal_id": "id", "deal_external_id": "key"}
FIELDS: dict[str, dict[str, str]] = {
    "clients": {
        "id": "id",
        "name": "name",
        "company": "name",
        "category": "category",
        "industry": "name",
        "source": "name",
        "phone": "name",
        "email": "name",
        "address": "name",
        "notes": "text",
        "status": "client_status",
        "created_on": "date",
        "external_id": "key",
        "category_source": "category_source",
        "referred_by": "id",
        "owner": "name",  # the seller who owns it (a database with sellers exports it)
    },
    "people": {
        "id": "id",
        **CLIENT_REF,
        "name": "name",
        "role": "name",
        "phone": "name",
        "email": "name",
        "birthday": "date",
        "is_main": "yes_no",
    },
    "facts": {"id": "id", **CLIENT_REF, "topic": "name", "text": "text", "noted_on": "date"},
    "deals": {
        "id": "id",
        **CLIENT_REF,
        "funnel": "name",
        "stage": "name",
        "title": "name",
        "amount": "money",
        "currency": "currency",
        "status": "deal_status",
        "opened_on": "date",
        "stage_entered_on": "date",
        "expected_on": "date",
        "closed_on": "date",
        "lost_reason": "text",
        "follow_up_on": "date",
        "external_id": "key",
        "owner": "name",  # its own seller, when handed over on its own
    },
    "stage-history": {
        "id": "id",
        **DEAL_REF,
        "event": "event",
        "from_stage": "name",
        "to_stage": "name",
        "at": "when",
        "on_date": "when",
        "reason": "text",
    },
    "touches": {
        "id": "id",
        **CLIENT_REF,
        **DEAL_REF,
        "stage": "name",
        "at": "when",
        "on_date": "when",
        "kind": "touch_kind",
        "channel": "channel",
        "outcome": "outcome",
        "reason": "text",
        "follow_up_on": "date",
        "text": "text",
        "external_id": "key",
        "answer": "service_answer",
        "purpose": "purpose",
        "purpose_ref": "key",
        "owner": "name",  # the seller who logged it
    },
    "products": {
        "id": "id",
        "name": "name",
        "price": "money",
        "currency": "currency",
        "is_backend": "yes_no",
        "note": "text",
        "related": "text",
    },
    "deal-products": {**DEAL_REF, "product_id": "id", "product": "name"},
    "occasions": {
        "id": "id",
        **CLIENT_REF,
        "person_id": "id",
        "title": "name",
        "month": "id",
        "day": "id",
        "year": "id",
    },
    "client-steps": {
        **CLIENT_REF,
        "category": "category",
        "step": "name",
        "done_on": "date",
        "note": "text",
    },
    "roadmap": {
        "category": "category",
        "position": "id",
        "code": "name",
        "title": "name",
        "script": "text",
    },
    "holiday-links": {"holiday": "name", "industry": "name"},
    "warming-content": {
        "text": "text",
        "industry": "name",
        "tag": "name",
        "lang": "name",
        "added_on": "date",
    },
    "orders": {
        "order_id": "key",
        "date": "when",
        "client": "name",
        "client_code": "key",
        "amount": "signed_money",
        "quantity": "decimal",
        "price": "decimal",
        "product": "name",
        "title": "name",
        "currency": "currency",
        "status": "name",
    },
}
CLIENT_ANY = ("client_id", "client_external_id", "client")
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "clients": (("name",),),
    "people": (("name",), CLIENT_ANY),
    "facts": (("text",), CLIENT_ANY),
    "deals": (CLIENT_ANY, ("stage",), ("opened_on",)),
    "stage-history": (("deal_id", "deal_external_id"), ("event",), ("on_date", "at")),
    "touches": ((*CLIENT_ANY, "deal_id", "deal_external_id"), ("kind",), ("on_date", "at")),
    "orders": (("order_id",), ("date",), ("client", "client_code"), ("amount", "price")),
    "products": (("name",),),
    "deal-products": (("deal_id", "deal_external_id"), ("product", "product_id")),
    "occasions": (CLIENT_ANY, ("title",), ("month",), ("day",)),
    "client-steps": (CLIENT_ANY, ("category",), ("step",)),
    "roadmap": (("category",), ("code",), ("title",)),
    "holiday-links": (("holiday",), ("industry",)),
    "warming-content": (("text",),),
}


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split("|"))


# Column names that order files from 1C, Excel and online shops use (compared folded,
# spaces and dashes as _), for orders only; a --map file names any others.
ORDER_ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": _names(
        "order|order no|order number|number|invoice|invoice no|номер|номер заказа|заказ|"
        "заказ №|№ заказа|№|документ|номер документа|счёт|номер счёта|счёт №|№ счёта"
    ),
    "date": _names("order date|invoice date|дата|дата заказа|дата документа|дата счёта|период"),
    "client": _names(
        "client name|customer|customer name|company|buyer|клиент|контрагент|покупатель|"
        "заказчик|компания|организация"
    ),
    "client_code": _names(
        "client id|customer id|customer code|код клиента|код контрагента|код покупателя|инн"
    ),
    "amount": _names("sum|total|line total|сумма|сумма заказа|итого|сумма с ндс"),
    "quantity": _names("qty|count|количество|кол-во|кол."),
    "price": _names("unit price|цена|цена за единицу"),
    "product": _names("item|sku name|товар|номенклатура|наименование|товары (работы, услуги)"),
    "currency": _names("валюта"),
    "status": _names("state|статус|состояние"),
    "title": _names("comment|комментарий"),
}
# An order whose status (any line's) is one of these is cancelled: see plan_orders.
CANCELLED_WORDS = frozenset(
    fold(w)
    for w in _names(
        "cancelled|canceled|cancel|void|returned|refunded|отменён|отменена|отменено|отмена|"
        "аннулирован|аннулирована|возврат|удалён"
    )
)
# Statuses that mean the order is paid (as is an empty status); others must be mapped.
PAID_WORDS = frozenset(
    fold(w)
    for w in _names(
        "paid|completed|complete|done|closed|shipped|delivered|won|оплачен|оплачена|оплачено|"
        "оплата получена|выполнен|выполнена|выполнено|закрыт|закрыта|отгружен|отгружена|"
        "доставлен|доставлена|проведён|успешно|успешно реализовано|продажа"
    )
)

WORDS = {
    "category": (CATEGORIES, {"а": "A", "в": "B", "с": "C"}),
    "category_source": (CATEGORY_SOURCES, {}),
    "client_status": (CLIENT_STATUSES, {"архив": "archived", "активный": "active"}),
    "deal_status": (DEAL_STATUSES, {}),
    "event": (CHANGE_EVENTS, {}),
    "touch_kind": (TOUCH_KINDS, {}),
    "channel": (CHANNELS, {}),
    "outcome": (OUTCOMES, {}),
    "service_answer": (SERVICE_ANSWERS, {}),
    "purpose": (PURPOSES, {}),
    "yes_no": (("yes", "no"), {"да": "yes", "нет": "no", "true": "yes", "false": "no"}),
}
EXTERNAL_ID_MAX = 200
MAX_NOTES = 50


def client_key(name: str, *, folded: str | None = None) -> str:
    """The external id of a client known only by its name: stable across re-imports
    (``folded``: the name folded already, if the caller has it)."""
    key = fold(name) if folded is None else folded
    return "name:" + hashlib.sha1(key.encode()).hexdigest()[:12]


def row_key(*parts: Any) -> str:
    """The external id of a row that has none: a hash of what identifies it."""
    text = "\x1f".join("" if p is None else fold(str(p)) for p in parts)
    return "row:" + hashlib.sha1(text.encode()).hexdigest()[:16]
