"""The client parts of the report: repeat purchases and cohorts; ABC, perks and cards;
lead sources; what is due."""

from __future__ import annotations

from povtor.app.report import MonthReport
from povtor.domain import metrics
from povtor.domain.calendar import month_end
from povtor.report import svg
from povtor.report.figures import AMBER, GREEN, Fig, Section, Style, Table, as_json
from povtor.report.sales import currency_option, month_options

ABC_COLOURS = {"A": "#1d4e89", "B": "#4a90c8", "C": "#a9c9e8"}


# -- repeat purchases and cohorts ----------------------------------------------------------
def repeat_section(report: MonthReport, t: Style) -> Section:
    section = Section(
        "repeat",
        t("repeat.title"),
        t("repeat.lead", as_of=t.date(report.as_of), days=report.silent_days),
    )
    groups = [r for r in report.repeat[1:] if r.buyers]
    section.chart(
        svg.split_bars(
            [
                (
                    t.category(r.group),
                    [
                        svg.Part(r.buyers - r.silent, GREEN, t.count(r.buyers - r.silent)),
                        svg.Part(r.silent, AMBER, t.count(r.silent)),
                    ],
                )
                for r in groups
            ],
            title=t("repeat.chart"),
            legend=[(t("repeat.active"), GREEN), (t("repeat.silent_part"), AMBER)],
        )
    )
    columns = (
        ("buyers", "int"),
        ("repeat_buyers", "int"),
        ("repeat_rate", "rate"),
        ("median_days_between", "figure"),
        ("silent", "int"),
        ("silent_share", "rate"),
        ("revenue", "money"),
        ("average_check", "money"),
    )
    table = Table([(t("repeat.category"), False), *((t(f"repeat.{c}"), True) for c, _ in columns)])
    for r in report.repeat:
        values = {
            "buyers": r.buyers,
            "repeat_buyers": r.repeat_buyers,
            "repeat_rate": r.repeat_rate,
            "median_days_between": metrics.number(r.median_gap),
            "silent": r.silent,
            "silent_share": r.silent_share,
            "revenue": r.revenue,
            "average_check": r.average_check,
        }
        table.add(
            [
                t.word(t.category(r.group)),
                *(t.fig(f"repeat/{r.group}/{c}", kind, values[c]) for c, kind in columns),
            ],
            "total" if r.group == "all" else "",
        )
    section.table(table)
    section.sources.append(f"povtor stats repeat{currency_option(report)}")
    section.heading(t("cohorts.title"))
    section.note(t("cohorts.lead"))
    rows = report.cohorts
    if any(r.size for r in rows):
        section.chart(
            svg.heat_map(
                [t.month_short(r.month) for r in rows],
                [f"m{k}" for k in range(1, metrics.COHORT_MONTHS + 1)],
                [
                    [
                        svg.Cell(
                            None if cell is None else float(cell),
                            t.percent(cell),
                            {"data-k": f"cohorts/{r.month}/m{k}", "data-v": t.data("rate", cell)},
                        )
                        for k, cell in enumerate(r.cells, start=1)
                    ]
                    for r in rows
                ],
                counts=[
                    svg.Cell(
                        None,
                        t.count(r.size),
                        {"data-k": f"cohorts/{r.month}/size", "data-v": t.data("int", r.size)},
                    )
                    for r in rows
                ],
                count_label=t("cohorts.size"),
                title=t("cohorts.chart"),
            )
        )
    else:
        section.note(t("cohorts.empty"))
    end = month_end(report.month)
    section.sources.append(f"povtor stats cohorts --from {report.cohort_span.start} --to {end}")
    return section


# -- clients: ABC, perks, cards ------------------------------------------------------------
def clients_section(report: MonthReport, t: Style) -> Section:
    section = Section("clients", t("clients.title"), t("abc.lead", as_of=t.date(report.as_of)))
    abc_part(section, report, t)
    perk_part(section, report, t)
    card_part(section, report, t)
    return section


def abc_part(section: Section, report: MonthReport, t: Style) -> None:
    abc = report.abc
    if abc.ranked:
        revenue = {g: sum(r.client.revenue for r in abc.ranked if r.abc == g) for g in "ABC"}
        total = sum(revenue.values()) or 1
        section.chart(
            svg.split_bars(
                [
                    (
                        t("abc.clients"),
                        [
                            svg.Part(abc.count(g), ABC_COLOURS[g], f"{g} {abc.count(g)}")
                            for g in "ABC"
                        ],
                    ),
                    (
                        t("abc.revenue_share"),
                        [
                            svg.Part(
                                revenue[g], ABC_COLOURS[g], f"{g} {t.percent(revenue[g] / total)}"
                            )
                            for g in "ABC"
                        ],
                    ),
                ],
                title=t("abc.chart"),
            )
        )
        section.note(
            t(
                "abc.counts",
                a=abc.count("A"),
                b=abc.count("B"),
                c=abc.count("C"),
                differ=abc.differing,
            )
        )
    section.heading(t("abc.top"))
    columns = ("revenue", "share", "cumulative_share", "abc", "category")
    top = Table(
        [
            (t("abc.rank"), True),
            (t("abc.client"), False),
            *((t(f"abc.{c}"), c in columns[:3]) for c in columns),
        ],
        empty=t("abc.empty"),
    )
    for r in abc.shown:
        key = f"abc/{r.rank}"
        top.add(
            [
                t.fig(f"{key}/rank", "int", r.rank),
                t.fig(f"{key}/client", "text", r.client.name),
                t.fig(f"{key}/revenue", "money", r.client.revenue),
                t.fig(f"{key}/share", "rate", r.share),
                t.fig(f"{key}/cumulative_share", "rate", r.cumulative),
                t.fig(f"{key}/abc", "text", r.abc),
                t.fig(f"{key}/category", "text", r.client.category),
            ],
            "differs" if r.differs else "",
        )
    section.table(top)
    section.sources.append(f"povtor stats abc --top{currency_option(report)}")


