"""The fixed words of the data: categories, statuses, touch kinds, channels, outcomes."""

from __future__ import annotations

CATEGORIES = ("A", "B", "C")
CLIENT_STATUSES = ("active", "archived")
DEAL_STATUSES = ("open", "won", "lost")
TOUCH_KINDS = ("warming", "closing", "service")
CHANNELS = ("call", "email", "messenger", "meeting", "gift", "other")
OUTCOMES = ("pending", "yes", "no", "later", "no_answer")
CHANGE_EVENTS = ("open", "move", "win", "lose", "reopen")
