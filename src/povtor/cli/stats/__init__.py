"""``povtor stats``: the numbers a repeat seller steers by, each defined in docs/statistics.md.

Every report is as of the as-of date (today, or ``--today``): nothing dated after it
counts. The use cases in :mod:`povtor.app.stats` gather the facts and compute the
figures; the modules here pick options and print, one per family of reports.
"""

from __future__ import annotations

from povtor.cli.runtime import command_group
from povtor.cli.stats import buyers, clients, funnels, sources, spend, touches

app = command_group(
    help="Statistics: funnel conversion, nudge outcomes, repeat purchases, cohorts, lead "
    "sources, touches per deal and the ABC split, as of today (--today).",
    no_args_is_help=True,
)
spend_app = command_group(
    help="Money spent per lead source, for the cost per sale in stats sources.",
    no_args_is_help=True,
)

app.command("perks")(clients.perks)
app.command("funnel")(funnels.funnel)
app.command("nudges")(touches.nudges)
app.command("repeat")(buyers.repeat)
app.command("cohorts")(buyers.cohorts)
app.command("sources")(sources.sources)
app.command("touches")(touches.touches)
app.command("abc")(buyers.abc)
app.command("cards")(clients.cards)
app.add_typer(spend_app, name="spend")
spend_app.command("add")(spend.spend_add)
spend_app.command("list")(spend.spend_list)
spend_app.command("remove")(spend.spend_remove)
