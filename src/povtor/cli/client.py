"""``povtor client``: the client base, people at each client, talking facts, the card."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, confirm, runtime
from povtor.domain.vocabulary import CATEGORIES
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import (
    Column,
    Listing,
    OutputFormat,
    default_format,
    message,
    render,
    render_record,
)
from povtor.parsing import format_money, not_in_future, parse_amount, parse_date
from povtor.storage import queries
from povtor.text import TEXT_MAX, check_email, check_phone, clean_text

app = command_group(
    help="Clients: add, edit, show the card, list and find, archive; people and facts.",
    no_args_is_help=True,
)

STATUSES = ("active", "archived", "all")

ClientArg = Annotated[
    str, typer.Argument(help="Client id (12 or #12) or part of its name or company.")
]
Company = Annotated[str | None, typer.Option("--company", help="Company (legal) name.")]
Category = Annotated[
    str | None, typer.Option("--category", "-C", "-c", help="Category: A, B or C.")
]
Industry = Annotated[str | None, typer.Option("--industry", help="Industry, e.g. «строительство».")]
Source = Annotated[str | None, typer.Option("--source", help="Lead source, e.g. «выставка».")]
Phone = Annotated[str | None, typer.Option("--phone", help="Phone number.")]
Email = Annotated[str | None, typer.Option("--email", help="E-mail address.")]
Address = Annotated[str | None, typer.Option("--address", help="Postal address.")]
Notes = Annotated[str | None, typer.Option("--notes", help="Free notes.")]
MainOption = Annotated[
    bool, typer.Option("--main", help="The client's main contact: the drafts greet this person.")
]


def _client_fields(
    *,
    name: str | None,
    company: str | None,
    category: str | None,
    industry: str | None,
    source: str | None,
    phone: str | None,
    email: str | None,
    address: str | None,
    notes: str | None,
) -> dict[str, Any]:
    """Validated client fields that were given (an empty string clears a field)."""
    given = {
        "name": name,
        "company": company,
        "category": category,
        "industry": industry,
        "source": source,
        "phone": phone,
        "email": email,
        "address": address,
        "notes": notes,
    }
    fields: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key == "category":
            fields[key] = choose(value, CATEGORIES, option="--category") if value.strip() else None
            fields["category_source"] = "manual" if fields[key] else None  # set by hand
        elif key == "notes":
            fields[key] = clean_text(value, field="--notes", max_len=TEXT_MAX, multiline=True)
        else:
            fields[key] = clean_text(
                value, field=f"--{key}" if key != "name" else "name", required=key == "name"
            )
    check_email(fields.get("email"))
    check_phone(fields.get("phone"))
    return fields


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="The client's name, e.g. «Иван Петров» or «Ромашка».")
    ],
    company: Company = None,
    category: Category = None,
    industry: Industry = None,
    source: Source = None,
    phone: Phone = None,
    email: Email = None,
    address: Address = None,
    notes: Notes = None,
    created: Annotated[
        str | None, typer.Option("--on", "--created", help="Date the client came (default: today).")
    ] = None,
) -> None:
    """Add a client and print its id.

    Example: povtor client add "Иван Петров" --company "ООО Ромашка" --category B
    """
    fields = _client_fields(
        name=name,
        company=company,
        category=category,
        industry=industry,
        source=source,
        phone=phone,
        email=email,
        address=address,
        notes=notes,
    )
    state = runtime(ctx)
    if created is not None:  # an empty --on is an error, not today
        fields["created_on"] = not_in_future(
            parse_date(created, field="--on", today=state.clock.today),
            state.clock.today,
            option="--on",
            hint="give the day the client came: today or earlier",
        )
    import os

    from povtor.app.clients import add_client
    from povtor.app.sellers import ENV, current_seller

    # a team's new client is the current seller's
    seller = current_seller(state.db, os.environ.get(ENV))
    added = add_client(
        state.db, state.clock, fields, seller_id=seller.id if seller is not None else None
    )
    message(_("added client #{id} {name}").format(id=added.id, name=added.name))
    print(added.id)


@app.command("edit")
def edit(
    ctx: typer.Context,
    client: ClientArg,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    company: Company = None,
    category: Category = None,
    industry: Industry = None,
    source: Source = None,
    phone: Phone = None,
    email: Email = None,
    address: Address = None,
    notes: Notes = None,
) -> None:
    """Change a client's fields; an empty value ("") clears a field.

    Example: povtor client edit "Ромашка" --category A --phone "+7 900 123-45-67"
    """
    changes = _client_fields(
        name=name,
        company=company,
        category=category,
        industry=industry,
        source=source,
        phone=phone,
        email=email,
        address=address,
        notes=notes,
    )
    if not changes:
        raise InvalidInput(_("nothing to change"), hint=_("give at least one option, e.g. --phone"))
    from povtor.app.clients import edit_client

    updated = edit_client(runtime(ctx).db, client, changes)
    named = sorted(k for k in changes if k != "category_source")
    message(
        _("updated client #{id} {name}: {join}").format(
            id=updated.id, name=updated.name, join=", ".join(named)
        )
    )


def _set_status(ctx: typer.Context, client: str, status: str) -> None:
    from povtor.app.clients import set_status

    row, changed = set_status(runtime(ctx).db, client, status)
    message(
        (
            _("client #{id} {name} is {status} now")
            if changed
            else _("client #{id} {name} is {status} already")
        ).format(id=row["id"], name=row["name"], status=_(status))
    )


@app.command("archive")
def archive(ctx: typer.Context, client: ClientArg) -> None:
    """Archive a client: it leaves lists and plans but keeps its history.

    Example: povtor client archive 12
    """
    _set_status(ctx, client, "archived")


@app.command("restore")
def restore(ctx: typer.Context, client: ClientArg) -> None:
    """Bring an archived client back.

    Example: povtor client restore 12
    """
    _set_status(ctx, client, "active")


def _erased(counts: dict[str, int]) -> str:
    from povtor.domain.wording import counted as n

    occasions = counts.get("occasions", 0)
    return (
        f"{n(counts['people'], 'person', 'people')}, {n(counts['facts'], 'fact', 'facts')}, "
        + (f"{n(occasions, 'occasion', 'occasions')}, " if occasions else "")
        + f"the texts of {n(counts['touches'], 'touch', 'touches')} and "
        f"{n(counts['deals'], 'deal', 'deals')}"
    )


@app.command("forget")
def forget(
    ctx: typer.Context,
    client: ClientArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a client's personal data for good (on the client's request).

    The name becomes «forgotten client #ID»; company, phone, e-mail, address,
    notes, people, talking facts, occasions, touch texts, deal titles and reasons are
    erased, also from the file's free space and its WAL. Category, industry,
    source, amounts, dates and stages stay, so statistics do not change; the
    client is archived. Backups made before still hold the data.

    Example: povtor client forget 12 --yes
    """
    from povtor.app.clients import forget as forget_client
    from povtor.app.clients import forget_preview

    db = runtime(ctx).db
    preview = forget_preview(db, client)
    row, counts = preview.client, preview.counts
    question = (
        f"Erase the personal data of client #{row['id']} {row['name']} for good "
        f"(contacts, notes, {_erased(counts)})?"
    )
    if not confirm(question, yes=yes, command="client forget"):
        return
    result = forget_client(db, row["id"])
    done = result.done
    erased = _erased(
        {
            "people": done.people,
            "facts": done.facts,
            "occasions": done.occasions,
            "touches": done.touches,
            "deals": done.deals,
        }
    )
    message(
        _(
            "forgot client #{client_id}: now «{name}», archived; erased its "
            "contacts, notes, {erased}; amounts and dates are kept"
        ).format(client_id=done.client_id, name=done.name, erased=erased)
    )
    if not done.wal_emptied:
        message(
            _(
                "note: another povtor is reading the database; the erased text leaves "
                "its -wal file at the next checkpoint (when that povtor is done)"
            )
        )
    if result.backups:
        message(
            f"note: {len(result.backups)} backup(s) made before still hold the client's data: "
            + ", ".join(result.backups)
        )


