"""Step, field and option names in the reader's language.

The diagrams name their elements in Chinese and may give each an English name
(`label_en`, processes/CONTRACT.md); the engine hands out both. English pages show the
English name where the diagram has one, else the Chinese one.
"""

from __future__ import annotations

from dataclasses import replace

from engine.forms import Choice, FormField
from engine.replaying import FieldLabel
from engine.views import DiagramView, PublicCaseView, TaskView

from .i18n import get_locale


def english() -> bool:
    """Whether the current request reads English."""
    return get_locale() == "en"


def task_in_language(task: TaskView) -> TaskView:
    """The task with its step, field and option names in the reader's language."""
    if not english():
        return task
    return replace(task, name=task.name_en or task.name, form=form_in_language(task.form))


def tasks_in_language(tasks: list[TaskView]) -> list[TaskView]:
    """A page of tasks in the reader's language (the locale is read once, not per task)."""
    if not english():
        return tasks
    return [task_in_language(t) for t in tasks]


def form_in_language(form: tuple[FormField, ...]) -> tuple[FormField, ...]:
    """Form fields labelled in the reader's language."""
    if not english():
        return form
    return tuple(
        replace(f, label=f.label_en or f.label, choices=tuple(_choice(c) for c in f.choices))
        for f in form
    )


def _choice(choice: Choice) -> Choice:
    return replace(choice, label=choice.label_en or choice.label)


def fields_in_language(fields: dict[str, FieldLabel]) -> dict[str, FieldLabel]:
    """The diagram forms' data labels (for the history) in the reader's language."""
    if not english():
        return fields
    return {
        key: replace(f, label=f.label_en or f.label, choices={**f.choices, **f.choices_en})
        for key, f in fields.items()
    }


def names_in_language(names: dict[str, str], diagram: DiagramView) -> dict[str, str]:
    """Element id -> name, English where the diagram gives it and the reader reads English."""
    return {**names, **diagram.names_en} if english() else names


def drawing_in_language(diagram: DiagramView) -> str:
    """The diagram XML to draw: with English names on English pages."""
    return diagram.xml_en or diagram.xml if english() else diagram.xml


def tracking_in_language(view: PublicCaseView) -> PublicCaseView:
    """The tracking page's steps in the reader's language."""
    if not english():
        return view
    timeline = tuple(replace(e, step=e.step_en or e.step) for e in view.timeline)
    return replace(view, stage=view.stage_en or view.stage, timeline=timeline)


def step_name(name: str, name_en: str = "") -> str:
    """A step's name in the reader's language (templates: `step_name(t.task_name, ...)`)."""
    return name_en or name if english() else name
