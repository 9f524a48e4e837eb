"""Request ids and structured logs: one JSON object per line, every line of a request tagged.

Each request gets an id: a sane incoming `X-Request-ID` (from nginx or a client) is kept,
anything else is replaced by a fresh one; the response carries it back in `X-Request-ID`.
Every log record written while the request runs (the engine's `event recorded` lines too)
carries `request_id`, `user` and `route`; one `request` line per request adds `status`
and `duration` (milliseconds).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from engine import requestscope

log = logging.getLogger("web.request")
HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:@-]{8,128}$")
_FIELDS = ("request_id", "user", "route", "status", "duration")
# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def init_app(app: Flask) -> None:
    """Tag requests with an id, log one line per request, and (outside tests) log JSON."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # before rate limits
    app.after_request(_finish)
    app.teardown_request(_release)
    if not app.testing and app.config.get("MASHANGBAN_ENV") != "testing":  # tests, benches
        configure_logging(app.config.get("MASHANGBAN_LOG_FORMAT", "json"))


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    return g.get("msb_request_id") if has_request_context() else None


def route() -> str:
    """The matched URL rule (`/cases/<case_no>`), so labels stay few; `unmatched` for 404s."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def user() -> str | None:
    """The signed-in user or API token holder, if this request already looked them up."""
    for key in ("msb_user", "msb_api_user"):
        found = g.get(key)
        if found is not None:
            return str(found.username)
    return None


def _start() -> None:
    incoming = request.headers.get(HEADER, "")
    g.msb_request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
    g.msb_started = time.perf_counter()
    # The engine stores the id beside each event this request records (engine/requestscope.py).
    g.msb_request_scope = requestscope.bind(g.msb_request_id)


def _release(_error: BaseException | None) -> None:
    token = g.pop("msb_request_scope", None)
    if token is not None:
        requestscope.release(token)


def _finish(response: Response) -> Response:
    response.headers[HEADER] = g.get("msb_request_id", "")
    duration = time.perf_counter() - g.get("msb_started", time.perf_counter())
    fields = {"status": response.status_code, "duration": round(duration * 1000, 1)}
    log.info("%s %s %s", request.method, request.path, response.status_code, extra=fields)
    return response


class RequestContext(logging.Filter):
    """Add the request's id, user and route to every record logged during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Tag the record (always keeps it)."""
        if has_request_context():
            record.request_id = g.get("msb_request_id")
            record.user = user()
            record.route = route()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a single line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in _FIELDS:
            entry[key] = getattr(record, key, None)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(style: str = "json", level: int = logging.INFO) -> None:
    """Send every log record to stderr as JSON (or plain text); safe to call twice."""
    root = logging.getLogger()
    if any(getattr(h, "msb_handler", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.msb_handler = True  # type: ignore[attr-defined]  # our marker: installed once
    handler.addFilter(RequestContext())
    if style == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
