"""``povtor product``: the product catalog, backend products and related products.

Also ``povtor deal product add|remove`` (registered by ``cli/deal.py``): the products of
a deal, which tell the plan who bought what (cross-sell) and who is already being
offered a backend product.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from povtor.app import products
from povtor.cli.runtime import FormatOption, command_group, runtime
from povtor.domain.cells import parse_currency
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render, render_record
from povtor.parsing import format_money, parse_amount
from povtor.storage import product_queries
from povtor.text import TEXT_MAX, clean_text

app = command_group(
    help="Products: the catalog, backend products for the top clients, related products "
    "for cross-sell.",
    no_args_is_help=True,
)
deal_app = command_group(
    help="The products of a deal: what was sold (or offered) in it.", no_args_is_help=True
)

ProductArg = Annotated[str, typer.Argument(help="Product id (5 or #5) or part of its name.")]
Price = Annotated[
    str | None, typer.Option("--price", "-p", help="Price, e.g. 2150 or 1 850 000,50.")
]
Currency = Annotated[str | None, typer.Option("--currency", help="Currency code (default RUB).")]
Note = Annotated[str | None, typer.Option("--note", help="A note: unit, terms, supplier.")]


def _name(value: str, *, field: str) -> str:
    from povtor.domain.formats import product_name_problem

    name = clean_text(value, field=field, required=True) or ""
    problem = product_name_problem(name)
    if problem:
        raise InvalidInput(
            _("{field}: {value} {problem}").format(field=field, value=repr(value), problem=problem),
            hint=_("give the product a name with words and no ';', e.g. «Щебень 5-20»"),
        )
    return name


def _fields(
    *, name: str | None, price: str | None, currency: str | None, note: str | None
) -> dict[str, Any]:
    """Validated product fields that were given (an empty --price or --note clears it)."""
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = _name(name, field="--name")
    if price is not None:
        fields["price_minor"] = parse_amount(price, field="--price") if price.strip() else None
    if currency is not None:
        fields["currency"] = parse_currency(currency, field="--currency")
    if note is not None:
        fields["note"] = clean_text(note, field="--note", max_len=TEXT_MAX, multiline=True)
    return fields


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The product's name, e.g. «Песок карьерный».")],
    price: Price = None,
    currency: Currency = None,
    backend: Annotated[
        bool,
        typer.Option("--backend", help="A backend product: a big one for the top 10% of clients."),
    ] = False,
    note: Note = None,
) -> None:
    """Add a product to the catalog and print its id.

    Names are unique whatever their letter case (ё = е). A backend product is offered by
    the plan to the top 10% of clients by revenue (rule "backend").

    Example: povtor product add "Топливный модуль 10 м³" --price 1850000 --backend
    """
    fields = _fields(name=None, price=price, currency=currency, note=note)
    fields["name"] = _name(name, field="name")
    fields["is_backend"] = backend
    product_id = products.add_product(runtime(ctx).db, fields)
    message(f"added product #{product_id} {fields['name']}" + (" (backend)" if backend else ""))
    print(product_id)


@app.command("edit")
def edit(
    ctx: typer.Context,
    product: ProductArg,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    price: Price = None,
    currency: Currency = None,
    backend: Annotated[
        bool | None,
        typer.Option("--backend/--no-backend", help="Make it a backend product, or not."),
    ] = None,
    note: Note = None,
) -> None:
    """Change a product's name, price, currency, backend flag or note ("" clears price/note).

    Example: povtor product edit "Песок" --price 820 --note "за тонну, с доставкой"
    """
    changes = _fields(name=name, price=price, currency=currency, note=note)
    if backend is not None:
        changes["is_backend"] = backend
    if not changes:
        raise InvalidInput(_("nothing to change"), hint=_("give at least one option, e.g. --price"))
    updated = products.edit_product(runtime(ctx).db, product, changes)
    names = {"price_minor": "price", "is_backend": "backend"}
    changed = ", ".join(sorted(names.get(k, k) for k in changes))
    message(f"updated product #{updated.id} {updated.name}: {changed}")


PRODUCT_COLUMNS = (
    Column("id", N_("ID"), "int"),
    Column("name", N_("Product"), wide=True),
    Column("price", N_("Price"), "money"),
    Column("currency", N_("Cur")),
    Column("backend", N_("Backend"), "bool"),
    Column("buyers", N_("Buyers"), "int"),
    Column("related", N_("Related"), wide=True),
    Column("note", N_("Note"), in_table=False),
)


@app.command("list")
def list_(
    ctx: typer.Context,
    backend: Annotated[bool, typer.Option("--backend", help="Only backend products.")] = False,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Part of the name, any case.")
    ] = None,
    fmt: FormatOption = None,
) -> None:
    """List products alphabetically: price, backend flag, buyers, related products.

    Buyers: clients with a paid deal holding the product. Related: the products the plan
    suggests to its buyers (cross-sell).

    Example: povtor product list --search песок --format csv
    """
    flt = product_queries.ProductFilter(backend=backend, search=search)
    rows = product_queries.list_products(runtime(ctx).db, flt)
    render(
        Listing(
            PRODUCT_COLUMNS,
            [
                [
                    p["id"],
                    p["name"],
                    p["price_minor"],
                    p["currency"],
                    p["is_backend"],
                    p["buyers"],
                    p["related"],
                    p["note"],
                ]
                for p in rows
            ],
            title="Backend products" if backend else "Products",
            empty_message=N_("no products match")
            if (backend or search)
            else "no products yet: add one with povtor product add NAME",
        ),
        fmt,
    )


@app.command("show")
def show(ctx: typer.Context, product: ProductArg, fmt: FormatOption = None) -> None:
    """Show a product: price, backend flag, related products and how many clients bought it.

    Example: povtor product show щебень
    """
    card = products.product_card(runtime(ctx).db, product)
    render_record(card, fmt, command="product show", noun="product", print_table=_print_card)


def _print_card(card: dict[str, Any]) -> None:
    from povtor.output import Card, print_card

    def price(item: dict[str, Any]) -> str:
        if item["price"] is None:
            return "not set"
        return f"{format_money(parse_amount(item['price']), grouped=True)} {item['currency']}"

    def names(items: list[dict[str, Any]]) -> str:
        return "; ".join(
            f"#{i['id']} {i['name']}" + (" (backend)" if i["is_backend"] else "") for i in items
        )

    sold = "not sold yet"
    if card["deals_won"]:
        sold = (
            f"{card['buyers']} client(s) bought it in {card['deals_won']} paid deal(s), "
            f"last on {card['last_sold_on']}"
        )
    fields: list[tuple[str, Any]] = [
        ("Price", price(card)),
        ("Backend", "yes: offered to the top 10% of clients" if card["is_backend"] else "no"),
        ("Sold", sold),
        ("Open deals", card["deals_open"] or None),
        ("Related", names(card["related"]) or "none"),
        ("Related from", names(card["related_from"]) or None),
        ("Note", card["note"]),
    ]
    print_card(Card(f"Product #{card['id']} {card['name']}", fields))


@app.command("link")
def link(
    ctx: typer.Context,
    product: ProductArg,
    related: Annotated[str, typer.Argument(help="The related product: id or part of its name.")],
    both: Annotated[
        bool, typer.Option("--both", help="Link both ways: buyers of either get the other.")
    ] = False,
) -> None:
    """Relate two products: who bought PRODUCT may want RELATED (one way; --both: both ways).

    The plan suggests RELATED to clients who bought PRODUCT and never bought RELATED
    (rule "cross_sell"). A link to a backend product makes it the backend offer for the
    top clients who bought PRODUCT.

    Example: povtor product link "Щебень" "Песок карьерный" --both
    """
    for done in products.link_products(runtime(ctx).db, product, related, both=both):
        state = "linked" if done.changed else "already linked"
        message(f"{state}: {done.product.label} → {done.related.label}")


@app.command("unlink")
def unlink(
    ctx: typer.Context,
    product: ProductArg,
    related: Annotated[str, typer.Argument(help="The related product: id or part of its name.")],
    both: Annotated[bool, typer.Option("--both", help="Remove the links both ways.")] = False,
) -> None:
    """Remove the link PRODUCT → RELATED (--both: and RELATED → PRODUCT).

    Example: povtor product unlink "Щебень" "Песок карьерный"
    """
    for done in products.unlink_products(runtime(ctx).db, product, related, both=both):
        message(f"unlinked: {done.product.label} → {done.related.label}")


@app.command("remove")
def remove(ctx: typer.Context, product: ProductArg) -> None:
    """Delete a product that no deal holds (with its links).

    A product sold in deals is kept: it is the history the plan's cross-sell reads.

    Example: povtor product remove "Песок речной"
    """
    removed = products.remove_product(runtime(ctx).db, product)
    message(f"removed product {removed.label}")


# -- the products of a deal ---------------------------------------------------------------
DealArg = Annotated[str, typer.Argument(help="Deal id (7 or #7), or its title or client's name.")]


@deal_app.command("add")
def deal_product_add(ctx: typer.Context, deal: DealArg, product: ProductArg) -> None:
    """Put a product in a deal (sold, or on offer while the deal is open).

    Example: povtor deal product add 7 "Песок карьерный"
    """
    done = products.add_to_deal(runtime(ctx).db, deal, product)
    where = f"deal #{done.deal_id} {done.client}"
    message(f"{'added' if done.changed else 'already in'} {where}: {done.product.label}")


@deal_app.command("remove")
def deal_product_remove(ctx: typer.Context, deal: DealArg, product: ProductArg) -> None:
    """Take a product out of a deal.

    Example: povtor deal product remove 7 "Песок карьерный"
    """
    done = products.remove_from_deal(runtime(ctx).db, deal, product)
    message(f"removed from deal #{done.deal_id} {done.client}: {done.product.label}")


def resolve_products(db: Any, refs: list[str] | None) -> list[Any]:
    """The products named by ``deal open --product`` (each once, in the order given)."""
    return products.resolve_products(db, refs)


def deal_products(db: Any, deal_id: int) -> list[Any]:
    """The products of a deal, for ``deal show``."""
    return product_queries.deal_products(db, deal_id)
