"""Pydantic's validation errors as the house's field errors: `{field, code, params, message}`.

Clients act on the codes of engine/errors.py FIELD_MESSAGES (`required`, `too_long{max}`,
`not_an_option{value,choices}` ...), whatever found the problem: a request model here or
the engine's form check. Messages come from `i18n.field_message`, by code, in the
request's language. A custom validator picks its code by raising
`PydanticCustomError(code, ...)` with the params as its context.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engine.errors import FieldError, FormInvalid

from ..errors import error_list, json_error
from ..errors import field_errors as form_fields
from ..i18n import gettext as _

# pydantic error type -> (house code, {house param: pydantic context key})
CODES: dict[str, tuple[str, dict[str, str]]] = {
    "missing": ("required", {}),
    "string_type": ("expected_text", {}),
    "int_type": ("expected_integer", {}),
    "int_from_float": ("expected_integer", {}),
    "int_parsing": ("not_integer", {}),
    "float_type": ("expected_number", {}),
    "float_parsing": ("expected_number", {}),
    "bool_type": ("not_boolean", {}),
    "bool_parsing": ("not_boolean", {}),
    "date_type": ("not_a_date", {}),
    "date_parsing": ("not_a_date", {}),
    "date_from_datetime_parsing": ("not_a_date", {}),
    "literal_error": ("not_an_option", {}),
    "enum": ("not_an_option", {}),
    "string_too_short": ("too_short", {"min": "min_length"}),
    "string_too_long": ("too_long", {"max": "max_length"}),
    "string_pattern_mismatch": ("bad_format", {"pattern": "pattern"}),
    "greater_than_equal": ("too_small", {"min": "ge"}),
    "greater_than": ("too_small", {"min": "gt"}),
    "less_than_equal": ("too_large", {"max": "le"}),
    "less_than": ("too_large", {"max": "lt"}),
    "too_long": ("too_many", {"max": "max_length"}),
    "too_short": ("too_few", {"min": "min_length"}),
    "dict_type": ("not_an_object", {}),
    "model_type": ("not_an_object", {}),
    "model_attributes_type": ("not_an_object", {}),
    "list_type": ("expected_list", {}),
    "extra_forbidden": ("unknown_field", {}),
}
# Codes whose params include the offending value (as the engine's form check gives it).
WITH_VALUE = {"not_integer", "not_boolean", "not_a_date", "not_an_option"}


def field_name(location: tuple[int | str, ...]) -> str:
    """`contact.name`; an item of a list is named by its list (`attachments`)."""
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            break
        parts.append(part)
    return ".".join(parts) or "_form"


def field_errors(error: ValidationError) -> list[FieldError]:
    """Each problem pydantic found, with a house code and its params (first per field)."""
    found: dict[str, FieldError] = {}
    for item in error.errors(include_url=False):
        # a rule over several fields (a model validator) names its field in the context
        name = (item.get("ctx") or {}).get("field") or field_name(item["loc"])
        if name not in found:
            code, params = _code(item)
            found[name] = FieldError(name, code, params)
    return list(found.values())


def _code(item: Any) -> tuple[str, dict[str, Any]]:
    context = item.get("ctx") or {}
    if item["type"] not in CODES:  # a custom validator's own code (PydanticCustomError)
        return item["type"], {k: v for k, v in context.items() if k not in ("error", "field")}
    code, names = CODES[item["type"]]
    if code in ("too_many", "too_few") and isinstance(item.get("input"), str):
        # a length constraint after a custom validator counts characters, not items
        code = "too_long" if code == "too_many" else "too_short"
    params = {ours: _plain(context[theirs]) for ours, theirs in names.items() if theirs in context}
    if code in WITH_VALUE and isinstance(item.get("input"), str | int | float | bool):
        params["value"] = item["input"]
    return code, params


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else str(value)


def rejected(errors: list[FieldError], message: str | None = None) -> Any:
    """The 422 answer for a request its model (or a rule of the view) refused."""
    invalid = FormInvalid(errors)
    return json_error(422, "validation_failed", message or _("请求内容不符合要求"),
                      form_fields(invalid), errors=error_list(invalid))  # fmt: skip
