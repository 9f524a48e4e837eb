"""English names of diagram elements, form fields and options (processes/CONTRACT.md).

A diagram is drawn in Chinese; each element people see may carry its English name as an
extension property `label_en` (`camunda:property name="label_en"`, or the `spiffworkflow`
equivalent), and each form field as `camunda:property id="label_en"` with one
`label_en:<option id>` per option. The engine reads them at deploy time and hands both names
out; the web picks one by the reader's language.
"""

from __future__ import annotations

import functools

from lxml import etree

from .errors import Problem
from .xmlsafe import BPMN_NS, CAMUNDA_NS, NSMAP, SPIFF_NS, parse_xml

LABEL_EN = "label_en"
OPTION_PREFIX = "label_en:"
# Elements whose name people read in the task list, the history or the drawn diagram.
USER_FACING = (
    "userTask", "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
    "eventBasedGateway", "complexGateway",
)  # fmt: skip
MISSING_CODE = "label_en_missing"


def english_name(element: etree._Element) -> str:
    """The element's `label_en` extension property, or "" if it has none."""
    for namespace in (CAMUNDA_NS, SPIFF_NS):
        path = f"{{{BPMN_NS}}}extensionElements/{{{namespace}}}properties/{{{namespace}}}property"
        for prop in element.iterfind(path):
            if prop.get("name") == LABEL_EN and (prop.get("value") or "").strip():
                return (prop.get("value") or "").strip()
    return ""


def option_names(properties: dict[str, str]) -> dict[str, str]:
    """Take the `label_en:<option>` entries out of a form field's properties: option -> name."""
    found = {}
    for key in [k for k in properties if k.startswith(OPTION_PREFIX)]:
        found[key.removeprefix(OPTION_PREFIX)] = properties.pop(key).strip()
    return found


def english_names(root: etree._Element) -> dict[str, str]:
    """Element id -> English name for every element of a document that has one."""
    return {
        element.get("id", ""): name
        for element in root.iter(f"{{{BPMN_NS}}}*")
        if element.get("id") and (name := english_name(element))
    }


@functools.lru_cache(maxsize=32)  # a few diagrams serve every case page: parse each once
def english_drawing(xml: str) -> tuple[str, dict[str, str]]:
    """The diagram with each element's `name` replaced by its English name (where it has
    one), for drawing it on an English page; and those names by element id (shared: do not
    change the dict)."""
    root, _problems = parse_xml(xml.encode(), "diagram")
    if root is None:
        return xml, {}
    names = english_names(root)
    for element in root.iter(f"{{{BPMN_NS}}}*"):
        if element.get("name") and element.get("id") in names:
            element.set("name", names[element.get("id", "")])
    return (etree.tostring(root, encoding="unicode") if names else xml), names


def lint_labels(file: str, process: etree._Element) -> list[Problem]:
    """One warning naming the user-facing elements, form fields and options of a process
    that have no English name (English pages show their Chinese names instead)."""
    steps = [
        element.get("id", "")
        for element in process.iter(*(f"{{{BPMN_NS}}}{tag}" for tag in USER_FACING))
        if element.get("name") and not english_name(element)
    ]
    fields, options = [], []
    for field in process.iterfind(".//camunda:formData/camunda:formField", NSMAP):
        given = {
            p.get("id", ""): (p.get("value") or "").strip()
            for p in field.iterfind("camunda:properties/camunda:property", NSMAP)
        }
        field_id = field.get("id", "")
        if not given.get(LABEL_EN):
            fields.append(field_id)
        options += [
            f"{field_id}:{option.get('id', '')}"
            for option in field.iterfind("camunda:value", NSMAP)
            if not given.get(OPTION_PREFIX + option.get("id", ""))
        ]
    found = (("step(s)", steps), ("form field(s)", fields), ("option(s)", options))
    gaps = [_listed(what, ids) for what, ids in found if ids]
    if not gaps:
        return []
    message = (
        f"no English name for {'; '.join(gaps)}: English pages show their Chinese names. Give "
        'each an extension property: <camunda:property name="label_en" value="..."/> on a '
        'step, id="label_en" on a form field, id="label_en:<option id>" for an option '
        "(processes/CONTRACT.md, English names)"
    )
    return [Problem(file, process.sourceline, process.get("id", ""), message,
                    severity="warning", code=MISSING_CODE)]  # fmt: skip


def _listed(what: str, ids: list[str], shown: int = 8) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return f"{len(ids)} {what} ({', '.join(ids[:shown])}{more})"
