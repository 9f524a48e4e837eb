"""Guarded methods and f-string values for diagram scripts (see `sandbox_limits.py`).

Text methods that take a width or a replacement (`ljust`, `replace`, `join` ...) and
`list.extend` can build huge values in one C call; the attribute guard hands scripts
wrappers that check the size of the result first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import safer_getattr

from .sandbox_limits import (
    GuardedType,
    check_decimal,
    check_weight,
    guarded_add,
    guarded_lshift,
    guarded_mod,
    guarded_mul,
    guarded_pow,
    size_limit,
)
from .sandbox_meter import LimitTripped


def _width_method(method: Callable[..., str], what: str) -> Callable[..., str]:
    def guarded(width: int, *rest: Any) -> str:
        size_limit(width, what)
        return method(width, *rest)

    return guarded


def _expandtabs(text: str) -> Callable[..., str]:
    def guarded(tabsize: int = 8) -> str:
        size_limit(len(text) + text.count("\t") * max(tabsize, 0), "str.expandtabs(...)")
        return text.expandtabs(tabsize)

    return guarded


def _join(separator: str) -> Callable[[Iterable[Any]], str]:
    def guarded(parts: Iterable[Any]) -> str:
        parts = list(parts)
        size = sum(len(p) for p in parts if isinstance(p, str)) + len(separator) * len(parts)
        size_limit(size, "str.join(...)")
        return separator.join(parts)

    return guarded


def _replace(text: str) -> Callable[..., str]:
    def guarded(old: str, new: str, count: int = -1) -> str:
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            hits = text.count(old) if count < 0 else min(count, text.count(old))
            size_limit(len(text) + hits * (len(new) - len(old)), "str.replace(...)")
        return text.replace(old, new, count)

    return guarded


def _translate(text: str) -> Callable[[Any], str]:
    def guarded(table: Any) -> str:
        if isinstance(table, dict):
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            size_limit(len(text) * longest, "str.translate(...)")
        return text.translate(table)

    return guarded


def _extend(items: list[Any]) -> Callable[[Iterable[Any]], None]:
    def guarded(more: Iterable[Any]) -> None:
        more = more if isinstance(more, list | tuple) else list(more)
        size_limit(len(items) + len(more), "list.extend(...)")
        items.extend(more)

    return guarded


_STR_WIDTHS = frozenset({"ljust", "rjust", "center", "zfill"})
_GUARDED_METHODS = _STR_WIDTHS | {"expandtabs", "join", "replace", "translate", "extend",
                                  "as_integer_ratio"}  # fmt: skip


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """RestrictedPython's attribute guard, plus size checks on methods that can grow text."""
    if name == "mro":
        raise LimitTripped("mro() is not available in diagram scripts")
    if isinstance(obj, GuardedType):
        obj = obj.wrapped  # str.format must stay refused, as on the real type
    if obj in (str, list, Decimal) and name in _GUARDED_METHODS:
        raise LimitTripped(f"call {name}() on a value (text.{name}(...)), not on the type")
    if isinstance(obj, str):
        if name in _STR_WIDTHS:
            return _width_method(getattr(obj, name), f"str.{name}(...)")
        if name == "expandtabs":
            return _expandtabs(obj)
        special = {"join": _join, "replace": _replace, "translate": _translate}.get(name)
        if special is not None:
            return special(obj)
    elif isinstance(obj, list) and name == "extend":
        return _extend(obj)
    elif isinstance(obj, Decimal) and name == "as_integer_ratio":
        check_decimal(obj, "Decimal.as_integer_ratio()")
    return _SAFER_GETATTR(obj, name, *default)


# RestrictedPython's guard has no annotations; typed here so calls to it are checked.
_SAFER_GETATTR: Callable[..., Any] = safer_getattr
_NUMBERS = re.compile(r"\d+")
_CONVERSIONS: dict[str, Callable[[Any], str]] = {"r": repr, "s": str, "a": ascii}


def guarded_format(value: Any, conversion: str, spec: str) -> str:
    """An f-string value: refuse printing huge values and widths past the item limit."""
    check_weight(value, "a value in an f-string")
    if conversion:
        value = _CONVERSIONS[conversion](value)
    for number in _NUMBERS.findall(spec):
        size_limit(int(number) if len(number) < 12 else 10**12, "a width in an f-string")
    return format(value, spec)


GUARDS: dict[str, Any] = {
    "_pow_": guarded_pow, "_mul_": guarded_mul, "_lshift_": guarded_lshift,
    "_add_": guarded_add, "_mod_": guarded_mod, "_format_": guarded_format,
    "_getattr_": guarded_getattr,
}  # fmt: skip
