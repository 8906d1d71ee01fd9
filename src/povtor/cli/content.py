"""``povtor nudge content``: the seller's own useful material that warming drafts share."""

from __future__ import annotations

from typing import Annotated

import typer

from povtor.cli.runtime import FormatOption, choose, command_group, runtime
from povtor.i18n import N_, _
from povtor.output import Column, Listing, message, render
from povtor.text import TEXT_MAX, clean_text

content_app = command_group(
    help="Useful material for warming touches: by industry or for anyone, one per client.",
    no_args_is_help=True,
)


@content_app.command("add")
def content_add(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(help="What to share: a tip, a news item, a link, in a sentence.")
    ],
    industry: Annotated[
        str | None,
        typer.Option("--industry", "-i", help="Only for clients of this industry (default: any)."),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option("--tag", "-t", help="A topic: clients with a fact on it get it first."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="The language it is written in.")] = "ru",
) -> None:
    """Add an item of useful material for warming touches; prints its id.

    A warming draft (plan today, nudge text --kind warming) shares one item the client
    has not had yet: for their industry first, then one tagged with a topic of their
    facts, then the oldest. A warming touch logged from plan run records it (purpose
    content, about content:ID); by hand: nudge log --purpose content --about ID.

    Example: povtor nudge content add "Как принять щебень: https://example.ru/p" -i строительство
    """
    from povtor.app.warming import add_content

    body = clean_text(text, field="TEXT", required=True, max_len=TEXT_MAX) or ""
    language = choose(lang, ("ru", "en"), option="--lang") or "ru"
    state = runtime(ctx)
    content_id = add_content(
        state.db,
        text=body,
        industry=clean_text(industry, field="--industry"),
        tag=clean_text(tag, field="--tag"),
        lang=language,
        on=state.clock.today,
    )
    message(
        f"added warming content #{content_id}" + (f" for {industry.strip()}" if industry else "")
    )
    print(content_id)


@content_app.command("list")
def content_list(
    ctx: typer.Context,
    industry: Annotated[
        str | None,
        typer.Option("--industry", "-i", help="Only what clients of this industry may get."),
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag", "-t", help="Only with this tag.")] = None,
    fmt: FormatOption = None,
) -> None:
    """List the warming content, with how many clients have had each item.

    Example: povtor nudge content list --industry строительство
    """
    from povtor.app.warming import list_content

    rows = list_content(runtime(ctx).db, industry=industry, tag=tag)
    columns = (
        Column("id", N_("ID"), "int"),
        Column("industry", N_("Industry")),
        Column("tag", N_("Tag")),
        Column("lang", N_("Lang")),
        Column("clients", N_("Clients"), "int"),
        Column("added_on", N_("Added"), "date"),
        Column("text", N_("Text"), wide=True),
    )
    render(
        Listing(
            columns,
            [[r[c.key] for c in columns] for r in rows],
            title=N_("Warming content"),
            empty_message='no warming content: povtor nudge content add "TEXT" [--industry I]',
        ),
        fmt,
    )


@content_app.command("remove")
def content_remove(
    ctx: typer.Context,
    content: Annotated[str, typer.Argument(help="The item's number, as content list shows it.")],
) -> None:
    """Remove an item no longer worth sharing (the touches that shared it keep it).

    Example: povtor nudge content remove 3
    """
    from povtor.app.warming import remove_content

    gone = remove_content(runtime(ctx).db, content)
    message(_("removed warming content #{id}: {text}").format(id=gone["id"], text=gone["text"]))
