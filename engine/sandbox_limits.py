"""Size guards for diagram scripts: operations that could build huge values in one C call.

RestrictedPython bounds what a script may touch, and the line budget bounds how many
lines it runs, but one line such as `pow(7, 10**8)` or `'x' * 10**10` is a single C
call that no line hook can interrupt. `scripting.py` compiles `**`, `*`, `<<`, `+` and
`%` into calls to the guards below, and gives scripts guarded `pow`, `range`, `int`,
`str`, `repr`, `sum`, `Decimal`, `math` and string methods. Each guard estimates the size
of the result from the operands (bits of an integer, length of a sequence, characters
a value prints as) and refuses before doing the work. The estimates depend only on the
values, so a limit trips at the same place in a replay as in the original run.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from .sandbox_meter import LimitTripped, tick
from .settings import ScriptLimits

_limits = ScriptLimits()
SEQUENCES = (str, bytes, list, tuple)
LOG10_2 = math.log10(2)


def configure(limits: ScriptLimits) -> None:
    """Use these limits for every script evaluated in this process from now on."""
    global _limits
    _limits = limits


def current() -> ScriptLimits:
    """The limits scripts run under."""
    return _limits


def _int_limit(bits: int, what: str) -> None:
    if bits > _limits.int_bits:
        raise LimitTripped(f"{what} would have {bits:,} bits or more; diagram scripts may make "
                           f"integers of at most {_limits.int_bits:,} bits "
                           f"(MASHANGBAN_SCRIPT_MAX_INT_BITS)")  # fmt: skip


def size_limit(size: int, what: str) -> None:
    if size > _limits.items:
        raise LimitTripped(f"{what} would hold {size:,} characters or elements; diagram scripts "
                           f"may make values of at most {_limits.items:,} "
                           f"(MASHANGBAN_SCRIPT_MAX_ITEMS)")  # fmt: skip


def max_digits() -> int:
    """Decimal digits of the largest integer scripts may make."""
    return int(_limits.int_bits * LOG10_2)


def check_decimal(value: Any, what: str) -> None:
    """Refuse a Decimal whose integer part is longer than the integer limit allows."""
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > max_digits():
        raise LimitTripped(f"{what} has {value.adjusted() + 1:,} digits before the point; "
                           f"diagram scripts may use at most {max_digits():,} "
                           f"(MASHANGBAN_SCRIPT_MAX_INT_BITS)")  # fmt: skip


def weigh(value: Any, limit: int) -> int:
    """Characters and elements `value` spells out when printed or stored (stops past `limit`).

    Shared references count every time they appear, as they do in `str()` and in JSON.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 1
            stack.extend(item)
        elif isinstance(item, dict):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, int):
            total += int(item.bit_length() * LOG10_2) + 1
        else:
            total += 1
    return total


def check_weight(value: Any, what: str) -> Any:
    """Refuse printing or storing a value that would spell out more than the item limit."""
    if isinstance(value, list | tuple | set | frozenset | dict):
        size_limit(weigh(value, _limits.items), what)
    else:
        check_decimal(value, what)
    return value


# --- operators -----------------------------------------------------------------------------


def guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    """`**` and `pow()`: refuse integer powers whose result passes the integer limit."""
    if modulus is not None:
        for value in (base, exponent, modulus):
            if isinstance(value, int):
                _int_limit(value.bit_length(), "an argument of pow()")
        return pow(base, exponent, modulus)
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        # A lower bound of the result's bits; the true size is at most twice it.
        _int_limit((abs(base).bit_length() - 1) * exponent, "the result of **")
        result = base**exponent
        _int_limit(result.bit_length(), "the result of **")
        return result
    return base**exponent


