"""Form fields whose options come from the organisation, not from the diagram.

A `camunda:formField` with `<camunda:property id="options_from" value="units:department"/>`
offers the open units of that kind, by name, read when the form is shown or submitted
(so a department added on the organisation page appears without a new deployment):
- `type="enum"`: one unit (a select); the value is its code;
- `type="string"`: several units (a multi-select); the value is their codes, comma-separated.
The deploy lint (`lint_options`) checks the property; processes/CONTRACT.md documents it.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from .forms import Choice, FormField
from .orgchart import OrgAdmin

OPTIONS_FROM = "options_from"
SOURCES = ("units",)


def source_of(field: FormField) -> str | None:
    """The unit kind a field's options come from, or None for a field with its own options."""
    value = field.properties.get(OPTIONS_FROM, "")
    source, _sep, kind = value.partition(":")
    return kind if source == "units" and kind else None


class OptionsReader:
    """Fills organisation options into forms; reads each kind once per reader."""

    def __init__(self, session: Session) -> None:
        self.admin = OrgAdmin(session)
        self.kinds: dict[str, tuple[Choice, ...]] = {}

    def choices(self, kind: str) -> tuple[Choice, ...]:
        """The open units of a kind as choices (code, name)."""
        if kind not in self.kinds:
            self.kinds[kind] = tuple(Choice(c, n) for c, n in self.admin.options(kind))
        return self.kinds[kind]

    def fill(self, form: tuple[FormField, ...]) -> tuple[FormField, ...]:
        """The form with today's organisation options in its `options_from` fields."""
        if not any(source_of(f) for f in form):
            return form
        return tuple(
            replace(f, choices=self.choices(kind)) if (kind := source_of(f)) else f for f in form
        )
