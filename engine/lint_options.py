"""Lint of form fields that take their options from the organisation (engine/formoptions.py)."""

from __future__ import annotations

from lxml import etree

from .errors import Problem
from .orgchart import KINDS
from .xmlsafe import NSMAP, ancestor

FORMAT = "write units:<kind> with a kind of " + ", ".join(KINDS)


def lint_options_from(file: str, process: etree._Element) -> list[Problem]:
    """`options_from` properties naming an unknown source or on a field that cannot use it."""
    problems = []
    path = ".//camunda:formField/camunda:properties/camunda:property[@id='options_from']"
    for prop in process.iterfind(path, NSMAP):
        field = ancestor(prop, 2)
        message = _problem(field, (prop.get("value") or "").strip())
        if message:
            name = field.get("id", "")
            problems.append(Problem(file, prop.sourceline, _task_id(field),
                                    f"form field '{name}': {message}"))  # fmt: skip
    return problems


def _problem(field: etree._Element, value: str) -> str | None:
    source, _sep, kind = value.partition(":")
    if source != "units" or kind not in KINDS:
        return f'options_from="{value}" is not a known source; {FORMAT}'
    field_type = field.get("type", "string")
    if field_type not in ("enum", "string"):
        return (f'options_from needs type="enum" (one unit) or type="string" (several units), '
                f'not "{field_type}"')  # fmt: skip
    if field.find("camunda:value", NSMAP) is not None:
        return "options_from replaces the field's own camunda:value options; remove them"
    if field.find("camunda:validation/camunda:constraint[@name='pattern']", NSMAP) is not None:
        return "options_from checks the chosen units itself; remove the pattern constraint"
    return None


def _task_id(field: etree._Element) -> str:
    node: etree._Element | None = field
    while node is not None and etree.QName(node).localname != "userTask":
        if etree.QName(node).localname in ("startEvent",):
            break
        node = node.getparent()
    return node.get("id", "") if node is not None else field.get("id", "")
