"""``povtor client person`` and ``povtor client fact``: the people at a client (and its
main contact) and the talking facts about its business and people."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from povtor.cli.runtime import FormatOption, command_group, confirm, runtime
from povtor.errors import InvalidInput
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render
from povtor.parsing import parse_date
from povtor.storage import queries
from povtor.text import TEXT_MAX, check_email, check_phone, clean_text

person_app = command_group(
    help="People at a client: name, role, phone, birthday; the main contact.",
    no_args_is_help=True,
)
fact_app = command_group(
    help="Talking facts about a client's business and people (not contacts).", no_args_is_help=True
)

ClientArg = Annotated[
    str, typer.Argument(help="Client id (12 or #12) or part of its name or company.")
]
Phone = Annotated[str | None, typer.Option("--phone", help="Phone number.")]
Email = Annotated[str | None, typer.Option("--email", help="E-mail address.")]
MainOption = Annotated[
    bool, typer.Option("--main", help="The client's main contact: the drafts greet this person.")
]


# -- people ------------------------------------------------------------------------
@person_app.command("add")
def person_add(
    ctx: typer.Context,
    client: ClientArg,
    name: Annotated[str, typer.Argument(help="The person's name.")],
    role: Annotated[
        str | None, typer.Option("--role", help="Role, e.g. «главный инженер».")
    ] = None,
    phone: Phone = None,
    email: Email = None,
    birthday: Annotated[
        str | None, typer.Option("--birthday", help="Birthday: YYYY-MM-DD, or DD.MM (no year).")
    ] = None,
    main: MainOption = False,
) -> None:
    """Add a person at a client.

    The drafts greet the client's main contact (--main, or povtor client person main),
    else the first person added.

    Example: povtor client person add Ромашка "Пётр Петрович" --role снабженец --birthday 1975-04-12
    """
    fields: dict[str, Any] = {
        "name": clean_text(name, field="name", required=True),
        "role": clean_text(role, field="--role"),
        "phone": clean_text(phone, field="--phone"),
        "email": clean_text(email, field="--email"),
    }
    check_email(fields["email"])
    check_phone(fields["phone"])
    if birthday is not None:
        from povtor.domain.perks import parse_birthday

        fields["birthday"] = parse_birthday(birthday, today=runtime(ctx).clock.today)
    state = runtime(ctx)
    if main:
        from povtor.app.edits import add_main_person

        added = add_main_person(state.db, state.clock, client, fields)
        message(
            _("added {name} to client #{client_id} {client} as its main contact").format(
                name=added["name"], client_id=added["client_id"], client=added["client"]
            )
        )
        print(added["id"])
        return
    from povtor.app.clients import add_person

    person = add_person(state.db, client, fields)
    message(
        _("added {name} to client #{client_id} {client}").format(
            name=person.name, client_id=person.client_id, client=person.client
        )
    )
    print(person.id)


PersonId = Annotated[
    int,
    typer.Argument(
        min=1, max=queries.MAX_ROW_ID, help="The person's id, as client person list shows it."
    ),
]


@person_app.command("edit")
def person_edit(
    ctx: typer.Context,
    person: PersonId,
    name: Annotated[str | None, typer.Option("--name", help="The right name.")] = None,
    role: Annotated[str | None, typer.Option("--role", help='Role ("" clears it).')] = None,
    phone: Phone = None,
    email: Email = None,
    birthday: Annotated[
        str | None, typer.Option("--birthday", help='Birthday: YYYY-MM-DD or DD.MM ("" clears it).')
    ] = None,
    main: MainOption = False,
) -> None:
    """Correct a person's name, role, phone, e-mail or birthday; "" clears a field.

    The correction is recorded with the values before it (povtor db changes).

    Example: povtor client person edit 3 --name "Пётр Петрович Орлов" --phone "+7 900 111-22-33"
    """
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = clean_text(name, field="--name", required=True)
    for key, value in (("role", role), ("phone", phone), ("email", email)):
        if value is not None:
            changes[key] = clean_text(value, field=f"--{key}")
    check_email(changes.get("email"))
    if birthday is not None:
        from povtor.domain.perks import parse_birthday

        today = runtime(ctx).clock.today
        changes["birthday"] = parse_birthday(birthday, today=today) if birthday.strip() else None
    if not changes and not main:
        raise InvalidInput(_("nothing to change"), hint=_("give at least one option, e.g. --phone"))
    from povtor.app.change_log import change_words
    from povtor.app.edits import edit_person

    state = runtime(ctx)
    edited = edit_person(state.db, state.clock, person, changes, main=main)
    if not edited.after:
        message(_("person {label}: nothing changed").format(label=edited.label))
    else:
        message(
            _("person {label}: {change_words}").format(
                label=edited.label, change_words=change_words(edited.before, edited.after)
            )
        )


@person_app.command("main")
def person_main(ctx: typer.Context, person: PersonId) -> None:
    """Make a person the client's main contact: the one the drafts greet.

    Without a main contact the drafts greet the first person added.

    Example: povtor client person main 3
    """
    from povtor.app.edits import make_main

    state = runtime(ctx)
    row, changed = make_main(state.db, state.clock, person)
    message(
        f"{row['name']} is the main contact of client #{row['client_id']} {row['client']}"
        + (" now" if changed else " already")
    )


@person_app.command("remove")
def person_remove(
    ctx: typer.Context,
    person: PersonId,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a person added by mistake or gone from the client, with its own dates.

    The person's occasions (birthdays and the like: client occasion list) go with it.
    Asks first unless --yes; the removal is recorded with the person's data (povtor db
    changes).

    Example: povtor client person remove 3 --yes
    """
    from povtor.app.edits import remove_person, remove_preview

    state = runtime(ctx)
    preview = remove_preview(state.db, person)
    row, occasions = preview.person, preview.occasions
    dates = f" and {len(occasions)} occasion(s) of theirs" if occasions else ""
    question = (
        f"Remove #{row['id']} {row['name']} from client #{row['client_id']} {row['client']}{dates}?"
    )
    if not confirm(question, yes=yes, command="client person remove"):
        return
    removed = remove_person(state.db, state.clock, person)
    message(
        f"removed #{row['id']} {row['name']} from client #{row['client_id']} {row['client']}"
        + (f" with {len(removed.occasions)} occasion(s)" if removed.occasions else "")
    )


