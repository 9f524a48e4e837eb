"""Per-client-IP rate limits for the public and login endpoints, kept by Flask-Limiter.

Each app gets its own `flask_limiter.Limiter`; its storage comes from
RATELIMIT_STORAGE_URI: in memory when unset (one process, fine for `make run`), or a
shared store such as Redis (`redis://127.0.0.1:6379/0`), which production must set
when gunicorn runs several workers, or each worker keeps its own count and a client
gets N workers times the limit. A group ("login", "appeal", "track") allows
MASHANGBAN_RATE_LIMIT requests per MASHANGBAN_RATE_LIMIT_PERIOD seconds in any such
window (moving window). Views call `check(group)` where they do the limited work,
because whether a request counts depends on it (POST only; tracking only without a
staff token). Behind a proxy set MASHANGBAN_TRUST_PROXY so `request.remote_addr` is
the client's address (werkzeug's ProxyFix).
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from werkzeug.exceptions import TooManyRequests

EXTENSION = "mashangban.ratelimit"
log = logging.getLogger(__name__)


class RateLimits:
    """The app's limiter and the one limit all groups share."""

    def __init__(self, app: Flask) -> None:
        capacity = int(app.config["MASHANGBAN_RATE_LIMIT"])
        period = int(app.config["MASHANGBAN_RATE_LIMIT_PERIOD"])
        self.item = RateLimitItemPerSecond(capacity, period)
        self.prefix = str(app.config.get("RATELIMIT_KEY_PREFIX") or "mashangban")
        app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
        # Explicit memory:// (rather than nothing) also keeps Flask-Limiter from warning.
        storage = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        self.limiter = Limiter(
            lambda: request.remote_addr or "-",
            storage_uri=storage,
            storage_options={"wrap_exceptions": True},  # a store failure is a StorageError
        )
        self.limiter.init_app(app)

    def take(self, group: str, client: str) -> int:
        """Count one request; return 0 if allowed, else the seconds until the next one is."""
        strategy = self.limiter.limiter
        if strategy.hit(self.item, self.prefix, group, client):
            return 0
        reset = strategy.get_window_stats(self.item, self.prefix, group, client).reset_time
        return max(1, math.ceil(reset - time.time()))


def init_app(app: Flask) -> None:
    """Set up the app's limiter from MASHANGBAN_RATE_LIMIT (0 turns limits off) and RATELIMIT_*."""
    limited = int(app.config["MASHANGBAN_RATE_LIMIT"]) > 0
    app.extensions[EXTENSION] = RateLimits(app) if limited else None


def check(group: str) -> None:
    """Abort with 429 and Retry-After if this client used up its requests for `group`."""
    limits: RateLimits | None = current_app.extensions.get(EXTENSION)
    if limits is None:
        return
    try:
        wait = limits.take(group, request.remote_addr or "-")
    except StorageError as error:
        # An unreachable store must not take the front door down: serve, and say so loudly.
        log.error("rate limit store unreachable, request not limited: %s", error)
        return
    if wait:
        raise TooManyRequests(retry_after=wait)
