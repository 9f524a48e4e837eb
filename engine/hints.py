"""Advice for expressions written for another engine: what to write here, in Python."""

from __future__ import annotations

import re

from .scripting import ScriptRejected, compile_expression

DATE_ADVICE = (
    "dates are computed with the helpers, in Python: e.g. add_working_days(now(), 5) "
    "or now() + timedelta(weeks=1)"
)
JAVA_ADVICE = "it calls Java methods; write a Python expression over the task data instead"
_JAVA_CALL = re.compile(r"\)\s*\.\s*\w+\s*\(|\.\s*(?:plus|minus|get|set|to|is|with)[A-Z]\w*\s*\(")
_DATE_WORDS = re.compile(r"date|time|plus|minus|day|week|month|year", re.IGNORECASE)
_WORDS = {
    "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
    "true": "True", "false": "False", "null": "None", "empty": "not",
}  # fmt: skip


def juel_advice(body: str) -> str:
    """Advice for the inside of a JUEL `${...}` / `#{...}` or FEEL expression."""
    if _JAVA_CALL.search(body):
        return DATE_ADVICE if _DATE_WORDS.search(body) else JAVA_ADVICE
    candidate = to_python(body)
    if not candidate:
        return "write a Python expression"
    try:
        compile_expression(candidate)
    except ScriptRejected:
        return "rewrite it as a Python expression over the task data"
    return f"write {candidate}"


def to_python(body: str) -> str:
    """Translate JUEL operators and literals to Python (`!a && b` becomes `not a and b`)."""
    text = body.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"!(?!=)\s*", " not ", text)
    text = re.sub(r"\b(\w+)\b", lambda m: _WORDS.get(m.group(1), m.group(1)), text)
    return " ".join(text.split())
