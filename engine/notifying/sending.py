"""What every channel is: `send` returns on success and raises `SendFailed` on failure.

Kept apart from `channels.py` so the channels (`channels.SmtpChannel`, `sms.py`) and the
place that builds them from the environment need not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class SendFailed(Exception):
    """The channel could not deliver the message this time (the worker tries again)."""


class Channel(Protocol):
    """Delivers one message to one address."""

    def send(self, address: str, subject: str, body: str, params: Mapping[str, Any]) -> None:
        """Deliver or raise SendFailed/OSError."""
