"""How a deal may move through its funnel."""

from __future__ import annotations

import datetime as dt

from povtor.errors import Conflict, InvalidInput
from povtor.i18n import _
from povtor.records import record


@record(frozen=True)
class StagePoint:
    code: str
    position: int
    is_won: bool


def check_open(deal_id: int, status: str) -> None:
    if status != "open":
        raise Conflict(
            _("deal #{deal_id} is {status}; a closed deal does not move").format(
                deal_id=deal_id, status=status
            ),
            hint=_("reopen it first: povtor deal reopen {deal_id}").format(deal_id=deal_id),
        )


def check_move(
    deal_id: int, status: str, current: StagePoint, target: StagePoint, *, force: bool
) -> None:
    """A move goes forward; backwards only with ``--force``; never from a closed deal."""
    check_open(deal_id, status)
    if target.position == current.position:
        raise Conflict(
            _("deal #{deal_id} is already at stage {code}").format(
                deal_id=deal_id, code=current.code
            ),
            hint=_("nothing to do"),
        )
    if target.position < current.position and not force:
        raise Conflict(
            _("moving deal #{deal_id} back from {code} to {code2}").format(
                deal_id=deal_id, code=current.code, code2=target.code
            ),
            hint=_("add --force if the deal really went back"),
        )


def check_event_date(
    deal_id: int, on: dt.date, *, since: dt.date, today: dt.date, opened: dt.date | None = None
) -> None:
    """An event cannot be dated before the deal opened or changed last, nor after today."""
    if on > today:
        raise InvalidInput(
            _("--on {on} is in the future (today is {today})").format(
                on=on.isoformat(), today=today.isoformat()
            ),
            hint=_("log what already happened; plan the future with a follow-up date"),
        )
    if opened is not None and since <= on < opened:  # stage date before the open date
        raise InvalidInput(
            _(
                "--on {on} is before deal #{deal_id} opened ({opened}): a deal cannot "
                "close before it opens"
            ).format(on=on.isoformat(), deal_id=deal_id, opened=opened.isoformat()),
            hint=_("give a date on or after {opened}").format(opened=opened.isoformat()),
        )
    if on < since:
        raise InvalidInput(
            _("--on {on} is before deal #{deal_id}'s last change ({since})").format(
                on=on.isoformat(), deal_id=deal_id, since=since.isoformat()
            ),
            hint=_("give a date on or after {since}").format(since=since.isoformat()),
        )
