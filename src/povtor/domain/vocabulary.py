"""The fixed words of the data: categories, statuses, touch kinds, channels, outcomes."""

from __future__ import annotations

from povtor.i18n import N_

CATEGORIES = ("A", "B", "C")
CLIENT_STATUSES = ("active", "archived")
DEAL_STATUSES = ("open", "won", "lost")
TOUCH_KINDS = ("warming", "closing", "service")
CHANNELS = ("call", "email", "messenger", "meeting", "gift", "other")
OUTCOMES = ("pending", "yes", "no", "later", "no_answer")
CHANGE_EVENTS = ("open", "move", "win", "lose", "reopen")
CATEGORY_SOURCES = ("manual", "abc")  # who set a client's category: the user or ABC analysis
SERVICE_ANSWERS = ("ok", "problem")  # a service contact's answer
# what a touch was for, beyond its kind (set by plan run from the item's rule, or by hand)
PURPOSES = ("perk", "backend", "cross_sell", "roadmap", "card", "referrals", "content")
# the record of corrections (``change_log``): what was corrected, and how
CHANGE_ENTITIES = ("touch", "deal", "person")
CHANGE_ACTIONS = ("undo", "delete", "edit", "remove", "main")

# the codes a message shows in the run's language (``_(code)``): the words of each
# outcome, status and answer beyond those marked where they are shown
CODE_WORDS = (
    N_("pending"),
    N_("yes"),
    N_("no"),
    N_("later"),
    N_("no_answer"),
    N_("open"),
    N_("won"),
    N_("lost"),
    N_("ok"),
    N_("problem"),
    N_("active"),
    N_("archived"),
)
