"""User settings: plan rules, priority weights, message language.

Defaults live here; a user's changes are rows of the ``setting`` table
(``povtor plan set KEY VALUE``). Every key is documented in docs/plan.md and
docs/growing-clients.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from povtor.errors import InvalidInput, NotFound
from povtor.i18n import N_, _
from povtor.records import record


@record(frozen=True)
class SettingSpec:
    key: str
    default: str
    kind: str  # int | decimal | bool | lang | days
    help: str
    maximum: int = 100_000  # the largest int accepted (counts of days: 273 years)


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("lang", "ru", "lang", N_("Language of message drafts: ru or en.")),
    SettingSpec(
        "plan.working_days",
        "yes",
        "bool",
        N_(
            "Count stage limits in working days (the Russian production calendar, "
            "less plan.days_off)."
        ),
    ),
    SettingSpec(
        "plan.days_off",
        "",
        "days",
        N_(
            "Your own days off, not counted as working days: dates and ranges, e.g. "
            "2026-05-04..2026-05-08,2026-06-15 (empty: none)."
        ),
    ),
    SettingSpec(
        "plan.capacity", "30", "int", N_("Items plan today shows (the rest: --all); 0: every item.")
    ),
    SettingSpec(
        "plan.silent_days.A", "30", "int", N_("A client with no purchase this long is silent.")
    ),
    SettingSpec("plan.silent_days.B", "45", "int", N_("The same for B clients.")),
    SettingSpec(
        "plan.silent_days.C", "60", "int", N_("The same for C clients and uncategorised ones.")
    ),
    SettingSpec(
        "plan.cycle_factor", "1.5", "decimal", N_("Silent after this many own purchase cycles.")
    ),
    SettingSpec(
        "plan.cycle_min_purchases", "3", "int", N_("Purchases needed to trust a personal cycle.")
    ),
    SettingSpec(
        "plan.service_days",
        "14",
        "int",
        N_("Service contact this many days after payment, for uncategorised clients."),
    ),
    SettingSpec("plan.revisit_days", "90", "int", N_("Call a refusal back after this many days.")),
    SettingSpec(
        "plan.quiet_days",
        "3",
        "int",
        N_("No client-level item for a client touched this recently."),
    ),
    SettingSpec(
        "plan.warming_per_closing", "5", "int", N_("Warming touches before each closing one.")
    ),
    SettingSpec("plan.weight.category.A", "30", "decimal", N_("Priority points for an A client.")),
    SettingSpec("plan.weight.category.B", "20", "decimal", N_("Priority points for a B client.")),
    SettingSpec("plan.weight.category.C", "10", "decimal", N_("Priority points for a C client.")),
    SettingSpec("plan.weight.category.none", "5", "decimal", N_("Priority points, no category.")),
    SettingSpec(
        "plan.weight.money", "5", "decimal", N_("Points per decimal order of thousands at stake.")
    ),
    SettingSpec(
        "plan.weight.closeness", "20", "decimal", N_("Points for a deal at its last open stage.")
    ),
    SettingSpec(
        "plan.weight.overdue", "1", "decimal", N_("Points per day overdue (up to 14 days).")
    ),
    SettingSpec(
        "plan.weight.rule.follow_up", "15", "decimal", N_("Points for a follow-up date that came.")
    ),
    SettingSpec("plan.weight.rule.stuck", "12", "decimal", N_("Points for a stuck deal.")),
    SettingSpec("plan.weight.rule.silent", "8", "decimal", N_("Points for a client gone silent.")),
    SettingSpec("plan.weight.rule.service", "6", "decimal", N_("Points for a service contact.")),
    SettingSpec("plan.weight.rule.revisit", "4", "decimal", N_("Points for a refusal revisit.")),
    SettingSpec(
        "plan.weight.rule.warming", "3", "decimal", N_("Points for warming up a new lead.")
    ),
    SettingSpec(
        "plan.weight.rule.problem", "10", "decimal", N_("Points for a problem a client reported.")
    ),
    SettingSpec(
        "plan.weight.rule.occasion",
        "5",
        "decimal",
        N_("Points for a holiday or birthday coming up."),
    ),
    SettingSpec("plan.weight.rule.backend", "4", "decimal", N_("Points for a backend offer due.")),
    SettingSpec(
        "plan.weight.rule.cross_sell", "3", "decimal", N_("Points for a related product to offer.")
    ),
    SettingSpec(
        "plan.weight.rule.roadmap", "2", "decimal", N_("Points for the next roadmap step.")
    ),
    SettingSpec(
        "plan.weight.rule.card", "1", "decimal", N_("Points for filling a thin client card.")
    ),
    # -- categories and cards --
    SettingSpec("card.norm.A", "15", "int", N_("Talking facts an A client's card should hold.")),
    SettingSpec("card.norm.B", "7", "int", N_("Talking facts a B client's card should hold.")),
    SettingSpec("card.norm.C", "5", "int", N_("Talking facts a C client's card should hold.")),
    SettingSpec(
        "plan.cards_per_day",
        "3",
        "int",
        N_("At most this many clients a day get a fill-the-card item."),
    ),
    SettingSpec(
        "plan.card_gap_days",
        "30",
        "int",
        N_("Ask a client about its card at most once in this many days (first: after a purchase)."),
    ),
    # -- roadmaps --
    SettingSpec(
        "plan.roadmap_gap_days",
        "30",
        "int",
        N_("Next roadmap step this long after the last one done (or the first purchase, or a no)."),
    ),
    SettingSpec(
        "plan.roadmap_per_day", "5", "int", N_("At most this many roadmap steps a day (0: none).")
    ),
    # -- perks --
    SettingSpec(
        "plan.perk_days_before",
        "7",
        "int",
        N_("A card or gift for a holiday or birthday goes on the plan this many days before."),
    ),
    SettingSpec(
        "plan.perks_per_year",
        "4",
        "int",
        N_("Holiday perks per client in 12 months (seed 001: 4); 0 turns holiday items off."),
    ),
    # -- service and refusals --
    SettingSpec(
        "plan.service_days.A", "7", "int", N_("Service contact this many days after an A payment.")
    ),
    SettingSpec("plan.service_days.B", "14", "int", N_("The same for B clients.")),
    SettingSpec("plan.service_days.C", "21", "int", N_("The same for C clients.")),
    SettingSpec(
        "plan.weight.problem",
        "15",
        "decimal",
        N_("Points on every item of a client with an unresolved service problem."),
    ),
    # -- products --
    SettingSpec(
        "plan.backend_months",
        "6",
        "int",
        N_("A top client offered a backend product gets the next offer this many months later."),
        maximum=1_200,  # a hundred years: months counted back from any day povtor keeps
    ),
    SettingSpec(
        "plan.cross_sell_days",
        "90",
        "int",
        N_("Suggest the same related product to a client again after this many days."),
    ),
    SettingSpec(
        "plan.offers_per_day",
        "5",
        "int",
        N_("At most this many backend and cross-sell offers a day, biggest clients first."),
    ),
    # -- the conversation --
    SettingSpec(
        "plan.service_window_days",
        "14",
        "int",
        N_("Offer a service contact at most this many days after it fell due (or a date named)."),
    ),
)
BY_KEY = {spec.key: spec for spec in SPECS}
MAX_DAYS_OFF_RANGE = 366  # days in one range of plan.days_off


def spec_for(key: str) -> SettingSpec:
    spec = BY_KEY.get(key)
    if spec is None:
        raise NotFound(
            _("no setting {key}").format(key=repr(key)),
            hint=_("list settings with: povtor plan settings"),
        )
    return spec


def normalise(key: str, value: str) -> str:
    """Validate ``value`` for ``key`` and return its stored form."""
    spec = spec_for(key)
    raw = value.strip()
    bad = InvalidInput(
        _("{key}: {value} is not a valid value").format(key=key, value=repr(value)),
        hint=_(spec.help),
    )
    if spec.kind == "int":
        if not raw.isascii() or not raw.lstrip("-").isdigit():
            raise bad
        if not 0 <= int(raw) <= spec.maximum:
            raise InvalidInput(
                _("{key}: {value} is out of range: a whole number from 0 to {maximum}").format(
                    key=key, value=repr(value), maximum=spec.maximum
                ),
                hint=_(spec.help),
            )
        return str(int(raw))
    if spec.kind == "decimal":
        try:
            number = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise bad from None
        if not number.is_finite():
            raise bad
        if number < 0 or number > 1_000_000:
            raise InvalidInput(
                _("{key}: {value} is out of range: a number from 0 to 1000000").format(
                    key=key, value=repr(value)
                ),
                hint=_(spec.help),
            )
        return str(number)
    if spec.kind == "bool":
        low = raw.lower()
        if low in ("yes", "true", "1", "on"):
            return "yes"
        if low in ("no", "false", "0", "off"):
            return "no"
        raise bad
    if spec.kind == "days":
        return ",".join(_day_range_text(r) for r in day_ranges(raw, key=key))
    if raw.lower() not in ("ru", "en"):
        raise bad
    return raw.lower()


def day_ranges(text: str, *, key: str = "plan.days_off") -> list[tuple[dt.date, dt.date]]:
    """The dates and ``FIRST..LAST`` ranges of a days setting, sorted (``""``: none)."""
    found: list[tuple[dt.date, dt.date]] = []
    for part in text.replace(";", ",").split(","):
        item = part.strip()
        if not item:
            continue
        first_text, dots, last_text = item.partition("..")
        first = _setting_date(first_text, key, item)
        last = _setting_date(last_text, key, item) if dots else first
        if last < first:
            raise InvalidInput(
                _("{key}: {item} ends before it starts").format(key=key, item=repr(item)),
                hint=_("write the earlier day first"),
            )
        if (last - first).days >= MAX_DAYS_OFF_RANGE:
            raise InvalidInput(
                _("{key}: {item} is longer than {MAX_DAYS_OFF_RANGE} days").format(
                    key=key, item=repr(item), MAX_DAYS_OFF_RANGE=MAX_DAYS_OFF_RANGE
                ),
                hint=_("give a year or less per range"),
            )
        found.append((first, last))
    return sorted(set(found))


def _setting_date(text: str, key: str, item: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            _("{key}: {item} is not a date or a range of dates").format(key=key, item=repr(item)),
            hint=_(
                "write YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, separated by commas, e.g. "
                "2026-05-04..2026-05-08,2026-06-15"
            ),
        ) from None


def _day_range_text(days: tuple[dt.date, dt.date]) -> str:
    first, last = days
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


class Settings:
    """Effective settings: defaults overlaid with the database's rows."""

    def __init__(self, stored: dict[str, str]) -> None:
        self.values = {spec.key: stored.get(spec.key, spec.default) for spec in SPECS}
        self.changed = {k for k in stored if k in BY_KEY}
        # each number parsed once: a plan asks for the same weights tens of thousands of times
        self._ints: dict[str, int] = {}
        self._decimals: dict[str, Decimal] = {}
        self._dates: dict[str, frozenset[dt.date]] = {}

    def int(self, key: str) -> int:
        found = self._ints.get(key)
        if found is None:
            # (capped: a value stored before the cap existed must not reach past the calendar)
            found = self._ints[key] = min(int(self.values[key]), BY_KEY[key].maximum)
        return found

    def decimal(self, key: str) -> Decimal:
        found = self._decimals.get(key)
        if found is None:
            found = self._decimals[key] = Decimal(self.values[key])
        return found

    def dates(self, key: str) -> frozenset[dt.date]:
        """Every day of a days setting (``plan.days_off``), ranges expanded."""
        found = self._dates.get(key)
        if found is None:
            found = self._dates[key] = frozenset(
                first + dt.timedelta(days=n)
                for first, last in day_ranges(self.values[key], key=key)
                for n in range((last - first).days + 1)
            )
        return found

    def bool(self, key: str) -> bool:
        return self.values[key] == "yes"

    def with_value(self, key: str, value: str) -> Settings:
        """These settings with one value replaced, for this run only (``--lang``)."""
        return Settings({**{k: self.values[k] for k in self.changed}, key: value})

    def str(self, key: str) -> str:
        return self.values[key]
