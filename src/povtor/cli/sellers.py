"""``povtor seller``: the team on one database; ``client assign`` and ``deal assign``.

A solo seller needs none of it. The current seller (``POVTOR_SELLER``, else ``povtor
seller use NAME``) gets the clients ``client add`` adds, and its own plan.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from povtor.cli.runtime import FormatOption, command_group, runtime
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render

if TYPE_CHECKING:
    from povtor.app.sellers import Handed, Seller
    from povtor.storage.database import Database

app = command_group(
    help="The team: sellers on one database, each with their own clients and plan.",
    no_args_is_help=True,
)

SellerName = Annotated[str, typer.Argument(metavar="NAME", help="The seller's name, e.g. «Анна».")]
ToSeller = Annotated[str, typer.Option("--to", help="The seller who takes it over.")]
Force = Annotated[bool, typer.Option("--force", help="Take it even though another seller owns it.")]
Note = Annotated[str | None, typer.Option("--note", help="Why it is handed over.")]


def current(db: Database) -> Seller | None:
    """The current seller: POVTOR_SELLER, else the one ``seller use`` chose; or none."""
    from povtor.app.sellers import ENV, current_seller

    return current_seller(db, os.environ.get(ENV))


@app.command("add")
def add(ctx: typer.Context, seller_name: SellerName) -> None:
    """Add a seller to the team (names are unique whatever their case).

    Example: povtor seller add "Анна"
    """
    from povtor.app.sellers import add_seller

    state = runtime(ctx)
    seller = add_seller(state.db, state.clock, seller_name)
    if seller.back:
        message(_("seller #{id} {name} is back on the team").format(id=seller.id, name=seller.name))
    else:
        message(_("added seller #{id} {name}").format(id=seller.id, name=seller.name))
    print(seller.id)


SELLER_COLUMNS = (
    Column("id", "ID", "int"),
    Column("name", N_("Seller"), wide=True),
    Column("clients", N_("Clients"), "int"),
    Column("open_deals", N_("Open deals"), "int"),
    Column("current", N_("Current"), "bool"),
    Column("created_on", N_("Since"), "date"),
)


REMOVED_COLUMN = Column("removed_on", N_("Removed"), "date")


@app.command("list")
def list_(
    ctx: typer.Context,
    everyone: Annotated[
        bool,
        typer.Option("--all", help="Also the sellers removed from the team, and when."),
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """The team: each seller's active clients and open deals (their own and those
    handed over to them), and who is the current seller.

    Example: povtor seller list --format csv
    """
    from povtor.app.sellers import list_sellers
    from povtor.storage.database import to_date

    db = runtime(ctx).db
    now = current(db)
    render(
        Listing(
            (*SELLER_COLUMNS, REMOVED_COLUMN) if everyone else SELLER_COLUMNS,
            [
                [
                    r["id"],
                    r["name"],
                    r["clients"],
                    r["open_deals"],
                    now is not None and now.id == r["id"],
                    to_date(r["created_on"]),
                    *([to_date(r["removed_on"])] if everyone else []),
                ]
                for r in list_sellers(db, removed_too=everyone)
            ],
            title=_("Sellers"),
            empty_message=_("no sellers: a team of one (add one with: povtor seller add NAME)"),
        ),
        fmt,
    )


@app.command("remove")
def remove(ctx: typer.Context, seller_name: SellerName) -> None:
    """Take a seller who owns nothing off the team; refused while they own a client or a
    deal. The touches they logged stay theirs; seller list --all still shows them, and
    seller add brings them back.

    Example: povtor seller remove "Анна"
    """
    from povtor.app.sellers import remove_seller

    state = runtime(ctx)
    seller = remove_seller(state.db, state.clock, seller_name)
    message(_("removed seller #{id} {name}").format(id=seller.id, name=seller.name))


@app.command("use")
def use(
    ctx: typer.Context,
    seller_name: Annotated[
        str | None, typer.Argument(metavar="[NAME]", help="The seller (none: nobody).")
    ] = None,
) -> None:
    """Work as this seller on this database: new clients are theirs, the plan is
    theirs. POVTOR_SELLER, when set, comes first. Without NAME: nobody.

    Example: povtor seller use "Анна"
    """
    from povtor.app.sellers import use_seller

    seller = use_seller(runtime(ctx).db, seller_name)
    message(
        _("working as {name}").format(name=seller.name)
        if seller
        else _("working as nobody in particular")
    )


HANDOVER_COLUMNS = (
    Column("id", "ID", "int"),
    Column("on_date", N_("On"), "date"),
    Column("entity", N_("What")),
    Column("client_id", N_("Client ID"), "int", in_table=False),
    Column("client", N_("Client"), wide=True),
    Column("deal_id", N_("Deal"), "int"),
    Column("from_seller", N_("From")),
    Column("to_seller", N_("To")),
    Column("note", N_("Note"), wide=True),
)


@app.command("handovers")
def handovers(
    ctx: typer.Context,
    client: Annotated[
        str | None, typer.Option("--client", "-c", help="Only this client and its deals.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """The record of handovers: what went from whom to whom, when, and why.

    Example: povtor seller handovers --client "Ромашка"
    """
    from povtor.app.sellers import handovers as read
    from povtor.storage.database import to_date

    rows = read(runtime(ctx).db, client)
    render(
        Listing(
            HANDOVER_COLUMNS,
            [
                [
                    r["id"],
                    to_date(r["on_date"]),
                    r["entity"],
                    r["client_id"],
                    r["client"],
                    r["deal_id"],
                    r["from_seller"] or "",
                    r["to_seller"] or "",
                    r["note"] or "",
                ]
                for r in rows
            ],
            title=_("Handovers"),
            empty_message=_("nothing was handed over"),
        ),
        fmt,
    )


def _handed(done: Handed) -> None:
    if not done.changed:
        message(_("{what} is {to}'s already").format(what=done.what, to=done.to))
    elif done.was is None:
        message(_("{what} is {to}'s now").format(what=done.what, to=done.to))
    else:
        message(
            _("{what} handed over from {was} to {to}").format(
                what=done.what, was=done.was, to=done.to
            )
        )


def client_assign(
    ctx: typer.Context,
    clients: Annotated[
        list[str],
        typer.Argument(
            metavar="CLIENT...",
            help="Client ids (12 or #12) or parts of their names or companies.",
        ),
    ],
    to_seller: ToSeller,
    force: Force = False,
    note: Note = None,
) -> None:
    """Give clients, and the deals that follow them, to a seller; recorded, all or none.

    A client nobody owns is taken freely. One another seller owns is handed over by its
    owner (the current seller), or taken with --force; else refused, naming the owner.

    Example: povtor client assign "Ромашка" 12 --to "Анна"
    """
    from povtor.app.sellers import assign_clients
    from povtor.text import clean_text

    state = runtime(ctx)
    db = state.db
    done = assign_clients(
        db,
        state.clock,
        clients,
        to_seller,
        acting=current(db),
        force=force,
        note=clean_text(note, field="--note") if note else None,
    )
    for each in done:
        _handed(each)


def deal_assign(
    ctx: typer.Context,
    deal: Annotated[str, typer.Argument(help="Deal id (7 or #7), its title or client.")],
    to_seller: ToSeller,
    force: Force = False,
    note: Note = None,
) -> None:
    """Hand one deal to a seller: a refused deal to whoever works the refusals, a hot
    one to the expert. The client stays with its owner; recorded.

    Example: povtor deal assign 7 --to "Олег" --note "отказ: прозвонить через месяц"
    """
    from povtor.app.sellers import assign_deal
    from povtor.text import clean_text

    state = runtime(ctx)
    db = state.db
    done = assign_deal(
        db,
        state.clock,
        deal,
        to_seller,
        acting=current(db),
        force=force,
        note=clean_text(note, field="--note") if note else None,
    )
    _handed(done)