def guarded_mul(left: Any, right: Any) -> Any:
    """`*`: refuse integer products past the integer limit and repetitions past the item limit."""
    if type(left) is int and type(right) is int:  # the common case first: it runs per line
        if left.bit_length() + right.bit_length() > _limits.int_bits and left and right:
            _int_limit(left.bit_length() + right.bit_length() - 1, "the result of *")
    elif isinstance(left, SEQUENCES) and isinstance(right, int):
        size_limit(len(left) * right, "the result of *")
    elif isinstance(right, SEQUENCES) and isinstance(left, int):
        size_limit(len(right) * left, "the result of *")
    elif isinstance(left, int) and isinstance(right, int) and left and right:  # bools
        _int_limit(left.bit_length() + right.bit_length() - 1, "the result of *")
    return left * right


def guarded_lshift(left: Any, right: Any) -> Any:
    """`<<`: refuse shifts whose result passes the integer limit."""
    if isinstance(left, int) and isinstance(right, int) and left and right > 0:
        _int_limit(left.bit_length() + right, "the result of <<")
    return left << right


_SCALARS = frozenset({int, float, bool, Decimal, complex})


def guarded_add(left: Any, right: Any) -> Any:
    """`+`: refuse joining text or lists past the item limit."""
    if type(left) in _SCALARS:  # the common case first: it runs per line
        return left + right
    if isinstance(left, SEQUENCES) and isinstance(right, SEQUENCES):
        size_limit(len(left) + len(right), "the result of +")
    return left + right


_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def guarded_mod(left: Any, right: Any) -> Any:
    """`%`: for text formatting, refuse widths and arguments past the item limit."""
    if isinstance(left, str):
        values = right if isinstance(right, tuple) else (right,)
        for width in (w for match in _WIDTH.finditer(left) for w in match.groups() if w):
            if width == "*":
                for value in values:
                    if isinstance(value, int):
                        size_limit(value, "a width in % formatting")
            else:
                size_limit(int(width) if len(width) < 12 else 10**12, "a width in % formatting")
        for value in values:
            check_weight(value, "a value formatted with %")
        size_limit(len(left) + weigh(right, _limits.items), "the result of % formatting")
    return left % right


OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": guarded_add, "-=": lambda a, b: a - b, "*=": guarded_mul, "/=": lambda a, b: a / b,
    "//=": lambda a, b: a // b, "%=": guarded_mod, "**=": guarded_pow, "<<=": guarded_lshift,
}  # fmt: skip


# --- builtins and helpers ------------------------------------------------------------------


class GuardedType(type):
    """A stand-in for a built-in type: calls are checked, `isinstance` still works."""

    wrapped: type
    check: Callable[[tuple[Any, ...]], None]

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.wrapped)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.wrapped)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        cls.check(args)
        result = cls.wrapped(*args, **kwargs)
        if isinstance(result, Decimal):
            check_decimal(result, f"{cls.wrapped.__name__}(...)")
        elif type(result) is int:  # int('1' * 10**6, 2) is linear, but then too big to use
            _int_limit(result.bit_length(), f"{cls.wrapped.__name__}(...)")
        return result

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls.wrapped, name)


def _guarded_type(wrapped: type, check: Callable[[tuple[Any, ...]], None]) -> type:
    return GuardedType(wrapped.__name__, (), {"wrapped": wrapped, "check": staticmethod(check)})


def _check_first(what: str) -> Callable[[tuple[Any, ...]], None]:
    def check(args: tuple[Any, ...]) -> None:
        if args:
            check_weight(args[0], what)

    return check


def guarded_range(*args: int) -> range:
    """`range()` with at most the item limit of numbers."""
    span = range(*args)
    try:
        size = len(span)
    except OverflowError:
        size = _limits.items + 1
    size_limit(size, "range(...)")
    return span