def perk_part(section: Section, report: MonthReport, t: Style) -> None:
    section.heading(t("perks.title"))
    section.note(t("perks.lead", target=report.perks.target))
    perk_columns = ("clients", "at_target", "perks", "missing")
    perks = Table([(t("perks.category"), False), *((t(f"perks.{c}"), True) for c in perk_columns)])
    for g in report.perk_groups:
        if not g.clients and g.category != "all":
            continue
        perks.add(
            [
                t.word(t.category(g.category)),
                *(t.fig(f"perks/{g.category}/{c}", "int", getattr(g, c)) for c in perk_columns),
            ],
            "total" if g.category == "all" else "",
        )
    section.table(perks)
    section.sources.append("povtor perks stats")


def card_part(section: Section, report: MonthReport, t: Style) -> None:
    section.heading(t("cards.title"))
    section.note(t("cards.lead"))
    card_columns = (
        ("clients", "int"),
        ("norm", "int"),
        ("at_norm", "int"),
        ("share", "rate"),
        ("mean_facts", "figure"),
        ("median_facts", "figure"),
    )
    cards = Table(
        [(t("cards.category"), False), *((t(f"cards.{c}"), True) for c, _ in card_columns)]
    )
    for r in report.cards:
        values = {
            "clients": r.clients,
            "norm": r.norm,
            "at_norm": r.at_norm,
            "share": r.share,
            "mean_facts": metrics.number(r.mean_facts),
            "median_facts": metrics.number(r.median_facts),
        }
        cards.add(
            [
                t.word(t.category(r.category)),
                *(t.fig(f"cards/{r.category}/{c}", k, values[c]) for c, k in card_columns),
            ],
            "total" if r.category == "all" else "",
        )
    section.table(cards)
    section.sources.append("povtor stats cards")


# -- lead sources --------------------------------------------------------------------------
def source_section(report: MonthReport, t: Style) -> Section:
    section = Section("sources", t("sources.title"), t("sources.lead", as_of=t.date(report.as_of)))
    columns = (
        ("leads", "int"),
        ("paying", "int"),
        ("conversion", "rate"),
        ("spend", "money"),
        ("acps", "money"),
        ("average_check", "money"),
        ("volume", "money"),
    )
    table = Table(
        [(t("sources.source"), False), *((t(f"sources.{c}"), True) for c, _ in columns)],
        empty=t("sources.empty"),
    )
    for r in report.sources:
        values = {
            "leads": r.leads,
            "paying": r.paying,
            "conversion": r.conversion,
            "spend": r.spend,
            "acps": r.acps,
            "average_check": r.average_check,
            "volume": r.volume,
        }
        table.add(
            [
                t.word(r.source),
                *(t.fig(f"sources/{r.source}/{c}", k, values[c]) for c, k in columns),
            ]
        )
    section.table(table)
    section.sources.append(f"povtor stats sources {month_options(report)}{currency_option(report)}")
    return section


# -- what is due ---------------------------------------------------------------------------
def due_section(report: MonthReport, t: Style) -> Section:
    section = Section("due", t("due.title", as_of=t.date(report.as_of)), t("due.lead"))
    for rule in ("stuck", "follow_up"):
        found = [d for d in report.due if d.rule == rule]
        since = t("due.since") if rule == "stuck" else t("due.asked")
        table = Table(
            [
                (t("due.client"), False),
                (t("due.deal"), True),
                (t("due.stage"), False),
                (since, False),
                (t("due.overdue"), True),
                (t("due.amount"), True),
            ],
            empty=t(f"due.no_{rule}"),
        )
        for i, d in enumerate(found, start=1):
            key = f"due/{rule}/{i}"
            amount = t.money(d.amount_minor)
            if d.amount_minor is not None and d.currency != report.currency:
                amount += f" {d.currency}"
            table.add(
                [
                    t.fig(f"{key}/client", "text", d.client),
                    Fig(
                        f"#{d.deal_id}" if d.deal_id else t("none"),
                        f"{key}/deal_id",
                        as_json(d.deal_id),
                    ),
                    # the stage, keyed with the plan's reason (plan today's words)
                    Fig(d.stage or t("none"), f"{key}/reason", as_json(d.reason), numeric=False),
                    t.fig(None, "date", d.since),
                    t.fig(f"{key}/overdue_days", "int", d.overdue_days),
                    Fig(amount),
                ]
            )
        section.heading(t(f"due.{rule}"))
        section.table(table)
    section.sources.append("povtor plan today")
    return section
