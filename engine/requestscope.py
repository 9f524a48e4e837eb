"""The id of the request an action runs for (set by the web, read when events are recorded).

A context variable, so the engine learns the id without knowing about the web: the web's
request hook binds it, `recording.record_event` stores it beside (not inside) the hashed
content of each event, and the access log keeps it with every full view of personal data.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

_REQUEST_ID: ContextVar[str | None] = ContextVar("mashangban_request_id", default=None)


def current() -> str | None:
    """The id of the request being served (None outside a request: CLI, timer worker)."""
    return _REQUEST_ID.get()


def bind(request_id: str | None) -> Token[str | None]:
    """Make `request_id` current; pass the token to `release` when the request ends."""
    return _REQUEST_ID.set(request_id)


def release(token: Token[str | None]) -> None:
    """Restore what was current before `bind`."""
    _REQUEST_ID.reset(token)
