"""Reading a JSON request body safely: any body the API cannot use is a 400 with a reason.

Python's json parser recurses once per nesting level, so a body of 100,000 `[` would raise
RecursionError (a 500). Bodies are parsed here, failures of every kind become
`InvalidBody` (400, code `invalid_json`), and nesting deeper than MAX_DEPTH is refused
before the engine (which also walks values recursively) ever sees it.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from ..i18n import gettext as _

MAX_DEPTH = 32


class InvalidBody(BadRequest):
    """The request body is not a usable JSON object (400, code `invalid_json`)."""

    error_code = "invalid_json"


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or InvalidBody saying what is wrong with it."""
    if not request.is_json:
        raise InvalidBody(_("请求正文须为 JSON（Content-Type: application/json）"))
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise InvalidBody(_("请求正文不是 UTF-8 编码")) from None
    except RecursionError:
        raise InvalidBody(_("JSON 嵌套超过 {n} 层", n=MAX_DEPTH)) from None
    except ValueError as error:
        raise InvalidBody(_("JSON 格式错误：第 {line} 行第 {col} 列", line=getattr(
            error, "lineno", 1), col=getattr(error, "colno", 1))) from None  # fmt: skip
    if not isinstance(body, dict):
        raise InvalidBody(_("请求正文须为 JSON 对象 {…}"))
    if _depth_exceeds(body, MAX_DEPTH):
        raise InvalidBody(_("JSON 嵌套超过 {n} 层", n=MAX_DEPTH))
    return body


def _refuse_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (and no database column can store them)."""
    raise ValueError(f"{name} is not allowed")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True if containers nest deeper than `limit` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False
