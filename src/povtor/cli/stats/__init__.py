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
# perks and spend have their homes at the top (povtor perks stats, povtor spend); the
# old paths under stats keep working, out of the listing
app.command("perks", hidden=True)(clients.perks)
app.command("funnel")(funnels.funnel)
app.command("nudges")(touches.nudges)
app.command("repeat")(buyers.repeat)
app.command("cohorts")(buyers.cohorts)
app.command("sources")(sources.sources)
app.command("touches")(touches.touches)
app.command("abc")(buyers.abc)
app.command("cards")(clients.cards)
app.add_typer(spend.spend_app, name="spend", hidden=True)
