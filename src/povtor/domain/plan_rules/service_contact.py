"""Service contact (seed 004): the category's delay after a deal was paid — "how is it
going with what you bought? anything wrong? wishes?"

The delay is ``plan.service_days.A|B|C`` by category, ``plan.service_days`` for an
uncategorised client. Only a service contact that got an answer since the payment (yes:
ok or a problem; no: nothing wanted) settles it (the facts come without the paid deals
that had one); one left without an answer comes again after ``plan.quiet_days``. A date
the client named on a service contact ("call me on the 5th") is its new due date. The
item is offered for ``plan.service_window_days`` from its due date only, so old orders
(an import) do not fill the plan with calls about purchases long past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from povtor.domain.plan_records import Candidate, ClientState, ClosedDeal
from povtor.domain.plan_rules.quiet_days import recently_touched
from povtor.i18n import _, ngettext
from povtor.settings import Settings

RULE = "service"
SERVICE_DELAY_KEYS = (
    "plan.service_days",
    "plan.service_days.A",
    "plan.service_days.B",
    "plan.service_days.C",
)


def service_delay(category: str | None, settings: Settings) -> int:
    """Days from a payment to its service contact: the category's own delay
    (``plan.service_days.A|B|C``), ``plan.service_days`` for an uncategorised client."""
    if category in ("A", "B", "C"):
        return settings.int(f"plan.service_days.{category}")
    return settings.int("plan.service_days")


def oldest_payment(today: dt.date, settings: Settings) -> dt.date:
    """The first day of the payments the rule still looks at: the longest delay plus
    ``plan.service_window_days`` before ``today``."""
    longest = max(settings.int(key) for key in SERVICE_DELAY_KEYS)
    return today - dt.timedelta(days=longest + settings.int("plan.service_window_days"))


def service_contacts(
    paid_deals: Iterable[ClosedDeal],
    clients: Mapping[int, ClientState],
    today: dt.date,
    settings: Settings,
) -> list[Candidate]:
    """The service items of the paid deals whose client's delay has passed (or whose
    client named the date), within the window."""
    window = settings.int("plan.service_window_days")
    quiet = settings.int("plan.quiet_days")
    found: list[Candidate] = []
    covered: set[int] = set()
    for paid in paid_deals:
        client = clients.get(paid.client_id)
        if client is None:
            continue
        covered.add(client.id)
        promise = client.talk.service_promise
        named = promise if promise is not None and promise.made_on >= paid.closed_on else None
        due = (
            named.due_on
            if named is not None
            else paid.closed_on + dt.timedelta(days=service_delay(client.category, settings))
        )
        if due > today or (today - due).days > window:
            continue
        if named is None and recently_touched(client, today, quiet):
            continue  # (touched lately, or a call left without an answer: again later)
        ago = (today - paid.closed_on).days
        reason = ngettext(
            "service contact: deal #{id} paid {on}, {n} day ago — how is it going?",
            "service contact: deal #{id} paid {on}, {n} days ago — how is it going?",
            ago,
        ).format(id=paid.id, on=paid.closed_on.isoformat(), n=ago)
        if named is not None:
            reason += _(" (asked on {made} to call back on {due})").format(
                made=named.made_on.isoformat(), due=named.due_on.isoformat()
            )
        found.append(
            Candidate(
                client_id=paid.client_id,
                rule=RULE,
                reason=reason,
                kind="service",
                overdue_days=(today - due).days,
                about=paid,
                amount_minor=paid.amount_minor,
                days_waiting=(today - paid.closed_on).days,
            )
        )
    # a date named on a service contact about a payment older than the rule looks at
    for client in clients.values():
        promise = client.talk.service_promise
        if promise is None or client.id in covered or promise.due_on > today:
            continue
        if (today - promise.due_on).days > window:
            continue
        if not client.paid_dates or promise.made_on < client.paid_dates[-1]:
            continue  # about an older purchase: the newest one has its own contact
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=_(
                    "service contact: asked on {made} to call back on {due} — how is it going?"
                ).format(made=promise.made_on.isoformat(), due=promise.due_on.isoformat()),
                kind="service",
                overdue_days=(today - promise.due_on).days,
                amount_minor=client.last_paid_amount,
                days_waiting=(today - promise.made_on).days,
            )
        )
    return found
