"""``povtor plan run``: work through today's plan one item at a time, recording each
outcome as it is given (a part of the plan group, registered in cli/main.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from povtor.app import plan as plan_app
from povtor.cli.plan_lines import run_item_lines
from povtor.cli.runtime import choose, runtime
from povtor.domain.vocabulary import CHANNELS
from povtor.errors import InvalidInput
from povtor.i18n import N_, _, ngettext
from povtor.output import message
from povtor.parsing import format_amount, format_money, parse_amount, parse_date
from povtor.terminal import screen
from povtor.text import check_phone, clean_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from povtor.domain.plan_records import PlanItem

RUN_CHOICES = N_("[y]es  [n]o  [l]ater  [a] no answer  [s]kip  [q]uit")
RUN_KEYS = ("y", "n", "l", "a", "s", "q")


def run(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the first N items.")
    ] = None,
    channel: Annotated[
        str, typer.Option("--channel", help="How you reach them: call, email, messenger...")
    ] = "messenger",
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the drafts: ru or en.")
    ] = None,
) -> None:
    """Work through today's plan one item at a time, recording each outcome.

    For each item: the client, the reason and the message; answer y (yes), n (no,
    then the reason), l (later, then the date), a (no answer), s (skip) or q (quit).
    A service contact asks "all well?": o (ok) or p (problem, then what is wrong).
    A "no" to a refusal revisit shows the referral ask and takes a referral's name
    (empty: none), recorded as a new client with a first-sale deal. A yes to a
    roadmap step also records the step as done. A yes to a client's own question
    (reorder, revisit, follow-up) asks whether to open the deal at request, and for
    how much (default: the last paid amount). Each answer is saved at once as a
    touch, so quitting loses nothing.

    Example: povtor plan run --limit 5
    """
    import os

    from povtor.app import sellers
    from povtor.app.plan import item_text
    from povtor.app.touches import Referral, TouchInput, record_touch
    from povtor.parsing import parse_outcome

    state = runtime(ctx)
    chosen_channel = choose(channel, CHANNELS, option="--channel") or "messenger"
    # in a team, the current seller works through their own items (see plan today)
    acting = sellers.current_seller(state.db, os.environ.get(sellers.ENV))
    seller_id = acting.id if acting is not None else None
    drafted = plan_app.drafted_plan(
        state.db,
        state.clock.today,
        choose(lang, ("ru", "en"), option="--lang"),
        first=limit if acting is None else None,
    )
    language, user = drafted.lang, drafted.templates
    items = drafted.plan.items
    if acting is not None:
        items = list(filter(sellers.plan_filter(state.db, acting).item, items))
    items = items[:limit] if limit else items
    if not items:
        message(_("nothing to nudge today"))
        return
    done = 0
    for item in items:
        text = item_text(item, language, user)
        c = item.primary
        typer.echo("")
        typer.echo("\n".join(run_item_lines(item, text, screen().width)))
        keys = ("o", "p", "l", "a", "s", "q") if c.kind == "service" else RUN_KEYS
        while True:
            answer = (
                typer.prompt(
                    _(SERVICE_RUN_CHOICES if c.kind == "service" else RUN_CHOICES),
                    default="s",
                    show_default=False,
                )
                .strip()
                .lower()
            )
            if answer in keys:
                break
            typer.echo(f"  please answer {', '.join(keys[:-1])} or q")
        if answer == "q":
            break
        if answer == "s":
            continue
        outcome = parse_outcome(
            {"y": "yes", "o": "yes", "p": "yes", "n": "no", "l": "later", "a": "no-answer"}[answer]
        )
        service_answer = {"o": "ok", "p": "problem"}.get(answer)
        reason = follow_up = None
        purpose, purpose_ref = c.purpose, c.purpose_ref
        referral_name = referral_phone = None
        if service_answer == "problem":
            reason = prompt_text("  " + _("what is wrong"), field=_("what is wrong"), required=True)
        if outcome == "no":
            reason = typer.prompt("  reason").strip() or "no reason given"
            if c.rule == "revisit":  # seed 002: a "no" is followed by asking for referrals
                referral_name, referral_phone = prompt_referral(item, language, user)
                purpose, purpose_ref = "referrals", None
        open_stage = open_amount = None
        if outcome == "yes" and asks_to_open(item):
            open_stage, open_amount = prompt_open(c.amount_minor)
        if outcome == "later":
            while True:
                raw = typer.prompt("  come back on (YYYY-MM-DD or +7)")
                try:
                    follow_up = parse_date(raw, field="date", today=state.clock.today)
                    break
                except InvalidInput as exc:
                    typer.echo(f"  {exc.message}")
        recorded = record_touch(
            state.db,
            state.clock,
            seller_id=seller_id,  # who logs it, in a team
            client=str(item.client.id),
            deal=str(c.deal.id) if c.deal else None,
            touch=TouchInput(
                kind=c.kind,
                channel=chosen_channel,
                outcome=outcome,
                on=state.clock.today,
                text=text,
                reason=reason,
                follow_up_on=follow_up,
                answer=service_answer,
                purpose=purpose,
                about=purpose_ref,
                about_is_key=True,
                open_stage=open_stage,
                open_amount=open_amount,
            ),
            referral=Referral(referral_name, referral_phone) if referral_name else None,
        )
        done += 1
        typer.echo(
            "  "
            + _("saved touch #{id}: {outcome}").format(
                id=recorded.touch_id,
                outcome=_(outcome).replace("_", " "),  # (no_answer)
            )
            + (f", {_(service_answer)}" if service_answer else "")
        )
        if recorded.roadmap_note:
            typer.echo(f"  {recorded.roadmap_note}")
        if recorded.opened is not None:
            deal_id, stage, amount, currency = recorded.opened
            money = (
                _(" for {amount}").format(amount=format_amount(amount, currency)) if amount else ""
            )
            opened = _("opened deal #{id} at {stage}").format(id=deal_id, stage=stage)
            typer.echo(f"  {opened}{money}")
        for lost_id, stage in recorded.lost:
            lost = _("lost deal #{id} ({stage}): «{reason}»").format(
                id=lost_id, stage=stage, reason=recorded.lost_reason
            )
            typer.echo(f"  {lost}")
        if recorded.referred is not None:
            referred_id, referred_name, first_deal_id = recorded.referred
            added = _("added client #{id} {name} (referral) with first-sale deal #{deal}").format(
                id=referred_id, name=referred_name, deal=first_deal_id
            )
            typer.echo(f"  {added}")
    message(ngettext("recorded {n} outcome(s)", "recorded {n} outcome(s)", done).format(n=done))


# -- plan run: the answers of a service contact and of a refused revisit -----------------
def asks_to_open(item: PlanItem) -> bool:
    """A yes to the client's own question (no deal, no purpose, not a service contact),
    with no deal open: the deal it asks for is offered to be opened."""
    c = item.primary
    return (
        c.deal is None
        and c.purpose is None
        and c.kind != "service"
        and not (item.client.open_deals)
    )


def prompt_open(last_amount: int | None) -> tuple[str | None, int | None]:
    """ "open a deal at request? [Y/n]", then its amount (default: ``last_amount``)."""
    if not typer.confirm("  " + _("open a deal at request?"), default=True):
        return None, None
    default = format_money(last_amount) if last_amount else ""
    while True:
        raw = typer.prompt("  " + _("amount"), default=default, show_default=bool(default))
        if not raw.strip():
            return "request", None
        try:
            return "request", parse_amount(raw, field="amount")
        except InvalidInput as error:
            typer.echo(f"  {error.message}")


SERVICE_RUN_CHOICES = N_("all well? [o]k  [p]roblem  [l]ater  [a] no answer  [s]kip  [q]uit")


def prompt_text(question: str, *, field: str, required: bool, phone: bool = False) -> str | None:
    """Ask until the answer is valid text (or empty, when that is allowed); ``phone``:
    a phone number."""
    while True:
        raw = typer.prompt(question, default="", show_default=False)
        try:
            text = clean_text(raw, field=field)
            if phone:
                check_phone(text, field=field)
        except InvalidInput as error:
            typer.echo(f"  {error.message}")
            continue
        if text or not required:
            return text
        typer.echo(f"  please say {field}")


def prompt_referral(
    item: PlanItem, lang: str, user: Mapping[tuple[str, str, str, str], str]
) -> tuple[str | None, str | None]:
    """After a "no" to a revisit: show the referral ask; (name, phone) of a referral."""
    from povtor.app.drafts import referral_ask

    typer.echo(f"  ask for referrals: {referral_ask(item, lang, user)}")
    name = prompt_text(
        "  " + _("referral's name (empty: none)"), field=_("the name"), required=False
    )
    if name is None:
        return None, None
    phone = prompt_text(
        "  " + _("their phone (empty: none)"), field=_("the phone"), required=False, phone=True
    )
    return name, phone
