"""``povtor client referral``: record a referral (seed 002) as a new client with a deal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from povtor.cli.runtime import runtime
from povtor.domain import templates
from povtor.errors import InvalidInput
from povtor.output import message
from povtor.parsing import format_money, parse_amount
from povtor.text import check_email, check_phone, clean_text

if TYPE_CHECKING:
    from povtor.domain.planner import PlanItem


def referral(
    ctx: typer.Context,
    referrer: Annotated[
        str, typer.Argument(metavar="FROM", help="The client who gave the referral.")
    ],
    name: Annotated[str, typer.Argument(help="The referred client's name.")],
    company: Annotated[str | None, typer.Option("--company", help="Company (legal) name.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-mail address.")] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="The person to talk to there.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", "-t", help="What the first-sale deal is about.")
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="The first-sale deal's amount.")
    ] = None,
) -> None:
    """Record a referral: a new client referred by FROM, with a first-sale deal.

    The client's source is «referral from <FROM's name>» and its card shows who
    referred it; the deal opens at the first stage of the first-sale funnel. All of
    it is one transaction. Prints the new client's id.

    Example: povtor client referral "Сосна" "Бригада Лосева" --phone "+7 916 555-12-34"
    """
    fields = {
        "company": clean_text(company, field="--company"),
        "phone": clean_text(phone, field="--phone"),
        "email": clean_text(email, field="--email"),
    }
    check_email(fields["email"])
    check_phone(fields["phone"])
    clean_name = clean_text(name, field="NAME", required=True) or ""
    who = clean_text(person, field="--person")
    what = clean_text(title, field="--title")
    money = parse_amount(amount, field="--amount") if amount is not None else None
    from povtor.app.clients import add_referral

    state = runtime(ctx)
    added = add_referral(
        state.db,
        state.clock,
        referrer=referrer,
        name=clean_name,
        person=who,
        title=what,
        amount_minor=money,
        fields={k: v for k, v in fields.items() if v is not None},
    )
    worth = f", {format_money(money, grouped=True)}" if money else ""
    message(
        f"added client #{added.client_id} {added.name} (referral from #{added.referrer['id']} "
        f"{added.referrer['name']}) with first-sale deal #{added.deal_id}{worth}"
    )
    print(added.client_id)


# -- plan run: the answers of a service contact and of a refused revisit -----------------
SERVICE_RUN_CHOICES = "all well? [o]k  [p]roblem  [l]ater  [a] no answer  [s]kip  [q]uit"


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


def referral_ask(item: PlanItem, lang: str, user: Mapping[tuple[str, str, str, str], str]) -> str:
    """The seed 002 question after a "no" to a revisit, filled for the item's client."""
    about = item.primary.about
    values = templates.values_for(
        client=item.client.name,
        company=item.client.company,
        person=item.client.person,
        title=about.title if about else None,
    )
    return templates.fill(templates.lookup("closing", "*", "referrals", lang, user), values)


def prompt_referral(
    item: PlanItem, lang: str, user: Mapping[tuple[str, str, str, str], str]
) -> tuple[str | None, str | None]:
    """After a "no" to a revisit: show the referral ask; (name, phone) of a referral."""
    typer.echo(f"  ask for referrals: {referral_ask(item, lang, user)}")
    name = prompt_text("  referral's name (empty: none)", field="the name", required=False)
    if name is None:
        return None, None
    phone = prompt_text(
        "  their phone (empty: none)", field="the phone", required=False, phone=True
    )
    return name, phone
