"""The 5:1 cadence (seed 003): warm and cold clients are brought one step forward with
``plan.warming_per_closing`` warming touches to each closing one, until they buy or say
no. A client who bought before and is overdue is asked the yes-or-no question first
(seeds 000, 002: :func:`~povtor.domain.conversation.question_first`); the rhythm then
governs what follows a question left unanswered.

The stuck-deal rule (first-sale funnel) and the gone-silent rule pick their touch here.
"""

from __future__ import annotations

from povtor.domain.conversation import question_first
from povtor.domain.plan_records import ClientState
from povtor.i18n import N_, _, ngettext
from povtor.settings import Settings

ASK_FIRST = N_("bought before and not asked since: ask first, yes or no")


def next_kind(client: ClientState, settings: Settings) -> str:
    """5:1: warming until enough warming touches since the last closing one."""
    if client.warming_since_closing >= settings.int("plan.warming_per_closing"):
        return "closing"
    return "warming"


def cadence_note(client: ClientState, settings: Settings) -> str:
    """Where the client stands in the cadence, for the item's reason."""
    per = settings.int("plan.warming_per_closing")
    done = min(client.warming_since_closing, per)
    if done >= per:
        return ngettext(
            "{done} warming touch since the last closing one: time to ask (5:1)",
            "{done} warming touches since the last closing one: time to ask (5:1)",
            done,
        ).format(done=done)
    return _("warming touch {n} of {per} before the next closing one (5:1)").format(
        n=done + 1, per=per
    )


def repeat_client_touch(client: ClientState, settings: Settings) -> tuple[str, str]:
    """(touch kind, note) for a client who bought before: the question first, then 5:1."""
    if question_first(client):
        return "closing", _(ASK_FIRST)
    return next_kind(client, settings), cadence_note(client, settings)


class Cadence:
    """:func:`next_kind` and :func:`cadence_note` for the clients of one plan: both
    depend only on the client's warming touches since its last closing one, so each
    count's pair is made once (a plan asks for thousands of clients)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._by_count: dict[int, tuple[str, str]] = {}

    def touch(self, client: ClientState) -> tuple[str, str]:
        """(touch kind, note): :func:`next_kind` and :func:`cadence_note`."""
        found = self._by_count.get(client.warming_since_closing)
        if found is None:
            found = self._by_count[client.warming_since_closing] = (
                next_kind(client, self.settings),
                cadence_note(client, self.settings),
            )
        return found

    def repeat_client_touch(self, client: ClientState) -> tuple[str, str]:
        """:func:`repeat_client_touch`."""
        if question_first(client):
            return "closing", _(ASK_FIRST)
        return self.touch(client)
