"""Configuration from the environment, with the rules that keep production safe.

Production is the default: it refuses to start without SECRET_KEY and marks the
session cookie Secure. Development (`MASHANGBAN_ENV=development`, `mashangban serve`)
and testing may run without a secret: a random one is made per process.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "MASHANGBAN_ENV": "production",
    "MASHANGBAN_INTAKE_PROCESS": "closed_loop",
    # Public endpoints: each client IP may send this many requests in any
    # RATE_LIMIT_PERIOD seconds (see web/ratelimit.py); 0 turns the limits off.
    "MASHANGBAN_RATE_LIMIT": 20,
    "MASHANGBAN_RATE_LIMIT_PERIOD": 60,
    # Where the counts live: unset = in this process; several workers need a shared
    # store, e.g. redis://127.0.0.1:6379/0 (the name Flask-Limiter gave it; kept).
    "RATELIMIT_STORAGE_URI": None,
    # Seconds a staff sign-in (web session) and an API token last; both live server-side
    # in the `sessions` table and end earlier on logout, password change, a disabled
    # account or `mashangban user signout NAME`.
    "MASHANGBAN_SESSION_LIFETIME": 8 * 3600,
    "MASHANGBAN_TOKEN_TTL": 8 * 3600,
    "MASHANGBAN_TRUST_PROXY": 0,
    # Strict-Transport-Security on HTTPS responses (0 turns it off); see web/README.md.
    "MASHANGBAN_HSTS_MAX_AGE": 365 * 24 * 3600,
    "MASHANGBAN_NODE_MODULES": None,
    # /metrics: clients in these networks, or any client with this bearer token (web/metrics.py).
    "MASHANGBAN_METRICS_NETWORKS": "127.0.0.1/32,::1/128",
    "MASHANGBAN_METRICS_TOKEN": None,
    "MASHANGBAN_LOG_FORMAT": "json",  # or "text" (web/requestlog.py)
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 100,
    "SESSION_COOKIE_NAME": "msb_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_AS_ASCII": False,
}

# Environment variables read as integers / strings (everything else stays as in DEFAULTS).
INT_KEYS = (
    "MASHANGBAN_RATE_LIMIT", "MASHANGBAN_RATE_LIMIT_PERIOD", "MASHANGBAN_TOKEN_TTL",
    "MASHANGBAN_TRUST_PROXY", "MAX_CONTENT_LENGTH", "MASHANGBAN_HSTS_MAX_AGE",
    "MASHANGBAN_SESSION_LIFETIME",
)  # fmt: skip
STR_KEYS = (
    "SECRET_KEY", "DATABASE_URL", "MASHANGBAN_ENV", "MASHANGBAN_INTAKE_PROCESS",
    "MASHANGBAN_NODE_MODULES", "MASHANGBAN_METRICS_NETWORKS", "MASHANGBAN_METRICS_TOKEN",
    "MASHANGBAN_LOG_FORMAT", "RATELIMIT_STORAGE_URI",
)  # fmt: skip


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def load_config(
    app: Flask, test_config: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None
) -> None:
    """Fill `app.config` from defaults, the environment and `test_config` (in that order)."""
    env = os.environ if environ is None else environ
    app.config.from_mapping(DEFAULTS)
    for key in STR_KEYS:
        if env.get(key):
            app.config[key] = env[key]
    for key in INT_KEYS:
        if env.get(key):
            app.config[key] = _integer(key, env[key])
    if test_config is not None:
        app.config.from_mapping(test_config)
    lifetime = int(app.config["MASHANGBAN_SESSION_LIFETIME"])
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=lifetime)
    app.config["WTF_CSRF_TIME_LIMIT"] = lifetime  # a form may stay open as long as the sign-in
    explicit = test_config is not None and "SESSION_COOKIE_SECURE" in test_config
    _apply_security(app, keep_cookie_setting=explicit)


def is_development(app: Flask) -> bool:
    """Development or testing: relaxed secret and cookie rules."""
    return bool(
        app.debug or app.testing or app.config["MASHANGBAN_ENV"] in ("development", "testing")
    )


def _apply_security(app: Flask, keep_cookie_setting: bool) -> None:
    relaxed = is_development(app)
    if not app.config.get("SECRET_KEY"):
        if not relaxed:
            raise ConfigError(
                "SECRET_KEY is not set: refusing to start in production. Set SECRET_KEY to a "
                "long random value (python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or MASHANGBAN_ENV=development for a local run."
            )
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # sessions end when the process does
    if not keep_cookie_setting:
        app.config["SESSION_COOKIE_SECURE"] = not relaxed


def _integer(key: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{key} must be a whole number, got {text!r}") from None
