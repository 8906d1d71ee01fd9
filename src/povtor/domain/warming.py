"""What a warming touch shares: one item of the seller's own useful material.

Seed 003: warming touches remind and show care without asking for anything (useful
information, a greeting, a gift). povtor does not invent the useful part: the seller
keeps a small library (``povtor nudge content add``), each item for the clients of one
industry or for anyone, optionally tagged with a topic. For a client the pick is an item
they have not had yet (a warming touch that shared one records purpose ``content``,
about ``content:ID``), for their industry first, then one whose tag is a topic of the
client's facts, then the oldest.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from povtor.i18n import _
from povtor.records import record
from povtor.text import fold

PURPOSE = "content"  # the purpose of a warming touch that shared an item


@record(frozen=True, slots=True)
class Content:
    id: int
    text: str
    industry: str | None  # None: for any client
    tag: str | None
    lang: str


def content_key(content_id: int) -> str:
    """What a touch that shared the item is about: ``content:ID``."""
    return f"{PURPOSE}:{content_id}"


def content_id(key: str | None) -> int | None:
    """The item a ``content:ID`` key names (None: not such a key)."""
    if not key or not key.startswith(f"{PURPOSE}:"):
        return None
    number = key.removeprefix(f"{PURPOSE}:")
    return int(number) if number.isdigit() else None


def fits(item: Content, industry: str | None) -> bool:
    """An item for anyone, or for the client's industry (any case, ё as е)."""
    return item.industry is None or (industry is not None and fold(item.industry) == fold(industry))


def pick(
    items: Iterable[Content],
    *,
    industry: str | None,
    topics: Collection[str] = (),
    had: Collection[int] = (),
) -> Content | None:
    """The item to share with a client of ``industry`` whose facts have ``topics``, among
    those they have not ``had``: for their industry first, then tagged with one of their
    topics, then the oldest; None when there is none."""
    folded_topics = {fold(t) for t in topics}
    fitting = [i for i in items if i.id not in had and fits(i, industry)]
    if not fitting:
        return None
    return min(
        fitting,
        key=lambda i: (
            i.industry is None,
            not (i.tag is not None and fold(i.tag) in folded_topics),
            i.id,
        ),
    )


def nothing_to_share(items: Iterable[Content], industry: str | None) -> str:
    """Why :func:`pick` found nothing for a client of ``industry``."""
    listed = list(items)
    if not listed:
        return _("no useful material to share yet")
    if not any(fits(i, industry) for i in listed):
        return _("no useful material for their industry ({industry}) yet").format(
            industry=industry or _("none set")
        )
    return _("the client has had all your useful material")
