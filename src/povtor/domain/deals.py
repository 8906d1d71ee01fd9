"""How a deal may move through its funnel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from povtor.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class StagePoint:
    code: str
    position: int
    is_won: bool


def check_open(deal_id: int, status: str) -> None:
    if status != "open":
        raise Conflict(
            f"deal #{deal_id} is {status}; a closed deal does not move",
            hint=f"reopen it first: povtor deal reopen {deal_id}",
        )


def check_move(
    deal_id: int, status: str, current: StagePoint, target: StagePoint, *, force: bool
) -> None:
    """A move goes forward; backwards only with ``--force``; never from a closed deal."""
    check_open(deal_id, status)
    if target.position == current.position:
        raise Conflict(f"deal #{deal_id} is already at stage {current.code}", hint="nothing to do")
    if target.position < current.position and not force:
        raise Conflict(
            f"moving deal #{deal_id} back from {current.code} to {target.code}",
            hint="add --force if the deal really went back",
        )


def check_event_date(
    deal_id: int, on: dt.date, *, since: dt.date, today: dt.date, opened: dt.date | None = None
) -> None:
    """An event cannot be dated before the deal opened or changed last, nor after today."""
    if on > today:
        raise InvalidInput(
            f"--on {on.isoformat()} is in the future (today is {today.isoformat()})",
            hint="log what already happened; plan the future with a follow-up date",
        )
    if opened is not None and since <= on < opened:  # stage date before the open date
        raise InvalidInput(
            f"--on {on.isoformat()} is before deal #{deal_id} opened ({opened.isoformat()}): "
            "a deal cannot close before it opens",
            hint=f"give a date on or after {opened.isoformat()}",
        )
    if on < since:
        raise InvalidInput(
            f"--on {on.isoformat()} is before deal #{deal_id}'s last change ({since.isoformat()})",
            hint=f"give a date on or after {since.isoformat()}",
        )
