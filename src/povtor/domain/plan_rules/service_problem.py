"""An unresolved service problem: the client's latest service answer is ``problem``
(no ``ok`` since). The item asks to resolve it and stays until a service touch answers
``ok``; every item of such a client also gets the ``problem`` priority term (see
:mod:`povtor.domain.planner`). A client that named a date to come back on waits for it
(the conversation holds the rule back until then: :mod:`povtor.domain.conversation`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from povtor.domain.plan_records import Candidate, ClientState
from povtor.i18n import _

RULE = "problem"


def service_problems(clients: Mapping[int, ClientState], today: dt.date) -> list[Candidate]:
    """The problem items of the clients with a problem they reported still open."""
    found: list[Candidate] = []
    for client in clients.values():
        problem = client.open_problem
        if problem is None:
            continue
        waiting = max(0, (today - problem.reported_on).days)
        found.append(
            Candidate(
                client_id=client.id,
                rule=RULE,
                reason=_("problem reported {on}: «{text}»; resolve it").format(
                    on=problem.reported_on.isoformat(), text=problem.text or _("no details")
                ),
                kind="service",
                overdue_days=waiting,
                amount_minor=client.last_paid_amount,
                template_stage="problem",
                days_waiting=waiting,
            )
        )
    return found
