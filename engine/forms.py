"""Task forms: the fields a user task asks for, and validation of submitted values.

Fields come from `camunda:formData` (or a Spiff JSON-schema form file) read at
deploy time. SpiffWorkflow parses Camunda constraints but does not enforce them;
this module does, and reports every bad field at once so a clerk can fix them all.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .errors import FieldError, FormInvalid

FIELD_TYPES = ("string", "long", "boolean", "date", "enum")


@dataclass(frozen=True)
class Choice:
    """One value of an enum field and its label."""

    id: str
    label: str
    label_en: str = ""  # the diagram's English name (processes/CONTRACT.md, "English names")


@dataclass(frozen=True)
class FormField:
    """One field of a task form, with its constraints."""

    id: str
    label: str
    type: str = "string"
    required: bool = False
    readonly: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    minlength: int | None = None
    maxlength: int | None = None
    pattern: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    label_en: str = ""  # the diagram's English label; "" if it has none

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (stored with the process version)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FormField:
        """Rebuild a field stored by `to_dict`."""
        values = dict(raw)
        values["choices"] = tuple(Choice(**c) for c in values.get("choices", ()))
        return cls(**values)


def takes_several(spec: FormField) -> bool:
    """A field of several organisation units (`options_from` on a string field, see
    engine/formoptions.py): its value is their codes, comma-separated."""
    return spec.type == "string" and bool(spec.properties.get("options_from"))


def validate_form(fields: tuple[FormField, ...], submitted: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned, typed values, or raise FormInvalid listing every bad field."""
    if not isinstance(submitted, dict):
        raise FormInvalid([FieldError("", "not_an_object")])
    known = {f.id for f in fields}
    errors = [FieldError(name, "unknown_field") for name in submitted if name not in known]
    cleaned: dict[str, Any] = {}
    for spec in fields:
        if spec.readonly:
            continue
        value = submitted.get(spec.id)
        if takes_several(spec) and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if _is_blank(value):
            if spec.required:
                errors.append(FieldError(spec.id, "required"))
            elif spec.id in submitted:
                cleaned[spec.id] = None
            continue
        try:
            cleaned[spec.id] = _check(spec, _convert(spec, value))
        except _Invalid as error:
            errors.append(FieldError(spec.id, error.code, error.params))
    if errors:
        raise FormInvalid(errors)
    return cleaned


class _Invalid(ValueError):
    """A value fails one check: the FieldError code and params to report."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _number(value: float) -> int | float:
    """A limit as a JSON-friendly number (5.0 -> 5)."""
    return int(value) if float(value).is_integer() else value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _convert(spec: FormField, value: Any) -> Any:
    converters = {
        "string": _to_string,
        "long": _to_long,
        "boolean": _to_boolean,
        "date": _to_date,
        "enum": _to_string,
    }
    return converters.get(spec.type, _to_string)(value)


def _to_string(value: Any) -> str:
    if isinstance(value, bool | dict | list):
        raise _Invalid("expected_text")
    return str(value).strip()


def _to_long(value: Any) -> int:
    if isinstance(value, bool):
        raise _Invalid("expected_integer")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise _Invalid("not_integer", value=text)
    return int(text)


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "on", "yes", "是"):
        return True
    if text in ("false", "0", "off", "no", "否"):
        return False
    raise _Invalid("not_boolean", value=str(value))


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _Invalid("not_a_date", value=str(value)) from None


def _check(spec: FormField, value: Any) -> Any:
    if takes_several(spec):
        return _check_several(spec, str(value))
    if spec.type == "enum" and value not in {c.id for c in spec.choices}:
        raise _Invalid("not_an_option", value=value, choices=[c.id for c in spec.choices])
    if isinstance(value, str):
        _check_text(spec, value)
    if isinstance(value, int) and not isinstance(value, bool):
        _check_number(spec, value)
    return value


def _check_several(spec: FormField, value: str) -> str:
    codes = list(dict.fromkeys(c.strip() for c in value.split(",") if c.strip()))
    known = [c.id for c in spec.choices]
    for code in codes:
        if code not in known:
            raise _Invalid("not_an_option", value=code, choices=known)
    return ",".join(codes)


def _check_text(spec: FormField, value: str) -> None:
    if spec.minlength is not None and len(value) < spec.minlength:
        raise _Invalid("too_short", min=spec.minlength)
    if spec.maxlength is not None and len(value) > spec.maxlength:
        raise _Invalid("too_long", max=spec.maxlength)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise _Invalid("bad_format", pattern=spec.pattern)


def _check_number(spec: FormField, value: int) -> None:
    if spec.min is not None and value < spec.min:
        raise _Invalid("too_small", min=_number(spec.min))
    if spec.max is not None and value > spec.max:
        raise _Invalid("too_large", max=_number(spec.max))