def guarded_map(function: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
    """`map()` that counts each item as a step (the function may be costly C code)."""
    for args in zip(*iterables, strict=False):
        tick()
        yield function(*args)


def guarded_filter(function: Callable[[Any], Any] | None, iterable: Iterable[Any]) -> Iterator[Any]:
    """`filter()` that counts each item as a step."""
    for item in iterable:
        tick()
        if function(item) if function is not None else item:
            yield item


def _metered_key(key: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    if key is None:
        return None

    def metered(item: Any) -> Any:
        tick()
        return key(item)

    return metered


def _compared(values: Any, what: str) -> Any:
    """Comparing long texts is C work per pair: refuse collections that spell out too much."""
    values = values if isinstance(values, list | tuple | set | frozenset | dict) else list(values)
    size_limit(weigh(values, _limits.items), what)
    return values


def guarded_sorted(values: Iterable[Any], *, key: Any = None, reverse: bool = False) -> list[Any]:
    """`sorted()` with a metered key, over a collection of bounded size."""
    return sorted(_compared(values, "sorted(...)"), key=_metered_key(key), reverse=reverse)


def _extreme(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    def guarded(*args: Any, key: Any = None, **kwargs: Any) -> Any:
        values = args[0] if len(args) == 1 else args
        return function(_compared(values, f"{name}(...)"), key=_metered_key(key), **kwargs)

    return guarded


def guarded_sum(values: Iterable[Any], start: Any = 0) -> Any:
    """`sum()` of numbers; lists and text are joined with guarded `+` instead."""
    if isinstance(start, int | float | Decimal | complex):
        return sum(values, start)
    total = start
    for value in values:
        total = guarded_add(total, value)
    return total


def guarded_round(number: Any, *digits: Any) -> Any:
    """`round()` that refuses turning a huge Decimal into an integer."""
    check_decimal(number, "round(...)")
    return round(number, *digits)


def _integer_of(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def guarded(value: Any) -> Any:
        check_decimal(value, f"math.{function.__name__}(...)")
        return function(value)

    return guarded


def _factorial(n: int) -> int:
    if isinstance(n, int) and n > 1:
        _int_limit(int(math.lgamma(n + 1) / math.log(2)) + 1, "math.factorial(...)")
    return math.factorial(n)


def _comb(n: int, k: int) -> int:
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n:
        bits = (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(2)
        _int_limit(int(bits), "math.comb(...)")
    return math.comb(n, k)


def _perm(n: int, k: int | None = None) -> int:
    if isinstance(n, int) and n > 1 and (k is None or 0 <= k <= n):
        bits = (math.lgamma(n + 1) - math.lgamma(n - (n if k is None else k) + 1)) / math.log(2)
        _int_limit(int(bits), "math.perm(...)")
    return math.perm(n, k)


def _prod(values: Iterable[Any], *, start: Any = 1) -> Any:
    total = start
    for value in values:
        total = guarded_mul(total, value)
    return total


def _lcm(*values: int) -> int:
    _int_limit(sum(v.bit_length() for v in values if isinstance(v, int)), "math.lcm(...)")
    return math.lcm(*values)


def guarded_math() -> types.ModuleType:
    """The `math` module scripts see: functions that can build huge integers are guarded."""
    module = types.ModuleType("math")
    for name in dir(math):
        if not name.startswith("_"):
            setattr(module, name, getattr(math, name))
    guarded = {"factorial": _factorial, "comb": _comb, "perm": _perm, "prod": _prod,
               "lcm": _lcm, "floor": _integer_of(math.floor), "ceil": _integer_of(math.ceil),
               "trunc": _integer_of(math.trunc)}  # fmt: skip
    for name, function in guarded.items():
        setattr(module, name, function)
    return module


GUARDED_BUILTINS: dict[str, Any] = {
    "pow": guarded_pow,
    "range": guarded_range,
    "sum": guarded_sum,
    "round": guarded_round,
    "map": guarded_map,
    "filter": guarded_filter,
    "sorted": guarded_sorted,
    "min": _extreme(min, "min"),
    "max": _extreme(max, "max"),
    "int": _guarded_type(int, _check_first("int(...)")),
    "str": _guarded_type(str, _check_first("str(...)")),
    "repr": lambda value: repr(check_weight(value, "repr(...)")),
}
GUARDED_DECIMAL = _guarded_type(Decimal, lambda args: None)
