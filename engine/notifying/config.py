"""The outbox's settings, from the environment (like every other engine setting)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """How the worker retries and when staff hear of deadlines.

    Attempt n (1-based) that fails waits `backoff_seconds * 2**(n-1)` (at most
    `backoff_cap_seconds`) before the next; after `max_attempts` the message is dead.
    """

    base_url: str = "http://127.0.0.1:5000"  # MASHANGBAN_BASE_URL, for links in messages
    max_attempts: int = 8  # MASHANGBAN_NOTIFY_MAX_ATTEMPTS
    backoff_seconds: float = 30.0  # MASHANGBAN_NOTIFY_BACKOFF_SECONDS
    backoff_cap_seconds: float = 3600.0
    lease_seconds: float = 120.0  # a worker that died while sending: its rows return then
    batch: int = 20
    due_soon_hours: float = 4.0  # MASHANGBAN_NOTIFY_DUE_SOON_HOURS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Policy:
        """Read the MASHANGBAN_* variables above (clear errors for bad numbers)."""
        source = os.environ if env is None else env
        return cls(
            base_url=source.get("MASHANGBAN_BASE_URL", cls.base_url).rstrip("/"),
            max_attempts=int(_number(source, "MASHANGBAN_NOTIFY_MAX_ATTEMPTS", cls.max_attempts)),
            backoff_seconds=_number(
                source, "MASHANGBAN_NOTIFY_BACKOFF_SECONDS", cls.backoff_seconds
            ),
            due_soon_hours=_number(source, "MASHANGBAN_NOTIFY_DUE_SOON_HOURS", cls.due_soon_hours),
        )

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        return float(min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** (attempts - 1)))


def _number(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{key}={raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{key}={raw!r} must be greater than 0")
    return value
