"""Bearer tokens for staff API clients: signed with itsdangerous, expiring.

A token holds the username and is signed with SECRET_KEY; it expires after
MASHANGBAN_TOKEN_TTL seconds. The account is re-read on every request, so
deactivating a user stops their tokens at once; rotating SECRET_KEY revokes all.
"""

from __future__ import annotations

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from engine.errors import NotFound
from engine.organisation import UserView

from .. import db

SALT = "mashangban-api-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(username: str) -> str:
    """A new signed token for a user."""
    return _serializer().dumps({"u": username})


def ttl() -> int:
    """Seconds a token stays valid."""
    return int(current_app.config["MASHANGBAN_TOKEN_TTL"])


def has_bearer() -> bool:
    """True if the request carries an Authorization: Bearer header."""
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def staff() -> UserView:
    """The staff member of the bearer token, or 401."""
    if "msb_api_user" in g:
        found: UserView = g.msb_api_user
        return found
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise _unauthorized("a bearer token is required: POST /api/v1/auth/token")
    try:
        claims = _serializer().loads(header[7:].strip(), max_age=ttl())
        user = db.service().get_user(str(claims["u"]))
    except SignatureExpired:
        raise _unauthorized("the token has expired; request a new one") from None
    except (BadSignature, KeyError, TypeError, NotFound):
        raise _unauthorized("the token is not valid") from None
    g.msb_api_user = user
    return user


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized(message, www_authenticate=WWWAuthenticate("bearer"))