@person_app.command("list")
def person_list(ctx: typer.Context, client: ClientArg, fmt: FormatOption = None) -> None:
    """List the people at a client.

    Example: povtor client person list Ромашка --format json
    """
    db = runtime(ctx).db
    row = queries.find_client(db, client)
    columns = (
        Column("id", N_("ID"), "int"),
        Column("name", N_("Name")),
        Column("role", N_("Role")),
        Column("phone", N_("Phone")),
        Column("email", N_("E-mail")),
        Column("birthday", N_("Birthday")),
        Column("is_main", N_("Main"), "bool"),
    )
    from povtor.domain.perks import shown_birthday

    people = [
        {**p, "birthday": shown_birthday(p["birthday"])}
        for p in queries.client_people(db, row["id"])
    ]
    render(
        Listing(
            columns,
            [[bool(p[c.key]) if c.key == "is_main" else p[c.key] for c in columns] for p in people],
            title=f"People at {row['name']}",
            empty_message=N_("no people recorded"),
        ),
        fmt,
    )


# -- facts -------------------------------------------------------------------------
@fact_app.command("add")
def fact_add(
    ctx: typer.Context,
    client: ClientArg,
    text: Annotated[
        str, typer.Argument(help="The fact, e.g. «берут позицию №35 по 2,5 т в месяц».")
    ],
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help="Short topic, e.g. «закупки».")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="When it was learned (default: today).")
    ] = None,
) -> None:
    """Record a talking fact about the client's business or people.

    Example: povtor client fact add Ромашка "Пётр Петрович любит коньяк «Весенний»" --topic люди
    """
    clean = clean_text(text, field="fact", required=True, max_len=TEXT_MAX, multiline=True)
    clean_topic = clean_text(topic, field="--topic")
    state = runtime(ctx)
    today = state.clock.today
    noted = parse_date(on, field="--on", today=today) if on is not None else today
    from povtor.app.clients import add_fact

    fact = add_fact(state.db, client, text=clean or "", topic=clean_topic, on=noted)
    message(
        _("noted fact #{id} about #{client_id} {client}").format(
            id=fact.id, client_id=fact.client_id, client=fact.client
        )
    )
    print(fact.id)


@fact_app.command("remove")
def fact_remove(
    ctx: typer.Context,
    client: ClientArg,
    fact_id: Annotated[
        int,
        typer.Argument(
            min=1, max=queries.MAX_ROW_ID, help="The fact's number, as client show lists it."
        ),
    ],
) -> None:
    """Remove a talking fact that is wrong or out of date.

    Example: povtor client fact remove Ромашка 3
    """
    from povtor.app.clients import remove_fact

    removed = remove_fact(runtime(ctx).db, client, fact_id)
    message(
        _("removed fact #{fact_id} from #{client_id} {client}").format(
            fact_id=fact_id, client_id=removed.client_id, client=removed.client
        )
    )


@fact_app.command("list")
def fact_list(ctx: typer.Context, client: ClientArg, fmt: FormatOption = None) -> None:
    """List a client's talking facts.

    Example: povtor client fact list Ромашка
    """
    db = runtime(ctx).db
    row = queries.find_client(db, client)
    columns = (
        Column("id", N_("ID"), "int"),
        Column("topic", N_("Topic")),
        Column("text", N_("Fact"), wide=True),
        Column("noted_on", N_("Noted"), "date"),
    )
    facts = queries.client_facts(db, row["id"])
    render(
        Listing(
            columns,
            [[f[c.key] for c in columns] for f in facts],
            title=f"Facts about {row['name']}",
            empty_message=N_("no facts recorded"),
        ),
        fmt,
    )
