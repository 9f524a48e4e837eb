"""A small in-process token bucket per client IP for the public and login endpoints.

Each (endpoint group, IP) has a bucket of `capacity` tokens that refills at
`capacity / period` tokens a second; a request takes one token or gets 429 with
Retry-After. The buckets live in the worker process: with N gunicorn workers a
client may get up to N times the limit, so production should also limit at the
reverse proxy (see web/README.md). Behind a proxy set MASHANGBAN_TRUST_PROXY=1 so
the client address comes from X-Forwarded-For (werkzeug's ProxyFix).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

EXTENSION = "mashangban.ratelimit"
MAX_BUCKETS = 10_000
F = TypeVar("F", bound=Callable[..., Any])


class TokenBucket:
    """Buckets of tokens keyed by client; thread-safe."""

    def __init__(
        self, capacity: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.rate = capacity / period
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token; return 0 if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.capacity), now))
            tokens = min(float(self.capacity), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                self._prune(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled completely (bounded memory)."""
        if len(self._buckets) <= MAX_BUCKETS:
            return
        full_after = self.capacity / self.rate
        self._buckets = {
            key: value for key, value in self._buckets.items() if now - value[1] < full_after
        }


def init_app(app: Flask) -> None:
    """Create the app's bucket from MASHANGBAN_RATE_LIMIT / _PERIOD."""
    capacity = int(app.config["MASHANGBAN_RATE_LIMIT"])
    period = float(app.config["MASHANGBAN_RATE_LIMIT_PERIOD"])
    app.extensions[EXTENSION] = TokenBucket(capacity, period) if capacity > 0 else None


def limited(group: str) -> Callable[[F], F]:
    """Decorate a view so each client IP may call it (and its group) at the configured rate."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(group)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def check(group: str) -> None:
    """Abort with 429 if this client used up its tokens for `group`."""
    bucket: TokenBucket | None = current_app.extensions.get(EXTENSION)
    if bucket is None:
        return
    wait = bucket.take(f"{group}:{request.remote_addr or '-'}")
    if wait > 0:
        raise TooManyRequests(retry_after=max(1, math.ceil(wait)))
