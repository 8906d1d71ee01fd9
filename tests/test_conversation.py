"""The conversation with a client on hand-made facts: what binds, what ends it, what it
holds back (the stories are in tests/diaries/)."""

from __future__ import annotations

import datetime as dt

import pytest

from povtor.domain.conversation import (
    ANSWERS,
    EVERY_RULE,
    OUTCOMES,
    QUIET,
    TOUCHES,
    Asked,
    Conversation,
    Promise,
    Said,
    allows,
    answer_of,
    read,
    touch_of,
)
from povtor.domain.plan_records import ClientState, ClosedDeal, OpenDeal, PlanItem
from povtor.settings import Settings

TODAY = dt.date(2026, 4, 20)
DEFAULTS = Settings({})


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def said(on: str, outcome: str, later: str | None = None, kind: str = "closing") -> Said:
    return Said(day(on), on + " 10:00", kind, outcome, day(later) if later else None, "дорого")


def client(**fields: object) -> ClientState:
    values: dict[str, object] = {
        "id": 1,
        "name": "Клиент",
        "company": None,
        "category": "B",
        "person": None,
        "open_deals": 0,
        "last_touch_on": None,
        "paid_dates": (day("2026-01-10"),),
    }
    values.update(fields)
    return ClientState(**values)  # type: ignore[arg-type]


def lost(on: str) -> ClosedDeal:
    return ClosedDeal(7, 1, day(on), 100_000, "RUB", "Щебень", "дорого")


def talk(state: ClientState, refused: ClosedDeal | None = None, opened: str | None = None):
    return read(state, refused, day(opened) if opened else None, TODAY, DEFAULTS)


def test_every_touch_and_outcome_has_one_effect() -> None:
    assert set(ANSWERS) == {(t, o) for t, _ in TOUCHES for o, _ in OUTCOMES}
    assert touch_of(has_deal=True, purpose="perk", kind="warming") == "deal"
    assert touch_of(has_deal=False, purpose="cross_sell", kind="closing") == "offer"
    assert touch_of(has_deal=False, purpose="referrals", kind="closing") == "question"
    assert touch_of(has_deal=False, purpose=None, kind="service") == "service"
    assert touch_of(has_deal=False, purpose=None, kind="warming") == "warming"
    assert [answer_of(o) for o in ("yes", "pending", "no_answer")] == [
        "yes",
        "no_answer",
        "no_answer",
    ]


def test_a_no_binds_until_the_clients_own_move() -> None:
    refused = talk(client(said=said("2026-04-01", "no"))).refusal
    assert refused is not None
    assert (refused.on, refused.revisit_on, refused.deal) == (
        day("2026-04-01"),
        day("2026-06-30"),
        None,
    )
    # a purchase, an open deal, a yes or a later after it: the client is back
    bought = client(said=said("2026-04-01", "no"), paid_dates=(day("2026-04-10"),))
    assert talk(bought).refusal is None
    assert talk(client(said=said("2026-04-01", "no"), open_deals=1)).refusal is None
    assert talk(client(said=said("2026-04-05", "yes")), lost("2026-04-01")).refusal is None
    # a deal lost after a yes is the latest word
    after = talk(client(said=said("2026-03-01", "yes")), lost("2026-04-01"))
    assert after.refusal is not None and after.refusal.deal is not None
    # a revisit left unanswered sets the next one; an old refusal binds no more
    revisited = client(said=said("2026-02-01", "no"), asked=Asked(day("2026-04-02"), "x"))
    assert talk(revisited).refusal.revisit_on == day("2026-07-01")  # type: ignore[union-attr]
    assert talk(client(said=said("2024-12-01", "no"))).refusal is None


def test_a_promise_holds_until_kept() -> None:
    later = client(said=said("2026-04-01", "later", "2026-04-25"))
    assert talk(later).promise == Promise(day("2026-04-01"), day("2026-04-25"))
    # a question before the date keeps nothing; on or after it, the promise is kept
    early = client(said=later.said, asked=Asked(day("2026-04-10"), "2026-04-10 10:00"))
    assert talk(early).promise is not None
    kept = client(said=later.said, asked=Asked(day("2026-04-25"), "2026-04-25 10:00"))
    assert read(kept, None, None, day("2026-04-26"), DEFAULTS).promise is None
    # a purchase or a deal opened since settles it too
    assert talk(later, opened="2026-04-05").promise is None
    # a warming touch answered later is a promise like any other
    warm = client(said=said("2026-04-01", "later", "2026-04-25", kind="warming"))
    assert talk(warm).promise is not None


def test_a_yes_with_no_deal_opened_is_remembered() -> None:
    assert talk(client(said=said("2026-04-15", "yes"))).yes_on == day("2026-04-15")
    assert talk(client(said=said("2026-04-15", "yes")), opened="2026-04-15").yes_on is None
    assert talk(client(said=said("2026-04-15", "yes"), open_deals=1)).yes_on is None


@pytest.mark.parametrize("rule", sorted(EVERY_RULE))
def test_what_a_refusal_and_a_promise_hold_back(rule: str) -> None:
    refused = client(talk=talk(client(said=said("2026-04-01", "no"))))
    assert allows(refused, rule, TODAY) == (rule in ("revisit", "problem"))
    later = client(said=said("2026-04-01", "later", "2026-04-25"))
    promised = client(talk=talk(later))
    before_d = rule in ("silent", "revisit", "service", "problem", "backend", "cross_sell")
    assert allows(promised, rule, TODAY) == (not before_d and rule not in ("roadmap", "card"))
    on_d = read(later, None, None, day("2026-04-25"), DEFAULTS)
    assert (not on_d.holds(rule, day("2026-04-25"))) == (rule not in ("silent", "revisit"))
    assert allows(client(), rule, TODAY)


def test_a_promise_about_a_purpose_holds_that_rule_only() -> None:
    step = Conversation(promises=(Promise(TODAY, day("2026-04-27"), "roadmap", "needs-test"),))
    assert [r for r in sorted(EVERY_RULE) if step.holds(r, TODAY)] == ["roadmap"]
    offer = Conversation(promises=(Promise(TODAY, day("2026-04-27"), "backend", "5"),))
    assert [r for r in sorted(EVERY_RULE) if offer.holds(r, TODAY)] == ["backend", "cross_sell"]
    assert QUIET.holds("silent", TODAY) is False


def test_an_item_names_three_deals_and_sums_up_the_rest() -> None:
    from povtor.domain.plan_records import Candidate

    def stuck(n: int, currency: str = "RUB") -> Candidate:
        deal = OpenDeal(
            n, 1, "repeat", "invoice", "Счёт", 4, 5, 3, day(f"2026-03-0{n}"), None,
            n * 100_000, currency, None if n % 2 else f"Заказ {n}", None,
        )  # fmt: skip
        return Candidate(client_id=1, rule="stuck", reason=f"stuck {n}", kind="closing", deal=deal)

    found = [stuck(n) for n in range(1, 6)] + [stuck(6, "USD")]
    item = PlanItem(1, client(), found[0], tuple(found[1:]), {})
    assert item.reasons == [
        "#1: stuck 1",
        "#2 «Заказ 2»: stuck 2",
        "#3: stuck 3",
        "and 3 more stuck deals (oldest since 2026-03-04, total 9 000.00 RUB + 6 000.00 USD)",
    ]
    single = PlanItem(1, client(), found[0], (), {})
    assert single.reasons == ["stuck 1"]  # one deal: no need to say which