CLIENT_LIST_COLUMNS = (
    Column("id", N_("ID"), "int"),
    Column("name", N_("Client"), wide=True),
    Column("company", N_("Company"), wide=True),
    Column("category", N_("Cat")),
    Column("industry", N_("Industry")),
    Column("source", N_("Source"), in_table=False),
    Column("status", N_("Status"), in_table=False),
    Column("open_deals", N_("Open"), "int"),
    Column("last_touch_on", N_("Last touch"), "date"),
    Column("created_on", N_("Since"), "date", in_table=False),
)


CATEGORY_SOURCES = (N_("manual"),)  # who set a category, as a card shows it (abc stays abc)


def category_label(category: str | None, source: str | None) -> str | None:
    """«B (abc)»: a category with who set it (manual: by hand, abc: by client categorize)."""
    if category is None:
        return None
    return f"{category} ({_(source)})" if source else category


def _client_listing(
    rows: Iterator[tuple[Any, ...]], title: str, fmt: OutputFormat | None = None
) -> Listing:
    at = {name: n for n, name in enumerate(queries.CLIENT_LIST_COLUMNS)}
    picks = [at[c.key] for c in CLIENT_LIST_COLUMNS]
    category, source = at["category"], at["category_source"]
    table = (fmt or default_format()) is OutputFormat.table

    def cells(row: tuple[Any, ...]) -> list[Any]:
        values = [row[n] for n in picks]
        if table and row[source] == "abc":
            # in a table, a category set by client categorize shows it: «B (abc)»
            values[picks.index(category)] = category_label(row[category], "abc")
        return values

    return Listing(
        columns=CLIENT_LIST_COLUMNS,
        rows=map(cells, rows),
        title=title,
        empty_message=N_("no clients match"),
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", help="active, archived or all.")] = "active",
    category: Category = None,
    industry: Industry = None,
    source: Source = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Part of name or company, any case.")
    ] = None,
    seller: Annotated[
        str | None, typer.Option("--seller", help="Only the clients of this seller of the team.")
    ] = None,
    unowned: Annotated[
        bool, typer.Option("--unowned", help="Only the clients no seller of the team owns.")
    ] = False,
    fmt: FormatOption = None,
) -> None:
    """List clients, alphabetically.

    Example: povtor client list --category A --format csv
    """
    seller_id = None
    if seller is not None:
        from povtor.app.sellers import find_seller

        if unowned:
            raise InvalidInput(
                _("give either --seller or --unowned, not both"), hint=_("e.g. --unowned")
            )
        seller_id = find_seller(runtime(ctx).db, seller).id
    flt = queries.ClientFilter(
        status=choose(status, STATUSES, option="--status") or "active",
        category=choose(category, CATEGORIES, option="--category"),
        industry=industry,
        source=source,
        search=search,
        seller_id=seller_id,
        unowned=unowned,
    )
    rows = queries.iterate_clients(runtime(ctx).db, flt)
    render(_client_listing(rows, "Clients", fmt), fmt)


