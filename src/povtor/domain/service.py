"""Service contacts (seed 004) and the refusal funnel's referrals (seed 002): pure rules.

A service contact is the seller's own call after a purchase: "how is it going with what
you bought? anything wrong? wishes?". Its answer is ``ok`` or ``problem`` (with what is
wrong); a problem keeps the client in the plan, with a raised priority, until a later
service contact answers ``ok``. A "no" to a refusal revisit is followed by asking for
referrals; a referral becomes a new client whose source is ``referral from <name>``.
"""

from __future__ import annotations

from povtor.domain.vocabulary import SERVICE_ANSWERS
from povtor.errors import InvalidInput
from povtor.i18n import _
from povtor.text import fold

REFERRAL_PREFIX = "referral from "
REFERRAL_GROUP = "referral"  # how stats sources groups every "referral from <name>"
SOURCE_MAX = 200  # client.source's length


def check_service_answer(
    *, kind: str, answer: str | None, problem: str | None, reason: str | None
) -> tuple[str | None, str | None]:
    """(answer, reason) for a touch, or one clear error: an answer belongs to a service
    touch, and a problem needs its text (``--problem TEXT`` or ``--reason TEXT``)."""
    if problem is not None:
        if answer not in (None, "problem"):
            raise InvalidInput(
                _("--problem goes with --answer problem, not --answer {answer}").format(
                    answer=answer
                ),
                hint=_('drop --answer, e.g. --problem "не тот фракционный состав"'),
            )
        if reason is not None and reason != problem:
            raise InvalidInput(
                _("give the problem's text once: --problem TEXT or --reason TEXT"),
                hint=_('e.g. --problem "не тот фракционный состав"'),
            )
        answer, reason = "problem", problem
    if answer is None:
        return None, reason
    if answer not in SERVICE_ANSWERS:
        raise InvalidInput(
            _("--answer: {answer} is not one of {join}").format(
                answer=repr(answer), join=", ".join(SERVICE_ANSWERS)
            ),
            hint=_("use --answer ok or --answer problem --reason TEXT"),
        )
    if kind != "service":
        raise InvalidInput(
            _("--answer goes with a service touch, not a {kind} one").format(kind=kind),
            hint=_("use --kind service (or leave --kind out)"),
        )
    if answer == "problem" and not reason:
        raise InvalidInput(
            _("--answer problem needs what is wrong"),
            hint=_('add --reason TEXT or use --problem "не тот фракционный состав"'),
        )
    return answer, reason


def referral_source(referrer_name: str) -> str:
    """The source of a client referred by ``referrer_name``, within the column's length."""
    source = REFERRAL_PREFIX + referrer_name
    return source if len(source) <= SOURCE_MAX else source[: SOURCE_MAX - 1] + "…"


def source_group(source: str) -> str:
    """How stats sources names a source: every ``referral from <name>`` is one
    ``referral`` row (one row per referring client would swamp the report)."""
    if fold(source).startswith(REFERRAL_PREFIX):
        return REFERRAL_GROUP
    return source
