"""What the engine reads from a diagram itself, beyond what SpiffWorkflow parses.

SpiffWorkflow's Camunda flavour ignores `assignee`, `candidateGroups`,
`candidateUsers`, `dueDate` and `priority`, and enforces no form constraint. We
read them here with lxml at deploy time, for both dialects, and store the result
with the process version as plain JSON (`TaskMeta`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree

from .dialects import CAMUNDA
from .forms import FIELD_TYPES, Choice, FormField
from .labels import LABEL_EN, english_name, option_names
from .xmlsafe import BPMN_NS, CAMUNDA_NS, NSMAP, ancestor


@dataclass(frozen=True)
class TaskMeta:
    """A user task's routing, deadline and form, as the engine honours them."""

    id: str
    name: str
    lane: str | None = None
    lane_name: str | None = None
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    assignee: str | None = None
    due_date: str | None = None
    priority: str | None = None
    documentation: str = ""
    form: tuple[FormField, ...] = field(default_factory=tuple)
    name_en: str = ""  # the diagram's English name (engine/labels.py); "" if it has none

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        raw = asdict(self)
        raw["form"] = [f.to_dict() for f in self.form]
        return raw

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TaskMeta:
        """Rebuild a TaskMeta stored by `to_dict`."""
        values = dict(raw)
        values["candidate_groups"] = tuple(values.get("candidate_groups", ()))
        values["candidate_users"] = tuple(values.get("candidate_users", ()))
        values["form"] = tuple(FormField.from_dict(f) for f in values.get("form", ()))
        return cls(**values)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _lanes(process: etree._Element) -> dict[str, tuple[str, str]]:
    lanes: dict[str, tuple[str, str]] = {}
    for lane in process.iterfind(".//bpmn:lane", NSMAP):
        for ref in lane.iterfind("bpmn:flowNodeRef", NSMAP):
            lanes[(ref.text or "").strip()] = (lane.get("id", ""), lane.get("name", ""))
    return lanes


def user_tasks(
    process: etree._Element, dialect: str, form_files: dict[str, bytes]
) -> dict[str, TaskMeta]:
    """Read every user task of a process element into TaskMeta, keyed by task id."""
    lanes = _lanes(process)
    tasks: dict[str, TaskMeta] = {}
    for task in process.iterfind(".//bpmn:userTask", NSMAP):
        task_id = task.get("id", "")
        lane_id, lane_name = lanes.get(task_id, (None, None))
        reader = _camunda_fields if dialect == CAMUNDA else _spiff_fields
        tasks[task_id] = TaskMeta(
            id=task_id,
            name=task.get("name") or task_id,
            name_en=english_name(task),
            lane=lane_id,
            lane_name=lane_name,
            documentation=_documentation(task),
            **reader(task, form_files),
        )
    return tasks


def _documentation(task: etree._Element) -> str:
    doc = task.find("bpmn:documentation", NSMAP)
    return (doc.text or "").strip() if doc is not None else ""


def _camunda_fields(task: etree._Element, form_files: dict[str, bytes]) -> dict[str, Any]:
    def attr(name: str) -> str | None:
        value = task.get(f"{{{CAMUNDA_NS}}}{name}")
        return value.strip() if value and value.strip() else None

    return {
        "candidate_groups": _split(attr("candidateGroups")),
        "candidate_users": _split(attr("candidateUsers")),
        "assignee": attr("assignee"),
        "due_date": attr("dueDate"),
        "priority": attr("priority"),
        "form": tuple(
            _camunda_field(f) for f in task.iterfind(".//camunda:formData/camunda:formField", NSMAP)
        ),
    }


def _camunda_field(element: etree._Element) -> FormField:
    constraints = {
        c.get("name", ""): c.get("config")
        for c in element.iterfind("camunda:validation/camunda:constraint", NSMAP)
    }
    properties = {
        p.get("id", ""): p.get("value", "")
        for p in element.iterfind("camunda:properties/camunda:property", NSMAP)
    }
    english = option_names(properties)
    choices = tuple(
        Choice(
            v.get("id", ""), v.get("name") or v.get("id") or "", english.get(v.get("id", ""), "")
        )
        for v in element.iterfind("camunda:value", NSMAP)
    )
    field_type = element.get("type", "string")
    return FormField(
        id=element.get("id", ""),
        label=element.get("label") or element.get("id") or "",
        label_en=properties.pop(LABEL_EN, ""),
        type=field_type if field_type in FIELD_TYPES else "string",
        required="required" in constraints,
        readonly="readonly" in constraints,
        default=element.get("defaultValue"),
        help=properties.pop("help", ""),
        choices=choices,
        min=_number(constraints.get("min")),
        max=_number(constraints.get("max")),
        minlength=_integer(constraints.get("minlength")),
        maxlength=_integer(constraints.get("maxlength")),
        pattern=constraints.get("pattern"),
        properties=properties,
    )