@app.command("find")
def find(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Part of a name or company, in any letter case.")],
    status: Annotated[str, typer.Option("--status", help="active, archived or all.")] = "all",
    fmt: FormatOption = None,
) -> None:
    """Find clients by part of the name or company (Cyrillic in any case: «иван» finds «Иван»).

    Example: povtor client find ромашка
    """
    flt = queries.ClientFilter(
        status=choose(status, STATUSES, option="--status") or "all", search=text
    )
    rows = queries.iterate_clients(runtime(ctx).db, flt)
    render(_client_listing(rows, f"Clients matching «{text}»", fmt), fmt)


@app.command("show")
def show(ctx: typer.Context, client: ClientArg, fmt: FormatOption = None) -> None:
    """Show the client card: contacts, people, talking facts, deals, last touch.

    Example: povtor client show "Ромашка"
    """
    from povtor.app.clients import client_card

    state = runtime(ctx)
    card = client_card(state.db, client, state.clock.today)
    render_record(card, fmt, command="client show", noun="card", print_table=_print_card)


def _print_card(card: dict[str, Any]) -> None:
    from povtor.output import Card, print_card

    fields: list[tuple[str, Any]] = [
        (N_("Company"), card.get("company")),
        (N_("Category"), category_label(card["category"], card["category_source"])),
        (N_("Card"), card["card"]["summary"]),
        (N_("Industry"), card.get("industry")),
        (N_("Source"), card.get("source")),
        (N_("Phone"), card.get("phone")),
        (N_("E-mail"), card.get("email")),
        (N_("Address"), card.get("address")),
        (N_("Status"), _(card["status"]) if card.get("status") else None),
        (N_("Client since"), card.get("created_on")),
        (N_("Notes"), card.get("notes")),
    ]
    if card.get("seller"):
        fields.append((N_("Seller"), card["seller"]))
    if card.get("referred_by"):
        by = card["referred_by"]
        fields.append((N_("Referred by"), f"#{by['id']} {by['name']}"))
    if card.get("referrals"):
        given = ", ".join(f"#{r['id']} {r['name']}" for r in card["referrals"])
        fields.append((N_("Referrals given"), given))
    if card.get("roadmap"):
        fields.append((N_("Roadmap"), card["roadmap"]["summary"]))
    sections: list[Any] = [
        Listing(
            (
                Column("id", N_("#"), "int"),
                Column("name", N_("Name"), wide=True),
                Column("role", N_("Role"), wide=True),
                Column("phone", N_("Phone")),
                Column("birthday", N_("Birthday")),
                Column("main", N_("Main")),
            ),
            [
                [
                    p["id"],
                    p["name"],
                    p["role"],
                    p["phone"],
                    p["birthday"],
                    "yes" if p["main"] else "",
                ]
                for p in card["people"]
            ],
            title=N_("People"),
        ),
        Listing(
            (
                Column("id", N_("#"), "int"),
                Column("topic", N_("Topic")),
                Column("text", N_("Fact"), wide=True),
                Column("noted_on", N_("Noted"), "date"),
            ),
            [[f["id"], f["topic"], f["text"], f["noted_on"]] for f in card["facts"]],
            title=_("Talking facts ({n})").format(n=len(card["facts"])),
        ),
        Listing(
            (
                Column("id", N_("#"), "int"),
                Column("funnel", N_("Funnel")),
                Column("stage", N_("Stage")),
                Column("status", N_("Status")),
                Column("amount", N_("Amount"), justify="right"),
                Column("opened_on", N_("Opened"), "date"),
                Column("closed_on", N_("Closed"), "date"),
            ),
            [
                [
                    d["id"],
                    d["funnel"],
                    d["stage"],
                    d["status"],
                    f"{format_money(parse_amount(d['amount']), grouped=True)} {d['currency']}"
                    if d["amount"]
                    else "",
                    d["opened_on"],
                    d["closed_on"],
                ]
                for d in card["deals"]
            ],
            title=N_("Deals"),
        ),
    ]
    touch = card["last_touch"]
    if touch:
        sections.append(
            (
                f"Last touch: {touch['on_date']} {touch['kind']} by {touch['channel']}, "
                f"outcome {touch['outcome']}" + (f": {touch['text']}" if touch["text"] else ""),
                None,
            )
        )
    else:
        sections.append(("Last touch: none", "dim"))
    print_card(Card(f"#{card['id']} {card['name']}", fields, sections))
