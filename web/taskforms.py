"""Task forms as HTML inputs: which widget each field gets and what value it shows.

Values come, in order, from what the user just submitted (after a validation
error), the case data (a task met again, or a field the intake already filled),
and the field's default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.forms import FormField, takes_several

TEXTAREA_OVER = 120  # strings allowed to be longer than this get a textarea


CASE_KEY_FIELDS = frozenset({"source_case", "item_case_key", "case_key"})


@dataclass(frozen=True)
class FieldState:
    """A form field ready to render."""

    field: FormField
    widget: str
    value: str
    error: str | None = None

    @property
    def case_link(self) -> bool:
        """A read-only case number (CONTRACT.md: `source_case`, an agenda's case): a link."""
        return self.widget == "readonly" and self.field.id in CASE_KEY_FIELDS and bool(self.value)

    @property
    def dom_id(self) -> str:
        """The input's id attribute."""
        return f"field-{self.field.id}"


def widget_of(field: FormField) -> str:
    """`readonly`, `select`, `multiselect`, `yesno`, `date`, `number`, `textarea` or `text`."""
    if field.readonly:
        return "readonly"
    if takes_several(field):
        return "multiselect"
    simple = {"enum": "select", "boolean": "yesno", "date": "date", "long": "number"}
    if field.type in simple:
        return simple[field.type]
    wants_area = field.properties.get("widget") == "textarea"
    long_text = field.maxlength is None or field.maxlength > TEXTAREA_OVER
    if wants_area or (long_text and field.id.endswith(("reply", "description", "opinion", "note"))):
        return "textarea"
    return "text"


def as_text(value: Any) -> str:
    """A stored value as an input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def readonly_text(field: FormField, value: Any, unit_name: Callable[[str], str]) -> str:
    """A read-only value as people read it: the option's name, units by name, local time."""
    if value is None or value == "":
        return ""
    if field.properties.get("options_from") and isinstance(value, str | list):
        codes = value if isinstance(value, list) else value.split(",")
        return "、".join(unit_name(str(c).strip()) for c in codes if str(c).strip())
    from .timeline import display_value  # here: the timeline reads forms too

    names = {choice.id: choice.label for choice in field.choices}
    if isinstance(value, str) and value in names:
        return names[value]
    return display_value(field.id, value, unit_name)


def initial_values(form: tuple[FormField, ...], case_data: Mapping[str, Any]) -> dict[str, str]:
    """What each field shows before the user typed anything."""
    return {field.id: as_text(case_data.get(field.id, field.default)) for field in form}


def submitted_values(form: tuple[FormField, ...], posted: Mapping[str, str]) -> dict[str, str]:
    """The posted values of the form's editable fields (nothing else is passed on); a
    multi-select's values joined by commas (an empty one posts nothing: it means none)."""
    values = {
        field.id: posted.get(field.id, "")
        for field in form
        if not field.readonly and field.id in posted
    }
    getlist = getattr(posted, "getlist", None)
    for field in form:
        if takes_several(field) and not field.readonly and getlist is not None:
            values[field.id] = ",".join(getlist(field.id))
    return values


def field_states(
    form: tuple[FormField, ...],
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    context: Mapping[str, str] | None = None,
) -> list[FieldState]:
    """Every field with its widget, value and error (read-only ones show the case data)."""
    errors = errors or {}
    context = context or {}
    return [
        FieldState(
            field=field,
            widget=widget_of(field),
            value=context.get(field.id, "") if field.readonly else values.get(field.id, ""),
            error=errors.get(field.id),
        )
        for field in form
    ]
