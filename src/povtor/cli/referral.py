"""``povtor client referral``: record a referral (seed 002) as a new client with a deal."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import runtime
from povtor.i18n import _
from povtor.output import message
from povtor.parsing import format_money, parse_amount
from povtor.text import check_email, check_phone, clean_text


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
        _(
            "added client #{client_id} {name} (referral from #{id} {name2}) with "
            "first-sale deal #{deal_id}{worth}"
        ).format(
            client_id=added.client_id,
            name=added.name,
            id=added.referrer["id"],
            name2=added.referrer["name"],
            deal_id=added.deal_id,
            worth=worth,
        )
    )
    print(added.client_id)
