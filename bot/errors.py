"""The base of the errors whose message is meant for users as is."""

from __future__ import annotations


class ReasonError(Exception):
    """`reason` is short, plain and safe to show to users; details go to the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class UserError(Exception):
    """A problem the user can fix; the message is shown as is (bot.commands)."""
