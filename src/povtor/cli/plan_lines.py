"""The lines of a plan item, for people: ``plan today``'s table and ``plan run``'s screen,
wrapped between words at the terminal's width, amounts kept whole with their unit."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from povtor.i18n import N_, _
from povtor.parsing import format_money
from povtor.terminal import clean, display_width, wrap_lines, wrap_sized

if TYPE_CHECKING:
    from povtor.domain.plan_records import PlanItem
    from povtor.terminal import Screen

# the terms of the priority, in the order --why and plan explain show them
WHY_TERMS = (
    N_("category"),
    N_("money"),
    N_("closeness"),
    N_("overdue"),
    N_("rule"),
    N_("problem"),
)
_UNIT_SPACE = re.compile(r"(?<=\d) (?=(?:[A-Z]{3}|₽|руб|м³|м²|км|кг|шт|т|м|л)(?!\w))")
INDENT = "    "  # the lines of a plan item under its first one
_NBSP = "\u00a0"
_KEPT = "\ue000"  # a no-break space of the text itself, while it is wrapped


def wrapped(text: str, width: int, first: str) -> list[str]:
    """``text`` after ``first``, wrapped at ``width`` between words, the next lines under
    the text; an amount with its currency stays whole. The text's own no-break spaces (a
    draft's «1 465 618,20 ₽», «6 дней») are written as they are; the joins made here
    only to wrap are plain spaces, whatever the width."""
    lines = wrap_lines(keep_amounts(text.replace(_NBSP, _KEPT)), width, first=first)
    return [line.replace(_NBSP, " ").replace(_KEPT, _NBSP) for line in lines]


def keep_amounts(text: str) -> str:
    """``text`` with the space between an amount and its currency or unit unbreakable (a
    no-break space: :func:`povtor.terminal.wrap` splits at plain spaces only, and writes
    a plain one)."""
    return _UNIT_SPACE.sub(_NBSP, text)


def plan_item_lines(item: PlanItem, text: str, out: Screen, *, why: bool = False) -> list[str]:
    """One item of the plan as lines of the screen's width (here 80)::

         1. СтройМонолит [A] · deal #268 repeat/invoice · 1 465 618.20 · closing
            priority 74.83
            why: Счёт отправлен: 4 working days in stage (limit 3), no touch since;
                 backend offer: Комплектация объекта под ключ (4 800 000.00 RUB); top
            ...
            say: Добрый день, Геннадий Николаевич! Счёт на 1 465 618,20 ₽ ждёт
                 оплаты 6 дней. Оплата в силе или что-то пошло не по плану?

    Lines break between words (a number, an amount with its currency, a date, an id
    stays whole); the head breaks between its parts first, and what continues a
    ``why:`` or ``say:`` stays under its text."""
    c = item.primary
    client = item.client
    parts: list[tuple[str, str | None, str]] = [(client.name, "bold", "")]  # (text, style, before)
    if client.category:
        parts.append((f"[{client.category}]", None, " "))
    if c.deal:
        deal = _("deal #{id} {funnel}/{stage}").format(
            id=c.deal.id, funnel=c.deal.funnel, stage=c.deal.stage
        )
        parts.append((deal, None, " · "))
    if c.amount_minor:
        parts.append((format_money(c.amount_minor, grouped=True), None, " · "))
    parts.append((kind_word(c.kind), None, " · "))
    priority = _("priority {n}").format(n=item.priority.quantize(Decimal("0.01")))
    parts.append((priority, None, " · "))
    width = out.width
    lines = _joined(parts, out, first=f"{item.rank:>2}. ", rest=INDENT)
    lines += wrapped("; ".join(item.reasons), width, INDENT + _("why: "))
    lines += wrapped(text, width, INDENT + _("say: "))
    if why:
        terms = ", ".join(f"{_(t)} {item.terms.get(t, 0)}" for t in WHY_TERMS)
        lines += [
            out.style(line, "dim")
            for line in wrap_lines(terms, width, first=INDENT + _("priority = "))
        ]
    return lines


def _joined(
    parts: list[tuple[str, str | None, str]], out: Screen, *, first: str, rest: str
) -> list[str]:
    """``parts`` (text, style, what goes before it) on lines of the screen's width after
    ``first`` (in bold; ``rest`` on the next lines). A line breaks between parts (what
    would go before the part is left out there), or between the words of a part longer
    than a line."""
    room = max(out.width - max(display_width(first), display_width(rest)), 10)
    lines: list[list[str]] = []
    line: list[str] = []
    used = 0
    for raw, style, before in parts:
        text = " ".join(clean(raw).split())
        size = display_width(text)
        if line and used + len(before) + size <= room:
            line.append(before + out.style(text, style))
            used += len(before) + size
            continue
        for piece, piece_size in wrap_sized(text, room):
            if line:
                lines.append(line)
            line, used = [out.style(piece, style)], piece_size
    lines.append(line)
    heads = [out.style(first, "bold"), *[rest] * (len(lines) - 1)]
    return [head + "".join(line) for head, line in zip(heads, lines, strict=True)]


def run_item_lines(item: PlanItem, text: str, width: int) -> list[str]:
    """``plan run``'s screen of one item: who, why, which touch, the message; wrapped at
    ``width`` between words, each continuation under the text it continues."""
    c = item.primary
    client = item.client
    head = client.name + (f" [{client.category}]" if client.category else "")
    touch = kind_word(c.kind)
    if c.deal:
        touch += ", " + _("deal #{id} {funnel}/{stage}").format(
            id=c.deal.id, funnel=c.deal.funnel, stage=c.deal.stage
        )
    return [
        *wrapped(head, width, f"#{item.rank} "),
        *wrapped("; ".join(item.reasons), width, "  " + _("why: ")),
        *wrapped(touch, width, "  " + _("touch: ")),
        *wrapped(text, width, "  " + _("message: ")),
    ]


# the kinds of touch, as people read them (the machine formats keep the codes)
KIND_WORDS = {"closing": N_("closing"), "warming": N_("warming"), "service": N_("service")}


def kind_word(kind: str) -> str:
    word = KIND_WORDS.get(kind)
    return _(word) if word is not None else kind