def _choice(value: etree._Element, english: dict[str, str]) -> Choice:
    option = value.get("id") or ""
    return Choice(option, value.get("name") or option, english.get(option, ""))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _integer(text: str | None) -> int | None:
    number = _number(text)
    return int(number) if number is not None else None


def _spiff_properties(task: etree._Element) -> dict[str, str]:
    return {
        p.get("name", ""): p.get("value", "")
        for p in task.iterfind(".//spiffworkflow:properties/spiffworkflow:property", NSMAP)
    }


def _spiff_fields(task: etree._Element, form_files: dict[str, bytes]) -> dict[str, Any]:
    properties = _spiff_properties(task)
    schema_file = properties.get("formJsonSchemaFilename")
    form: tuple[FormField, ...] = ()
    if schema_file and schema_file in form_files:
        try:
            form = form_from_json_schema(json.loads(form_files[schema_file]))
        except (ValueError, AttributeError):
            form = ()  # reported by validation as a problem of the form file
    return {
        "candidate_groups": _split(properties.get("candidateGroups")),
        "candidate_users": _split(properties.get("candidateUsers")),
        "assignee": properties.get("assignee") or None,
        "due_date": properties.get("dueDate") or None,
        "priority": properties.get("priority") or None,
        "form": form,
    }


_JSON_TYPES = {"string": "string", "integer": "long", "boolean": "boolean", "number": "long"}


def form_from_json_schema(schema: dict[str, Any]) -> tuple[FormField, ...]:
    """Turn a Spiff JSON-schema form into form fields (the subset the engine checks)."""
    required = set(schema.get("required", ()))
    fields = []
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not isinstance(schema.get("required", []), list):
        raise ValueError("a form schema needs 'properties' (an object) and 'required' (a list)")
    for name, prop in properties.items():
        if not isinstance(prop, dict) or not isinstance(prop.get("enum", []), list):
            raise ValueError(f"form field '{name}' must be an object; 'enum' must be a list")
        field_type = "enum" if "enum" in prop else _JSON_TYPES.get(prop.get("type", ""), "string")
        if prop.get("format") == "date":
            field_type = "date"
        fields.append(
            FormField(
                id=name,
                label=str(prop.get("title", name)),
                type=field_type,
                required=name in required,
                default=prop.get("default"),
                help=prop.get("description", ""),
                choices=tuple(Choice(str(v), str(v)) for v in prop.get("enum", ())),
                min=prop.get("minimum"),
                max=prop.get("maximum"),
                minlength=prop.get("minLength"),
                maxlength=prop.get("maxLength"),
                pattern=prop.get("pattern"),
            )
        )
    return tuple(fields)


@dataclass(frozen=True)
class StartKind:
    """How a process begins: plainly, on a message, or on a timer (a schedule)."""

    message: str | None = None
    timer: str | None = None
    start_data: str | None = None


def element_properties(process: etree._Element) -> dict[str, dict[str, str]]:
    """`camunda:properties` of every flow node that has some, keyed by element id."""
    found: dict[str, dict[str, str]] = {}
    for holder in process.iterfind(".//bpmn:extensionElements/camunda:properties", NSMAP):
        node = ancestor(holder, 2)
        props = {
            p.get("name", ""): p.get("value", "")
            for p in holder.iterfind("camunda:property", NSMAP)
        }
        if node is not None and node.get("id") and props:
            found[node.get("id", "")] = props
    return found


def start_kind(process: etree._Element, root: etree._Element) -> StartKind:
    """Read the top-level start event: a message name, a timer expression, start data."""
    start = process.find("bpmn:startEvent", NSMAP)
    if start is None:
        return StartKind()
    props = element_properties(process).get(start.get("id", ""), {})
    message = start.find("bpmn:messageEventDefinition", NSMAP)
    timer = start.find("bpmn:timerEventDefinition", NSMAP)
    if message is not None:
        ref = message.get("messageRef", "")
        declared = root.find(f"bpmn:message[@id='{ref}']", NSMAP)
        name = declared.get("name", ref) if declared is not None else ref
        return StartKind(message=name, start_data=props.get("start_data"))
    if timer is not None:
        values = [(c.text or "").strip() for c in timer_values(timer)]
        return StartKind(timer=values[0] if values else None, start_data=props.get("start_data"))
    return StartKind(start_data=props.get("start_data"))


def timer_values(timer: etree._Element) -> list[etree._Element]:
    """The timeDate/timeDuration/timeCycle children that hold an expression (not comments)."""
    return [c for c in timer if isinstance(c.tag, str) and (c.text or "").strip()]


def processes(root: etree._Element) -> list[etree._Element]:
    """Return the process elements of a BPMN document."""
    return list(root.iterfind(f"{{{BPMN_NS}}}process"))
