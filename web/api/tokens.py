"""Bearer tokens for staff API clients: random, stored server-side (hashed), revocable.

A token is a row of kind "api" in the engine's `sessions` table; it ends after
MASHANGBAN_TOKEN_TTL seconds, when the client gives it back (DELETE /api/v1/auth/token),
when the user's password changes, the account is disabled, or an administrator runs
`mashangban user signout NAME`. The account is re-read on every request.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from engine.organisation import UserView

from .. import db

ENDED = {
    "expired": "the token has expired; request a new one",
    "revoked": "the token was revoked (signed out); request a new one",
}


def issue(username: str) -> str:
    """A new token for a user (committed at once, so it works on the next request)."""
    agent = request.user_agent.string or ""
    token = db.service().signins.open(
        "api", timedelta(seconds=ttl()), username=username, user_agent=agent
    )
    db.commit()
    return token


def revoke() -> None:
    """End the bearer token of this request (the client signs out)."""
    staff()
    db.service().signins.revoke(_bearer())
    db.commit()


def ttl() -> int:
    """Seconds a token stays valid."""
    return int(current_app.config["MASHANGBAN_TOKEN_TTL"])


def has_bearer() -> bool:
    """True if the request carries an Authorization: Bearer header."""
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise _unauthorized("a bearer token is required: POST /api/v1/auth/token")
    return header[7:].strip()


def staff() -> UserView:
    """The staff member of the bearer token, or 401."""
    if "msb_api_user" in g:
        found: UserView = g.msb_api_user
        return found
    token = _bearer()
    signins = db.service().signins
    user = signins.user(token, "api")
    if user is None:
        reason = signins.why_ended(token)
        raise _unauthorized(ENDED.get(reason, "the token is not valid"))
    g.msb_api_user = user
    return user


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate("bearer"))
